import Foundation
import Yams

/// Which user tower to train.
public enum ModelKind: String, Codable, CaseIterable, Sendable {
    case mind
    case youtubednn
    /// ComiRec-DR (Cen et al. 2020): routing with one bilinear map per interest, no MLP, no profile.
    case comirecDR = "comirec-dr"
}

/// How negatives for the sampled softmax are drawn.
public enum NegativeSampler: String, Codable, CaseIterable, Sendable {
    /// Every item equally likely.
    case uniform
    /// Proportional to training popularity^0.75 (word2vec style), with logQ correction.
    case logUniform = "log-uniform"
    /// The other samples' targets in the batch, with logQ correction by popularity.
    case inBatch = "in-batch"
    /// No sampling: the softmax runs over the whole catalogue (small catalogues).
    case full
}

/// Which user vector scores the sampled negatives in MIND's training loss.
public enum NegativeScoring: String, Codable, CaseIterable, Sendable {
    /// The label-aware attended vector, as for the target (the paper).
    case attended
    /// Each negative's best interest, max_k e . u_k: the score serving ranks by.
    case maxInterest = "max-interest"
}

/// How routing logits start for each sample.
public enum RoutingInitialisation: String, Codable, CaseIterable, Sendable {
    case gaussian
    case zero
}

/// Every hyper-parameter of a training run; saved with the model so a run can be repeated.
public struct ModelConfig: Codable, Equatable, Sendable {
    public var model: ModelKind = .mind
    /// Embedding and interest dimension d.
    public var embeddingSize: Int = 64
    /// Longest history fed to the user tower; longer histories keep the most recent items.
    public var maxHistoryLength: Int = 20
    /// Maximum number of interests K.
    public var interestCount: Int = 4
    /// Dynamic-routing iterations.
    public var routingIterations: Int = 3
    public var routingInitialisation: RoutingInitialisation = .gaussian
    /// Standard deviation of the Gaussian routing-logit initialisation.
    public var routingSigma: Float = 0.1
    /// Standard deviation of the bilinear map S at initialisation, in units of 1/sqrt(d)
    /// (1 keeps |S e| near |e|). Larger values make routing decide sooner (see README).
    public var bilinearInitScale: Float = 1
    /// Treat routing logits as constants in the backward pass (the paper's and our default).
    public var stopGradientThroughRouting: Bool = true
    /// K'_u = max(1, min(K, floor(log2 |history|))).
    public var dynamicInterestCount: Bool = true
    /// Concatenate user-profile embeddings before the MLP, when the dataset has profiles.
    public var useProfile: Bool = true
    /// Probability of hiding a training user's profile, so users without one are served well.
    public var profileDropout: Float = 0.1
    /// Hidden sizes of the MLP after routing (its output size is embeddingSize).
    public var mlpHidden: [Int] = [256]
    /// Label-aware attention power p; `.infinity` is the hard (argmax) attention.
    public var attentionPower: Float = .infinity
    /// How negatives are scored against a multi-interest user (the target always uses attention).
    public var negativeScoring: NegativeScoring = .attended
    /// Hard-negative emphasis beta: negatives weighted by exp(beta * score); 0 is plain sampled softmax.
    public var hardNegativeBeta: Float = 0
    /// Negatives per sample (per batch when shared or in-batch).
    public var negatives: Int = 1000
    public var sampler: NegativeSampler = .logUniform
    /// Share one set of sampled negatives across the batch (one GEMM) instead of per sample.
    public var sharedNegatives: Bool = true
    /// Subtract log Q(item) from sampled logits where sampling is not uniform.
    public var logQCorrection: Bool = true
    public var learningRate: Float = 0.001
    public var weightDecay: Float = 0
    public var batchSize: Int = 128
    public var epochs: Int = 20
    /// Epochs without a better validation Recall@50 before stopping; 0 disables.
    public var patience: Int = 3
    /// Data-parallel shards per batch (fixed, so results do not depend on the thread count).
    public var shards: Int = 2
    /// Threads that run the shards (1 or 2); results are identical for either.
    public var threads: Int = 2
    public var seed: UInt64 = 42

