import Foundation
import MINDCore

/// Builds a `Dataset` in memory from parsed rows: rating threshold, k-core to a fixed point,
/// dense re-indexing, chronological (stable) sequences, the split, and features. No files involved.
public struct DatasetBuilder: Sendable {
    public var options: PrepareOptions
    /// Written into the manifest, e.g. "mind 0.1.0".
    public var createdBy: String

    public init(options: PrepareOptions = PrepareOptions(), createdBy: String = "mind") {
        self.options = options
        self.createdBy = createdBy
    }

    /// Builds the dataset and the report of what was dropped and why.
    public func build(
        interactions table: InteractionTable, items itemTable: AttributeTable? = nil, users userTable: AttributeTable? = nil,
        sources: [SourceFile] = []
    ) throws -> (Dataset, PrepareReport) {
        let problems = options.validationErrors()
        guard problems.isEmpty else { throw PrepareError.invalidOptions(problems) }
        let rowCount = table.rowCount
        var alive = [Bool](repeating: true, count: rowCount)

        // Implicit feedback: ratings at or above the threshold.
        var droppedByRating = 0
        if let minRating = options.minRating {
            guard let ratings = table.ratings else { throw PrepareError.noRatingColumn(threshold: minRating) }
            let threshold = Float(minRating)
            for row in 0..<rowCount where ratings[row] < threshold {
                alive[row] = false
                droppedByRating += 1
            }
        }
        if rowCount - droppedByRating == 0 { throw PrepareError.nothingLeft(stage: options.minRating == nil ? "reading" : "the rating threshold") }

        let kCore = KCoreFilter.apply(
            users: table.users, items: table.items, userCount: table.userIds.count, itemCount: table.itemIds.count,
            alive: &alive, minUserCount: options.minUserCount, minItemCount: options.minItemCount)
        let interactionCount = rowCount - droppedByRating - kCore.droppedRows
        if interactionCount == 0 { throw PrepareError.nothingLeft(stage: "the k-core filter") }

        // Dense indices in the order ids first appeared in the file.
        let (userMap, userIds) = Self.denseIndices(kCore.userCounts, ids: table.userIds)
        let (itemMap, itemIds) = Self.denseIndices(kCore.itemCounts, ids: table.itemIds)
        let users = Vocabulary(ids: userIds)
        let items = Vocabulary(ids: itemIds)

        let grouped = SequenceGrouping.group(
            users: table.users, items: table.items, timestamps: table.timestamps, alive: alive, userMap: userMap,
            itemMap: itemMap, userCount: users.count, interactionCount: interactionCount)

        // Split.
        var userSplit: [UserSplit]?
        let ratios = options.splitRatios.count == 2 ? options.splitRatios + [0] : options.splitRatios
        if options.split == .users {
            userSplit = Self.splitUsers(count: users.count, ratios: ratios, seed: options.seed)
        }

        // Features.
        var itemFeatures: [CategoricalFeature] = []
        var userFeatures: [CategoricalFeature] = []
        var itemDecisions: [PrepareReport.FeatureDecision] = []
        var userDecisions: [PrepareReport.FeatureDecision] = []
        var itemTitles: [String]?
        var itemTitleColumn: String?
        var itemsMissing = 0
        var usersMissing = 0
        if let itemTable {
            (itemFeatures, itemDecisions, itemsMissing) = try FeatureSelection.features(
                from: itemTable, role: "items", entities: items, explicit: options.itemFeatures, allowMultiValued: true,
                maxDistinctFraction: options.maxDistinctFraction)
            if let column = FeatureSelection.titleColumn(of: itemTable) {
                let rowOf = itemTable.rowsByID()
                itemTitles = items.ids.map { id in
                    rowOf[ExactString(id)].map { FeatureSelection.sanitize(column.values[$0]) } ?? id
                }
                itemTitleColumn = column.name
            }
        }
        if let userTable {
            (userFeatures, userDecisions, usersMissing) = try FeatureSelection.features(
                from: userTable, role: "users", entities: users, explicit: options.userFeatures, allowMultiValued: false,
                maxDistinctFraction: options.maxDistinctFraction)
        }

        var dataset = Dataset(
            manifest: DatasetManifest(
                format: DatasetManifest.formatName, formatVersion: DatasetManifest.currentFormatVersion, createdBy: createdBy,
                counts: .init(users: 0, items: 0, interactions: 0, trainUsers: 0, validUsers: 0, testUsers: 0,
                    trainingInteractions: 0, validCases: 0, testCases: 0),
                split: .init(kind: options.split, ratios: ratios, historyFraction: options.historyFraction, seed: options.seed),
                schema: .init(
                    hasTimestamps: table.timestamps != nil,
                    itemFeatures: itemFeatures.enumerated().map { index, feature in
                        .init(name: feature.name, vocabularySize: feature.vocabulary.count, multiValued: feature.isMultiValued,
                            file: "item_feature_\(index)")
                    },
                    userFeatures: userFeatures.enumerated().map { index, feature in
                        .init(name: feature.name, vocabularySize: feature.vocabulary.count, multiValued: feature.isMultiValued,
                            file: "user_feature_\(index)")
                    },
                    itemTitleColumn: itemTitleColumn),
                options: options, sources: sources),
            users: users, items: items, sequenceOffsets: grouped.offsets, sequenceItems: grouped.items,
            sequenceTimestamps: grouped.timestamps, userSplit: userSplit, itemFeatures: itemFeatures,
            userFeatures: userFeatures, itemTitles: itemTitles)

        // Counts.
        let lengths = (0..<users.count).map { grouped.offsets[$0 + 1] - grouped.offsets[$0] }
        var splitCounts = [0, 0, 0]
        var tooShort = 0
        var trainingInteractions = 0
        var validCases = 0
        var testCases = 0
        for user in 0..<users.count {
            trainingInteractions += dataset.trainingSlice(ofUser: user).count
            switch options.split {
            case .users:
                let part = userSplit?[user] ?? .train
                splitCounts[Int(part.rawValue)] += 1
                guard part != .train else { continue }
                if lengths[user] < 2 {
                    tooShort += 1
                } else if part == .valid {
                    validCases += 1
                } else {
                    testCases += 1
                }
            case .leaveOneOut:
                splitCounts[0] += 1
                if lengths[user] >= 3 {
                    splitCounts[1] += 1
                    splitCounts[2] += 1
                } else {
                    tooShort += 1
                }
            }
        }
        if options.split == .leaveOneOut {
            validCases = splitCounts[1]
            testCases = splitCounts[2]
        }
        dataset.manifest.counts = .init(
            users: users.count, items: items.count, interactions: interactionCount, trainUsers: splitCounts[0],
            validUsers: splitCounts[1], testUsers: splitCounts[2], trainingInteractions: trainingInteractions,
            validCases: validCases, testCases: testCases)

        var invalid: [String: [String: Int]] = [:]
        for (role, counts) in [("interactions", table.invalidRows), ("items", itemTable?.invalidRows ?? [:]), ("users", userTable?.invalidRows ?? [:])]
        where !counts.isEmpty {
            invalid[role] = Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) })
        }
        let report = PrepareReport(
            rowsRead: rowCount + table.invalidRows.values.reduce(0, +),
            usersRead: Self.distinctCount(table.users, bound: table.userIds.count),
            itemsRead: Self.distinctCount(table.items, bound: table.itemIds.count), invalidRows: invalid,
            droppedByRating: droppedByRating, droppedByKCore: kCore.droppedRows,
            usersRemovedByKCore: kCore.usersRemoved, itemsRemovedByKCore: kCore.itemsRemoved, kCorePasses: kCore.passes,
            users: users.count, items: items.count, interactions: interactionCount,
            density: Double(interactionCount) / (Double(users.count) * Double(items.count)),
            sequenceLength: .of(lengths), trainUsers: splitCounts[0], validUsers: splitCounts[1], testUsers: splitCounts[2],
            trainingInteractions: trainingInteractions, validCases: validCases, testCases: testCases,
            usersTooShortToEvaluate: tooShort, rowsWithTiedTimestamps: grouped.tiedRows,
            itemFeatures: itemDecisions, userFeatures: userDecisions, itemTitleColumn: itemTitleColumn,
            itemsWithoutAttributes: itemTable == nil ? 0 : itemsMissing, usersWithoutAttributes: userTable == nil ? 0 : usersMissing)
        return (dataset, report)
    }

    /// Distinct values among `indices`, all below `bound`.
    static func distinctCount(_ indices: [Int32], bound: Int) -> Int {
        var seen = [Bool](repeating: false, count: bound)
        var count = 0
        for index in indices where !seen[Int(index)] {
            seen[Int(index)] = true
            count += 1
        }
        return count
    }

    /// Old index -> new dense index (-1 when dropped), keeping first-appearance order.
    static func denseIndices(_ counts: [Int32], ids: [String]) -> ([Int32], [String]) {
        var map = [Int32](repeating: -1, count: counts.count)
        var kept: [String] = []
        for (old, count) in counts.enumerated() where count > 0 {
            map[old] = Int32(kept.count)
            kept.append(ids[old])
        }
        return (map, kept)
    }

    /// Users shuffled by `seed` and cut train:valid:test by `ratios`.
    static func splitUsers(count: Int, ratios: [Int], seed: UInt64) -> [UserSplit] {
        var order = Array(0..<count)
        var generator = SeededGenerator(seed: seed)
        generator.shuffle(&order)
        let total = Double(ratios.reduce(0, +))
        let validCount = Int((Double(count) * Double(ratios[1]) / total).rounded())
        let testCount = Int((Double(count) * Double(ratios[2]) / total).rounded())
        let trainCount = count - validCount - testCount
        var split = [UserSplit](repeating: .train, count: count)
        for (position, user) in order.enumerated() {
            split[user] = position < trainCount ? .train : (position < trainCount + validCount ? .valid : .test)
        }
        return split
    }
}
