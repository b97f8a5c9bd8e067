import Foundation

/// Why a `.npy` file could not be read or written; each case names the file.
public enum NumpyFormatError: Error, CustomStringConvertible, Equatable {
    case cannotRead(file: String, reason: String)
    case writeFailed(file: String, reason: String)
    case badMagic(file: String)
    case unsupportedVersion(file: String, major: UInt8, minor: UInt8)
    case truncatedHeader(file: String, needed: Int, found: Int)
    case malformedHeader(file: String, reason: String)
    case unsupportedElementType(file: String, descr: String)
    case fortranOrder(file: String)
    case shapeTooLarge(file: String, shape: [Int])
    case dataLengthMismatch(file: String, shape: [Int], expectedBytes: Int, foundBytes: Int)
    case invalidBool(file: String, element: Int, byte: UInt8)

    public var description: String {
        switch self {
        case .cannotRead(let file, let reason): return "\(file): cannot read: \(reason)"
        case .writeFailed(let file, let reason): return "\(file): cannot write: \(reason)"
        case .badMagic(let file): return "\(file): not a .npy file (the magic string \\x93NUMPY is missing)"
        case .unsupportedVersion(let file, let major, let minor):
            return "\(file): .npy format version \(major).\(minor) is not supported (this build reads 1.0)"
        case .truncatedHeader(let file, let needed, let found):
            return "\(file): truncated header: \(needed) bytes needed, the file has \(found)"
        case .malformedHeader(let file, let reason): return "\(file): malformed header: \(reason)"
        case .unsupportedElementType(let file, let descr):
            return "\(file): element type '\(descr)' is not supported (only '<f4' float32 and '|b1' bool)"
        case .fortranOrder(let file): return "\(file): fortran_order is True; only C-ordered arrays are supported"
        case .shapeTooLarge(let file, let shape): return "\(file): shape \(shape) is too large"
        case .dataLengthMismatch(let file, let shape, let expected, let found):
            return "\(file): shape \(shape) needs \(expected) data bytes, the file holds \(found)"
        case .invalidBool(let file, let element, let byte):
            return "\(file): bool element \(element) is \(byte), not 0 or 1"
        }
    }
}

/// The parts of the `.npy` 1.0 layout shared by the reader and the writer.
enum NumpyFormat {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    /// Magic, two version bytes and the little-endian uint16 header length.
    static let preambleSize = 10

    struct Header: Equatable {
        var type: NumpyArray.ElementType
        var shape: [Int]
        var dataOffset: Int
    }

    /// The product of `shape`, refusing negative sizes and any overflow of the byte count.
    static func elementCount(_ shape: [Int], elementSize: Int, file: String) throws -> Int {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { throw NumpyFormatError.malformedHeader(file: file, reason: "negative dimension in shape \(shape)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw NumpyFormatError.shapeTooLarge(file: file, shape: shape) }
            count = product
        }
        guard !count.multipliedReportingOverflow(by: elementSize).overflow else { throw NumpyFormatError.shapeTooLarge(file: file, shape: shape) }
        return count
    }

    /// Checks the preamble and parses the header dictionary of a whole file's bytes.
    static func parseHeader(_ bytes: UnsafeRawBufferPointer, file: String) throws -> Header {
        // A file shorter than the magic string is truncated if what it holds is the magic's beginning.
        let prefix = Array(bytes.prefix(magic.count))
        guard !prefix.isEmpty, prefix == Array(magic.prefix(prefix.count)) else { throw NumpyFormatError.badMagic(file: file) }
        guard bytes.count >= preambleSize else {
            throw NumpyFormatError.truncatedHeader(file: file, needed: preambleSize, found: bytes.count)
        }
        guard bytes[6] == 1 && bytes[7] == 0 else { throw NumpyFormatError.unsupportedVersion(file: file, major: bytes[6], minor: bytes[7]) }
        let length = Int(bytes[8]) | Int(bytes[9]) << 8
        guard bytes.count >= preambleSize + length else {
            throw NumpyFormatError.truncatedHeader(file: file, needed: preambleSize + length, found: bytes.count)
        }
        var parser = HeaderParser(text: Array(bytes[preambleSize..<(preambleSize + length)]), file: file)
        let entries = try parser.dictionary()
        guard case .text(let descr)? = entries["descr"] else { throw NumpyFormatError.malformedHeader(file: file, reason: "no 'descr' string") }
        guard case .flag(let fortran)? = entries["fortran_order"] else {
            throw NumpyFormatError.malformedHeader(file: file, reason: "no 'fortran_order' True or False")
        }
        guard case .tuple(let shape)? = entries["shape"] else { throw NumpyFormatError.malformedHeader(file: file, reason: "no 'shape' tuple") }
        if let extra = entries.keys.first(where: { !["descr", "fortran_order", "shape"].contains($0) }) {
            throw NumpyFormatError.malformedHeader(file: file, reason: "unexpected key '\(extra)'")
        }
        guard let type = NumpyArray.ElementType(rawValue: descr) else { throw NumpyFormatError.unsupportedElementType(file: file, descr: descr) }
        guard !fortran else { throw NumpyFormatError.fortranOrder(file: file) }
        return Header(type: type, shape: shape, dataOffset: preambleSize + length)
    }
}

/// A parser for the one Python literal a `.npy` header holds: a dict of string keys to a string, a
/// boolean or a tuple of non-negative integers.
private struct HeaderParser {
    enum Value: Equatable {
        case text(String)
        case flag(Bool)
        case tuple([Int])
    }

