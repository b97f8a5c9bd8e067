import Dispatch
import Foundation

/// Reads an interactions file (CSV, TSV or RecBole `.inter`) into an `InteractionTable`.
///
/// The file is memory-mapped and scanned byte by byte; ids are interned from their bytes, so no
/// String is made per row. Large unquoted files are parsed in two halves at once and merged.
public enum InteractionReader {
    /// Reads `url`; malformed rows throw (or, with `skipInvalid`, are skipped and counted by kind).
    public static func read(
        _ url: URL, columns: InteractionColumns = InteractionColumns(), skipInvalid: Bool = false,
        format: TableFormat? = nil, threads: Int = ProcessInfo.processInfo.activeProcessorCount
    ) throws -> InteractionTable {
        let file = try DelimitedFile(url: url, format: format)
        try file.requireHeader(naming: [columns.user, columns.item])
        let userColumn = try file.columnIndex(columns.user)
        let itemColumn = try file.columnIndex(columns.item)
        let names = Set(file.columns.map(\.name))
        let timestampColumn = names.contains(columns.timestamp) || columns.requireTimestamp ? try file.columnIndex(columns.timestamp) : nil
        let ratingColumn = names.contains(columns.rating) || columns.requireRating ? try file.columnIndex(columns.rating) : nil
        let layout = RowLayout(
            fieldCount: file.columns.count, user: userColumn, item: itemColumn, timestamp: timestampColumn,
            rating: ratingColumn, names: file.columns.map(\.name))

        let (ranges, quoted) = file.dataRanges(parts: max(1, min(threads, 8)))
        let scanFormat = quoted ? file.format : TableFormat(delimiter: file.format.delimiter, quoting: false)
        var chunks = [ChunkResult?](repeating: nil, count: ranges.count)
        let estimatedRows = max(16, (file.mapped.bytes.count - file.dataStart) / 24 / max(1, ranges.count))
        chunks.withUnsafeMutableBufferPointer { results in
            let output = results
            DispatchQueue.concurrentPerform(iterations: ranges.count) { part in
                output[part] = parseChunk(
                    file: file, range: ranges[part], format: scanFormat, layout: layout, skipInvalid: skipInvalid,
                    estimatedRows: estimatedRows)
            }
        }
        return try merge(chunks.map { $0! }, file: file, layout: layout)
    }

    struct RowLayout {
        var fieldCount: Int
        var user: Int
        var item: Int
        var timestamp: Int?
        var rating: Int?
        var names: [String]
    }

    final class ChunkResult {
        let userInterner: ByteInterner
        let itemInterner: ByteInterner
        var users: [Int32] = []
        var items: [Int32] = []
        var timestamps: [Double] = []
        var ratings: [Float] = []
        var invalidRows: [InvalidRowKind: Int] = [:]
        var error: DataReadError?
        var lineCount = 0

        init(expectedIds: Int) {
            userInterner = ByteInterner(expectedCount: expectedIds)
            itemInterner = ByteInterner(expectedCount: expectedIds)
        }
    }

