/// Splits a byte range of a delimited file into records and fields without allocating per row.
///
/// Handles CRLF and LF line ends, a UTF-8 byte-order mark, blank lines (skipped) and, when the
/// format allows, RFC 4180 quoted fields with `""` escapes and embedded delimiters or line breaks.
/// Field bytes point into the file, or into a scratch buffer for fields that needed unescaping.
final class RecordScanner {
    enum Step {
        case record
        case end
        case failure(DataReadError)
    }

    private let base: UnsafePointer<UInt8>
    private let end: Int
    private let file: String
    private let delimiter: UInt8
    private let quoting: Bool
    private var position: Int
    /// 1-based line number of the next record to scan (local to this range).
    private(set) var nextLine: Int = 1
    /// Line number of the record just scanned.
    private(set) var recordLine: Int = 0

    private(set) var fieldCount = 0
    // Fixed capacity: fields beyond it are counted (for the wrong-field-count error) but not stored.
    private let starts: UnsafeMutablePointer<Int>
    private let ends: UnsafeMutablePointer<Int>
    private let escaped: UnsafeMutablePointer<Bool>
    private let capacity: Int
    private var scratch: UnsafeMutablePointer<UInt8>
    private var scratchCapacity: Int
    private let inScratch: UnsafeMutablePointer<Bool>

    init(bytes: UnsafeRawBufferPointer, range: Range<Int>, file: String, format: TableFormat, expectedFields: Int = 8) {
        // An empty map has no base address; point at a static byte and scan nothing.
        base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? RecordScanner.emptyByte
        end = bytes.baseAddress == nil ? 0 : range.upperBound
        position = bytes.baseAddress == nil ? 0 : range.lowerBound
        self.file = file
        delimiter = format.delimiter
        quoting = format.quoting
        capacity = max(expectedFields + 1, 64)
        starts = .allocate(capacity: capacity)
        ends = .allocate(capacity: capacity)
        escaped = .allocate(capacity: capacity)
        inScratch = .allocate(capacity: capacity)
        scratchCapacity = 256
        scratch = .allocate(capacity: scratchCapacity)
        if position == 0 && end >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF {
            position = 3
        }
    }

    deinit {
        starts.deallocate()
        ends.deallocate()
        escaped.deallocate()
        inScratch.deallocate()
        scratch.deallocate()
    }

    private static let emptyByte: UnsafePointer<UInt8> = {
        let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        pointer.initialize(to: 0)
        return UnsafePointer(pointer)
    }()

    /// Bytes of field `index` of the current record.
    @inline(__always)
    func field(_ index: Int) -> UnsafeRawBufferPointer {
        let pointer = inScratch[index] ? UnsafePointer(scratch) : base
        return UnsafeRawBufferPointer(start: pointer + starts[index], count: ends[index] - starts[index])
    }

    /// Field `index` as a String, replacing invalid UTF-8 (use `fieldIsValidUTF8` first where it matters).
    func fieldString(_ index: Int) -> String {
        String(decoding: field(index), as: UTF8.self)
    }

    @inline(__always)
    private func appendField(start: Int, end fieldEnd: Int, isEscaped: Bool) {
        if fieldCount < capacity {
            starts[fieldCount] = start
            ends[fieldCount] = fieldEnd
            escaped[fieldCount] = isEscaped
            inScratch[fieldCount] = false
        }
        fieldCount += 1
    }

    /// Scans the next non-blank record.
    @inline(__always)
    func next() -> Step {
        let newline = UInt8(ascii: "\n")
        let carriageReturn = UInt8(ascii: "\r")
        while position < end {
            // Blank line (LF or CRLF): skip.
            if base[position] == newline {
                position += 1
                nextLine += 1
                continue
            }
            if base[position] == carriageReturn && position + 1 < end && base[position + 1] == newline {
                position += 2
                nextLine += 1
                continue
            }
            recordLine = nextLine
            fieldCount = 0
            if quoting {
                return scanQuotedRecord()
            }
            var fieldStart = position
            var cursor = position
            while cursor < end {
                let byte = base[cursor]
                if byte == delimiter {
                    appendField(start: fieldStart, end: cursor, isEscaped: false)
                    fieldStart = cursor + 1
                } else if byte == newline {
                    break
                }
                cursor += 1
            }
            var fieldEnd = cursor
            if fieldEnd > fieldStart && base[fieldEnd - 1] == carriageReturn { fieldEnd -= 1 }
            appendField(start: fieldStart, end: fieldEnd, isEscaped: false)
            position = cursor + 1
            nextLine += 1
            return .record
        }
        return .end
    }

