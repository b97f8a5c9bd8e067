import Testing
@testable import MINDCore

/// Central finite differences against the tape's gradients. The op under test is reduced to
/// a scalar through fixed random weights so that every output element matters.
func checkGradients(
    _ inputs: [Tensor], tolerance: Float = 2e-2, step: Float = 1e-2,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ build: (Tape, [Variable]) -> Variable
) {
    var generator = SeededGenerator(seed: 99)
    func loss(_ values: [Tensor], weights: Tensor?) -> (Float, Tensor, [Tensor]) {
        let tape = Tape()
        let variables = values.map { tape.variable($0) }
        let output = build(tape, variables)
        let w = weights ?? Tensor.randomNormal(output.shape, standardDeviation: 1, using: &generator)
        let scalar = tape.sum(tape.multiply(output, tape.constant(w)))
        let (gradients, _) = tape.gradients(of: scalar, wrt: variables)
        return (scalar.value.scalar, w, gradients)
    }
    let (_, weights, analytic) = loss(inputs, weights: nil)
    for (inputIndex, input) in inputs.enumerated() {
        for element in 0..<input.count {
            var plus = inputs
            plus[inputIndex].storage[element] += step
            var minus = inputs
            minus[inputIndex].storage[element] -= step
            let numeric = (loss(plus, weights: weights).0 - loss(minus, weights: weights).0) / (2 * step)
            let computed = analytic[inputIndex].storage[element]
            let allowed = tolerance * max(1, abs(numeric), abs(computed))
            #expect(
                abs(numeric - computed) <= allowed,
                "input \(inputIndex) element \(element): analytic \(computed), numeric \(numeric)",
                sourceLocation: sourceLocation)
        }
    }
}

func random(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var generator = SeededGenerator(seed: seed)
    return Tensor.randomNormal(shape, standardDeviation: scale, using: &generator)
}

/// Values bounded away from zero, for ops with a kink or a pole there (relu, log, division).
func awayFromZero(_ shape: [Int], seed: UInt64) -> Tensor {
    var t = random(shape, seed: seed)
    for i in 0..<t.count { t.storage[i] = t.storage[i] >= 0 ? t.storage[i] + 0.3 : t.storage[i] - 0.3 }
    return t
}

func positive(_ shape: [Int], seed: UInt64) -> Tensor {
    var t = random(shape, seed: seed)
    for i in 0..<t.count { t.storage[i] = abs(t.storage[i]) + 0.5 }
    return t
}
