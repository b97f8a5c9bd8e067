import Foundation
import Testing
@testable import MINDModels

/// config.json of the default config as the code before the settings table wrote it (threads was 2 then).
private let defaultConfigJSON = """
    {
      "attention-power" : "inf",
      "batch-size" : 128,
      "bilinear-init-scale" : 1,
      "dynamic-interests" : true,
      "embedding-size" : 64,
      "epochs" : 20,
      "hard-negative-beta" : 0,
      "interest-count" : 4,
      "learning-rate" : 0.001,
      "logq-correction" : true,
      "max-history-length" : 20,
      "mlp-hidden" : [
        256
      ],
      "model" : "mind",
      "negative-scoring" : "attended",
      "negatives" : 1000,
      "patience" : 3,
      "profile-dropout" : 0.1,
      "routing-init" : "gaussian",
      "routing-iterations" : 3,
      "routing-sigma" : 0.1,
      "sampler" : "log-uniform",
      "seed" : 42,
      "shards" : 2,
      "shared-negatives" : true,
      "stop-gradient-routing" : true,
      "threads" : 2,
      "use-profile" : true,
      "weight-decay" : 0
    }
    """

/// config.json of `customConfig()` with the settings it has in common with the old code, as the old code wrote it.
private let oldCustomConfigJSON = """
    {
      "attention-power" : 2.5,
      "batch-size" : 128,
      "bilinear-init-scale" : 1,
      "dynamic-interests" : true,
      "embedding-size" : 64,
      "epochs" : 20,
      "hard-negative-beta" : 0,
      "interest-count" : 4,
      "learning-rate" : 0.0005,
      "logq-correction" : true,
      "max-history-length" : 20,
      "mlp-hidden" : [
        128,
        64
      ],
      "model" : "comirec-dr",
      "negative-scoring" : "attended",
      "negatives" : 1000,
      "patience" : 3,
      "profile-dropout" : 0.25,
      "routing-init" : "gaussian",
      "routing-iterations" : 3,
      "routing-sigma" : 0.3,
      "sampler" : "in-batch",
      "seed" : 18446744073709551615,
      "shards" : 2,
      "shared-negatives" : true,
      "stop-gradient-routing" : true,
      "threads" : 2,
      "use-profile" : true,
      "weight-decay" : 1e-05
    }
    """

private func prettyJSON(_ config: ModelConfig) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    return String(decoding: try encoder.encode(config), as: UTF8.self)
}

/// A config with the values the old-format capture used.
private func oldCustomConfig() -> ModelConfig {
    var config = ModelConfig()
    config.model = .comirecDR; config.attentionPower = 2.5; config.routingSigma = 0.3; config.mlpHidden = [128, 64]; config.sampler = .inBatch
    config.learningRate = 0.0005; config.seed = .max; config.profileDropout = 0.25; config.weightDecay = 1e-5; config.threads = 2
    return config
}

/// A config in which every key differs from the default.
private func customConfig() -> ModelConfig {
    var config = ModelConfig()
    config.model = .youtubednn; config.embeddingSize = 32; config.maxHistoryLength = 50; config.interestCount = 8
    config.routingIterations = 5; config.routingInitialisation = .zero; config.routingSigma = 0.25; config.bilinearInitScale = 2.5
    config.stopGradientThroughRouting = false; config.dynamicInterestCount = false; config.useProfile = false
    config.profileDropout = 0.3; config.mlpHidden = [512, 128]; config.attentionPower = 2; config.negativeScoring = .maxInterest
    config.hardNegativeBeta = 1.5; config.interestDiversityWeight = 0.5; config.routingRegularisationWeight = 10; config.negatives = 64;
    config.bilinear = .perPosition; config.attentionHeads = 4; config.attentionBlocks = 3; config.shortTermLength = 5; config.trainAllPositions = false; config.targetWindow = 7; config.softmaxExcludesHistory = true; config.windowStride = 3; config.dropout = 0.25; config.attentionDropout = 0.4; config.feedForwardActivation = .gelu; config.recurrentHiddenSize = 96; config.sequenceEncoder = .gru; config.sampler = .uniform; config.sharedNegatives = false
    config.logQCorrection = false; config.learningRate = 0.0003; config.learningRateDecay = 0.85; config.weightDecay = 1e-6; config.batchSize = 256
    config.epochs = 7; config.patience = 0; config.shards = 4; config.threads = 4095; config.seed = 18_446_744_073_709_551_615
    return config
}

