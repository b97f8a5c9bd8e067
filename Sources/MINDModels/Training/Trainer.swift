import Dispatch
import Foundation
import MINDCore
import MINDData
import MINDJSON
import MINDNN

/// What the trainer reports while it runs (the CLI draws the progress bar from it).
public struct TrainingProgress: Sendable {
    public var epoch: Int
    public var epochs: Int
    public var batch: Int
    public var batchesPerEpoch: Int
    public var samplesPerSecond: Double
    public var averageLoss: Double
    public var secondsRemainingInEpoch: Double
}

/// The per-epoch record kept in the model directory.
public struct EpochRecord: Codable, Sendable, Equatable {
    public var epoch: Int
    public var loss: Double
    public var validationRecall: Double?
    public var seconds: Double
    public var samplesPerSecond: Double

    public init(epoch: Int, loss: Double, validationRecall: Double?, seconds: Double, samplesPerSecond: Double) {
        self.epoch = epoch
        self.loss = loss
        self.validationRecall = validationRecall
        self.seconds = seconds
        self.samplesPerSecond = samplesPerSecond
    }
}

/// How a training run ended.
public enum TrainingOutcome: Equatable, Sendable {
    case finished
    case stoppedEarly(epoch: Int)
    case interrupted(epoch: Int, batch: Int)
}

/// Resumable state of a run, saved with every checkpoint.
public struct TrainerState: Codable, Sendable, Equatable {
    /// Next epoch and batch to run.
    public var epoch = 0
    public var batch = 0
    public var lossSum = 0.0
    public var lossCount = 0
    public var bestRecall = -1.0
    public var bestEpoch = -1
    public var epochsWithoutImprovement = 0
    public var history: [EpochRecord] = []
    public var finished = false

    public init() {}
}

/// Trains a `RecommenderModel`: shuffled samples per epoch, data-parallel shards on `config.threads` threads,
/// Adam (its learning rate decayed per epoch by `learning-rate-decay`), a checkpoint per epoch (and on
/// interruption), validation and early stopping.
///
/// Every random draw comes from generators derived from (seed, epoch, batch, shard), and a
/// batch is always cut into `config.shards` shards whose gradients are summed in order, so
/// the weights do not depend on the thread count, and a resumed run matches an unbroken one.
public final class Trainer {
    public let model: RecommenderModel
    public let data: TrainingData
    public let optimizer: Adam
    public private(set) var state = TrainerState()
    let sampling: NegativeSampling
    /// What an epoch shuffles and batches: one target each, or (all-positions training) windows of targets.
    let units: [SamplePosition]
    /// Units per optimiser step: batch-size samples, or batch-size / max-history-length windows.
    let unitsPerBatch: Int
    /// Training targets per epoch (the same for both kinds of unit).
    public let sampleCount: Int
    /// Where checkpoints and best weights go; nil keeps everything in memory (tests).
    let directory: URL?

    /// Called after each batch; return true to stop (e.g. on Ctrl-C) with a checkpoint.
    public var shouldStop: () -> Bool = { false }
    /// Called about every `progressInterval` seconds and at the end of each epoch.
    public var onProgress: (TrainingProgress) -> Void = { _ in }
    public var progressInterval: Double = 0.5
    /// Called after each epoch with its record.
    public var onEpoch: (EpochRecord) -> Void = { _ in }
    /// Validation Recall@50 of the current weights; nil skips validation and early stopping.
    public var validate: ((RecommenderModel) throws -> Double)?

    public init(model: RecommenderModel, data: TrainingData, directory: URL?) {
        self.model = model
        self.data = data
        self.directory = directory
        optimizer = Adam(learningRate: model.config.learningRate, weightDecay: model.config.weightDecay, threads: model.config.threads)
        sampling = NegativeSampling(kind: model.config.sampler, popularity: data.popularity)
        let samples = data.samples()
        sampleCount = samples.count
        if model.trainsAllPositions {
            units = data.windows(length: model.config.maxHistoryLength, stride: model.config.trainedPositionsPerWindow)
            unitsPerBatch = max(1, model.config.batchSize / model.config.trainedPositionsPerWindow)
        } else {
            units = samples
            unitsPerBatch = model.config.batchSize
        }
    }

