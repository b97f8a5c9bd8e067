import Foundation
import MINDCore

/// Multi-head scaled dot-product self-attention (Vaswani et al. 2017) over padded sequences:
/// per head softmax(Q K^T / sqrt(d_h)) V over the real keys (and, causal, the keys at or before the
/// query), heads concatenated and projected. `weightDropout` (training only) drops attention weights
/// after the softmax, as RecBole's SASRec does (attn_dropout_prob).
public struct MultiHeadAttention {
    /// Q | K | V in one [d, 3d] map, so the three projections are one GEMM.
    public let projection: Linear
    public let output: Linear
    public let heads: Int
    public let size: Int
    public let weightDropout: Dropout

    public init(name: String, size: Int, heads: Int, weightDropout: Float = 0, generator: inout SeededGenerator) {
        precondition(heads >= 1 && size % heads == 0, "\(size) features cannot be cut into \(heads) heads.")
        self.size = size
        self.heads = heads
        projection = Linear(name: "\(name).qkv", input: size, output: 3 * size, generator: &generator)
        output = Linear(name: "\(name).output", input: size, output: size, generator: &generator)
        self.weightDropout = Dropout(name: "\(name).weights.dropout", rate: weightDropout)
    }

    public var parameters: [Parameter] { projection.parameters + output.parameters }

    /// x: [B, L, d], keyMask [B * L] (1 real, 0 padding) -> [B, L, d]. A query whose keys are all
    /// masked (a padding query under the causal mask) attends to nothing and gets the output bias only.
    /// `dropoutSeeds`: one per sample in training (weight dropout), nil when serving.
    public func callAsFunction(_ x: Variable, keyMask: [Float], causal: Bool, dropoutSeeds: [UInt64]? = nil) -> Variable {
        let tape = x.tape, b = x.shape[0], l = x.shape[1], d = size, dh = size / heads
        var (weights, value) = attend(x, keyMask: keyMask, causal: causal)
        if dropoutSeeds != nil && weightDropout.rate > 0 {
            // [B*H, L, L] -> [B, H*L*L]: one row per sample, so each sample draws from its own seed.
            weights = tape.reshape(weightDropout(tape.reshape(weights, [b, heads * l * l]), sampleSeeds: dropoutSeeds), [b * heads, l, l])
        }
        let attended = tape.batchedMatmul(weights, value)  // [B*H, L, dh]
        let joined = tape.reshape(tape.transpose(tape.reshape(attended, [b, heads, l, dh]), [0, 2, 1, 3]), [b, l, d])
        return output(joined)
    }

    /// The attention weights of `callAsFunction`: [B, H, L, L], query i's distribution over the keys j (a
    /// query with no key to attend to has a row of zeros). For explanations.
    public func weights(_ x: Variable, keyMask: [Float], causal: Bool) -> Variable {
        let b = x.shape[0], l = x.shape[1]
        return x.tape.reshape(attend(x, keyMask: keyMask, causal: causal).weights, [b, heads, l, l])
    }

    /// Per head: the weights softmax(Q K^T / sqrt(dh)) [B*H, L, L] and the values V [B*H, L, dh].
    private func attend(_ x: Variable, keyMask: [Float], causal: Bool) -> (weights: Variable, value: Variable) {
        let tape = x.tape, b = x.shape[0], l = x.shape[1], d = size, h = heads, dh = size / heads
        let qkv = tape.split(projection(x), axis: 2, sizes: [d, d, d])  // 3 x [B, L, d]
        // [B, L, d] -> [B, L, H, dh] -> [B, H, L, dh] -> [B*H, L, dh]
        func perHead(_ v: Variable) -> Variable {
            tape.reshape(tape.transpose(tape.reshape(v, [b, l, h, dh]), [0, 2, 1, 3]), [b * h, l, dh])
        }
        let query = perHead(qkv[0]), key = perHead(qkv[1]), value = perHead(qkv[2])
        let scores = tape.scale(tape.batchedMatmul(query, key, transposeB: true), by: 1 / Float(dh).squareRoot())  // [B*H, L, L]
        let weights = tape.softmax(scores, axis: 2, mask: Self.mask(keyMask: keyMask, batch: b, heads: h, length: l, causal: causal))
        return (weights, value)
    }

    /// [B*H, L, L]: 1 where query i may attend to key j.
    static func mask(keyMask: [Float], batch b: Int, heads h: Int, length l: Int, causal: Bool) -> Tensor {
        precondition(keyMask.count == b * l, "The key mask has \(keyMask.count) entries for a [\(b), \(l)] batch.")
        var mask = Tensor.zeros([b * h, l, l])
        for sample in 0..<b {
            for query in 0..<l {
                for key in 0..<(causal ? query + 1 : l) where keyMask[sample * l + key] != 0 {
                    for head in 0..<h { mask.storage[((sample * h + head) * l + query) * l + key] = 1 }
                }
            }
        }
        return mask
    }
}
