import MINDCore
import MINDNN

/// Learned position embeddings for padded histories: position p (0 = the oldest kept item, as
/// histories are packed oldest first) gets row p, added to the behaviour at that position.
struct PositionEmbedding {
    let table: Parameter  // [L, d]

    init(name: String, length: Int, dimension: Int, generator: inout SeededGenerator) {
        table = Parameter(name: name, value: .randomNormal([length, dimension], standardDeviation: 0.05, using: &generator))
    }

    /// behaviours [B, L, d] + P [L, d] (broadcast over the batch).
    func callAsFunction(_ behaviours: Variable) -> Variable {
        behaviours.tape.add(behaviours, behaviours.tape.parameter(table))
    }
}

extension UserBatch {
    /// [B, 1, L] one-hot at each sample's last real position: batchedMatmul with [B, L, d] picks it.
    var lastPositionSelector: Tensor {
        var selector = Tensor.zeros([size, 1, length])
        for sample in 0..<size { selector.storage[sample * length + historyCounts[sample] - 1] = 1 }
        return selector
    }

    /// [B, L, 1]: 1 at real positions, 0 at padding (multiplies padding rows to zero).
    var positionMask: Tensor { Tensor(shape: [size, length, 1], storage: historyMask) }
}

/// One user vector as `UserInterests`: [B, d] -> [B, 1, d], every user's one interest in use.
func singleInterest(_ vector: Variable) -> UserInterests {
    let tape = vector.tape, b = vector.shape[0], d = vector.shape[1]
    return UserInterests(vectors: tape.reshape(vector, [b, 1, d]), mask: [Float](repeating: 1, count: b), interestCount: 1)
}

/// Each sample's vector at its last real position: [B, L, d] -> [B, d].
func lastPosition(_ states: Variable, batch: UserBatch) -> Variable {
    let tape = states.tape
    return tape.reshape(tape.batchedMatmul(tape.constant(batch.lastPositionSelector), states), [batch.size, states.shape[2]])
}
