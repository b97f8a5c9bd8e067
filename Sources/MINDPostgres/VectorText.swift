import Foundation

/// pgvector's text form of a vector, `[1,-0.5,1e-05]`, and COPY's text-format escaping.
///
/// Floats are written with Swift's shortest round-trip representation, which pgvector reads with `strtof`, and
/// pgvector writes them back the same way, so a vector survives the round trip bit for bit.
enum VectorText {
    /// `[v0,v1,...]` for `values`; every value must be finite (pgvector rejects NaN and infinity).
    static func format<Values: Collection>(_ values: Values) -> String where Values.Element == Float {
        var text = "["
        text.reserveCapacity(values.count * 12 + 2)
        var first = true
        for value in values {
            if !first { text.append(",") }
            first = false
            text.append(value.description)
        }
        text.append("]")
        return text
    }

    /// The values of `[v0,v1,...]`, or nil when the text is not a vector.
    static func parse(_ text: String) -> [Float]? {
        guard text.hasPrefix("["), text.hasSuffix("]") else { return nil }
        let body = text.dropFirst().dropLast()
        if body.isEmpty { return [] }
        var values = [Float]()
        for part in body.split(separator: ",", omittingEmptySubsequences: false) {
            guard let value = Float(part.trimmingCharacters(in: .whitespaces)) else { return nil }
            values.append(value)
        }
        return values
    }

    /// `text` escaped for one field of COPY's text format: backslash, tab, newline and carriage return.
    static func copyField(_ text: String) -> String {
        guard text.contains(where: { $0 == "\\" || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": escaped.append("\\\\")
            case "\t": escaped.append("\\t")
            case "\n": escaped.append("\\n")
            case "\r": escaped.append("\\r")
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// COPY's text-format null.
    static let copyNull = "\\N"
}
