import Foundation

/// A mapped delimited file with its header parsed: where the data rows start and what the columns are.
struct DelimitedFile {
    let mapped: MappedFile
    let path: String
    let format: TableFormat
    let columns: [ColumnHeader]
    /// Byte offset of the first data row.
    let dataStart: Int
    /// Line number of the first line after the header.
    let dataStartLine: Int

    init(url: URL, format explicitFormat: TableFormat? = nil) throws {
        mapped = try MappedFile(url: url)
        path = url.path
        let bytes = mapped.bytes
        var bodyStart = 0
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { bodyStart = 3 }
        guard bytes[bodyStart...].contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
            throw DataReadError.emptyFile(file: url.path)
        }
        let firstLineEnd = bytes[bodyStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        format = explicitFormat ?? TableFormat.detect(path: url.path, firstLine: UnsafeRawBufferPointer(rebasing: bytes[bodyStart..<firstLineEnd]))
        let maximumColumns = 4096
        let scanner = RecordScanner(
            bytes: bytes, range: 0..<bytes.count, file: url.path, format: format, expectedFields: maximumColumns)
        var names: [String] = []
        switch scanner.next() {
        case .end: throw DataReadError.emptyFile(file: url.path)
        case .failure(let error): throw error
        case .record:
            guard scanner.fieldCount <= maximumColumns else {
                throw DataReadError.wrongFieldCount(file: url.path, line: scanner.recordLine, expected: maximumColumns, found: scanner.fieldCount)
            }
            for index in 0..<scanner.fieldCount {
                let field = scanner.field(index)
                guard FieldParsing.isValidUTF8(field) else {
                    throw DataReadError.invalidUTF8(file: url.path, line: scanner.recordLine, column: index + 1, name: "header")
                }
                names.append(scanner.fieldString(index).trimmingCharacters(in: .whitespaces))
            }
        }
        columns = ColumnHeader.parse(names)
        dataStartLine = scanner.nextLine
        // Position after the header record: re-find it from the line count (the header has no embedded line breaks
        // in any sane file; quoted ones are handled by scanning lines).
        var offset = bodyStart
        var line = 1
        while line < dataStartLine, offset < bytes.count {
            if let newline = bytes[offset...].firstIndex(of: UInt8(ascii: "\n")) {
                offset = newline + 1
            } else {
                offset = bytes.count
            }
            line += 1
        }
        dataStart = offset
    }

    /// Index of the column named `name`; throws for a missing or duplicated column.
    func columnIndex(_ name: String) throws -> Int {
        let matches = columns.indices.filter { columns[$0].name == name }
        guard let first = matches.first else {
            throw DataReadError.missingColumn(file: path, column: name, header: columns.map(\.name))
        }
        guard matches.count == 1 else { throw DataReadError.duplicateColumn(file: path, column: name) }
        return first
    }

    /// Throws `missingHeader` when none of the `required` names appear: the first line is data, not a header.
    func requireHeader(naming required: [String]) throws {
        let names = Set(columns.map(\.name))
        if required.allSatisfy({ !names.contains($0) }) {
            throw DataReadError.missingHeader(file: path, expected: required, found: columns.map(\.name))
        }
    }

    /// Splits the data rows into up to `parts` byte ranges that start at line beginnings.
    /// Quoted fields may hold line breaks, so a file with any quote character is not split.
    func dataRanges(parts: Int) -> (ranges: [Range<Int>], quoted: Bool) {
        let bytes = mapped.bytes
        let quoted = format.quoting && memchr(bytes.baseAddress! + dataStart, Int32(UInt8(ascii: "\"")), bytes.count - dataStart) != nil
        let total = bytes.count - dataStart
        guard !quoted, parts > 1, total > 4 << 20 else { return ([dataStart..<bytes.count], quoted) }
        var ranges: [Range<Int>] = []
        var start = dataStart
        for part in 1..<parts {
            var cut = dataStart + total * part / parts
            guard cut > start else { continue }
            if let newline = memchr(bytes.baseAddress! + cut, Int32(UInt8(ascii: "\n")), bytes.count - cut) {
                cut = UnsafeRawPointer(newline) - bytes.baseAddress! + 1
            } else {
                cut = bytes.count
            }
            ranges.append(start..<cut)
            start = cut
        }
        ranges.append(start..<bytes.count)
        return (ranges.filter { !$0.isEmpty }, quoted)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
