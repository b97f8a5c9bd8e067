import Yams

/// A value as a config file holds it, before it is checked against its key: JSON's types,
/// and YAML's after resolving plain scalars the YAML way (`true`, `64`, `.inf`).
public enum ConfigValue: Equatable, Sendable, Decodable, CustomStringConvertible {
    case bool(Bool)
    /// A number kept as its text, so whole numbers up to UInt64.max and Float32 values stay exact.
    case number(String)
    case string(String)
    case list([ConfigValue])
    case null
    /// A mapping, or anything else no key accepts.
    case other(String)

    /// Resolves an unquoted YAML scalar: booleans (YAML 1.1 words too), numbers, `.inf`/`.nan`, else a string.
    public init(plain text: String) {
        switch text.lowercased() {
        case "true", "yes", "on": self = .bool(true)
        case "false", "no", "off": self = .bool(false)
        case "", "~", "null": self = .null
        case ".inf", "+.inf": self = .number("inf")
        case "-.inf": self = .number("-inf")
        case ".nan": self = .number("nan")
        default: self = Double(text) != nil ? .number(text) : .string(text)
        }
    }

    /// The value of a YAML node; quoted scalars stay strings (`"64"` is not a number).
    public init(yaml node: Node) {
        switch node {
        case .scalar(let scalar): self = scalar.style == .plain ? ConfigValue(plain: scalar.string) : .string(scalar.string)
        case .sequence(let sequence): self = .list(sequence.map(ConfigValue.init(yaml:)))
        case .mapping: self = .other("a mapping")
        case .alias: self = .other("an alias")
        }
    }

    /// Reads any JSON value; numbers are tried as whole numbers first so none loses precision.
    public init(from decoder: Decoder) throws {
        if let single = try? decoder.singleValueContainer() {
            if single.decodeNil() { self = .null; return }
            if let value = try? single.decode(Bool.self) { self = .bool(value); return }
            if let value = try? single.decode(String.self) { self = .string(value); return }
            if let value = try? single.decode(Int64.self) { self = .number(String(value)); return }
            if let value = try? single.decode(UInt64.self) { self = .number(String(value)); return }
            if let value = try? single.decode(Double.self) { self = .number(value.description); return }
        }
        if var list = try? decoder.unkeyedContainer() {
            var items: [ConfigValue] = []
            while !list.isAtEnd { items.append(try list.decode(ConfigValue.self)) }
            self = .list(items)
            return
        }
        self = .other("a mapping")
    }

    /// The value as an error message shows it: strings quoted, so `"64"` reads as the wrong type.
    public var description: String {
        switch self {
        case .bool(let value): return "\(value)"
        case .number(let text): return text
        case .string(let text): return "\"\(text)\""
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .null: return "null"
        case .other(let what): return what
        }
    }
}