    let text: [UInt8]
    let file: String
    var position = 0

    init(text: [UInt8], file: String) {
        self.text = text
        self.file = file
    }

    mutating func dictionary() throws -> [String: Value] {
        try expect("{")
        var entries: [String: Value] = [:]
        while true {
            skipSpaces()
            if peek() == UInt8(ascii: "}") { position += 1; break }
            let key = try string()
            guard entries[key] == nil else { throw failure("key '\(key)' appears twice") }
            skipSpaces()
            try expect(":")
            skipSpaces()
            entries[key] = try value()
            skipSpaces()
            if peek() == UInt8(ascii: ",") { position += 1 } else if peek() != UInt8(ascii: "}") { throw failure("expected ',' or '}' at byte \(position)") }
        }
        skipSpaces()
        guard position == text.count else { throw failure("unexpected text after the dictionary at byte \(position)") }
        return entries
    }

    private mutating func value() throws -> Value {
        switch peek() {
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return .text(try string())
        case UInt8(ascii: "("): return .tuple(try tuple())
        default:
            if consume("True") { return .flag(true) }
            if consume("False") { return .flag(false) }
            throw failure("unexpected value at byte \(position)")
        }
    }

    private mutating func string() throws -> String {
        guard let quote = peek(), quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") else { throw failure("expected a quoted key at byte \(position)") }
        position += 1
        let start = position
        while position < text.count && text[position] != quote {
            guard text[position] >= 0x20 && text[position] < 0x7F && text[position] != UInt8(ascii: "\\") else {
                throw failure("unsupported character in a string at byte \(position)")
            }
            position += 1
        }
        guard position < text.count else { throw failure("unterminated string") }
        position += 1
        return String(decoding: text[start..<(position - 1)], as: UTF8.self)
    }

    private mutating func tuple() throws -> [Int] {
        try expect("(")
        var items: [Int] = []
        while true {
            skipSpaces()
            if peek() == UInt8(ascii: ")") { position += 1; break }
            let start = position
            while let byte = peek(), byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { position += 1 }
            guard position > start, let number = Int(String(decoding: text[start..<position], as: UTF8.self)) else {
                throw failure("expected a non-negative integer in the shape at byte \(position)")
            }
            items.append(number)
            skipSpaces()
            if peek() == UInt8(ascii: ",") { position += 1 } else if peek() != UInt8(ascii: ")") { throw failure("expected ',' or ')' in the shape at byte \(position)") }
        }
        return items
    }

    private func peek() -> UInt8? { position < text.count ? text[position] : nil }

    private mutating func skipSpaces() {
        while let byte = peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t") { position += 1 }
    }

    private mutating func consume(_ word: String) -> Bool {
        let bytes = Array(word.utf8)
        guard position + bytes.count <= text.count, Array(text[position..<(position + bytes.count)]) == bytes else { return false }
        position += bytes.count
        return true
    }

    private mutating func expect(_ character: Character) throws {
        guard let ascii = character.asciiValue, peek() == ascii else { throw failure("expected '\(character)' at byte \(position)") }
        position += 1
    }

    private func failure(_ reason: String) -> NumpyFormatError { .malformedHeader(file: file, reason: reason) }
}
