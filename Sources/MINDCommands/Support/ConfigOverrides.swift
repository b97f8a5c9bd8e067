import ArgumentParser
import MINDModels

/// One flag per config key: a flag beats the config file, which beats the default.
struct ConfigOverrides: ParsableArguments {
    @Option(name: .customLong("embedding-size"), help: "Embedding and interest dimension d (64).") var embeddingSize: String?
    @Option(name: .customLong("max-history-length"), help: "History items fed to the user tower; longer histories keep the most recent (20).") var maxHistoryLength: String?
    @Option(name: .customLong("interest-count"), help: "Maximum interests K (4).") var interestCount: String?
    @Option(name: .customLong("routing-iterations"), help: "Dynamic-routing iterations (3).") var routingIterations: String?
    @Option(name: .customLong("routing-init"), help: "Routing-logit start: gaussian (per sample) or zero.") var routingInit: String?
    @Option(name: .customLong("routing-sigma"), help: "Standard deviation of the Gaussian logit start (0.1).") var routingSigma: String?
    @Option(name: .customLong("bilinear-init-scale"), help: "Initial std of S in units of 1/sqrt(d) (1).") var bilinearInitScale: String?
    @Option(name: .customLong("stop-gradient-routing"), help: "No gradient through routing-logit updates (true).") var stopGradientRouting: String?
    @Option(name: .customLong("dynamic-interests"), help: "K'_u = max(1, min(K, floor(log2 n))) (true).") var dynamicInterests: String?
    @Option(name: .customLong("use-profile"), help: "Use user-profile features when the dataset has them (true).") var useProfile: String?
    @Option(name: .customLong("profile-dropout"), help: "Share of training samples whose profile is hidden (0.1).") var profileDropout: String?
    @Option(name: .customLong("mlp-hidden"), help: "Hidden sizes of the MLP after routing, comma-separated (256).") var mlpHidden: String?
    @Option(name: .customLong("attention-power"), help: "Label-aware attention power p: a number, or inf for hard attention (inf).") var attentionPower: String?
    @Option(name: .customLong("negative-scoring"), help: "MIND negatives scored by the attended vector (the paper) or by their best interest, as serving ranks: attended or max-interest (attended).") var negativeScoring: String?
    @Option(name: .customLong("hard-negative-beta"), help: "Weight sampled negatives by exp(beta * score), emphasising hard ones; 0 is off (0).") var hardNegativeBeta: String?
    @Option(name: .customLong("negatives"), help: "Sampled negatives (per batch when shared) (1000).") var negatives: String?
    @Option(name: .customLong("sampler"), help: "Negative sampler: uniform, log-uniform, in-batch, full (log-uniform).") var sampler: String?
    @Option(name: .customLong("shared-negatives"), help: "One set of negatives for the whole batch (true).") var sharedNegatives: String?
    @Option(name: .customLong("logq-correction"), help: "Subtract log Q(item) where sampling is not uniform (true).") var logqCorrection: String?
    @Option(name: .customLong("learning-rate"), help: "Adam learning rate (0.001).") var learningRate: String?
    @Option(name: .customLong("weight-decay"), help: "L2 weight decay (0).") var weightDecay: String?
    @Option(name: .customLong("batch-size"), help: "Samples per optimiser step (128).") var batchSize: String?
    @Option(name: .customLong("epochs"), help: "Maximum epochs (20).") var epochs: String?
    @Option(name: .customLong("patience"), help: "Epochs without better validation Recall@50 before stopping; 0 never stops early (3).") var patience: String?
    @Option(name: .customLong("shards"), help: "Data-parallel shards per batch; fixed so results do not depend on threads (2).") var shards: String?
    @Option(name: .customLong("threads"), help: "Threads running the shards, 1 or 2; same result either way (2).") var threads: String?
    @Option(name: .customLong("seed"), help: "Seed of every random draw (42).") var seed: String?

    /// (config key, flag value) for every flag given.
    var given: [(String, String)] {
        let pairs: [(String, String?)] = [
            ("embedding-size", embeddingSize), ("max-history-length", maxHistoryLength), ("interest-count", interestCount),
            ("routing-iterations", routingIterations), ("routing-init", routingInit), ("routing-sigma", routingSigma), ("bilinear-init-scale", bilinearInitScale),
            ("stop-gradient-routing", stopGradientRouting), ("dynamic-interests", dynamicInterests), ("use-profile", useProfile),
            ("profile-dropout", profileDropout), ("mlp-hidden", mlpHidden), ("attention-power", attentionPower),
            ("negative-scoring", negativeScoring), ("hard-negative-beta", hardNegativeBeta), ("negatives", negatives), ("sampler", sampler), ("shared-negatives", sharedNegatives), ("logq-correction", logqCorrection),
            ("learning-rate", learningRate), ("weight-decay", weightDecay), ("batch-size", batchSize), ("epochs", epochs),
            ("patience", patience), ("shards", shards), ("threads", threads), ("seed", seed),
        ]
        return pairs.compactMap { key, value in value.map { (key, $0) } }
    }

    func apply(to config: inout ModelConfig) throws {
        for (key, value) in given { try config.set(key, to: value) }
    }
}
