/// Problems with a config file, a model's config.json or a `--key value` flag; each names the key.
public enum ConfigError: Error, CustomStringConvertible, Equatable {
    case unreadable(String, String)
    case malformed(String, String)
    case unknownKey(String)
    case invalidValue(key: String, value: String, expected: String)
    /// A `--key` flag with nothing after it.
    case missingValue(String)
    /// A word among the settings flags that belongs to no `--key`.
    case strayArgument(String)
    indirect case inFile(String, ConfigError)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "\(path): cannot read config (\(reason))"
        case .malformed(let path, let reason): return "\(path): not a valid YAML/JSON config: \(reason)"
        case .unknownKey(let key): return "unknown config key '\(key)'; known keys: \(ModelConfig.keys.joined(separator: ", "))"
        case .invalidValue(let key, let value, let expected): return "config key '\(key)': \(value) is not valid, expected \(expected)"
        case .missingValue(let key): return "--\(key) needs a value (--\(key) VALUE or --\(key)=VALUE)"
        case .strayArgument(let word): return "'\(word)' follows no --key; settings are given as --key value or --key=value"
        case .inFile(let path, let inner): return "\(path): \(inner)"
        }
    }

    /// The config key the problem is about, if it is about one.
    public var key: String? {
        switch self {
        case .unknownKey(let key), .invalidValue(let key, _, _), .missingValue(let key): return key
        case .inFile(_, let inner): return inner.key
        case .unreadable, .malformed, .strayArgument: return nil
        }
    }
}
