import MINDCore

/// Penalties added to the training loss against routing collapse (interests that come out alike).
enum InterestRegularisers {
    /// Mean over users with two or more active interests of the mean over their pairs of cos^2(u_j, u_k):
    /// 0 when every user's interests are orthogonal, 1 when they point one way (or exactly opposite).
    /// interests: [B, K, d], mask [B * K]. A scalar on the tape.
    static func interestSimilarity(_ tape: Tape, interests: Variable, mask: [Float]) -> Variable {
        let b = interests.shape[0], k = interests.shape[1]
        let squaredNorms = tape.sum(tape.multiply(interests, interests), axis: 2, keepingDimension: true)  // [B, K, 1]
        let units = tape.multiply(interests, tape.pow(tape.addScalar(squaredNorms, 1e-8), -0.5))  // [B, K, d]
        let cosines = tape.batchedMatmul(units, units, transposeB: true)  // [B, K, K]
        // Each ordered pair (j, k), j != k, of active interests weighs 1 / (pairs of its user * users with pairs).
        var weights = Tensor.zeros([b, k, k])
        let active = (0..<b).map { user in (0..<k).filter { mask[user * k + $0] != 0 } }
        let usersWithPairs = active.filter { $0.count > 1 }.count
        for user in 0..<b where active[user].count > 1 {
            let orderedPairs = Float(active[user].count * (active[user].count - 1))
            for j in active[user] {
                for other in active[user] where other != j {
                    weights.storage[(user * k + j) * k + other] = 1 / (orderedPairs * Float(usersWithPairs))
                }
            }
        }
        return tape.sum(tape.multiply(tape.multiply(cosines, cosines), tape.constant(weights)))
    }

    /// REMI's routing regularisation (Xie et al., RecSys 2023): for each interest, the sum over the user's real
    /// behaviours of its coupling weights' squared deviations from their mean, over d (the diagonal of
    /// A_c A_c^T / d), squared and summed over interests; averaged over users. weights, mask: [B, K, L]. A scalar.
    ///
    /// REMI routes with weights normalised over behaviours, where a large variance means one behaviour owns an
    /// interest. MIND normalises over interests, so here a large variance means decisive routing: the penalty
    /// pulls MIND towards uniform coupling. It is kept faithful to the paper and measured (BENCHMARKS.md).
    static func routingVariance(_ tape: Tape, weights: Variable, mask: Tensor, dimension: Int) -> Variable {
        let b = weights.shape[0], k = weights.shape[1], l = weights.shape[2]
        var counts = Tensor.zeros([b, k, 1])
        for row in 0..<(b * k) {
            counts.storage[row] = max(1, (0..<l).reduce(0) { $0 + mask.storage[row * l + $1] })
        }
        let masked = tape.multiply(weights, tape.constant(mask))
        let means = tape.divide(tape.sum(masked, axis: 2, keepingDimension: true), tape.constant(counts))  // [B, K, 1]
        let centred = tape.multiply(tape.subtract(masked, means), tape.constant(mask))  // [B, K, L]
        let variances = tape.scale(tape.sum(tape.multiply(centred, centred), axis: 2), by: 1 / Float(dimension))  // [B, K]
        return tape.scale(tape.sum(tape.multiply(variances, variances)), by: 1 / Float(b))
    }

    /// The configured penalties for one batch's interests, or nil when none is on.
    static func penalty(_ tape: Tape, interests: UserInterests, config: ModelConfig) -> Variable? {
        var terms: [Variable] = []
        if config.interestDiversityWeight > 0, interests.interestCount > 1 {
            terms.append(tape.scale(interestSimilarity(tape, interests: interests.vectors, mask: interests.mask),
                                    by: config.interestDiversityWeight))
        }
        if config.routingRegularisationWeight > 0, let routing = interests.routing {
            terms.append(tape.scale(routingVariance(tape, weights: routing.weightVariable, mask: routing.routingMask,
                                                    dimension: config.embeddingSize), by: config.routingRegularisationWeight))
        }
        guard var total = terms.first else { return nil }
        for term in terms.dropFirst() { total = tape.add(total, term) }
        return total
    }
}
