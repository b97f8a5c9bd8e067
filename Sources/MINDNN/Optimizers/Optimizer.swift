import MINDCore

/// Updates parameters from one step's gradients.
public protocol Optimizer: AnyObject {
    /// Applies `gradients` to the parameters they name.
    func step(_ gradients: Gradients)
    /// The optimiser's state as named tensors, for checkpoints that resume exactly.
    func stateTensors() -> [String: Tensor]
    /// Restores what `stateTensors()` produced.
    func restore(from state: [String: Tensor]) throws
}

/// Plain gradient descent with optional L2 weight decay.
public final class SGD: Optimizer {
    public var learningRate: Float
    public var weightDecay: Float

    public init(learningRate: Float, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }

    public func step(_ gradients: Gradients) {
        for (_, entry) in gradients.dense {
            let p = entry.parameter
            let g = entry.gradient
            p.value.storage.withUnsafeMutableBufferPointer { w in
                for i in 0..<w.count { w[i] -= learningRate * (g.storage[i] + weightDecay * w[i]) }
            }
        }
        for (_, entry) in gradients.sparse {
            let p = entry.parameter
            let g = entry.gradient.coalesced()
            let width = g.width
            p.value.storage.withUnsafeMutableBufferPointer { w in
                for (i, row) in g.rows.enumerated() {
                    for j in 0..<width {
                        let index = Int(row) * width + j
                        w[index] -= learningRate * (g.values[i * width + j] + weightDecay * w[index])
                    }
                }
            }
        }
    }

    public func stateTensors() -> [String: Tensor] { [:] }
    public func restore(from state: [String: Tensor]) throws {}
}