private func temporaryFile(_ name: String, _ text: String) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mind-config-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url
}

/// The error `body` throws, as text; fails the test when it throws none.
private func errorText(_ body: () throws -> Void) -> String {
    do { try body() } catch { return "\(error)" }
    Issue.record("expected an error")
    return ""
}

/// `json` (a capture from before the interest regularisers and the sequence models) as it is written now: the same
/// keys and values, plus the keys added since at their defaults, each in its sorted place.
private func withNewerKeys(_ json: String) -> String {
    json.replacingOccurrences(of: "  \"interest-count\" : 4,\n", with: "  \"interest-count\" : 4,\n  \"interest-diversity\" : 0,\n")
        .replacingOccurrences(of: "  \"routing-iterations\" : 3,\n", with: "  \"routing-iterations\" : 3,\n  \"routing-regularisation\" : 0,\n")
        .replacingOccurrences(of: "  \"attention-power\"", with: "  \"all-positions\" : true,\n  \"attention-blocks\" : 2,\n  \"attention-dropout\" : 0,\n  \"attention-heads\" : 2,\n  \"attention-power\"")
        .replacingOccurrences(of: "  \"bilinear-init-scale\"", with: "  \"bilinear\" : \"default\",\n  \"bilinear-init-scale\"")
        .replacingOccurrences(of: "  \"dynamic-interests\"", with: "  \"dropout\" : 0,\n  \"dynamic-interests\"")
        .replacingOccurrences(of: "  \"hard-negative-beta\"", with: "  \"feed-forward-activation\" : \"relu\",\n  \"gru-hidden-size\" : 0,\n  \"hard-negative-beta\"")
        .replacingOccurrences(of: "  \"shards\"", with: "  \"sequence-encoder\" : \"none\",\n  \"shards\"")
        .replacingOccurrences(of: "  \"stop-gradient-routing\"", with: "  \"short-term-length\" : 10,\n  \"softmax-excludes-history\" : false,\n  \"stop-gradient-routing\"")
        .replacingOccurrences(of: "  \"learning-rate\" : 0.001,\n", with: "  \"learning-rate\" : 0.001,\n  \"learning-rate-decay\" : 1,\n")
        .replacingOccurrences(of: "  \"learning-rate\" : 0.0005,\n", with: "  \"learning-rate\" : 0.0005,\n  \"learning-rate-decay\" : 1,\n")
        .replacingOccurrences(of: "  \"threads\"", with: "  \"target-window\" : 1,\n  \"threads\"")
        .replacingOccurrences(of: "  \"weight-decay\" : 0\n", with: "  \"weight-decay\" : 0,\n  \"window-stride\" : 0\n")
        .replacingOccurrences(of: "  \"weight-decay\" : 1e-05\n", with: "  \"weight-decay\" : 1e-05,\n  \"window-stride\" : 0\n")
}

@Test func defaultConfigEncodesExactlyAsBefore() throws {
    var config = ModelConfig()
    config.threads = 2
    #expect(try prettyJSON(config) == withNewerKeys(defaultConfigJSON))
    #expect(try prettyJSON(oldCustomConfig()) == withNewerKeys(oldCustomConfigJSON))
}

@Test func oldConfigJSONDecodesToTheSameConfig() throws {
    var expected = ModelConfig()
    expected.threads = 2
    #expect(try JSONDecoder().decode(ModelConfig.self, from: Data(defaultConfigJSON.utf8)) == expected)
    #expect(try JSONDecoder().decode(ModelConfig.self, from: Data(oldCustomConfigJSON.utf8)) == oldCustomConfig())
}

@Test func jsonRoundTripKeepsEveryValue() throws {
    for config in [ModelConfig(), customConfig(), oldCustomConfig()] {
        let data = try JSONEncoder().encode(config)
        #expect(try JSONDecoder().decode(ModelConfig.self, from: data) == config)
    }
}

