import Foundation
import MINDNN

/// Which user tower to train.
public enum ModelKind: String, Codable, CaseIterable, Sendable {
    case mind
    case youtubednn
    /// ComiRec-DR (Cen et al. 2020): routing with one bilinear map per interest, no MLP, no profile.
    case comirecDR = "comirec-dr"
    /// ComiRec-SA (Cen et al. 2020): K self-attention heads over the position-embedded history, one interest each.
    case comirecSA = "comirec-sa"
    /// SDM (Lv et al. 2019): short-term session (LSTM, self-attention, user attention) and long-term
    /// feature attention, fused by a gate; one vector.
    case sdm
    /// SASRec (Kang and McAuley 2018): causal transformer blocks over the history; the last position's output.
    case sasrec
    /// GRU4Rec (Hidasi et al. 2016): a GRU over the history; its last state.
    case gru4rec

    /// Whether the tower gives up to K interests (and the K-interest settings apply) rather than one vector.
    public var isMultiInterest: Bool { [.mind, .comirecDR, .comirecSA].contains(self) }
}

/// What reads the behaviours before routing (MIND, ComiRec-DR).
public enum SequenceEncoder: String, Codable, CaseIterable, Sendable {
    /// Routing reads the item vectors themselves (the paper).
    case none
    /// Routing reads a GRU's state at each behaviour, so each behaviour carries what came before it.
    case gru
}

/// The capsule layer's bilinear map from behaviours to interest predictions u_hat (MIND, ComiRec-DR).
public enum CapsuleBilinear: String, Codable, CaseIterable, Sendable {
    /// The model's own: shared for MIND, per-interest for ComiRec-DR.
    case modelDefault = "default"
    /// One d x d map S for every behaviour and interest (MIND): u_hat_i = e_i S.
    case shared
    /// One map per interest (ComiRec-DR as we ship it): u_hat_ij = e_i S_j.
    case perInterest = "per-interest"
    /// One map per interest and history position (ComiRec-DR's reference code): u_hat_ij = e_i S_ij,
    /// positions counted from the oldest kept item, so the model is tied to max-history-length.
    case perPosition = "per-position"
}

/// How negatives for the sampled softmax are drawn.
public enum NegativeSampler: String, Codable, CaseIterable, Sendable {
    /// Every item equally likely.
    case uniform
    /// TensorFlow's log-uniform (Zipfian) sampler over popularity ranks: rank r (0 the most popular)
    /// is drawn with probability log((r + 2) / (r + 1)) / log(n + 1); with logQ correction.
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
/// Each key's name, range, help and the models that read it are declared once, in `ModelConfig.settings`.
public struct ModelConfig: Equatable, Sendable {
    /// Which user tower to train.
    public var model: ModelKind = .mind
    /// Embedding and interest dimension d.
    public var embeddingSize: Int = 64
    /// Longest history fed to the user tower; longer histories keep the most recent items.
    public var maxHistoryLength: Int = 20
    /// Maximum number of interests K.
    public var interestCount: Int = 4
    /// Dynamic-routing iterations.
    public var routingIterations: Int = 3
    /// The capsule layer's bilinear map (MIND, ComiRec-DR).
    public var bilinear: CapsuleBilinear = .modelDefault
    /// What reads the behaviours before routing (MIND, ComiRec-DR).
    public var sequenceEncoder: SequenceEncoder = .none
    /// Heads of multi-head self-attention (SASRec, SDM).
    public var attentionHeads: Int = 2
    /// Transformer blocks (SASRec).
    public var attentionBlocks: Int = 2
    /// SDM's short-term session: the most recent behaviours (the data carry no session boundaries).
    public var shortTermLength: Int = 10
    /// GRU4Rec's hidden state size; 0 is embedding-size (RecBole uses 128 with embeddings of 64).
    public var recurrentHiddenSize: Int = 0
    /// Dropout rate inside the sequence towers (SASRec, GRU4Rec); 0 is off.
    public var dropout: Float = 0
    /// SASRec: dropout rate on the attention weights after the softmax; 0 is off (RecBole uses 0.5).
    public var attentionDropout: Float = 0
    /// SASRec: the feed-forward non-linearity (RecBole uses GELU).
    public var feedForwardActivation: Activation = .relu
    /// Causal towers (SASRec, GRU4Rec): train every position of a window at once, each predicting the next item.
    public var trainAllPositions: Bool = true
    /// All-positions training: windows end every `windowStride` items and each trains its last `windowStride`
    /// positions, so every target sees at least maxHistoryLength - windowStride earlier items (or its whole
    /// prefix); 0 is maxHistoryLength, non-overlapping windows.
    public var windowStride: Int = 0
    /// Each training target is drawn uniformly from the next `targetWindow` items of its sequence (1: the next
    /// item), so a history learns to score what comes soon and not only what comes next.
    public var targetWindow: Int = 1
    /// Each target's softmax leaves out the items its user had before it (evaluation excludes a user's history
    /// from the ranking, so training need not push those items below the target) and, with `targetWindow` N > 1,
    /// the other items of its window (targets of the same position, not negatives).
    public var softmaxExcludesHistory: Bool = false