    /// The slow path for CSV, where a field may be quoted.
    private func scanQuotedRecord() -> Step {
        let newline = UInt8(ascii: "\n")
        let carriageReturn = UInt8(ascii: "\r")
        let quote = UInt8(ascii: "\"")
        var cursor = position
        var anyEscaped = false
        while true {
            if cursor < end && base[cursor] == quote {
                // Quoted field: runs to a quote not followed by another quote.
                let contentStart = cursor + 1
                var scan = contentStart
                var hasEscape = false
                var closed = false
                while scan < end {
                    let byte = base[scan]
                    if byte == quote {
                        if scan + 1 < end && base[scan + 1] == quote {
                            hasEscape = true
                            scan += 2
                            continue
                        }
                        closed = true
                        break
                    }
                    if byte == newline { nextLine += 1 }
                    scan += 1
                }
                guard closed else {
                    position = end
                    return .failure(.unterminatedQuote(file: file, line: recordLine))
                }
                appendField(start: contentStart, end: scan, isEscaped: hasEscape)
                anyEscaped = anyEscaped || hasEscape
                cursor = scan + 1
                if cursor < end && base[cursor] == carriageReturn && cursor + 1 < end && base[cursor + 1] == newline {
                    cursor += 1
                }
                if cursor >= end || base[cursor] == newline {
                    position = cursor + 1
                    nextLine += 1
                    break
                }
                if base[cursor] == delimiter {
                    cursor += 1
                    if cursor >= end || base[cursor] == newline || (base[cursor] == carriageReturn && cursor + 1 < end && base[cursor + 1] == newline) {
                        // A trailing delimiter: one more, empty field.
                        appendField(start: cursor, end: cursor, isEscaped: false)
                        if cursor < end && base[cursor] == carriageReturn { cursor += 1 }
                        position = cursor + 1
                        nextLine += 1
                        break
                    }
                    continue
                }
                // Skip the rest of the line so that --skip-invalid can go on.
                let column = fieldCount
                while cursor < end && base[cursor] != newline { cursor += 1 }
                position = cursor + 1
                nextLine += 1
                return .failure(.textAfterClosingQuote(file: file, line: recordLine, column: column))
            }
            var scan = cursor
            while scan < end {
                let byte = base[scan]
                if byte == delimiter || byte == newline { break }
                scan += 1
            }
            var fieldEnd = scan
            let atLineEnd = scan >= end || base[scan] == newline
            if atLineEnd && fieldEnd > cursor && base[fieldEnd - 1] == carriageReturn { fieldEnd -= 1 }
            appendField(start: cursor, end: fieldEnd, isEscaped: false)
            if atLineEnd {
                position = scan + 1
                nextLine += 1
                break
            }
            cursor = scan + 1
            if cursor >= end {
                appendField(start: cursor, end: cursor, isEscaped: false)
                position = cursor
                nextLine += 1
                break
            }
        }
        if anyEscaped { unescapeFields() }
        return .record
    }

    /// Copies fields with `""` escapes into the scratch buffer, undoubling the quotes.
    private func unescapeFields() {
        var needed = 0
        let stored = min(fieldCount, capacity)
        for index in 0..<stored where escaped[index] { needed += ends[index] - starts[index] }
        if needed > scratchCapacity {
            scratch.deallocate()
            scratchCapacity = max(needed, scratchCapacity * 2)
            scratch = .allocate(capacity: scratchCapacity)
        }
        var write = 0
        let quote = UInt8(ascii: "\"")
        for index in 0..<stored where escaped[index] {
            let start = write
            var read = starts[index]
            while read < ends[index] {
                scratch[write] = base[read]
                write += 1
                read += (base[read] == quote) ? 2 : 1
            }
            starts[index] = start
            ends[index] = write
            inScratch[index] = true
        }
    }
}

extension RecordScanner {
    /// Scans every record to the end, calling `row` with the record's line for each one whose
    /// field count is `expectedFields`. A failure (the scanner's, a wrong field count, or the one
    /// `row` returns) is counted in `invalidRows` when `skipInvalid` and the failure is a
    /// skippable row; otherwise scanning stops and the failure is returned.
    @inline(__always)
    func forEachRecord(
        expectedFields: Int, skipInvalid: Bool, invalidRows: inout [InvalidRowKind: Int], _ row: (_ line: Int) -> DataReadError?
    ) -> DataReadError? {
        while true {
            let failure: DataReadError?
            switch next() {
            case .end:
                return nil
            case .failure(let error):
                failure = error
            case .record:
                failure = fieldCount == expectedFields
                    ? row(recordLine)
                    : .wrongFieldCount(file: file, line: recordLine, expected: expectedFields, found: fieldCount)
            }
            if let failure {
                guard skipInvalid, let kind = failure.invalidRowKind else { return failure }
                invalidRows[kind, default: 0] += 1
            }
        }
    }
}
