import Foundation
import MINDNN
import Yams

/// The one declaration of every config key. Config files, config.json, `--key value` flags,
/// validation, the key list and `mind train --help` all derive from `settings`.
///
/// The upper bounds keep a hostile or mistyped file from asking for giant allocations while
/// leaving room far beyond any sensible run: embedding-size 4096, interest-count 64,
/// max-history-length 10,000, routing-iterations 100, MLP widths 65,536 in at most 8 layers,
/// negatives and batch-size 1,000,000, epochs and patience 100,000, shards and threads 4096;
/// float hyper-parameters are finite and at most 1000 (learning-rate at most 10).
extension ModelConfig {
    /// Every key, in the order help lists them.
    public static let settings: [ConfigSetting] = {
        let all = ModelKind.allCases, routing: [ModelKind] = [.mind, .comirecDR], mlp: [ModelKind] = [.mind, .youtubednn]
        let multiInterest = ModelKind.allCases.filter(\.isMultiInterest), profile: [ModelKind] = [.mind, .youtubednn, .sdm]
        return [
            ConfigSetting("model", \.model, .choice(ModelKind.self), models: nil,
                          help: "Which user tower to train: MIND, YouTubeDNN, ComiRec-DR, ComiRec-SA, SDM, SASRec or GRU4Rec."),
            ConfigSetting("embedding-size", \.embeddingSize, .integer(1...4096), models: all,
                          help: "Embedding and interest dimension d."),
            ConfigSetting("max-history-length", \.maxHistoryLength, .integer(1...10_000), models: all,
                          help: "History items fed to the user tower; longer histories keep the most recent."),
            ConfigSetting("interest-count", \.interestCount, .integer(1...64), models: multiInterest,
                          help: "Maximum number of interests K."),
            ConfigSetting("routing-iterations", \.routingIterations, .integer(1...100), models: routing,
                          help: "Dynamic-routing iterations."),
            ConfigSetting("bilinear", \.bilinear, .choice(CapsuleBilinear.self), models: routing,
                          help: "Capsule bilinear map: shared (MIND), per-interest (ComiRec-DR), per-position (one map per interest and position); default is the model's own."),
            ConfigSetting("sequence-encoder", \.sequenceEncoder, .choice(SequenceEncoder.self), models: routing,
                          help: "What routing reads: the item vectors (none, the paper) or a GRU's state at each behaviour (gru)."),
            ConfigSetting("attention-heads", \.attentionHeads, .integer(1...64), models: [.sasrec, .sdm],
                          help: "Heads of multi-head self-attention; must divide embedding-size."),
            ConfigSetting("attention-blocks", \.attentionBlocks, .integer(1...16), models: [.sasrec],
                          help: "Causal transformer blocks (self-attention and feed-forward, each with a residual and layer norm)."),
            ConfigSetting("short-term-length", \.shortTermLength, .integer(1...10_000), models: [.sdm],
                          help: "SDM's short-term session: the most recent behaviours of the history; the rest is long-term."),
            ConfigSetting("gru-hidden-size", \.recurrentHiddenSize, .integer(0...4096), models: [.gru4rec],
                          help: "GRU4Rec's hidden state size; its dense layer maps the last state back to embedding-size (RecBole: 128); 0 is embedding-size."),
            ConfigSetting("dropout", \.dropout, .number(0...0.95), models: [.sasrec, .gru4rec],
                          help: "Dropout in training: SASRec's block input and each sub-layer's output (RecBole: 0.5), GRU4Rec's item vectors before the GRU (RecBole: 0.3); 0 is off."),
            ConfigSetting("attention-dropout", \.attentionDropout, .number(0...0.95), models: [.sasrec],
                          help: "Dropout on SASRec's attention weights in training (RecBole: 0.5); 0 is off."),
            ConfigSetting("feed-forward-activation", \.feedForwardActivation, .choice(Activation.self), models: [.sasrec],
                          help: "SASRec's feed-forward non-linearity: relu or gelu (RecBole's)."),
            ConfigSetting("all-positions", \.trainAllPositions, .boolean(), models: [.sasrec, .gru4rec],
                          help: "Train on windows of max-history-length + 1 items, every position predicting the next (SASRec's way); false trains one target per sample with its full history, as the other models."),
            ConfigSetting("window-stride", \.windowStride, .integer(0...10_000), models: [.sasrec, .gru4rec],
                          help: "All-positions windows end every N items and each trains only its last N positions, so every target sees at least max-history-length - N earlier items (its whole prefix near a sequence's start); costs max-history-length / N times the tower's work per target. 0 is max-history-length: non-overlapping windows, where a window's first positions see few items."),
            ConfigSetting("target-window", \.targetWindow, .integer(1...10_000), models: nil,
                          help: "Each training target is drawn uniformly from the next N items of the sequence (1: always the next item). Larger N trains for what comes soon, as a truth of a user's whole future (users split) asks; leave-one-out asks for the next item only."),
            ConfigSetting("softmax-excludes-history", \.softmaxExcludesHistory, .boolean(), models: nil,
                          help: "Leave each training target's earlier items out of its softmax (as evaluation leaves a user's history out of the ranking), and with target-window the window's other items: the loss stops pushing down what a user already has or will have next."),
            ConfigSetting("routing-init", \.routingInitialisation, .choice(RoutingInitialisation.self), models: [.mind],
                          help: "Routing-logit start: gaussian (drawn per sample) or zero."),
            ConfigSetting("routing-sigma", \.routingSigma, .number(0...1000), models: [.mind],
                          help: "Standard deviation of the Gaussian routing-logit start."),
            ConfigSetting("bilinear-init-scale", \.bilinearInitScale, .number(0...1000), models: routing,
                          help: "Initial standard deviation of the bilinear map S in units of 1/sqrt(d); larger decides routing sooner."),
            ConfigSetting("stop-gradient-routing", \.stopGradientThroughRouting, .boolean(), models: routing,
                          help: "No gradient through the routing-logit updates (the paper)."),
            ConfigSetting("dynamic-interests", \.dynamicInterestCount, .boolean(), models: [.mind],
                          help: "K'_u = max(1, min(K, floor(log2 n))) interests for n history items; otherwise always K."),
            ConfigSetting("use-profile", \.useProfile, .boolean(), models: profile,
                          help: "Use user-profile features when the dataset has them."),
            ConfigSetting("profile-dropout", \.profileDropout, .number(0...1), models: profile,
                          help: "Share of training samples whose profile is hidden, so users without one are served well."),
            ConfigSetting("mlp-hidden", \.mlpHidden, .sizes(width: 1...65_536, maximumCount: 8), models: mlp,
                          help: "Hidden sizes of the MLP over the user vector(s); its output size is embedding-size."),
            ConfigSetting("attention-power", \.attentionPower, .numberOrInfinity(0...1000), models: multiInterest,
                          help: "Label-aware attention power p; inf is hard (argmax) attention."),
            ConfigSetting("negative-scoring", \.negativeScoring, .choice(NegativeScoring.self), models: multiInterest,
                          help: "Negatives scored by the attended vector (the paper) or by their best interest, as serving ranks."),
            ConfigSetting("interest-diversity", \.interestDiversityWeight, .number(0...1000), models: multiInterest,
                          help: "Weight of a penalty on the mean squared cosine between a user's active interests; 0 is off."),
            ConfigSetting("routing-regularisation", \.routingRegularisationWeight, .number(0...1000), models: routing,
                          help: "Weight of REMI's routing regularisation (squared variance of each interest's coupling weights over the behaviours); needs --stop-gradient-routing false to reach the weights; 0 is off."),
            ConfigSetting("hard-negative-beta", \.hardNegativeBeta, .number(0...1000), models: nil,
                          help: "Weight sampled negatives by exp(beta * score), emphasising hard ones; 0 is off."),
            ConfigSetting("negatives", \.negatives, .integer(1...1_000_000), models: nil,
                          help: "Sampled negatives per sample (per batch when shared or in-batch)."),
            ConfigSetting("sampler", \.sampler, .choice(NegativeSampler.self), models: nil,
                          help: "Negatives: uniform, log-uniform (Zipfian over popularity ranks), in-batch, or full softmax."),
            ConfigSetting("shared-negatives", \.sharedNegatives, .boolean(), models: nil,
                          help: "One set of sampled negatives for the whole batch (one GEMM) instead of per sample."),
            ConfigSetting("logq-correction", \.logQCorrection, .boolean(), models: nil,
                          help: "Subtract log Q(item) from sampled logits where sampling is not uniform."),
            ConfigSetting("learning-rate", \.learningRate, .number(0...10, lowerOpen: true), models: nil,
                          help: "Adam learning rate."),
            ConfigSetting("learning-rate-decay", \.learningRateDecay, .number(0...1, lowerOpen: true), models: nil,
                          help: "Multiply the learning rate by this factor after every epoch: epoch e (from 0) trains at learning-rate * decay^e, so the last epochs settle instead of wandering at the full step; 1 keeps it constant."),
            ConfigSetting("weight-decay", \.weightDecay, .number(0...1000), models: nil,
                          help: "L2 weight decay."),
            ConfigSetting("batch-size", \.batchSize, .integer(1...1_000_000), models: nil,
                          help: "Samples per optimiser step."),
            ConfigSetting("epochs", \.epochs, .integer(1...100_000), models: nil,
                          help: "Maximum epochs."),
            ConfigSetting("patience", \.patience, .integer(0...100_000), models: nil,
                          help: "Epochs without a better validation Recall@50 before stopping; 0 never stops early."),
            ConfigSetting("shards", \.shards, .integer(1...4096), models: nil,
                          help: "Data-parallel shards per batch (at most batch-size); fixed so the weights do not depend on threads."),
            ConfigSetting("threads", \.threads, .integer(1...4096), models: nil,
                          help: "Threads for training; the weights are the same for any value (shards fix the split).",
                          defaultNote: "all cores"),
            ConfigSetting("seed", \.seed, .unsignedInteger(), models: nil,
                          help: "Seed of every random draw."),
        ]
    }()