    public init() {}

    /// The largest finite attention power; larger values mean hard attention.
    public var usesHardAttention: Bool { !attentionPower.isFinite }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case model, embeddingSize = "embedding-size", maxHistoryLength = "max-history-length",
             interestCount = "interest-count", routingIterations = "routing-iterations",
             routingInitialisation = "routing-init", routingSigma = "routing-sigma", bilinearInitScale = "bilinear-init-scale",
             stopGradientThroughRouting = "stop-gradient-routing", dynamicInterestCount = "dynamic-interests",
             useProfile = "use-profile", profileDropout = "profile-dropout", mlpHidden = "mlp-hidden",
             attentionPower = "attention-power", negativeScoring = "negative-scoring", hardNegativeBeta = "hard-negative-beta", negatives, sampler, sharedNegatives = "shared-negatives",
             logQCorrection = "logq-correction", learningRate = "learning-rate", weightDecay = "weight-decay",
             batchSize = "batch-size", epochs, patience, shards, threads, seed
    }

    /// Every key a config file or a `--key value` flag may set.
    public static var keys: [String] { CodingKeys.allCases.map(\.stringValue) }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ModelConfig()
        model = try c.decodeIfPresent(ModelKind.self, forKey: .model) ?? d.model
        embeddingSize = try c.decodeIfPresent(Int.self, forKey: .embeddingSize) ?? d.embeddingSize
        maxHistoryLength = try c.decodeIfPresent(Int.self, forKey: .maxHistoryLength) ?? d.maxHistoryLength
        interestCount = try c.decodeIfPresent(Int.self, forKey: .interestCount) ?? d.interestCount
        routingIterations = try c.decodeIfPresent(Int.self, forKey: .routingIterations) ?? d.routingIterations
        routingInitialisation = try c.decodeIfPresent(RoutingInitialisation.self, forKey: .routingInitialisation) ?? d.routingInitialisation
        routingSigma = try c.decodeIfPresent(Float.self, forKey: .routingSigma) ?? d.routingSigma
        bilinearInitScale = try c.decodeIfPresent(Float.self, forKey: .bilinearInitScale) ?? d.bilinearInitScale
        stopGradientThroughRouting = try c.decodeIfPresent(Bool.self, forKey: .stopGradientThroughRouting) ?? d.stopGradientThroughRouting
        dynamicInterestCount = try c.decodeIfPresent(Bool.self, forKey: .dynamicInterestCount) ?? d.dynamicInterestCount
        useProfile = try c.decodeIfPresent(Bool.self, forKey: .useProfile) ?? d.useProfile
        profileDropout = try c.decodeIfPresent(Float.self, forKey: .profileDropout) ?? d.profileDropout
        mlpHidden = try c.decodeIfPresent([Int].self, forKey: .mlpHidden) ?? d.mlpHidden
        if let text = try? c.decodeIfPresent(String.self, forKey: .attentionPower) {
            attentionPower = try ModelConfig.parsePower(text)
        } else {
            attentionPower = try c.decodeIfPresent(Float.self, forKey: .attentionPower) ?? d.attentionPower
        }
        negativeScoring = try c.decodeIfPresent(NegativeScoring.self, forKey: .negativeScoring) ?? d.negativeScoring
        hardNegativeBeta = try c.decodeIfPresent(Float.self, forKey: .hardNegativeBeta) ?? d.hardNegativeBeta
        negatives = try c.decodeIfPresent(Int.self, forKey: .negatives) ?? d.negatives
        sampler = try c.decodeIfPresent(NegativeSampler.self, forKey: .sampler) ?? d.sampler
        sharedNegatives = try c.decodeIfPresent(Bool.self, forKey: .sharedNegatives) ?? d.sharedNegatives
        logQCorrection = try c.decodeIfPresent(Bool.self, forKey: .logQCorrection) ?? d.logQCorrection
        learningRate = try c.decodeIfPresent(Float.self, forKey: .learningRate) ?? d.learningRate
        weightDecay = try c.decodeIfPresent(Float.self, forKey: .weightDecay) ?? d.weightDecay
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? d.batchSize
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? d.epochs
        patience = try c.decodeIfPresent(Int.self, forKey: .patience) ?? d.patience
        shards = try c.decodeIfPresent(Int.self, forKey: .shards) ?? d.shards
        threads = try c.decodeIfPresent(Int.self, forKey: .threads) ?? d.threads
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(embeddingSize, forKey: .embeddingSize)
        try c.encode(maxHistoryLength, forKey: .maxHistoryLength)
        try c.encode(interestCount, forKey: .interestCount)
        try c.encode(routingIterations, forKey: .routingIterations)
        try c.encode(routingInitialisation, forKey: .routingInitialisation)
        try c.encode(routingSigma, forKey: .routingSigma)
        try c.encode(bilinearInitScale, forKey: .bilinearInitScale)
        try c.encode(stopGradientThroughRouting, forKey: .stopGradientThroughRouting)
        try c.encode(dynamicInterestCount, forKey: .dynamicInterestCount)
        try c.encode(useProfile, forKey: .useProfile)
        try c.encode(profileDropout, forKey: .profileDropout)
        try c.encode(mlpHidden, forKey: .mlpHidden)
        if attentionPower.isFinite { try c.encode(attentionPower, forKey: .attentionPower) } else { try c.encode("inf", forKey: .attentionPower) }
        try c.encode(negativeScoring, forKey: .negativeScoring)
        try c.encode(hardNegativeBeta, forKey: .hardNegativeBeta)
        try c.encode(negatives, forKey: .negatives)
        try c.encode(sampler, forKey: .sampler)
        try c.encode(sharedNegatives, forKey: .sharedNegatives)
        try c.encode(logQCorrection, forKey: .logQCorrection)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(weightDecay, forKey: .weightDecay)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(patience, forKey: .patience)
        try c.encode(shards, forKey: .shards)
        try c.encode(threads, forKey: .threads)
        try c.encode(seed, forKey: .seed)
    }

    static func parsePower(_ text: String) throws -> Float {
        let lowered = text.lowercased()
        if ["inf", "infinity", "hard"].contains(lowered) { return .infinity }
        guard let value = Float(text), value >= 0 else { throw ConfigError.invalidValue(key: "attention-power", value: text, expected: "a number >= 0 or 'inf'") }
        return value
    }

    /// Reads a YAML or JSON config file (JSON is YAML); unknown keys are errors, not ignored.
    public static func load(from url: URL) throws -> ModelConfig {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ConfigError.unreadable(url.path, error.localizedDescription)
        }
        let parsed: Any?
        do { parsed = try Yams.load(yaml: text) } catch {
            throw ConfigError.malformed(url.path, "\(error)")
        }
        guard let dictionary = parsed as? [String: Any] else { throw ConfigError.malformed(url.path, "top level must be a mapping of key: value") }
        var config = ModelConfig()
        for (key, value) in dictionary.sorted(by: { $0.key < $1.key }) {
            let text: String
            if let list = value as? [Any] { text = list.map { "\($0)" }.joined(separator: ",") } else { text = "\(value)" }
            do { try config.set(key, to: text) } catch let error as ConfigError {
                throw ConfigError.inFile(url.path, error)
            }
        }
        return config
    }

    /// Sets one key from its text form, as a flag or a config file gives it.
    public mutating func set(_ key: String, to text: String) throws {
        func integer(_ minimum: Int = 1) throws -> Int {
            guard let value = Int(text), value >= minimum else { throw ConfigError.invalidValue(key: key, value: text, expected: "a whole number >= \(minimum)") }
            return value
        }
        func number(_ range: ClosedRange<Float> = 0...Float.greatestFiniteMagnitude) throws -> Float {
            guard let value = Float(text), range.contains(value) else { throw ConfigError.invalidValue(key: key, value: text, expected: "a number in \(range.lowerBound)...\(range.upperBound)") }
            return value
        }
        func boolean() throws -> Bool {
            switch text.lowercased() {
            case "true", "yes", "on", "1": return true
            case "false", "no", "off", "0": return false
            default: throw ConfigError.invalidValue(key: key, value: text, expected: "true or false")
            }
        }
        func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) throws -> T where T.RawValue == String {
            guard let value = T(rawValue: text.lowercased()) else {
                throw ConfigError.invalidValue(key: key, value: text, expected: "one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return value
        }
        switch key {
        case "model": model = try choice(ModelKind.self)
        case "embedding-size": embeddingSize = try integer()
        case "max-history-length": maxHistoryLength = try integer()
        case "interest-count": interestCount = try integer()
        case "routing-iterations": routingIterations = try integer()
        case "routing-init": routingInitialisation = try choice(RoutingInitialisation.self)
        case "routing-sigma": routingSigma = try number()
        case "bilinear-init-scale": bilinearInitScale = try number()
        case "stop-gradient-routing": stopGradientThroughRouting = try boolean()
        case "dynamic-interests": dynamicInterestCount = try boolean()
        case "use-profile": useProfile = try boolean()
        case "profile-dropout": profileDropout = try number(0...1)
        case "mlp-hidden":
            let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let sizes = parts.compactMap { Int($0) }
            guard sizes.count == parts.count, sizes.allSatisfy({ $0 > 0 }) else {
                throw ConfigError.invalidValue(key: key, value: text, expected: "comma-separated positive sizes, e.g. 256 or 256,128 (empty for none)")
            }
            mlpHidden = sizes
        case "attention-power": attentionPower = try ModelConfig.parsePower(text)
        case "negative-scoring": negativeScoring = try choice(NegativeScoring.self)
        case "hard-negative-beta": hardNegativeBeta = try number()
        case "negatives": negatives = try integer()
        case "sampler": sampler = try choice(NegativeSampler.self)
        case "shared-negatives": sharedNegatives = try boolean()
        case "logq-correction": logQCorrection = try boolean()
        case "learning-rate": learningRate = try number(Float.leastNonzeroMagnitude...10)
        case "weight-decay": weightDecay = try number()
        case "batch-size": batchSize = try integer()
        case "epochs": epochs = try integer()
        case "patience": patience = try integer(0)
        case "shards": shards = try integer()
        case "threads": threads = try integer()
        case "seed":
            guard let value = UInt64(text) else { throw ConfigError.invalidValue(key: key, value: text, expected: "a whole number >= 0") }
            seed = value
        default:
            throw ConfigError.unknownKey(key)
        }
    }

    /// Checks combinations no single key can; call before training.
    public func validate() throws {
        if threads > 2 || threads < 1 { throw ConfigError.invalidValue(key: "threads", value: "\(threads)", expected: "1 or 2") }
        if shards > batchSize { throw ConfigError.invalidValue(key: "shards", value: "\(shards)", expected: "at most batch-size (\(batchSize))") }
        if sampler == .inBatch && !sharedNegatives {
            throw ConfigError.invalidValue(key: "shared-negatives", value: "false", expected: "true with the in-batch sampler (in-batch negatives are shared by definition)")
        }
    }
}

/// Problems with a config file or a config flag.
public enum ConfigError: Error, CustomStringConvertible {
    case unreadable(String, String)
    case malformed(String, String)
    case unknownKey(String)
    case invalidValue(key: String, value: String, expected: String)
    indirect case inFile(String, ConfigError)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "\(path): cannot read config (\(reason))"
        case .malformed(let path, let reason): return "\(path): not a valid YAML/JSON config: \(reason)"
        case .unknownKey(let key): return "unknown config key '\(key)'; known keys: \(ModelConfig.keys.joined(separator: ", "))"
        case .invalidValue(let key, let value, let expected): return "config key '\(key)': '\(value)' is not valid, expected \(expected)"
        case .inFile(let path, let inner): return "\(path): \(inner)"
        }
    }
}
