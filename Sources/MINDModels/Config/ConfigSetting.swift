import Foundation

/// How one kind of setting value is read, checked and written: from a flag's text, from a
/// config file's typed value, and back to JSON. The factories below cover every key's kind.
public struct ConfigValueKind<Value: Sendable>: Sendable {
    /// The allowed values in words, for help and errors: "a whole number in 1...4096".
    public let allowed: String
    /// A flag's text -> value (lenient: `yes` for true, `256,128` for a list); nil if unreadable.
    let parse: @Sendable (String) -> Value?
    /// A file's typed value -> value (strict: the string "64" is not a number); nil if the type is wrong.
    let decode: @Sendable (ConfigValue) -> Value?
    /// Whether a value of the right type is in the allowed range.
    let isAllowed: @Sendable (Value) -> Bool
    /// The text form, as a flag takes it and help shows it.
    let format: @Sendable (Value) -> String
    /// What config.json stores.
    let encoded: @Sendable (Value) -> any Encodable & Sendable

    /// A whole number in `range`.
    public static func integer(_ range: ClosedRange<Int>) -> ConfigValueKind<Int> where Value == Int {
        ConfigValueKind<Int>(
            allowed: "a whole number in \(range.lowerBound)...\(range.upperBound)",
            parse: { Int($0.trimmingCharacters(in: .whitespaces)) },
            decode: { if case .number(let text) = $0 { return Int(text) } else { return nil } },
            isAllowed: { range.contains($0) }, format: { String($0) }, encoded: { $0 })
    }

    /// Any whole number from 0 to UInt64.max (the seed).
    public static func unsignedInteger() -> ConfigValueKind<UInt64> where Value == UInt64 {
        ConfigValueKind<UInt64>(
            allowed: "a whole number in 0...\(UInt64.max)",
            parse: { UInt64($0.trimmingCharacters(in: .whitespaces)) },
            decode: { if case .number(let text) = $0 { return UInt64(text) } else { return nil } },
            isAllowed: { _ in true }, format: { String($0) }, encoded: { $0 })
    }