    public var batchesPerEpoch: Int { (units.count + unitsPerBatch - 1) / unitsPerBatch }

    /// Restores weights, optimiser and position from the checkpoint in `directory`. Every file is checked
    /// first (position within this run's epochs and batches, exactly the model's weights, an optimiser state
    /// that fits them), so nothing changes when any of them is damaged.
    public func resume() throws {
        guard let directory else { return }
        let checkpoint = directory.appendingPathComponent("checkpoint")
        let stateURL = checkpoint.appendingPathComponent("state.json")
        guard FileManager.default.fileExists(atPath: stateURL.path) else { throw TrainerError.noCheckpoint(checkpoint.path) }
        let stateJSON: Data
        do { stateJSON = try Data(contentsOf: stateURL) } catch { throw TrainerError.corruptCheckpoint(stateURL.path, "cannot read it") }
        let decoded = try JSONProblem.decode(TrainerState.self, from: stateJSON) { TrainerError.corruptCheckpoint(stateURL.path, $0) }
        try decoded.validate(epochs: model.config.epochs, batchesPerEpoch: batchesPerEpoch, batchSize: unitsPerBatch * targetsPerUnit,
                             path: stateURL.path)
        let optimizerURL = checkpoint.appendingPathComponent("optimizer.safetensors")
        let optimizerState = try SafeTensors.read(from: optimizerURL).tensors
        try Adam.validateState(optimizerState, parameters: model.parameters, path: optimizerURL.path)
        try model.parameters.load(from: checkpoint.appendingPathComponent("weights.safetensors"), extraTensors: .reject)
        try optimizer.restore(from: optimizerState)
        state = decoded
    }

