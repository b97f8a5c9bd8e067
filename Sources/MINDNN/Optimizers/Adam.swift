import MINDCore

/// Adam (Kingma & Ba) with L2 weight decay; embedding tables are updated lazily: only the
/// rows a step touched move, and their moments decay only when touched (as TensorFlow's
/// LazyAdam), so a step costs O(rows touched) rather than O(table size).
public final class Adam: Optimizer {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    /// Threads for the row updates of embedding tables (rows are independent, so any count gives the same result).
    public var threads: Int
    /// Steps taken so far; drives the bias correction.
    public private(set) var stepCount = 0

    private var firstMoments: [String: [Float]] = [:]
    private var secondMoments: [String: [Float]] = [:]

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0,
                threads: Int = 1) {
        precondition(threads >= 1, "Adam needs at least one thread.")
        self.threads = threads
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public func step(_ gradients: Gradients) {
        stepCount += 1
        let correction1 = 1 - Float(Foundation.pow(Double(beta1), Double(stepCount)))
        let correction2 = 1 - Float(Foundation.pow(Double(beta2), Double(stepCount)))
        let stepSize = learningRate * correction2.squareRoot() / correction1
        // Sorted by name so the order of floating-point work never depends on dictionary order.
        for entry in gradients.dense.values.sorted(by: { $0.parameter.name < $1.parameter.name }) {
            let p = entry.parameter
            var m = firstMoments[p.name] ?? [Float](repeating: 0, count: p.value.count)
            var v = secondMoments[p.name] ?? [Float](repeating: 0, count: p.value.count)
            firstMoments[p.name] = nil
            secondMoments[p.name] = nil
            entry.gradient.storage.withUnsafeBufferPointer { g in
                p.value.storage.withUnsafeMutableBufferPointer { w in
                    m.withUnsafeMutableBufferPointer { mp in
                        v.withUnsafeMutableBufferPointer { vp in
                            update(w.baseAddress!, g.baseAddress!, mp.baseAddress!, vp.baseAddress!, count: w.count, stepSize: stepSize)
                        }
                    }
                }
            }
            firstMoments[p.name] = m
            secondMoments[p.name] = v
        }
        for entry in gradients.sparse.values.sorted(by: { $0.parameter.name < $1.parameter.name }) {
            let p = entry.parameter
            let g = entry.gradient.coalesced()
            let width = g.width
            var m = firstMoments[p.name] ?? [Float](repeating: 0, count: p.value.count)
            var v = secondMoments[p.name] ?? [Float](repeating: 0, count: p.value.count)
            firstMoments[p.name] = nil
            secondMoments[p.name] = nil
            g.values.withUnsafeBufferPointer { gp in
                p.value.storage.withUnsafeMutableBufferPointer { w in
                    m.withUnsafeMutableBufferPointer { mp in
                        v.withUnsafeMutableBufferPointer { vp in
                            // Rows are distinct after coalescing, so row ranges can be updated in parallel.
                            Parallel.forEachChunk(count: g.rows.count, costPerItem: width * 8, threads: threads) { range in
                                for i in range {
                                    let offset = Int(g.rows[i]) * width
                                    update(w.baseAddress! + offset, gp.baseAddress! + i * width, mp.baseAddress! + offset,
                                           vp.baseAddress! + offset, count: width, stepSize: stepSize)
                                }
                            }
                        }
                    }
                }
            }
            firstMoments[p.name] = m
            secondMoments[p.name] = v
        }
    }

    /// The element-wise Adam update on 8 lanes at a time.
    @inline(__always)
    private func update(
        _ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
        count: Int, stepSize: Float
    ) {
        typealias Lanes = SIMD8<Float>
        let b1 = beta1, b2 = beta2, eps = epsilon, decay = weightDecay
        let mp = UnsafeMutableRawPointer(m), vp = UnsafeMutableRawPointer(v)
        let wp = UnsafeMutableRawPointer(w), gp = UnsafeRawPointer(g)
        var j = 0
        while j + 8 <= count {
            let weights = wp.loadUnaligned(fromByteOffset: j * 4, as: Lanes.self)
            let gradient = gp.loadUnaligned(fromByteOffset: j * 4, as: Lanes.self) + decay * weights
            let first = b1 * mp.loadUnaligned(fromByteOffset: j * 4, as: Lanes.self) + (1 - b1) * gradient
            let second = b2 * vp.loadUnaligned(fromByteOffset: j * 4, as: Lanes.self) + (1 - b2) * gradient * gradient
            mp.storeBytes(of: first, toByteOffset: j * 4, as: Lanes.self)
            vp.storeBytes(of: second, toByteOffset: j * 4, as: Lanes.self)
            wp.storeBytes(of: weights - stepSize * first / (second.squareRoot() + eps), toByteOffset: j * 4, as: Lanes.self)
            j += 8
        }
        while j < count {
            let gradient = g[j] + decay * w[j]
            m[j] = b1 * m[j] + (1 - b1) * gradient
            v[j] = b2 * v[j] + (1 - b2) * gradient * gradient
            w[j] -= stepSize * m[j] / (v[j].squareRoot() + eps)
            j += 1
        }
    }

    public func stateTensors() -> [String: Tensor] {
        var state: [String: Tensor] = ["adam.step": Tensor(scalar: Float(stepCount))]
        for (name, m) in firstMoments { state["adam.m.\(name)"] = Tensor(shape: [m.count], storage: m) }
        for (name, v) in secondMoments { state["adam.v.\(name)"] = Tensor(shape: [v.count], storage: v) }
        return state
    }

    public func restore(from state: [String: Tensor]) throws {
        guard let step = state["adam.step"] else { throw OptimizerStateError.missing("adam.step") }
        stepCount = Int(step.scalar)
        firstMoments = [:]
        secondMoments = [:]
        for (key, tensor) in state {
            if key.hasPrefix("adam.m.") { firstMoments[String(key.dropFirst(7))] = tensor.storage }
            if key.hasPrefix("adam.v.") { secondMoments[String(key.dropFirst(7))] = tensor.storage }
        }
    }
}

/// Problems restoring an optimiser from a checkpoint.
public enum OptimizerStateError: Error, CustomStringConvertible {
    case missing(String)

    public var description: String {
        switch self {
        case .missing(let key): return "optimizer state is missing '\(key)'; the checkpoint is incomplete"
        }
    }
}

import Foundation