    /// Every key a config file or a `--key value` flag may set.
    public static var keys: [String] { settings.map(\.key) }

    /// The declaration of `key`, or nil for an unknown key.
    public static func setting(named key: String) -> ConfigSetting? { settings.first { $0.key == key } }

    /// One help entry per key (flag, allowed values, default, models, what it does), for `mind train --help`.
    public static var settingsHelp: String { settings.map(\.helpEntry).joined(separator: "\n") }

    /// Sets one key from its text form, as a flag gives it; rejects unknown keys and values out of range.
    public mutating func set(_ key: String, to text: String) throws {
        guard let setting = ModelConfig.setting(named: key) else { throw ConfigError.unknownKey(key) }
        try setting.assignText(&self, text)
    }

    /// The defaults with `settings` (key -> text, as flags give them) applied and cross-checked: a config
    /// written in code the way a config file would be, e.g. `ModelConfig(["embedding-size": "16"])`.
    public init(_ settings: KeyValuePairs<String, String>) throws {
        self.init()
        for (key, text) in settings { try set(key, to: text) }
        try validate()
    }

    /// Reads a YAML or JSON config file (JSON is YAML). Keys it lacks keep their defaults; unknown keys,
    /// values of the wrong type (a quoted "64" for a number) and values out of range are errors naming the key.
    public static func load(from url: URL) throws -> ModelConfig {
        let text = try ConfigFileGuard.text(of: url)
        // Before Yams builds any node: aliases could expand a few lines into billions of nodes.
        try ConfigFileGuard.checkStructure(of: text, path: url.path)
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw ConfigError.malformed(url.path, "\(error)")
        }
        guard case .mapping(let mapping)? = root else {
            throw ConfigError.malformed(url.path, "top level must be a mapping of key: value")
        }
        var config = ModelConfig()
        for (keyNode, valueNode) in mapping {
            do {
                guard case .scalar(let key) = keyNode, let setting = setting(named: key.string) else {
                    throw ConfigError.unknownKey(keyNode.string ?? "\(ConfigValue(yaml: keyNode))")
                }
                try setting.assignValue(&config, ConfigValue(yaml: valueNode))
            } catch let error as ConfigError {
                throw ConfigError.inFile(url.path, error)
            }
        }
        return config
    }

    /// Splits `--key value` and `--key=value` words (the settings `mind train` collects beyond its own
    /// options) into (key, text) pairs; unknown keys, flags without a value and stray words are errors.
    public static func settingFlags(_ arguments: [String]) throws -> [(key: String, value: String)] {
        var pairs: [(key: String, value: String)] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            guard word.hasPrefix("--"), word.count > 2 else { throw ConfigError.strayArgument(word) }
            let flag = word.dropFirst(2)
            if let equals = flag.firstIndex(of: "=") {
                let key = String(flag[..<equals])
                guard setting(named: key) != nil else { throw ConfigError.unknownKey(key) }
                pairs.append((key, String(flag[flag.index(after: equals)...])))
                index += 1
            } else {
                let key = String(flag)
                guard setting(named: key) != nil else { throw ConfigError.unknownKey(key) }
                guard index + 1 < arguments.count, !arguments[index + 1].hasPrefix("--") else { throw ConfigError.missingValue(key) }
                pairs.append((key, arguments[index + 1]))
                index += 2
            }
        }
        return pairs
    }
}
