import MINDCore

/// Layer normalisation over the last axis (Ba et al. 2016): y = (x - mean) / sqrt(var + eps) * gamma + beta.
public struct LayerNorm {
    public let gain: Parameter  // gamma, [size]
    public let bias: Parameter  // beta, [size]
    public let epsilon: Float

    /// gamma = 1, beta = 0.
    public init(name: String, size: Int, epsilon: Float = 1e-6) {
        gain = Parameter(name: "\(name).gain", value: Tensor(shape: [size], repeating: 1))
        bias = Parameter(name: "\(name).bias", value: .zeros([size]))
        self.epsilon = epsilon
    }

    public var parameters: [Parameter] { [gain, bias] }

    /// x: [..., size] -> [..., size]
    public func callAsFunction(_ x: Variable) -> Variable {
        let tape = x.tape, axis = x.shape.count - 1
        let centred = tape.subtract(x, tape.mean(x, axis: axis, keepingDimension: true))
        let variance = tape.mean(tape.multiply(centred, centred), axis: axis, keepingDimension: true)  // [..., 1]
        let normalised = tape.multiply(centred, tape.pow(tape.addScalar(variance, epsilon), -0.5))
        return tape.add(tape.multiply(normalised, tape.parameter(gain)), tape.parameter(bias))
    }
}
