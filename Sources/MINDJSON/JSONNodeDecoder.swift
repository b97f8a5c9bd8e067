/// A value of a checked document and the byte offset where it starts, to say where a value that does not fit is.
struct JSONNode {
    enum Kind {
        case null
        case bool(Bool)
        /// The number as written: it is converted when a field asks for it, to that field's type.
        case number(String)
        case string(String)
        case array([JSONNode])
        /// In document order; the check has refused a name given twice.
        case object([(name: String, value: JSONNode)])
    }

    var kind: Kind
    var offset: Int

    /// What the value is, in an error message: "a string", "an object".
    var described: String {
        switch kind {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let text): return "the number \(JSONNode.shortened(text))"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    static func shortened(_ text: String) -> String { text.count > 24 ? "of \(text.count) digits" : text }
}

/// The document the nodes came from, shared by the decoders of its values (one decode, one thread).
///
/// Errors must stay cheap: a type's `init(from:)` may try one type after another (`try? decode(String.self)`,
/// then an integer), and each failed try builds an error with its place. So where the lines start is found once,
/// at the first error, and each place is then a binary search, not a scan of the document (which made a 10,000-
/// element body take seconds).
final class JSONSource {
    let bytes: [UInt8]
    private var lineStarts: [Int]?

    init(bytes: [UInt8]) { self.bytes = bytes }

    func place(_ offset: Int) -> JSONPlace {
        let starts = lineStarts ?? {
            let starts = JSONPlace.lineStarts(of: bytes)
            lineStarts = starts
            return starts
        }()
        return JSONPlace(of: offset, lineStarts: starts)
    }
}

/// `Decoder` over a checked document (`StrictJSON.decode`). Every failure is a `DecodingError` whose coding path
/// is the field and whose description starts "must" and ends with the place: `must be a whole number, not the
/// number 3.5 (line 4, column 12)`, `must be a string, not null (column 9)`. Numbers are converted to exactly the
/// type asked for: a fraction is no `Int`, 300 is no `Int8`, 1e39 is no `Float`, and an integer is written in
/// digits (3.0 and 1e3 are refused for an `Int`).
struct JSONNodeDecoder: Decoder, SingleValueDecodingContainer {
    let node: JSONNode
    /// The path of the value holding this one, and this value's key in it (nil for the document): the coding path
    /// is put together only when asked for, mostly for an error, not for every element read.
    let parentPath: [any CodingKey]
    let key: (any CodingKey)?
    let source: JSONSource

    init(node: JSONNode, parentPath: [any CodingKey], key: (any CodingKey)?, source: JSONSource) {
        (self.node, self.parentPath, self.key, self.source) = (node, parentPath, key, source)
    }

