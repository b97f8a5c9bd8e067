/// Reverse-mode automatic differentiation: a tape of values and hand-written pullbacks.
///
/// Each op computes its output eagerly, appends it with a closure that maps the output's
/// gradient to its inputs' gradients, and returns a `Variable` naming that entry. Walking
/// the tape backwards once gives every gradient; recording costs one array append and one
/// closure per op (see BENCHMARKS.md for the measured overhead).
public final class Tape {
    /// Maps an op's output gradient into its inputs' gradients.
    public typealias Pullback = (_ outputGradient: Tensor, _ gradients: inout GradientAccumulator) -> Void

    @usableFromInline var values: [Tensor] = []
    @usableFromInline var pullbacks: [Pullback?] = []
    /// How this tape's matrix products run: `.fastest` for training, `.rowIndependent` where a row's result must
    /// not depend on its batch (serving and evaluation encode through such a tape).
    public let products: ProductKernel

    public init(products: ProductKernel = .fastest) {
        self.products = products
        values.reserveCapacity(256)
        pullbacks.reserveCapacity(256)
    }

    /// Number of recorded entries.
    public var count: Int { values.count }

    /// Records an op's output and pullback; ops call this, users call the ops.
    @inline(__always)
    public func record(_ value: Tensor, pullback: Pullback?) -> Variable {
        values.append(value)
        pullbacks.append(pullback)
        return Variable(id: values.count - 1, tape: self)
    }

    /// A value that needs no gradient (inputs, masks).
    public func constant(_ value: Tensor) -> Variable {
        record(value, pullback: nil)
    }

    /// A leaf whose gradient `gradients(of:wrt:)` can return (gradient checks, inputs of interest).
    public func variable(_ value: Tensor) -> Variable {
        record(value, pullback: { _, _ in })
    }

    /// Reads a trainable parameter; its gradient is collected into `Gradients`.
    public func parameter(_ parameter: Parameter) -> Variable {
        record(parameter.value) { gradient, accumulator in
            accumulator.parameterGradients.accumulate(gradient, for: parameter)
        }
    }

    @inline(__always) func value(_ id: Int) -> Tensor { values[id] }

    /// Back-propagates from `loss` (seeded with ones, scaled by `seed`) and returns the
    /// parameters' gradients.
    public func gradients(of loss: Variable, seed: Float = 1) -> Gradients {
        var accumulator = GradientAccumulator(count: count)
        propagate(from: loss, seed: seed, keeping: [], into: &accumulator)
        return accumulator.parameterGradients
    }

    /// Back-propagates from `loss` and returns the gradients of the given variables
    /// (zeros where the loss does not depend on one), plus the parameters' gradients.
    public func gradients(of loss: Variable, wrt variables: [Variable]) -> ([Tensor], Gradients) {
        var accumulator = GradientAccumulator(count: count)
        propagate(from: loss, seed: 1, keeping: Set(variables.map(\.id)), into: &accumulator)
        let results = variables.map { accumulator.gradients[$0.id] ?? Tensor.zeros($0.shape) }
        return (results, accumulator.parameterGradients)
    }

    private func propagate(
        from loss: Variable, seed: Float, keeping kept: Set<Int>, into accumulator: inout GradientAccumulator
    ) {
        precondition(loss.tape === self, "The loss belongs to another tape.")
        accumulator.gradients[loss.id] = Tensor(shape: loss.shape, repeating: seed)
        for id in stride(from: loss.id, through: 0, by: -1) {
            guard let pullback = pullbacks[id], let gradient = accumulator.gradients[id] else { continue }
            if !kept.contains(id) { accumulator.gradients[id] = nil }  // free it as soon as it is used
            pullback(gradient, &accumulator)
        }
    }
}

/// Gradients in flight during one backward pass, by tape entry, plus the parameters'.
public struct GradientAccumulator {
    @usableFromInline var gradients: [Tensor?]
    public var parameterGradients = Gradients()

    init(count: Int) {
        gradients = [Tensor?](repeating: nil, count: count)
    }

    /// Adds `gradient` to the gradient of `variable` (same shape as its value).
    @inline(__always)
    public mutating func add(_ gradient: Tensor, to variable: Variable) {
        if var existing = gradients[variable.id] {
            gradients[variable.id] = nil  // keep the storage uniquely referenced for the in-place add
            existing.addInPlace(gradient)
            gradients[variable.id] = existing
        } else {
            gradients[variable.id] = gradient
        }
    }

    /// True when `variable` can receive a gradient (a constant cannot), so pullbacks skip work.
    @inline(__always)
    public func needsGradient(_ variable: Variable) -> Bool {
        variable.tape.pullbacks[variable.id] != nil
    }
}

/// A tensor on a tape: the handle ops take and return.
public struct Variable {
    public let id: Int
    public unowned let tape: Tape

    @inline(__always) public var value: Tensor { tape.values[id] }
    @inline(__always) public var shape: [Int] { tape.values[id].shape }
}