    /// The positions each all-positions window trains: `windowStride`, or max-history-length when it is 0.
    public var trainedPositionsPerWindow: Int { windowStride == 0 ? maxHistoryLength : windowStride }
    /// How routing logits start (MIND).
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
    /// Weight of the penalty on the mean squared cosine between a user's active interests (0: off).
    public var interestDiversityWeight: Float = 0
    /// Weight of REMI's routing regularisation on the coupling weights (0: off).
    public var routingRegularisationWeight: Float = 0
    /// Negatives per sample (per batch when shared or in-batch).
    public var negatives: Int = 1000
    /// How negatives are drawn.
    public var sampler: NegativeSampler = .logUniform
    /// Share one set of sampled negatives across the batch (one GEMM) instead of per sample.
    public var sharedNegatives: Bool = true
    /// Subtract log Q(item) from sampled logits where sampling is not uniform.
    public var logQCorrection: Bool = true
    /// Adam learning rate.
    public var learningRate: Float = 0.001
    /// Factor the learning rate is multiplied by after every epoch (1: constant).
    public var learningRateDecay: Float = 1
    /// The learning rate of epoch `epoch` (from 0): learning-rate * learning-rate-decay^epoch. A function of the
    /// epoch alone, so a resumed run steps as an unbroken one does.
    public func learningRate(atEpoch epoch: Int) -> Float {
        learningRate * Float(Foundation.pow(Double(learningRateDecay), Double(epoch)))
    }
    /// L2 weight decay.
    public var weightDecay: Float = 0
    /// Samples per optimiser step.
    public var batchSize: Int = 128
    /// Maximum epochs.
    public var epochs: Int = 20
    /// Epochs without a better validation Recall@50 before stopping; 0 disables.
    public var patience: Int = 3
    /// Data-parallel shards per batch (fixed, so results do not depend on the thread count).
    public var shards: Int = 2
    /// Threads for training (shards and optimiser); the weights are the same for any value.
    public var threads: Int = ModelConfig.defaultThreads
    /// Seed of every random draw.
    public var seed: UInt64 = 42

    /// Every key at its default (threads: all cores).
    public init() {}

    /// The default thread count: every core this process may use.
    public static var defaultThreads: Int { min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 4096) }

    /// Whether training with `other` gives the same weights: every key equal except threads, which changes only
    /// the speed (shards fix how a batch is split).
    public func trainsTheSameModel(as other: ModelConfig) -> Bool {
        var other = other
        other.threads = threads
        return self == other
    }

    /// Whether label-aware attention is hard (argmax): attention-power is infinite.
    public var usesHardAttention: Bool { !attentionPower.isFinite }

    /// Checks every key's range (for configs built in code) and the combinations no single key can; call before training.
    public func validate() throws {
        for setting in ModelConfig.settings { try setting.checkValue(self) }
        if shards > batchSize { throw ConfigError.invalidValue(key: "shards", value: "\(shards)", expected: "at most batch-size (\(batchSize))") }
        if [.sasrec, .sdm].contains(model) && embeddingSize % attentionHeads != 0 {
            throw ConfigError.invalidValue(key: "attention-heads", value: "\(attentionHeads)", expected: "a divisor of embedding-size (\(embeddingSize))")
        }
        if windowStride > maxHistoryLength {
            throw ConfigError.invalidValue(key: "window-stride", value: "\(windowStride)", expected: "at most max-history-length (\(maxHistoryLength)); 0 is max-history-length")
        }
        if sampler == .inBatch && !sharedNegatives {
            throw ConfigError.invalidValue(key: "shared-negatives", value: "false", expected: "true with the in-batch sampler (in-batch negatives are shared by definition)")
        }
    }
}

/// config.json's `config` object: one member per key of `ModelConfig.settings`, in the same form
/// as `--key value` takes it except that numbers, booleans and lists are JSON's own.
extension ModelConfig: Codable {
    /// A key of the JSON object, any string, so that unknown keys can be named and rejected.
    struct SettingKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Reads the keys present (a missing key keeps its default, as in model directories from before the key
    /// existed) and rejects unknown keys, wrong types and values out of range with the key's name.
    public init(from decoder: Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: SettingKey.self)
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            guard let setting = ModelConfig.setting(named: key.stringValue) else { throw ConfigError.unknownKey(key.stringValue) }
            try setting.assignValue(&self, container.decode(ConfigValue.self, forKey: key))
        }
    }

    /// Writes every key; attention-power infinity is written "inf" since JSON has no infinity.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: SettingKey.self)
        for setting in ModelConfig.settings {
            try container.encode(setting.encodedValue(self), forKey: SettingKey(stringValue: setting.key))
        }
    }
}
