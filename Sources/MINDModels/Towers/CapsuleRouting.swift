import MINDCore

/// Behaviour-to-interest dynamic routing (MIND's B2I routing; ComiRec-DR's capsule layer).
///
/// Each iteration: w_ij = softmax over interests j of b_ij for each behaviour i (masked);
/// z_j = sum_i w_ij u_hat_ij; u_j = squash(z_j); b_ij += u_j . u_hat_ij.
struct CapsuleRouting {
    let iterations: Int
    /// Treat the logit updates as constants: only the last iteration's z carries a gradient.
    let stopGradient: Bool
    /// true: predictions are [B, L, d], one u_hat_i for every interest (MIND's shared bilinear map);
    /// false: predictions are [B * K, L, d], one u_hat_ij per interest (ComiRec-DR's per-interest maps).
    let sharedPredictions: Bool

    /// Which interests are in use ([B * K], the first `active(sample)` of each sample) and which
    /// (interest, behaviour) pairs take part in routing ([B, K, L]: an interest in use and a real behaviour).
    static func masks(batch: UserBatch, interestCount k: Int, active: (_ sample: Int) -> Int) -> (interests: [Float], routing: Tensor) {
        let b = batch.size, l = batch.length
        var interestMask = [Float](repeating: 0, count: b * k)
        var routingMask = Tensor.zeros([b, k, l])
        for sample in 0..<b {
            for interest in 0..<active(sample) {
                interestMask[sample * k + interest] = 1
                for position in 0..<l where batch.historyMask[sample * l + position] != 0 {
                    routingMask.storage[(sample * k + interest) * l + position] = 1
                }
            }
        }
        return (interestMask, routingMask)
    }

    /// Routes `predictions` from `initial` logits [B, K, L] where `mask` [B, K, L] is 1: the squashed
    /// capsules [B, K, d] and the last iteration's coupling weights [B, K, L] (a constant on the tape when
    /// `stopGradient`, since no gradient reaches them then).
    func run(_ tape: Tape, predictions: Variable, logits initial: Tensor, mask: Tensor) -> (capsules: Variable, weights: Variable) {
        precondition(iterations >= 1, "Routing needs at least one iteration.")
        let routed = stopGradient ? tape.constant(predictions.value) : predictions
        var logits = tape.constant(initial)
        for iteration in 0..<iterations {
            let weights = tape.softmax(logits, axis: 1, mask: mask)  // over interests, per behaviour
            if iteration == iterations - 1 {
                let finalWeights = stopGradient ? tape.constant(weights.value) : weights
                return (tape.squash(combine(tape, weights: finalWeights, predictions: predictions)), finalWeights)
            }
            let capsules = tape.squash(combine(tape, weights: weights, predictions: routed))
            logits = tape.add(logits, agreement(tape, capsules: capsules, predictions: routed))
        }
        preconditionFailure("unreachable")
    }

    /// z_j = sum_i w_ij u_hat_ij: [B, K, d].
    private func combine(_ tape: Tape, weights: Variable, predictions: Variable) -> Variable {
        if sharedPredictions { return tape.batchedMatmul(weights, predictions) }
        let b = weights.shape[0], k = weights.shape[1], l = weights.shape[2], d = predictions.shape[2]
        return tape.reshape(tape.batchedMatmul(tape.reshape(weights, [b * k, 1, l]), predictions), [b, k, d])
    }

    /// u_j . u_hat_ij: [B, K, L].
    private func agreement(_ tape: Tape, capsules: Variable, predictions: Variable) -> Variable {
        if sharedPredictions { return tape.batchedMatmul(capsules, predictions, transposeB: true) }
        let b = capsules.shape[0], k = capsules.shape[1], d = capsules.shape[2], l = predictions.shape[1]
        return tape.reshape(tape.batchedMatmul(tape.reshape(capsules, [b * k, 1, d]), predictions, transposeB: true), [b, k, l])
    }
}
