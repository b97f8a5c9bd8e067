import Foundation
import Testing
@testable import MINDModels

/// Hostile training configs: refused quickly, before Yams builds any node, with the file named.
@Suite("Config files: alias bombs, deep nesting and huge files are refused")
struct ConfigFileGuardTests {
    func write(_ text: String) throws -> URL {
        let url = try temporaryDirectory().appendingPathComponent("config.yaml")
        try Data(text.utf8).write(to: url)
        return url
    }

    func expectRefusal(_ text: String, mentioning words: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = try write(text)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        do {
            _ = try ModelConfig.load(from: url)
            Issue.record("the config was accepted", sourceLocation: sourceLocation)
        } catch let error as ConfigError {
            let text = error.description
            #expect(text.contains(url.path), "\(text)", sourceLocation: sourceLocation)
            for word in words { #expect(text.contains(word), "'\(word)' not in: \(text)", sourceLocation: sourceLocation) }
        } catch {
            Issue.record("untyped error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func aliasBombIsRefused() throws {
        // Ten levels of nine aliases each: 9^10 (3.5 billion) leaves once expanded, in a known key.
        var levels = ["&l0 [1, 1, 1, 1, 1, 1, 1, 1, 1]"]
        for level in 1..<10 { levels.append("&l\(level) [" + Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ", ") + "]") }
        try expectRefusal("mlp-hidden: [" + levels.joined(separator: ", ") + "]\n", mentioning: ["line 1", "aliases", "not allowed"])
        // A single alias is refused as well: a training config has no use for one.
        try expectRefusal("epochs: &e 3\npatience: *e\n", mentioning: ["line 2, column 11", "aliases"])
        try expectRefusal("base: &b {epochs: 3}\n<<: *b\n", mentioning: ["line 2", "aliases"])
    }

    @Test func deepNestingIsRefused() throws {
        func nested(_ depth: Int) -> String {
            "mlp-hidden: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
        }
        try expectRefusal(nested(100), mentioning: ["line 1", "nested more than 32 levels"])
        // libyaml stops far deeper nesting itself, before our check sees it; either way no recursion runs.
        try expectRefusal(nested(100_000), mentioning: ["line 1"])
    }

    @Test func filesOverOneMegabyteAreRefused() throws {
        try expectRefusal("epochs: 3\n" + String(repeating: "# padding\n", count: 110_000), mentioning: ["1048576-byte limit"])
    }

    @Test func ordinaryConfigsStillLoad() throws {
        let url = try write("# a comment with * and & in it\nepochs: 3\nmlp-hidden: [64, 32]\nmodel: \"mind\"\nrouting-init: '*zero'\n")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        // routing-init '*zero' is a quoted string, not an alias: it reaches the key's own check.
        let error = #expect(throws: ConfigError.self) { try ModelConfig.load(from: url) }
        #expect(error?.key == "routing-init")
        let good = try write("# a comment with *star and &amp\nepochs: 3\nmlp-hidden: [64, 32]\nmodel: \"mind\"\n")
        defer { try? FileManager.default.removeItem(at: good.deletingLastPathComponent()) }
        let config = try ModelConfig.load(from: good)
        #expect(config.epochs == 3 && config.mlpHidden == [64, 32] && config.model == .mind)
    }
}
