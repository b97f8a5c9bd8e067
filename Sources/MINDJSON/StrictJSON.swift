/// Where and why a document is not JSON as RFC 8259 writes it.
public struct JSONSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong: "a comma before ']'", "field \"n\" appears twice".
    public var reason: String
    /// The value being read, as a JSON path (`events[2].item`); empty for the document itself.
    public var path: String
    /// 1-based line and byte column of the offending byte.
    public var line: Int
    public var column: Int
    /// Whether the document has more than one line (the line number is then worth saying).
    var multiline: Bool

    public var description: String {
        let place = path.isEmpty ? "" : "in \"\(path)\", "
        return "not valid JSON: \(reason) (\(place)\(JSONPlace(line: line, column: column, multiline: multiline)))"
    }
}

/// The one reader of JSON input in mind: HTTP bodies, history lines, model and dataset files, safetensors headers.
/// Foundation's decoder is lenient where a request or a file is most likely a mistake: it takes a trailing comma
/// (`[1, 2,]`), and the first of two fields with the same name (`{"n": 2, "n": 3}`), so the sender and the service
/// would read different requests; and on Linux it reports a number that does not fit its field (3.5 or 1e20 for an
/// `Int`) as "not valid JSON" without naming the field. Here every syntax error and every value that does not fit
/// says where it is, as a JSON path and a line and column.
///
/// It accepts exactly RFC 8259: one value with surrounding whitespace; strings of UTF-8 without raw control
/// characters, with the escapes the RFC lists and surrogate pairs whole; numbers in the RFC's grammar, within the
/// range of a Double.
public enum StrictJSON {
    /// Deeper nesting is refused: no input of ours nests more than a few levels, and recursion must stay bounded.
    public static let maximumDepth = 128

    public static func check(_ bytes: some Collection<UInt8>) throws(JSONSyntaxError) {
        _ = try parse(Array(bytes))
    }

    /// `T` read from `bytes` after the check: a `JSONSyntaxError` where the document is not JSON, a `DecodingError`
    /// naming the field (its coding path) and its place where the document does not fit `T` (see `JSONNodeDecoder`).
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws -> T {
        let document = Array(bytes)
        let root = try parse(document)
        return try T(from: JSONNodeDecoder(node: root, parentPath: [], key: nil, source: JSONSource(bytes: document)))
    }

    /// The error for a value that is not what a type's own `init(from:)` takes, worded as `decode`'s own: "must be
    /// \(expected), not ..." with the place, when `decoder` is one of `decode`'s.
    public static func mismatch(_ type: Any.Type, expected: String, in decoder: any Decoder) -> DecodingError {
        guard let decoder = decoder as? JSONNodeDecoder else {
            return .typeMismatch(type, .init(codingPath: decoder.codingPath, debugDescription: "must be \(expected)"))
        }
        return decoder.mismatch(type, expected: expected)
    }

    /// The document's values as a tree, each with the offset where it starts.
    static func parse(_ document: [UInt8]) throws(JSONSyntaxError) -> JSONNode {
        try document.withUnsafeBufferPointer { (buffer) throws(JSONSyntaxError) in
            var scanner = Scanner(bytes: buffer)
            return try scanner.document()
        }
    }

    private enum PathComponent {
        case key(String)
        case index(Int)
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0
        var path: [PathComponent] = []

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func document() throws(JSONSyntaxError) -> JSONNode {
            skipWhitespace()
            if position == bytes.count { throw failure("the document is empty") }
            let root = try value()
            skipWhitespace()
            if position < bytes.count { throw failure("text after the end of the JSON value") }
            return root
        }

        // MARK: Values

