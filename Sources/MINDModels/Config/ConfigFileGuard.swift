import CYaml
import Foundation

/// The checks a training config file passes before it is parsed into nodes: a bounded size, no YAML aliases,
/// bounded nesting. A config is a flat mapping of a few dozen keys, so none of these limits a real one, while
/// each stops a small hostile file (an alias bomb, a megabyte of `[`) from running for long or overflowing the stack.
enum ConfigFileGuard {
    /// The largest config file read, 1 MB.
    static let maximumSize = 1 << 20
    /// The deepest nesting of mappings and lists (a config needs two: the mapping and a list such as mlp-hidden).
    static let maximumDepth = 32

    /// The file's text; refuses a file over `maximumSize` without reading more than that.
    static func text(of url: URL) throws -> String {
        let data: Data
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            data = try handle.read(upToCount: maximumSize + 1) ?? Data()
        } catch {
            throw ConfigError.unreadable(url.path, error.localizedDescription)
        }
        guard data.count <= maximumSize else {
            throw ConfigError.malformed(url.path, "the file is over the \(maximumSize)-byte limit for a config")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ConfigError.malformed(url.path, "the file is not UTF-8") }
        return text
    }

    /// Walks the YAML events (libyaml, as Yams uses it; nothing is built) and refuses any alias (`*name`)
    /// and nesting deeper than `maximumDepth`. Syntax errors are left to Yams, which reports them with context.
    static func checkStructure(of text: String, path: String) throws {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw ConfigError.malformed(path, "cannot start the YAML parser") }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        let problem: String? = bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var depth = 0
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
                defer { yaml_event_delete(&event) }
                let line = event.start_mark.line + 1, column = event.start_mark.column + 1
                switch event.type {
                case YAML_ALIAS_EVENT:
                    return "line \(line), column \(column): YAML aliases (*name) are not allowed in a training config; write the value out"
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    depth += 1
                    if depth > maximumDepth {
                        return "line \(line), column \(column): nested more than \(maximumDepth) levels deep"
                    }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    depth -= 1
                case YAML_STREAM_END_EVENT:
                    return nil
                default:
                    break
                }
            }
        }
        if let problem { throw ConfigError.malformed(path, problem) }
    }
}
