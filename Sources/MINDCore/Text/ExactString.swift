#if canImport(Glibc)
import Glibc
#endif

/// A string compared and hashed by its UTF-8 bytes. Swift's `String` equality is Unicode canonical equivalence, so
/// "café" written precomposed (U+00E9) and decomposed (e + U+0301) are one dictionary key; but the files, the event
/// log and every other tool take ids byte for byte. External ids (users, items, feature values) are looked up
/// through this, so two ids that are different bytes stay two ids everywhere.
public struct ExactString: Hashable, Sendable {
    public let text: String

    public init(_ text: String) {
        var text = text
        text.makeContiguousUTF8()  // so comparing and hashing read the bytes in place
        self.text = text
    }

    public static func == (lhs: ExactString, rhs: ExactString) -> Bool {
        var left = lhs.text, right = rhs.text
        return left.withUTF8 { a in
            right.withUTF8 { b in a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0) }
        }
    }

    public func hash(into hasher: inout Hasher) {
        var text = self.text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Whether two lists of ids are the same bytes, in the same order.
    public static func same(_ a: [String], _ b: [String]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { ExactString($0) == ExactString($1) }
    }
}