    private static func parseChunk(
        file: DelimitedFile, range: Range<Int>, format: TableFormat, layout: RowLayout, skipInvalid: Bool,
        estimatedRows: Int
    ) -> ChunkResult {
        // Small tables that grow: a table sized for the worst case spreads a few hot ids over many cache lines.
        let result = ChunkResult(expectedIds: 4096)
        var users: [Int32] = []
        var items: [Int32] = []
        var timestamps: [Double] = []
        var ratings: [Float] = []
        var invalidRows: [InvalidRowKind: Int] = [:]
        users.reserveCapacity(estimatedRows)
        items.reserveCapacity(estimatedRows)
        if layout.timestamp != nil { timestamps.reserveCapacity(estimatedRows) }
        if layout.rating != nil { ratings.reserveCapacity(estimatedRows) }
        let userInterner = result.userInterner
        let itemInterner = result.itemInterner
        let scanner = RecordScanner(
            bytes: file.mapped.bytes, range: range, file: file.path, format: format, expectedFields: layout.fieldCount)
        let path = file.path
        var idFailure: DataReadError?

        func internId(_ interner: ByteInterner, column: Int, line: Int) -> Int32? {
            let field = scanner.field(column)
            if field.count == 0 {
                idFailure = .emptyField(file: path, line: line, column: column + 1, name: layout.names[column])
                return nil
            }
            return interner.intern(field) { bytes in
                if !FieldParsing.isValidUTF8(bytes) {
                    idFailure = .invalidUTF8(file: path, line: line, column: column + 1, name: layout.names[column])
                    return false
                }
                if FieldParsing.containsLineBreak(bytes) {
                    idFailure = .newlineInField(file: path, line: line, column: column + 1, name: layout.names[column])
                    return false
                }
                return true
            }
        }

        func number(column: Int, line: Int) -> Result<Double, DataReadError> {
            let field = scanner.field(column)
            if let value = FieldParsing.parseNumber(field) { return .success(value) }
            if field.allSatisfy({ $0 == 0x20 }) {
                return .failure(.emptyField(file: path, line: line, column: column + 1, name: layout.names[column]))
            }
            let text = String(decoding: field.prefix(40), as: UTF8.self)
            return .failure(.notANumber(file: path, line: line, column: column + 1, name: layout.names[column], text: text))
        }

        result.error = scanner.forEachRecord(expectedFields: layout.fieldCount, skipInvalid: skipInvalid, invalidRows: &invalidRows) { line in
            var timestamp = 0.0
            var rating: Float = 0
            if let column = layout.timestamp {
                switch number(column: column, line: line) {
                case .success(let value) where abs(value) > 9_007_199_254_740_992:  // 2^53
                    let text = String(decoding: scanner.field(column).prefix(40), as: UTF8.self)
                    return .impreciseTimestamp(file: path, line: line, column: column + 1, name: layout.names[column], text: text)
                case .success(let value): timestamp = value
                case .failure(let error): return error
                }
            }
            if let column = layout.rating {
                switch number(column: column, line: line) {
                case .success(let value): rating = Float(value)
                case .failure(let error): return error
                }
            }
            guard let user = internId(userInterner, column: layout.user, line: line),
                let item = internId(itemInterner, column: layout.item, line: line)
            else { return idFailure }
            users.append(user)
            items.append(item)
            if layout.timestamp != nil { timestamps.append(timestamp) }
            if layout.rating != nil { ratings.append(rating) }
            return nil
        }
        result.lineCount = scanner.nextLine - 1
        result.users = users
        result.items = items
        result.timestamps = timestamps
        result.ratings = ratings
        result.invalidRows = invalidRows
        return result
    }

    private static func merge(_ chunks: [ChunkResult], file: DelimitedFile, layout: RowLayout) throws -> InteractionTable {
        var lineOffset = file.dataStartLine - 1
        for chunk in chunks {
            if let error = chunk.error { throw error.shiftingLines(by: lineOffset) }
            lineOffset += chunk.lineCount
        }
        let first = chunks[0]
        var users = first.users
        var items = first.items
        var timestamps = first.timestamps
        var ratings = first.ratings
        var invalidRows = first.invalidRows
        for chunk in chunks.dropFirst() {
            let userMap = remap(chunk.userInterner, into: first.userInterner)
            let itemMap = remap(chunk.itemInterner, into: first.itemInterner)
            users.reserveCapacity(users.count + chunk.users.count)
            items.reserveCapacity(items.count + chunk.items.count)
            userMap.withUnsafeBufferPointer { map in
                for user in chunk.users { users.append(map[Int(user)]) }
            }
            itemMap.withUnsafeBufferPointer { map in
                for item in chunk.items { items.append(map[Int(item)]) }
            }
            timestamps.append(contentsOf: chunk.timestamps)
            ratings.append(contentsOf: chunk.ratings)
            for (kind, count) in chunk.invalidRows { invalidRows[kind, default: 0] += count }
        }
        let userIds = (0..<first.userInterner.count).map { first.userInterner.string($0) }
        let itemIds = (0..<first.itemInterner.count).map { first.itemInterner.string($0) }
        return InteractionTable(
            userIds: userIds, itemIds: itemIds, users: users, items: items,
            timestamps: layout.timestamp == nil ? nil : timestamps,
            ratings: layout.rating == nil ? nil : ratings, invalidRows: invalidRows)
    }

    /// Local index -> global index for every key of `local`, inserting new keys into `global`.
    private static func remap(_ local: ByteInterner, into global: ByteInterner) -> [Int32] {
        (0..<local.count).map { index in
            let key = local.key(index)
            return global.intern(key) { _ in true } ?? 0
        }
    }
}
