import MINDCore
import MINDNN

extension TrainerState {
    /// Checks a decoded `state.json` (at `path`) against the run it resumes: the position inside `epochs` and
    /// `batchesPerEpoch`, loss counts that batches of `batchSize` can give, one history record per finished
    /// epoch, a best epoch among them. Throws `TrainerError.invalidCheckpoint` naming the field.
    public func validate(epochs: Int, batchesPerEpoch: Int, batchSize: Int, path: String) throws {
        func invalid(_ field: String, _ reason: String) -> TrainerError { .invalidCheckpoint(path, field: field, reason) }
        guard (0...epochs).contains(epoch) else { throw invalid("epoch", "\(epoch) is outside this run's 0...\(epochs)") }
        // An interrupted epoch saves the next batch to run; a finished epoch saves batch 0 of the next.
        let lastBatch = epoch < epochs ? max(batchesPerEpoch - 1, 0) : 0
        guard (0...lastBatch).contains(batch) else {
            throw invalid("batch", "\(batch) is outside 0...\(lastBatch) (epoch \(epoch) of \(epochs), \(batchesPerEpoch) batches per epoch)")
        }
        guard (0...batch * batchSize).contains(lossCount) else {
            throw invalid("lossCount", "\(lossCount) is outside 0...\(batch * batchSize) (\(batch) batches of \(batchSize) samples)")
        }
        guard lossSum.isFinite else { throw invalid("lossSum", "\(lossSum) is not finite") }
        guard history.count == epoch else {
            throw invalid("history", "has \(history.count) records, expected one per finished epoch (\(epoch))")
        }
        for (index, record) in history.enumerated() {
            let field = "history[\(index)]"
            guard record.epoch == index else { throw invalid("\(field).epoch", "is \(record.epoch), expected \(index)") }
            guard record.loss.isFinite else { throw invalid("\(field).loss", "\(record.loss) is not finite") }
            if let recall = record.validationRecall, !(0...1).contains(recall) {
                throw invalid("\(field).validationRecall", "\(recall) is outside 0...1")
            }
            guard record.seconds.isFinite, record.seconds >= 0 else { throw invalid("\(field).seconds", "\(record.seconds) is not a duration") }
            guard record.samplesPerSecond.isFinite, record.samplesPerSecond >= 0 else {
                throw invalid("\(field).samplesPerSecond", "\(record.samplesPerSecond) is not a rate")
            }
        }
        guard (-1..<epoch).contains(bestEpoch) else { throw invalid("bestEpoch", "\(bestEpoch) is outside -1..<\(epoch) (none, or a finished epoch)") }
        if bestEpoch >= 0 {
            guard history[bestEpoch].validationRecall == bestRecall else {
                throw invalid("bestRecall", "\(bestRecall) is not the validation recall of bestEpoch \(bestEpoch) in history")
            }
        } else if bestRecall != -1 {
            throw invalid("bestRecall", "\(bestRecall) with no best epoch; expected -1")
        }
        guard (0...epoch).contains(epochsWithoutImprovement) else {
            throw invalid("epochsWithoutImprovement", "\(epochsWithoutImprovement) is outside 0...\(epoch)")
        }
        guard !finished || (epoch > 0 && batch == 0) else { throw invalid("finished", "is true before any epoch finished") }
    }
}

extension Adam {
    /// Checks an optimiser checkpoint (at `path`) against the parameters it will update: a whole, non-negative
    /// step count, and for each moment a parameter of that name, its element count, finite values (second
    /// moments non-negative). Throws `TrainerError.invalidCheckpoint` naming the tensor.
    public static func validateState(_ state: [String: Tensor], parameters: [Parameter], path: String) throws {
        func invalid(_ field: String, _ reason: String) -> TrainerError { .invalidCheckpoint(path, field: field, reason) }
        guard let step = state["adam.step"] else { throw invalid("adam.step", "is missing; the checkpoint is incomplete") }
        guard step.count == 1, let count = step.storage.first else { throw invalid("adam.step", "has shape \(step.shape), expected one value") }
        // Below 2^24 a Float holds every whole number exactly.
        guard count.isFinite, count >= 0, count <= 16_777_216, count.rounded() == count else {
            throw invalid("adam.step", "\(count) is not a whole step count in 0...16777216")
        }
        let sizes = Dictionary(parameters.map { ($0.name, $0.value.count) }, uniquingKeysWith: { first, _ in first })
        for name in state.keys.sorted() where name != "adam.step" {
            let tensor = state[name]!
            let parameter: String
            if name.hasPrefix("adam.m.") || name.hasPrefix("adam.v.") {
                parameter = String(name.dropFirst(7))
            } else {
                throw invalid(name, "is not an Adam state tensor (adam.step, adam.m.<parameter>, adam.v.<parameter>)")
            }
            guard let size = sizes[parameter] else { throw invalid(name, "belongs to no parameter of this model") }
            guard tensor.count == size else { throw invalid(name, "has \(tensor.count) values, parameter '\(parameter)' has \(size)") }
            try SafeTensors.checkFinite(tensor, name: name, path: path)
            if name.hasPrefix("adam.v."), let negative = tensor.storage.firstIndex(where: { $0 < 0 }) {
                throw invalid(name, "second moment \(tensor.storage[negative]) at index \(negative) is negative")
            }
        }
    }
}