@Test func missingKeysTakeTheirDefaults() throws {
    let config = try JSONDecoder().decode(ModelConfig.self, from: Data(#"{"embedding-size": 32}"#.utf8))
    var expected = ModelConfig()
    expected.embeddingSize = 32
    #expect(config == expected)
}

@Test func customConfigDiffersFromTheDefaultInEveryKey() {
    for setting in ModelConfig.settings {
        #expect(setting.text(of: customConfig()) != setting.text(of: ModelConfig()), "\(setting.key)")
    }
}

@Test func everyKeyIsSettableFromItsText() throws {
    var config = ModelConfig()
    for setting in ModelConfig.settings { try config.set(setting.key, to: setting.text(of: customConfig())) }
    #expect(config == customConfig())
}

@Test func flagTextForms() throws {
    var config = ModelConfig()
    try config.set("attention-power", to: "inf")
    #expect(config.attentionPower == .infinity)
    try config.set("attention-power", to: "0.5")
    #expect(config.attentionPower == 0.5)
    try config.set("use-profile", to: "no")
    #expect(!config.useProfile)
    try config.set("mlp-hidden", to: "")
    #expect(config.mlpHidden.isEmpty)
    try config.set("mlp-hidden", to: "256, 128")
    #expect(config.mlpHidden == [256, 128])
    try config.set("sampler", to: "In-Batch")
    #expect(config.sampler == .inBatch)
}

@Test func yamlFileLoads() throws {
    let yaml = """
        model: comirec-dr
        embedding-size: 32
        mlp-hidden: [128, 64]
        attention-power: inf
        use-profile: no
        learning-rate: 1e-3
        routing-sigma: 0.25
        sampler: in-batch
        seed: 18446744073709551615
        threads: 64
        """
    let config = try ModelConfig.load(from: temporaryFile("config.yaml", yaml))
    var expected = ModelConfig()
    expected.model = .comirecDR; expected.embeddingSize = 32; expected.mlpHidden = [128, 64]; expected.attentionPower = .infinity
    expected.useProfile = false; expected.learningRate = 0.001; expected.routingSigma = 0.25; expected.sampler = .inBatch
    expected.seed = .max; expected.threads = 64
    #expect(config == expected)
    #expect(try ModelConfig.load(from: temporaryFile("config.json", try prettyJSON(customConfig()))) == customConfig())
    #expect(try ModelConfig.load(from: temporaryFile("config.yaml", "mlp-hidden: 256,128\nattention-power: 2")).mlpHidden == [256, 128])
}

@Test func threadsBeyondTwoAreAccepted() throws {
    var config = ModelConfig()
    try config.set("threads", to: "64")
    try config.validate()
    #expect(config.threads == 64)
    #expect(ModelConfig().threads == ProcessInfo.processInfo.activeProcessorCount)
}

/// (file line, key the error must name).
private let badFileLines: [(String, String)] = [
    ("embeding-size: 8", "embeding-size"),
    ("embedding-size: \"64\"", "embedding-size"),
    ("embedding-size: 1.5", "embedding-size"),
    ("embedding-size: -1", "embedding-size"),
    ("embedding-size: 5000", "embedding-size"),
    ("interest-count: 65", "interest-count"),
    ("max-history-length: 1000000000", "max-history-length"),
    ("routing-sigma: .nan", "routing-sigma"),
    ("routing-sigma: nan", "routing-sigma"),
    ("learning-rate: .inf", "learning-rate"),
    ("learning-rate: 0", "learning-rate"),
    ("learning-rate-decay: 0", "learning-rate-decay"),
    ("learning-rate-decay: 1.5", "learning-rate-decay"),
    ("profile-dropout: 1.5", "profile-dropout"),
    ("mlp-hidden: [256, 0]", "mlp-hidden"),
    ("mlp-hidden: [1, 1, 1, 1, 1, 1, 1, 1, 1]", "mlp-hidden"),
    ("mlp-hidden: [256, \"x\"]", "mlp-hidden"),
    ("use-profile: maybe", "use-profile"),
    ("use-profile: 1", "use-profile"),
    ("model: bert", "model"),
    ("sampler: 3", "sampler"),
    ("seed: -1", "seed"),
    ("attention-power: -1", "attention-power"),
    ("attention-power: .nan", "attention-power"),
    ("threads: 5000", "threads"),
    ("negatives: {a: 1}", "negatives"),
]

@Test(arguments: badFileLines) func configFileRejectsBadValue(line: String, key: String) throws {
    let url = try temporaryFile("config.yaml", "epochs: 3\n" + line + "\n")
    var caught: ConfigError?
    do { _ = try ModelConfig.load(from: url) } catch let error as ConfigError { caught = error }
    #expect(caught?.key == key, "\(line)")
    let text = caught.map(\.description) ?? ""
    #expect(text.contains("'\(key)'") && text.contains(url.path), "\(text)")
    if let setting = ModelConfig.setting(named: key) { #expect(text.contains(setting.allowed), "\(text)") }
}

@Test func flagRejectsOutOfRangeWithTheRange() {
    var config = ModelConfig()
    let text = errorText { try config.set("embedding-size", to: "-1") }
    #expect(text.contains("'embedding-size'") && text.contains("1...4096"))
    #expect(errorText { try config.set("colour", to: "red") }.contains("'colour'"))
}

@Test func validateChecksKeysSetInCode() {
    var config = ModelConfig()
    config.embeddingSize = 0
    #expect(errorText { try config.validate() }.contains("'embedding-size'"))
    config = ModelConfig()
    config.shards = 200
    #expect(errorText { try config.validate() }.contains("'shards'"))
}

@Test func helpMentionsEveryKey() {
    let help = ModelConfig.settingsHelp
    let words = help.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    for setting in ModelConfig.settings {
        #expect(help.contains("--\(setting.key) (default"), "\(setting.key)")
        #expect(words.contains(setting.help + " Allowed: " + setting.allowed), "\(setting.key)")
    }
    #expect(help.contains("all cores"))
    #expect(ModelConfig.keys.count == 44 && Set(ModelConfig.keys).count == 44)
}

@Test func settingFlagsReadBothForms() throws {
    let pairs = try ModelConfig.settingFlags(["--embedding-size", "32", "--mlp-hidden=128,64", "--routing-sigma", "-0.5", "--mlp-hidden="])
    #expect(pairs.map(\.key) == ["embedding-size", "mlp-hidden", "routing-sigma", "mlp-hidden"])
    #expect(pairs.map(\.value) == ["32", "128,64", "-0.5", ""])
    #expect(errorText { _ = try ModelConfig.settingFlags(["--colour", "red"]) }.contains("known keys: model, embedding-size"))
    #expect(errorText { _ = try ModelConfig.settingFlags(["--epochs"]) }.contains("--epochs needs a value"))
    #expect(errorText { _ = try ModelConfig.settingFlags(["--epochs", "--seed", "1"]) }.contains("--epochs needs a value"))
    #expect(errorText { _ = try ModelConfig.settingFlags(["32"]) }.contains("'32'"))
}

/// (key, JSON text of its value in config.json; a key the config lacks is added).
private let badConfigJSONValues: [(String, String)] = [
    ("embedding-size", "-1"),
    ("embedding-size", "\"64\""),
    ("embedding-size", "64.5"),
    ("embedding-size", "1e30"),
    ("routing-sigma", "\"nan\""),
    ("learning-rate", "0"),
    ("mlp-hidden", "[256, -3]"),
    ("attention-power", "\"sometimes\""),
    ("use-profile", "\"true\""),
    ("seed", "-5"),
    ("batch-size", "2000000"),
    ("embedding-sise", "64"),
    ("shards", "200"),
]

/// A model directory whose config.json has `key` set to the JSON text `value`.
private func modelDirectory(withConfigKey key: String, value: String) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mind-config-\(UUID().uuidString)")
    let schema = DataSchema(itemCount: 3, itemFeatures: [], userFeatures: [])
    try ModelBundle(config: ModelConfig(), schema: schema, itemIDs: ["a", "b", "c"], datasetPath: "data", itemPopularity: [3, 2, 1])
        .write(to: directory)
    let url = directory.appendingPathComponent("config.json")
    guard var file = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any],
          var config = file["config"] as? [String: Any] else { throw CocoaError(.fileReadCorruptFile) }
    config[key] = try JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed)
    file["config"] = config
    try JSONSerialization.data(withJSONObject: file).write(to: url)
    return directory
}

@Test func modelBundleReadsItsOwnConfig() throws {
    let directory = try modelDirectory(withConfigKey: "threads", value: "64")
    #expect(try ModelBundle.read(from: directory).config.threads == 64)
}

@Test(arguments: badConfigJSONValues) func modelBundleRejectsBadConfigJSON(key: String, value: String) throws {
    let directory = try modelDirectory(withConfigKey: key, value: value)
    var caught: ModelBundleError?
    do { _ = try ModelBundle.read(from: directory) } catch let error as ModelBundleError { caught = error }
    let text = caught.map(\.description) ?? ""
    #expect(text.contains("config.json") && text.contains("'\(key)'"), "\(text)")
}
