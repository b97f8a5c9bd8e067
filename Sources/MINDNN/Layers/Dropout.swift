import MINDCore

/// Inverted dropout (Srivastava et al. 2014): in training each element is zeroed with probability `rate`
/// and the survivors scaled by 1 / (1 - rate), so serving uses the layer as the identity.
///
/// The masks come from one seed per sample, mixed with the layer's name, never from a shared
/// generator: a sample draws the same mask whatever shares its batch and however many threads
/// train, so the same seed still gives the same weights on any thread count.
public struct Dropout {
    public let rate: Float
    /// FNV-1a of the layer's name, mixed into each sample's seed so two dropout layers draw different masks.
    let salt: UInt64

    /// `rate` in [0, 1): the probability of zeroing an element.
    public init(name: String, rate: Float) {
        precondition(rate >= 0 && rate < 1, "A dropout rate is in [0, 1), not \(rate).")
        self.rate = rate
        var hash = FNV1a()
        for byte in name.utf8 { hash.combine(UInt64(byte)) }
        salt = hash.value
    }

    /// x: [B, ...] -> the same shape. `sampleSeeds` holds one seed per row of the first axis, nil outside
    /// training (the identity). Each sample draws its mask along its own elements in storage order, so
    /// padding kept at the end of a sample never changes the draws of its real positions.
    public func callAsFunction(_ x: Variable, sampleSeeds: [UInt64]?) -> Variable {
        guard let sampleSeeds, rate > 0 else { return x }
        let rows = x.shape[0], width = x.value.count / max(rows, 1)
        precondition(sampleSeeds.count == rows, "\(sampleSeeds.count) seeds for \(rows) samples.")
        let keep = 1 / (1 - rate)
        var mask = Tensor.zeros(x.shape)
        for sample in 0..<rows {
            var generator = SeededGenerator(seed: sampleSeeds[sample] ^ salt)
            for element in (sample * width)..<((sample + 1) * width) where generator.nextUniformFloat() >= rate {
                mask.storage[element] = keep
            }
        }
        return x.tape.multiply(x, x.tape.constant(mask))
    }
}