    var codingPath: [any CodingKey] { key.map { parentPath + [$0] } ?? parentPath }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let fields) = node.kind else { throw mismatch([String: Any].self, expected: "an object") }
        return KeyedDecodingContainer(JSONKeyedContainer<Key>(fields: fields, decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = node.kind else { throw mismatch([Any].self, expected: "an array") }
        return JSONUnkeyedContainer(elements: elements, decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    /// The decoder of a value inside this one, whose coding path is `path`.
    func child(_ node: JSONNode, at key: any CodingKey, in path: [any CodingKey]) -> JSONNodeDecoder {
        JSONNodeDecoder(node: node, parentPath: path, key: key, source: source)
    }

    // MARK: Single values

    func decodeNil() -> Bool {
        if case .null = node.kind { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let value) = node.kind else { throw mismatch(type, expected: "true or false") }
        return value
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let text) = node.kind else { throw mismatch(type, expected: "a string") }
        return text
    }

    func decode(_ type: Double.Type) throws -> Double { try number(type) }

    func decode(_ type: Float.Type) throws -> Float {
        let value = try number(type)
        guard Float(value).isFinite else {
            throw mismatch(type, reason: "must be within the range of a 32-bit floating-point number, not \(node.described)")
        }
        return Float(value)
    }

    func decode(_ type: Int.Type) throws -> Int { try wholeNumber(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try wholeNumber(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try wholeNumber(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try wholeNumber(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try wholeNumber(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try wholeNumber(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try wholeNumber(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try wholeNumber(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try wholeNumber(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try wholeNumber(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: self) }

    private func number(_ type: Any.Type) throws -> Double {
        guard case .number(let text) = node.kind, let value = Double(text) else { throw mismatch(type, expected: "a number") }
        return value
    }

    private func wholeNumber<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard case .number(let text) = node.kind else { throw mismatch(type, expected: "a whole number") }
        if let value = T(text) { return value }
        // Not digits within T's range. A whole number written 3.0 or 1e3 is refused too: an integer field is
        // written in digits by every JSON writer, so another spelling is more likely a mistake than intended.
        let value = Double(text) ?? .nan  // the check passed the text, so it is a finite Double
        let problem = value.rounded() != value ? "a whole number"
                    : T(exactly: value) == nil ? "within \(T.min)...\(T.max)"
                    : "a whole number written in digits"
        throw mismatch(type, reason: "must be \(problem), not \(node.described)")
    }

    // MARK: Errors

    func mismatch(_ type: Any.Type, expected: String) -> DecodingError {
        if case .null = node.kind { return .valueNotFound(type, context("must be \(expected), not null")) }
        return mismatch(type, reason: "must be \(expected), not \(node.described)")
    }

    func mismatch(_ type: Any.Type, reason: String) -> DecodingError { .typeMismatch(type, context(reason)) }

    func context(_ reason: String, at path: [any CodingKey]? = nil) -> DecodingError.Context {
        .init(codingPath: path ?? codingPath, debugDescription: "\(reason) (\(source.place(node.offset)))")
    }
}

/// A key for the elements of an array (`[3]` in a JSON path) and for names no `CodingKey` type of the caller has.
/// Three words, so that it is stored in an existential without an allocation.
struct JSONKey: CodingKey {
    private let name: String
    private let index: Int  // -1 for a name

    init(stringValue: String) { (name, index) = (stringValue, -1) }
    init(intValue: Int) { (name, index) = ("", intValue) }

    var stringValue: String { index < 0 ? name : "Index \(index)" }
    var intValue: Int? { index < 0 ? nil : index }
}

struct JSONKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let fields: [(name: String, value: JSONNode)]
    /// Position of each name in `fields`, for objects too large to search in order (a request has a handful of
    /// fields; a dictionary of per-user values has thousands).
    let positions: [String: Int]?
    let decoder: JSONNodeDecoder
    let codingPath: [any CodingKey]

    init(fields: [(name: String, value: JSONNode)], decoder: JSONNodeDecoder) {
        self.fields = fields
        positions = fields.count > 8
            ? Dictionary(fields.indices.map { (fields[$0].name, $0) }, uniquingKeysWith: { first, _ in first }) : nil
        self.decoder = decoder
        codingPath = decoder.codingPath
    }

    /// The value named `name`, nil when the object has none.
    func value(named name: String) -> JSONNode? {
        if let positions { return positions[name].map { fields[$0].value } }
        return fields.first { $0.name == name }?.value
    }

    var allKeys: [Key] { fields.compactMap { Key(stringValue: $0.name) } }

    func contains(_ key: Key) -> Bool { value(named: key.stringValue) != nil }

    func child(_ key: Key) throws -> JSONNodeDecoder {
        guard let node = value(named: key.stringValue) else {
            throw DecodingError.keyNotFound(key, .init(
                codingPath: codingPath, debugDescription: "in the object at \(decoder.source.place(decoder.node.offset))"))
        }
        return decoder.child(node, at: key, in: codingPath)
    }

    func decodeNil(forKey key: Key) throws -> Bool { try child(key).decodeNil() }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try child(key).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try child(key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try child(key).decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try child(key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try child(key).decode(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try child(key).decode(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try child(key).decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try child(key).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try child(key).decode(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try child(key).decode(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try child(key).decode(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try child(key).decode(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try child(key).decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try child(key).decode(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decode(type) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try child(key).unkeyedContainer() }

    /// As Foundation's decoder: the value under "super" (or under `key`), null when absent.
    func superDecoder() throws -> any Decoder { superDecoder(named: JSONKey(stringValue: "super")) }
    func superDecoder(forKey key: Key) throws -> any Decoder { superDecoder(named: key) }

    private func superDecoder(named key: any CodingKey) -> JSONNodeDecoder {
        decoder.child(value(named: key.stringValue) ?? JSONNode(kind: .null, offset: decoder.node.offset), at: key, in: codingPath)
    }
}

struct JSONUnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONNode]
    let decoder: JSONNodeDecoder
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(elements: [JSONNode], decoder: JSONNodeDecoder) {
        (self.elements, self.decoder, codingPath) = (elements, decoder, decoder.codingPath)
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    /// The next element read by `read`; the index moves on only when it succeeds, as Foundation's does.
    private mutating func next<T>(_ type: T.Type, _ read: (JSONNodeDecoder) throws -> T) throws -> T {
        try checkNotAtEnd(type)
        let value = try read(decoder.child(elements[currentIndex], at: JSONKey(intValue: currentIndex), in: codingPath))
        currentIndex += 1
        return value
    }

    private func checkNotAtEnd(_ type: Any.Type) throws {
        guard isAtEnd else { return }
        let count = elements.count == 1 ? "1 element" : "\(elements.count) elements"
        throw DecodingError.valueNotFound(type, decoder.context(
            "must be given, but the array has \(count)", at: codingPath + [JSONKey(intValue: currentIndex)]))
    }

    /// True, and past the element, when it is null; otherwise the element is still to be read.
    mutating func decodeNil() throws -> Bool {
        try checkNotAtEnd(Never?.self)
        guard case .null = elements[currentIndex].kind else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: String.Type) throws -> String { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next(type) { try $0.decode(type) } }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type) { try $0.decode(type) } }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next(KeyedDecodingContainer<NestedKey>.self) { try $0.container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next((any UnkeyedDecodingContainer).self) { try $0.unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder { try next(JSONNodeDecoder.self) { $0 } }
}

/// Any JSON value, for reading a document whose shape is not known in advance (and for comparing decoders).
/// Numbers are read as Double, as JSON defines them.
public enum JSONValue: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: JSONKey.self) {
            self = .object(try Dictionary(uniqueKeysWithValues: object.allKeys.map { ($0.stringValue, try object.decode(JSONValue.self, forKey: $0)) }))
        } else if var array = try? decoder.unkeyedContainer() {
            var elements: [JSONValue] = []
            while !array.isAtEnd { elements.append(try array.decode(JSONValue.self)) }
            self = .array(elements)
        } else {
            let value = try decoder.singleValueContainer()
            if value.decodeNil() {
                self = .null
            } else if let flag = try? value.decode(Bool.self) {
                self = .bool(flag)
            } else if let number = try? value.decode(Double.self) {
                self = .number(number)
            } else {
                self = .string(try value.decode(String.self))
            }
        }
    }
}