        mutating func value() throws(JSONSyntaxError) -> JSONNode {
            guard position < bytes.count else { throw failure("the document ends where a value belongs") }
            let start = position
            let kind: JSONNode.Kind
            switch bytes[position] {
            case UInt8(ascii: "{"): kind = try object()
            case UInt8(ascii: "["): kind = .array(try array())
            case UInt8(ascii: "\""): kind = .string(try string())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): kind = .number(try number())
            case UInt8(ascii: "t"): try literal("true"); kind = .bool(true)
            case UInt8(ascii: "f"): try literal("false"); kind = .bool(false)
            case UInt8(ascii: "n"): try literal("null"); kind = .null
            default: throw failure("\(shown(bytes[position])) where a value belongs")
            }
            return JSONNode(kind: kind, offset: start)
        }

        mutating func object() throws(JSONSyntaxError) -> JSONNode.Kind {
            try enterContainer()
            // Compared as Swift strings (canonical equivalence), as the decoder's keyed containers look them up.
            var names = Set<String>()
            var fields: [(name: String, value: JSONNode)] = []
            skipWhitespace()
            if peek(UInt8(ascii: "}")) {
                position += 1
                return .object(fields)
            }
            while true {
                guard peek(UInt8(ascii: "\"")) else {
                    if peek(UInt8(ascii: "}")) { throw failure("a comma before '}'") }
                    throw failure(position < bytes.count ? "\(shown(bytes[position])) where a field name in quotes belongs"
                                                         : "the document ends inside an object")
                }
                let nameStart = position
                let name = try string()
                guard names.insert(name).inserted else {
                    position = nameStart
                    throw failure("field \"\(name)\" appears twice")
                }
                skipWhitespace()
                guard peek(UInt8(ascii: ":")) else { throw failure("expected ':' after the field name \"\(name)\"") }
                position += 1
                skipWhitespace()
                path.append(.key(name))
                fields.append((name, try value()))
                path.removeLast()
                if try closes(with: UInt8(ascii: "}"), container: "object") { return .object(fields) }
            }
        }

        mutating func array() throws(JSONSyntaxError) -> [JSONNode] {
            try enterContainer()
            var elements: [JSONNode] = []
            skipWhitespace()
            if peek(UInt8(ascii: "]")) {
                position += 1
                return elements
            }
            while true {
                if peek(UInt8(ascii: "]")) { throw failure("a comma before ']'") }
                path.append(.index(elements.count))
                elements.append(try value())
                path.removeLast()
                if try closes(with: UInt8(ascii: "]"), container: "array") { return elements }
            }
        }

        /// After an element: true when `bracket` closes the container, false after a comma (another element follows).
        mutating func closes(with bracket: UInt8, container: String) throws(JSONSyntaxError) -> Bool {
            skipWhitespace()
            if peek(UInt8(ascii: ",")) {
                position += 1
                skipWhitespace()
                return false
            }
            if peek(bracket) {
                position += 1
                return true
            }
            throw failure(position < bytes.count ? "\(shown(bytes[position])) where ',' or '\(Character(UnicodeScalar(bracket)))' belongs"
                                                 : "the document ends inside an \(container)")
        }

