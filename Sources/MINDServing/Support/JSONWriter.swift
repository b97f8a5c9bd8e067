import MINDRetrieval

/// Writes JSON text straight into a byte buffer: ids, numbers and punctuation, with no intermediate values.
///
/// Why not `JSONEncoder`: a top-1000 answer is 3,000 values, and measured with `perf`, encoding them through
/// `Codable` took about 80% of batch recommendation (BENCHMARKS.md, "Writing JSON"). The output is the same bytes
/// `JSONEncoder` with `.sortedKeys` writes (a test compares them), so batch files do not change.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 1024) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Punctuation or a literal the caller knows is valid JSON.
    public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Bytes that already are valid JSON (a literal from `JSONLiterals`).
    public mutating func raw(_ json: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: json)
    }

    /// `"name":`; names are our own ASCII constants, so they need no escaping.
    public mutating func key(_ name: StaticString) {
        bytes.append(UInt8(ascii: "\""))
        raw(name)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// A quoted string, escaped as `JSONEncoder` escapes it: quote, backslash, slash and control characters.
    public mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var clean = 0  // start of the run of bytes that need no escape
            for i in 0..<utf8.count {
                let byte = utf8[i]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x2F else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean..<i]))
                appendEscaped(byte)
                clean = i + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscaped(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case 0x22: bytes.append(UInt8(ascii: "\""))
        case 0x5C: bytes.append(UInt8(ascii: "\\"))
        case 0x2F: bytes.append(UInt8(ascii: "/"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        default:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 15)]])
        }
    }

    /// An integer.
    public mutating func number(_ value: Int) {
        if value >= 0 && value < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
        } else {
            bytes.append(contentsOf: String(value).utf8)
        }
    }

    /// A float as the shortest text that reads back to the same value (`JSONEncoder`'s form: "1" not "1.0");
    /// JSON has no NaN or infinity, so those become null.
    public mutating func number(_ value: Float) {
        guard value.isFinite else { raw("null"); return }
        bytes.append(contentsOf: value.description.utf8)  // a small string: no allocation
        dropTrailingPointZero()
    }

    /// "1.0" -> "1", looking at the bytes just written (String.hasSuffix was a tenth of an answer's time).
    private mutating func dropTrailingPointZero() {
        let count = bytes.count
        if count >= 2 && bytes[count - 1] == UInt8(ascii: "0") && bytes[count - 2] == UInt8(ascii: ".") {
            bytes.removeLast(2)
        }
    }

    /// A float as `number(_: Float)`, for values computed in double precision.
    public mutating func number(_ value: Double) {
        guard value.isFinite else { raw("null"); return }
        bytes.append(contentsOf: value.description.utf8)
        dropTrailingPointZero()
    }

    public mutating func bool(_ value: Bool) {
        value ? raw("true") : raw("false")
    }

    /// `[a,b,...]` with `element` writing each.
    public mutating func array<S: Sequence>(_ values: S, _ element: (inout JSONWriter, S.Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        var first = true
        for value in values {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            element(&self, value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Appends a newline (JSONL).
    public mutating func newline() { bytes.append(0x0A) }
}

extension Recommendation {
    /// `{"interests":[...],"items":[...],"scores":[...],"user":"..."}`: the keys sorted, byte for byte what
    /// `JSONEncoder` with `.sortedKeys` writes for this value.
    public func writeJSON(into writer: inout JSONWriter) {
        writer.recommendation(count: items.count, interest: { interests[$0] }, item: { $0.string(items[$1]) },
                              score: { scores[$0] }, user: user)
    }
}

extension JSONWriter {
    /// The answer object with its keys sorted, as `JSONEncoder(.sortedKeys)` writes a `Recommendation`; entry i of
    /// each array comes from the closures. One layout for the batch path (strings) and the serving path (literals).
    mutating func recommendation(
        count: Int, interest: (Int) -> Int, item: (inout JSONWriter, Int) -> Void, score: (Int) -> Float, user: String
    ) {
        raw("{")
        key("interests")
        array(0..<count) { $0.number(interest($1)) }
        raw(",")
        key("items")
        array(0..<count, item)
        raw(",")
        key("scores")
        array(0..<count) { $0.number(score($1)) }
        raw(",")
        key("user")
        string(user)
        raw("}")
    }
}

/// Strings written as JSON literals once (quoted and escaped), so an answer copies bytes instead of escaping the
/// same item id on every request. Index i is the i-th string.
public struct JSONLiterals: Sendable {
    private let bytes: [UInt8]
    private let offsets: [Int]  // [count + 1]

    public init(_ strings: [String]) {
        var writer = JSONWriter(capacity: strings.count * 16)
        var offsets = [0]
        offsets.reserveCapacity(strings.count + 1)
        for string in strings {
            writer.string(string)
            offsets.append(writer.bytes.count)
        }
        bytes = writer.bytes
        self.offsets = offsets
    }

    public var count: Int { offsets.count - 1 }

    /// Appends literal `index` to `writer`.
    public func write(_ index: Int, into writer: inout JSONWriter) {
        bytes.withUnsafeBufferPointer { all in
            writer.raw(UnsafeBufferPointer(rebasing: all[offsets[index]..<offsets[index + 1]]))
        }
    }
}

extension Recommender {
    /// The answer for `ranked` as `Recommendation.writeJSON` writes it (same keys, same bytes), with the item ids
    /// copied from `itemIDLiterals`: the serving path, which never builds the id strings.
    public func writeJSON(user: String, ranked: [ScoredItem], into writer: inout JSONWriter) {
        writer.recommendation(count: ranked.count, interest: { ranked[$0].interest },
                              item: { itemIDLiterals.write(Int(ranked[$1].item), into: &$0) },
                              score: { ranked[$0].score }, user: user)
    }
}