    /// A finite number in `range`; `lowerOpen` excludes the lower bound (a learning rate of 0 learns nothing).
    public static func number(_ range: ClosedRange<Float>, lowerOpen: Bool = false) -> ConfigValueKind<Float> where Value == Float {
        ConfigValueKind<Float>(
            allowed: "a finite number in \(lowerOpen ? "(" : "[")\(shortText(range.lowerBound)), \(shortText(range.upperBound))]",
            parse: { Float($0.trimmingCharacters(in: .whitespaces)) },
            decode: { if case .number(let text) = $0 { return Float(text) } else { return nil } },
            isAllowed: { $0.isFinite && range.contains($0) && !(lowerOpen && $0 == range.lowerBound) },
            format: shortText, encoded: { $0 })
    }

    /// true or false (flags also take yes/no, on/off, 1/0).
    public static func boolean() -> ConfigValueKind<Bool> where Value == Bool {
        ConfigValueKind<Bool>(
            allowed: "true or false",
            parse: { text in
                switch text.trimmingCharacters(in: .whitespaces).lowercased() {
                case "true", "yes", "on", "1": return true
                case "false", "no", "off", "0": return false
                default: return nil
                }
            },
            decode: { if case .bool(let value) = $0 { return value } else { return nil } },
            isAllowed: { _ in true }, format: { $0 ? "true" : "false" }, encoded: { $0 })
    }

    /// Layer widths: comma-separated text (`256,128`, empty for none) or a list, each width in `width`.
    public static func sizes(width: ClosedRange<Int>, maximumCount: Int) -> ConfigValueKind<[Int]> where Value == [Int] {
        let parse: @Sendable (String) -> [Int]? = { text in
            let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let sizes = parts.compactMap { Int($0) }
            return sizes.count == parts.count ? sizes : nil
        }
        return ConfigValueKind<[Int]>(
            allowed: "at most \(maximumCount) widths in \(width.lowerBound)...\(width.upperBound), as a list or comma-separated (256,128; empty for none)",
            parse: parse,
            decode: { value in
                switch value {
                case .list(let items):
                    let sizes = items.compactMap { item -> Int? in if case .number(let text) = item { return Int(text) } else { return nil } }
                    return sizes.count == items.count ? sizes : nil
                case .number(let text): return Int(text).map { [$0] }
                case .string(let text): return parse(text)
                case .null: return []
                case .bool, .other: return nil
                }
            },
            isAllowed: { $0.count <= maximumCount && $0.allSatisfy(width.contains) },
            format: { $0.map(String.init).joined(separator: ",") }, encoded: { $0 })
    }

    /// A number in `range`, or infinity written as `inf` (also `infinity`, `hard`); config.json stores "inf".
    public static func numberOrInfinity(_ range: ClosedRange<Float>) -> ConfigValueKind<Float> where Value == Float {
        let parse: @Sendable (String) -> Float? = { text in
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if ["inf", "infinity", "hard", "+inf"].contains(trimmed.lowercased()) { return .infinity }
            return Float(trimmed)
        }
        return ConfigValueKind<Float>(
            allowed: "a number in [\(shortText(range.lowerBound)), \(shortText(range.upperBound))] or inf",
            parse: parse,
            decode: { value in
                switch value {
                case .number(let text), .string(let text): return parse(text)
                default: return nil
                }
            },
            isAllowed: { $0 == .infinity || ($0.isFinite && range.contains($0)) },
            format: { $0.isFinite ? shortText($0) : "inf" },
            encoded: { $0.isFinite ? $0 as any Encodable & Sendable : "inf" })
    }
}

/// Enum-valued settings (model, sampler, ...).
extension ConfigValueKind where Value: CaseIterable & RawRepresentable, Value.RawValue == String {
    /// One of an enum's raw values.
    public static func choice(_ type: Value.Type) -> ConfigValueKind<Value> {
        let parse: @Sendable (String) -> Value? = { Value(rawValue: $0.trimmingCharacters(in: .whitespaces).lowercased()) }
        return ConfigValueKind<Value>(
            allowed: "one of " + Value.allCases.map(\.rawValue).joined(separator: ", "),
            parse: parse,
            decode: { if case .string(let text) = $0 { return parse(text) } else { return nil } },
            isAllowed: { _ in true }, format: { $0.rawValue }, encoded: { $0.rawValue })
    }
}

/// A float as help and flags show it: whole values without ".0", others in Swift's shortest exact form.
@Sendable func shortText(_ value: Float) -> String {
    value.isFinite && value == value.rounded() && abs(value) < 1e7 ? String(Int(value)) : value.description
}

/// One key of `ModelConfig`: its name, help, allowed values, the models that read it, and how
/// it is read and written. `ModelConfig.settings` lists them all; everything else derives from it.
public struct ConfigSetting: Sendable {
    /// The kebab-case key, as config files and `--key` flags spell it.
    public let key: String
    /// One line of what the key does.
    public let help: String
    /// The models whose user tower reads the key; nil for every model (training keys).
    public let models: [ModelKind]?
    /// The allowed values in words.
    public let allowed: String
    /// The default in words when it is not a constant (threads: the machine's cores).
    public let defaultNote: String?
    let assignText: @Sendable (inout ModelConfig, String) throws -> Void
    let assignValue: @Sendable (inout ModelConfig, ConfigValue) throws -> Void
    let checkValue: @Sendable (ModelConfig) throws -> Void
    let formatValue: @Sendable (ModelConfig) -> String
    let encodedValue: @Sendable (ModelConfig) -> any Encodable & Sendable

    /// A setting stored at `path` whose values are of `kind`.
    public init<Value>(_ key: String, _ path: WritableKeyPath<ModelConfig, Value> & Sendable, _ kind: ConfigValueKind<Value>,
                       models: [ModelKind]?, help: String, defaultNote: String? = nil) {
        self.key = key
        self.help = help
        self.models = models
        self.allowed = kind.allowed
        self.defaultNote = defaultNote
        let invalid: @Sendable (String) -> ConfigError = { ConfigError.invalidValue(key: key, value: $0, expected: kind.allowed) }
        assignText = { config, text in
            guard let value = kind.parse(text), kind.isAllowed(value) else { throw invalid("'\(text)'") }
            config[keyPath: path] = value
        }
        assignValue = { config, given in
            guard let value = kind.decode(given), kind.isAllowed(value) else { throw invalid(given.description) }
            config[keyPath: path] = value
        }
        checkValue = { config in
            let value = config[keyPath: path]
            guard kind.isAllowed(value) else { throw invalid(kind.format(value)) }
        }
        formatValue = { kind.format($0[keyPath: path]) }
        encodedValue = { kind.encoded($0[keyPath: path]) }
    }

    /// The key's current value in `config`, in the text form a flag takes.
    public func text(of config: ModelConfig) -> String { formatValue(config) }

    /// The key's help block: flag, allowed values, default, models, and what it does.
    public var helpEntry: String {
        let defaultText = defaultNote ?? text(of: ModelConfig())
        let readers = models.map { "read by " + $0.map(\.rawValue).joined(separator: ", ") } ?? "every model"
        return "--\(key) (default \(defaultText.isEmpty ? "none" : defaultText); \(readers))\n"
            + ConfigSetting.wrap("\(help) Allowed: \(allowed).", width: 76, indent: "    ")
    }

    /// `text` broken at spaces into lines of at most `width` characters, each after `indent`
    /// (pre-wrapped so that argument-parser's help keeps the indentation).
    static func wrap(_ text: String, width: Int, indent: String) -> String {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && indent.count + line.count + 1 + word.count > width {
                lines.append(indent + line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(indent + line) }
        return lines.joined(separator: "\n")
    }
}