        /// Reads a string from its opening quote: its text, escapes resolved.
        mutating func string() throws(JSONSyntaxError) -> String {
            let start = position
            position += 1  // the opening quote
            var text: [UInt8] = []
            var escaped = false
            while position < bytes.count {
                let byte = bytes[position]
                switch byte {
                case UInt8(ascii: "\""):
                    position += 1
                    let raw = UnsafeBufferPointer(rebasing: bytes[(start + 1)..<(position - 1)])
                    return escaped ? String(decoding: text, as: UTF8.self) : String(decoding: raw, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    if !escaped { text = Array(bytes[(start + 1)..<position]) }
                    escaped = true
                    let scalar = try escape()
                    text.append(contentsOf: String(scalar).utf8)
                case 0..<0x20:
                    throw failure("a control character (0x\(String(byte, radix: 16))) inside a string; write it as an escape")
                case 0x80...:
                    let length = try utf8Sequence()
                    if escaped { text.append(contentsOf: bytes[position..<(position + length)]) }
                    position += length
                default:
                    if escaped { text.append(byte) }
                    position += 1
                }
            }
            position = start
            throw failure("a string that is never closed")
        }

        /// Reads one escape from its backslash: the character it stands for.
        mutating func escape() throws(JSONSyntaxError) -> Unicode.Scalar {
            position += 1
            guard position < bytes.count else { throw failure("the document ends inside an escape") }
            let letter = bytes[position]
            position += 1
            switch letter {
            case UInt8(ascii: "\""): return "\""
            case UInt8(ascii: "\\"): return "\\"
            case UInt8(ascii: "/"): return "/"
            case UInt8(ascii: "b"): return "\u{08}"
            case UInt8(ascii: "f"): return "\u{0C}"
            case UInt8(ascii: "n"): return "\n"
            case UInt8(ascii: "r"): return "\r"
            case UInt8(ascii: "t"): return "\t"
            case UInt8(ascii: "u"):
                let first = try hexQuad()
                switch first {
                case 0xD800...0xDBFF:
                    // A high surrogate must be followed by an escaped low one: together they are one character.
                    guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
                    else { throw failure("a lone surrogate \\u\(hex(first)); a character above U+FFFF is a pair of escapes") }
                    position += 2
                    let second = try hexQuad()
                    guard (0xDC00...0xDFFF).contains(second) else {
                        throw failure("\\u\(hex(first)) is followed by \\u\(hex(second)), not a low surrogate")
                    }
                    return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))!
                case 0xDC00...0xDFFF:
                    throw failure("a lone surrogate \\u\(hex(first)); a character above U+FFFF is a pair of escapes")
                default:
                    return Unicode.Scalar(first)!
                }
            default:
                position -= 1
                throw failure("\\\(shown(letter, quoted: false)) is not an escape JSON has")
            }
        }

        /// The length of the well-formed UTF-8 sequence at `position` (Unicode's table 3-7: no overlong forms, no
        /// surrogates, nothing above U+10FFFF).
        func utf8Sequence() throws(JSONSyntaxError) -> Int {
            let lead = bytes[position]
            let (length, secondRange): (Int, ClosedRange<UInt8>)
            switch lead {
            case 0xC2...0xDF: (length, secondRange) = (2, 0x80...0xBF)
            case 0xE0: (length, secondRange) = (3, 0xA0...0xBF)
            case 0xE1...0xEC, 0xEE...0xEF: (length, secondRange) = (3, 0x80...0xBF)
            case 0xED: (length, secondRange) = (3, 0x80...0x9F)
            case 0xF0: (length, secondRange) = (4, 0x90...0xBF)
            case 0xF1...0xF3: (length, secondRange) = (4, 0x80...0xBF)
            case 0xF4: (length, secondRange) = (4, 0x80...0x8F)
            default: throw failure("byte 0x\(String(lead, radix: 16)) inside a string is not UTF-8")
            }
            for offset in 1..<length {
                let range: ClosedRange<UInt8> = offset == 1 ? secondRange : 0x80...0xBF
                guard position + offset < bytes.count, range.contains(bytes[position + offset]) else {
                    throw failure("byte 0x\(String(lead, radix: 16)) inside a string starts no whole UTF-8 character")
                }
            }
            return length
        }

        mutating func hexQuad() throws(JSONSyntaxError) -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard position < bytes.count, let digit = hexDigit(bytes[position]) else {
                    throw failure("\\u must be followed by four hexadecimal digits")
                }
                value = value << 4 | digit
                position += 1
            }
            return value
        }

        /// -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?, and within the range of a Double (which every
        /// reader of ours decodes numbers through; Foundation refuses a larger one without saying where).
        mutating func number() throws(JSONSyntaxError) -> String {
            let start = position
            if peek(UInt8(ascii: "-")) { position += 1 }
            guard position < bytes.count, isDigit(bytes[position]) else { throw failure("a '-' without digits after it") }
            let integerStart = position
            if bytes[position] == UInt8(ascii: "0") {
                position += 1
                if position < bytes.count, isDigit(bytes[position]) { throw failure("a number with a leading zero") }
            } else {
                skipDigits()
            }
            let integerDigits = position - integerStart
            if peek(UInt8(ascii: ".")) {
                position += 1
                guard position < bytes.count, isDigit(bytes[position]) else { throw failure("a '.' without digits after it") }
                skipDigits()
            }
            var exponent = false
            if peek(UInt8(ascii: "e")) || peek(UInt8(ascii: "E")) {
                position += 1
                if peek(UInt8(ascii: "+")) || peek(UInt8(ascii: "-")) { position += 1 }
                guard position < bytes.count, isDigit(bytes[position]) else { throw failure("an exponent without digits") }
                skipDigits()
                exponent = true
            }
            // Only an exponent or 309 digits before the point can reach Double.greatestFiniteMagnitude (1.8e308).
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            guard exponent || integerDigits >= 309 else { return text }
            if let value = Double(text), value.isFinite { return text }
            position = start
            let shown = text.count > 24 ? "a number of \(text.count) characters" : text
            throw failure("\(shown) is beyond the range of a 64-bit floating-point number")
        }

        mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
            let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            for (offset, byte) in expected.enumerated() {
                guard position + offset < bytes.count, bytes[position + offset] == byte else {
                    throw failure("not a value; did you mean \(word)?")
                }
            }
            position += expected.count
        }

        // MARK: Helpers

        mutating func enterContainer() throws(JSONSyntaxError) {
            guard path.count < StrictJSON.maximumDepth else { throw failure("nested deeper than \(StrictJSON.maximumDepth) levels") }
            position += 1
        }

        mutating func skipWhitespace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        mutating func skipDigits() {
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }

        func peek(_ byte: UInt8) -> Bool { position < bytes.count && bytes[position] == byte }

        func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

        func hexDigit(_ byte: UInt8) -> UInt32? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
        }

        func hex(_ value: UInt32) -> String {
            let digits = String(value, radix: 16, uppercase: true)
            return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        }

        /// A byte as an error message shows it: 'x' for printable ASCII, 0x.. otherwise.
        func shown(_ byte: UInt8, quoted: Bool = true) -> String {
            guard (0x21...0x7E).contains(byte) else { return "byte 0x" + String(byte, radix: 16) }
            let character = String(UnicodeScalar(byte))
            return quoted ? "'\(character)'" : character
        }

        func failure(_ reason: String) -> JSONSyntaxError {
            let place = JSONPlace(of: min(position, bytes.count), lineStarts: JSONPlace.lineStarts(of: bytes))
            let text = JSONProblem.path(components: path.map { component -> String in
                switch component {
                case .key(let name): return ".\(JSONProblem.abbreviated(name))"
                case .index(let index): return "[\(index)]"
                }
            })
            return JSONSyntaxError(
                reason: reason, path: text,
                line: place.line, column: place.column, multiline: place.multiline)
        }
    }
}

/// A byte offset of a document as a person finds it: 1-based line and byte column.
struct JSONPlace: CustomStringConvertible {
    var line: Int
    var column: Int
    /// Whether the document has more than one line (the line number is then worth saying).
    var multiline: Bool

    init(line: Int, column: Int, multiline: Bool) { (self.line, self.column, self.multiline) = (line, column, multiline) }

    /// The place of `offset` (at most the document's length) in a document whose lines start at `lineStarts`.
    init(of offset: Int, lineStarts starts: [Int]) {
        // The last line start at or before `offset`.
        var low = 0, high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        self.init(line: low + 1, column: offset - starts[low] + 1, multiline: starts.count > 1)
    }

    /// The offset where each line of `bytes` starts: 0, and one past every line feed.
    static func lineStarts(of bytes: some Collection<UInt8>) -> [Int] {
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == 0x0A { starts.append(offset + 1) }
        return starts
    }

    var description: String { multiline ? "line \(line), column \(column)" : "column \(column)" }
}
