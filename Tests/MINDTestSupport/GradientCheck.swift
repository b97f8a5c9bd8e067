import Testing
import MINDCore

/// Central finite differences against the tape's gradients, for the inputs and for `parameters`
/// (read inside `build` with `tape.parameter`). The output is reduced to a scalar through fixed random
/// weights so that every output element matters.
public func checkGradients(
    _ inputs: [Tensor], parameters: [Parameter] = [], tolerance: Float = 2e-2, step: Float = 1e-2,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ build: (Tape, [Variable]) -> Variable
) {
    var generator = SeededGenerator(seed: 99)
    func loss(_ values: [Tensor], weights: Tensor?) -> (Float, Tensor, [Tensor], Gradients) {
        let tape = Tape()
        let variables = values.map { tape.variable($0) }
        let output = build(tape, variables)
        let w = weights ?? Tensor.randomNormal(output.shape, standardDeviation: 1, using: &generator)
        let scalar = tape.sum(tape.multiply(output, tape.constant(w)))
        let (gradients, parameterGradients) = tape.gradients(of: scalar, wrt: variables)
        return (scalar.value.scalar, w, gradients, parameterGradients)
    }
    let (_, weights, analytic, parameterGradients) = loss(inputs, weights: nil)
    func expectClose(_ numeric: Float, _ computed: Float, _ what: String) {
        let allowed = tolerance * max(1, abs(numeric), abs(computed))
        #expect(abs(numeric - computed) <= allowed, "\(what): analytic \(computed), numeric \(numeric)", sourceLocation: sourceLocation)
    }
    for (inputIndex, input) in inputs.enumerated() {
        for element in 0..<input.count {
            var plus = inputs
            plus[inputIndex].storage[element] += step
            var minus = inputs
            minus[inputIndex].storage[element] -= step
            let numeric = (loss(plus, weights: weights).0 - loss(minus, weights: weights).0) / (2 * step)
            expectClose(numeric, analytic[inputIndex].storage[element], "input \(inputIndex) element \(element)")
        }
    }
    for parameter in parameters {
        let computed = parameterGradients.denseGradient(for: parameter) ?? Tensor.zeros(parameter.shape)
        for element in 0..<parameter.value.count {
            let original = parameter.value.storage[element]
            parameter.value.storage[element] = original + step
            let plus = loss(inputs, weights: weights).0
            parameter.value.storage[element] = original - step
            let minus = loss(inputs, weights: weights).0
            parameter.value.storage[element] = original
            expectClose((plus - minus) / (2 * step), computed.storage[element], "\(parameter.name)[\(element)]")
        }
    }
}

public func random(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var generator = SeededGenerator(seed: seed)
    return Tensor.randomNormal(shape, standardDeviation: scale, using: &generator)
}

/// Values bounded away from zero, for ops with a kink or a pole there (relu, log, division).
public func awayFromZero(_ shape: [Int], seed: UInt64) -> Tensor {
    var t = random(shape, seed: seed)
    for i in 0..<t.count { t.storage[i] = t.storage[i] >= 0 ? t.storage[i] + 0.3 : t.storage[i] - 0.3 }
    return t
}

public func positive(_ shape: [Int], seed: UInt64) -> Tensor {
    var t = random(shape, seed: seed)
    for i in 0..<t.count { t.storage[i] = abs(t.storage[i]) + 0.5 }
    return t
}
