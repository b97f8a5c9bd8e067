import MINDCore

/// y = x W + b over the last axis; W is [input, output] so a batch of rows is one GEMM.
public struct Linear {
    public let weight: Parameter  // [input, output]
    public let bias: Parameter?   // [output]

    /// Glorot-uniform weights and zero bias.
    public init(name: String, input: Int, output: Int, bias: Bool = true, generator: inout SeededGenerator) {
        let limit = (6 / Float(input + output)).squareRoot()
        weight = Parameter(name: "\(name).weight", value: .randomUniform([input, output], limit: limit, using: &generator))
        self.bias = bias ? Parameter(name: "\(name).bias", value: .zeros([output])) : nil
    }

    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    /// x: [..., input] -> [..., output]
    public func callAsFunction(_ x: Variable) -> Variable {
        let tape = x.tape
        guard let bias else { return tape.matmul(x, tape.parameter(weight)) }
        return tape.affine(x, tape.parameter(weight), tape.parameter(bias))
    }
}

/// The non-linearity between an MLP's layers.
public enum Activation: String, Codable, CaseIterable, Sendable {
    case relu
    /// x Phi(x) with the exact normal CDF (RecBole's SASRec feed-forward).
    case gelu
}

/// Layers applied in turn with the activation (ReLU by default) between them (none after the last).
public struct MultiLayerPerceptron {
    public let layers: [Linear]
    public let activation: Activation

    /// `sizes` = [input, hidden..., output]; `activation` between layers, none after the last.
    public init(name: String, sizes: [Int], activation: Activation = .relu, generator: inout SeededGenerator) {
        self.activation = activation
        precondition(sizes.count >= 2, "An MLP needs at least an input and an output size, got \(sizes).")
        layers = (0..<(sizes.count - 1)).map {
            Linear(name: "\(name).\($0)", input: sizes[$0], output: sizes[$0 + 1], generator: &generator)
        }
    }

    public var parameters: [Parameter] { layers.flatMap(\.parameters) }

    public func callAsFunction(_ x: Variable) -> Variable {
        var h = x
        for (index, layer) in layers.enumerated() {
            h = layer(h)
            guard index < layers.count - 1 else { continue }
            switch activation {
            case .relu: h = x.tape.relu(h)
            case .gelu: h = x.tape.gelu(h)
            }
        }
        return h
    }
}