    /// Runs until the configured epochs are done, early stopping triggers, or `shouldStop`.
    @discardableResult
    public func train() throws -> TrainingOutcome {
        let config = model.config
        if state.finished { return .finished }
        let root = SeededGenerator(seed: config.seed)
        while state.epoch < config.epochs {
            let epoch = state.epoch
            optimizer.learningRate = config.learningRate(atEpoch: epoch)
            var order = units
            var shuffler = root.derived(UInt64(epoch) &+ 1)
            shuffler.shuffle(&order)
            let epochStart = DispatchTime.now().uptimeNanoseconds
            var lastReport = epochStart
            var samplesThisRun = 0
            while state.batch < batchesPerEpoch {
                let start = state.batch * unitsPerBatch
                let batchUnits = Array(order[start..<min(start + unitsPerBatch, order.count)])
                let (loss, targetCount) = step(batchUnits, epoch: epoch, batch: state.batch, root: root)
                state.lossSum += loss * Double(targetCount)
                state.lossCount += targetCount
                state.batch += 1
                samplesThisRun += targetCount
                let now = DispatchTime.now().uptimeNanoseconds
                if Double(now - lastReport) / 1e9 >= progressInterval || state.batch == batchesPerEpoch {
                    lastReport = now
                    let elapsed = Double(now - epochStart) / 1e9
                    let rate = Double(samplesThisRun) / max(elapsed, 1e-9)
                    let remaining = Double(batchesPerEpoch - state.batch) * Double(sampleCount) / Double(batchesPerEpoch) / max(rate, 1e-9)
                    onProgress(TrainingProgress(
                        epoch: epoch, epochs: config.epochs, batch: state.batch, batchesPerEpoch: batchesPerEpoch,
                        samplesPerSecond: rate, averageLoss: state.lossSum / Double(max(state.lossCount, 1)),
                        secondsRemainingInEpoch: remaining))
                }
                if shouldStop() && state.batch < batchesPerEpoch {
                    try saveCheckpoint()
                    return .interrupted(epoch: epoch, batch: state.batch)
                }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9
            var record = EpochRecord(
                epoch: epoch, loss: state.lossSum / Double(max(state.lossCount, 1)), validationRecall: nil,
                seconds: seconds, samplesPerSecond: Double(samplesThisRun) / max(seconds, 1e-9))
            if let validate {
                let recall = try validate(model)
                record.validationRecall = recall
                if recall > state.bestRecall {
                    state.bestRecall = recall
                    state.bestEpoch = epoch
                    state.epochsWithoutImprovement = 0
                    try saveBestWeights()
                } else {
                    state.epochsWithoutImprovement += 1
                }
            } else {
                try saveBestWeights()
            }
            state.history.append(record)
            state.epoch += 1
            state.batch = 0
            state.lossSum = 0
            state.lossCount = 0
            let stopEarly = validate != nil && config.patience > 0 && state.epochsWithoutImprovement >= config.patience
            if stopEarly || state.epoch == config.epochs { state.finished = true }
            try saveCheckpoint()
            onEpoch(record)
            if stopEarly { return .stoppedEarly(epoch: epoch) }
            if shouldStop() && state.epoch < config.epochs { return .interrupted(epoch: state.epoch, batch: 0) }
        }
        return .finished
    }

    /// Most targets one unit holds.
    var targetsPerUnit: Int { model.trainsAllPositions ? model.config.trainedPositionsPerWindow : 1 }

    /// The targets of a unit: one for a sample, the window's trained positions for all-positions training.
    func targetCount(_ unit: SamplePosition) -> Int {
        model.trainsAllPositions ? unit.trainedTargets(stride: model.config.trainedPositionsPerWindow).count : 1
    }

    /// One optimiser step over a batch; returns the batch's mean loss over its targets, and their number.
    func step(_ batchSamples: [SamplePosition], epoch: Int, batch: Int, root: SeededGenerator) -> (loss: Double, targets: Int) {
        let config = model.config
        let shardCount = min(config.shards, batchSamples.count)
        var shardLosses = [Double](repeating: 0, count: shardCount)
        var shardGradients = [Gradients](repeating: Gradients(), count: shardCount)
        let total = Float(batchSamples.reduce(0) { $0 + targetCount($1) })
        shardGradients.withUnsafeMutableBufferPointer { gradientBuffer in
            shardLosses.withUnsafeMutableBufferPointer { lossBuffer in
                let gradientSlots = gradientBuffer, lossSlots = lossBuffer
                let work: (Int) -> Void = { shard in
                    let lower = batchSamples.count * shard / shardCount
                    let upper = batchSamples.count * (shard + 1) / shardCount
                    var generator = root.derived((UInt64(epoch) << 40) ^ (UInt64(batch) << 8) ^ UInt64(shard) ^ 0x5eed)
                    let (userBatch, targets, seen) = self.makeBatch(Array(batchSamples[lower..<upper]), generator: &generator)
                    let tape = Tape()
                    let loss = self.model.loss(tape, batch: userBatch, targets: targets, seen: seen, sampling: self.sampling,
                                               generator: &generator)
                    // The batch loss is the target-weighted mean of the shard losses.
                    let weight = Float(targets.count) / total
                    gradientSlots[shard] = tape.gradients(of: loss, seed: weight)
                    lossSlots[shard] = Double(loss.value.scalar) * Double(weight)
                }
                // Worker w runs shards w, w + workers, ...; each shard writes only its own slots.
                let workers = min(config.threads, shardCount)
                Parallel.run(workers: workers) { worker in
                    for shard in stride(from: worker, to: shardCount, by: workers) { work(shard) }
                }
            }
        }
        var gradients = shardGradients[0]
        for shard in 1..<shardCount { gradients.merge(shardGradients[shard]) }
        optimizer.step(gradients)
        return (shardLosses.reduce(0, +), Int(total))
    }

    /// Histories (items before the target), targets and profiles of some samples; for all-positions training,
    /// each window's inputs and a target for every input position. A target is the next item, or with
    /// `target-window` one drawn from the items coming next (`target(at:in:generator:)`). With
    /// `softmax-excludes-history`, also the items each target's softmax leaves out (`itemsLeftOut`); otherwise
    /// that list is empty.
    func makeBatch(_ batchSamples: [SamplePosition], generator: inout SeededGenerator)
        -> (batch: UserBatch, targets: [Int32], seen: [ArraySlice<Int32>]) {
        let config = model.config
        var histories: [ArraySlice<Int32>] = []
        var targets: [Int32] = []
        var seen: [ArraySlice<Int32>] = []
        var trainedPositions: [Int] = []
        var profiles: [Int32] = []
        var seeds: [UInt64] = []
        let featureCount = model.usesProfile ? data.profileFeatureCount : 0
        for sample in batchSamples {
            let sequence = data.sequences[Int(sample.sequence)]
            let position = Int(sample.position), start = max(0, position - config.maxHistoryLength)
            histories.append(sequence[start..<position])
            if model.trainsAllPositions {
                let trained = sample.trainedTargets(stride: config.trainedPositionsPerWindow)
                trainedPositions.append(trained.count)
                for next in trained {
                    targets.append(target(at: next, in: sequence, generator: &generator))
                    if config.softmaxExcludesHistory { seen.append(itemsLeftOut(forTargetAt: next, in: sequence)) }
                }
            } else {
                targets.append(target(at: position, in: sequence, generator: &generator))
                if config.softmaxExcludesHistory { seen.append(itemsLeftOut(forTargetAt: position, in: sequence)) }
            }
            seeds.append(generator.next())
            if featureCount > 0 {
                let user = Int(data.users[Int(sample.sequence)])
                let hidden = generator.nextUniformFloat() < config.profileDropout
                for f in 0..<featureCount { profiles.append(hidden ? 0 : data.profiles[user * featureCount + f]) }
            }
        }
        var batch = UserBatch(histories: histories, profiles: profiles, maxLength: config.maxHistoryLength, routingSeeds: seeds)
        // The routing seeds serve dropout too (each layer mixes in its own salt): no extra draws, so runs
        // without dropout keep the random stream they always had.
        batch.dropoutSeeds = seeds
        if model.trainsAllPositions { batch.trainedPositions = trainedPositions }
        return (batch, targets, seen)
    }

    /// What the softmax of the target drawn at `index` leaves out under `softmax-excludes-history`: the sequence up to
    /// the end of its target window (the earlier items, and the window's items, which are targets, not negatives).
    func itemsLeftOut(forTargetAt index: Int, in sequence: [Int32]) -> ArraySlice<Int32> {
        sequence[0..<min(index + model.config.targetWindow, sequence.count)]
    }

    /// The training target for the item at `index`: that item, or with `target-window` N > 1 one drawn uniformly
    /// from the N items starting there (as many as the sequence still has). Draws nothing when N is 1, so the
    /// default keeps its random stream.
    func target(at index: Int, in sequence: [Int32], generator: inout SeededGenerator) -> Int32 {
        let window = min(model.config.targetWindow, sequence.count - index)
        guard window > 1 else { return sequence[index] }
        return sequence[index + generator.nextInt(below: window)]
    }

    func saveCheckpoint() throws {
        guard let directory else { return }
        let checkpoint = directory.appendingPathComponent("checkpoint")
        try FileManager.default.createDirectory(at: checkpoint, withIntermediateDirectories: true)
        // Weights and optimiser first, state last: a state file always describes complete tensors.
        try model.parameters.save(to: checkpoint.appendingPathComponent("weights.safetensors"))
        try SafeTensors.write(optimizer.stateTensors(), to: checkpoint.appendingPathComponent("optimizer.safetensors"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(state), to: checkpoint.appendingPathComponent("state.json"))
    }

    func saveBestWeights() throws {
        guard let directory else { return }
        try model.parameters.save(to: directory.appendingPathComponent("weights.safetensors"), metadata: ["format": "pt"])
    }
}

/// Problems starting or resuming training.
public enum TrainerError: Error, CustomStringConvertible {
    case noCheckpoint(String)
    case corruptCheckpoint(String, String)
    /// A checkpoint value out of bounds or inconsistent with the run (file, field, reason).
    case invalidCheckpoint(String, field: String, String)

    public var description: String {
        switch self {
        case .noCheckpoint(let path): return "\(path): no checkpoint to resume from (state.json is missing)"
        case .corruptCheckpoint(let path, let reason): return "\(path): cannot read the checkpoint state: \(reason)"
        case .invalidCheckpoint(let path, let field, let reason): return "\(path): field '\(field)': \(reason)"
        }
    }
}
