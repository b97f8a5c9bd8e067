import ArgumentParser
import MINDModels

/// The `--key value` / `--key=value` settings `mind train` collects beyond its own options, one per
/// key of `ModelConfig.settings`: a flag beats the config file, which beats the default.
struct ConfigOverrides {
    /// (config key, flag value) for every flag given, in order.
    let given: [(key: String, value: String)]

    /// Reads the words ArgumentParser left over; an unknown key or a flag without a value is a usage error.
    init(_ arguments: [String]) throws {
        do { given = try ModelConfig.settingFlags(arguments) } catch let error as ConfigError {
            throw ValidationError(error.description)
        }
    }

    /// Sets each given key on `config`, in order.
    func apply(to config: inout ModelConfig) throws {
        for (key, value) in given { try config.set(key, to: value) }
    }

    /// The per-key help for the command's discussion.
    static var help: String {
        "\nModel and training settings (each also a config-file key):\n\n" + ModelConfig.settingsHelp
    }
}
