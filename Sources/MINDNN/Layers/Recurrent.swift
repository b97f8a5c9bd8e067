import MINDCore

/// The per-step inputs of a recurrent layer: x W_x + b for every position at once (one GEMM), cut
/// into L steps of [B, gates * h], and the mask of each step as a [B, 1] constant.
private func recurrentInputs(
    _ x: Variable, mask: [Float], inputWeight: Parameter, inputBias: Parameter
) -> (steps: [Variable], masks: [Variable]) {
    let tape = x.tape, b = x.shape[0], l = x.shape[1]
    precondition(mask.count == b * l, "The mask has \(mask.count) entries for a [\(b), \(l)] batch.")
    let projected = tape.add(tape.matmul(x, tape.parameter(inputWeight)), tape.parameter(inputBias))  // [B, L, G*h]
    let steps = tape.unstack(tape.transpose(projected, [1, 0, 2]))  // L x [B, G*h]
    let masks = (0..<l).map { t in tape.constant(Tensor(shape: [b, 1], storage: (0..<b).map { mask[$0 * l + t] })) }
    return (steps, masks)
}

/// state + mask * (candidate - state): the new state where the step is real, the old one over padding,
/// so a padded sequence ends in the state of its last real item.
private func maskedUpdate(_ state: Variable, _ candidate: Variable, mask: Variable) -> Variable {
    let tape = state.tape
    return tape.add(state, tape.multiply(mask, tape.subtract(candidate, state)))
}

/// [B, h] states -> [B, L, h].
private func stacked(_ states: [Variable]) -> Variable {
    let tape = states[0].tape, b = states[0].shape[0], h = states[0].shape[1]
    let rows = states.map { tape.reshape($0, [b, 1, h]) }
    return rows.count == 1 ? rows[0] : tape.concat(rows, axis: 1)
}

/// Weights drawn as PyTorch's recurrent layers draw them: uniform in +-1/sqrt(h).
private func recurrentParameter(_ name: String, _ shape: [Int], hidden: Int, generator: inout SeededGenerator) -> Parameter {
    Parameter(name: name, value: .randomUniform(shape, limit: 1 / Float(hidden).squareRoot(), using: &generator))
}

/// A gated recurrent unit (Cho et al. 2014, PyTorch's formulation) over padded sequences:
/// r = sigmoid(x W_r + h U_r + b_r), z = sigmoid(x W_z + h U_z + b_z),
/// n = tanh(x W_n + b_n + r * (h U_n + c_n)), h' = (1 - z) * n + z * h.
public struct GRU {
    public let inputWeight: Parameter   // [input, 3h]: W_r | W_z | W_n
    public let inputBias: Parameter     // [3h]
    public let hiddenWeight: Parameter  // [h, 3h]: U_r | U_z | U_n
    public let hiddenBias: Parameter    // [3h]
    public let hiddenSize: Int

    public init(name: String, input: Int, hidden: Int, generator: inout SeededGenerator) {
        hiddenSize = hidden
        inputWeight = recurrentParameter("\(name).input.weight", [input, 3 * hidden], hidden: hidden, generator: &generator)
        inputBias = recurrentParameter("\(name).input.bias", [3 * hidden], hidden: hidden, generator: &generator)
        hiddenWeight = recurrentParameter("\(name).hidden.weight", [hidden, 3 * hidden], hidden: hidden, generator: &generator)
        hiddenBias = recurrentParameter("\(name).hidden.bias", [3 * hidden], hidden: hidden, generator: &generator)
    }

    public var parameters: [Parameter] { [inputWeight, inputBias, hiddenWeight, hiddenBias] }

    /// x: [B, L, input], mask [B * L] (1 real, 0 padding, padding after the real steps) ->
    /// every step's state [B, L, h] and the state after each sequence's last real step [B, h].
    public func callAsFunction(_ x: Variable, mask: [Float]) -> (states: Variable, last: Variable) {
        let tape = x.tape, h = hiddenSize
        let (steps, masks) = recurrentInputs(x, mask: mask, inputWeight: inputWeight, inputBias: inputBias)
        let recurrent = tape.parameter(hiddenWeight), recurrentBias = tape.parameter(hiddenBias)
        var state = tape.constant(.zeros([x.shape[0], h]))
        var states: [Variable] = []
        for (input, stepMask) in zip(steps, masks) {
            let fromInput = tape.split(input, axis: 1, sizes: [h, h, h])
            let fromState = tape.split(tape.add(tape.matmul(state, recurrent), recurrentBias), axis: 1, sizes: [h, h, h])
            let reset = tape.sigmoid(tape.add(fromInput[0], fromState[0]))
            let update = tape.sigmoid(tape.add(fromInput[1], fromState[1]))
            let candidate = tape.tanh(tape.add(fromInput[2], tape.multiply(reset, fromState[2])))
            // h' = n + z * (h - n)
            let next = tape.add(candidate, tape.multiply(update, tape.subtract(state, candidate)))
            state = maskedUpdate(state, next, mask: stepMask)
            states.append(state)
        }
        return (stacked(states), state)
    }
}

/// A long short-term memory layer (Hochreiter and Schmidhuber 1997) over padded sequences:
/// i, f, o = sigmoid(.), g = tanh(.) of x W + h U + b; c' = f * c + i * g; h' = o * tanh(c').
public struct LSTM {
    public let inputWeight: Parameter   // [input, 4h]: i | f | g | o
    public let inputBias: Parameter     // [4h]
    public let hiddenWeight: Parameter  // [h, 4h]
    public let hiddenSize: Int

    public init(name: String, input: Int, hidden: Int, generator: inout SeededGenerator) {
        hiddenSize = hidden
        inputWeight = recurrentParameter("\(name).input.weight", [input, 4 * hidden], hidden: hidden, generator: &generator)
        inputBias = recurrentParameter("\(name).input.bias", [4 * hidden], hidden: hidden, generator: &generator)
        hiddenWeight = recurrentParameter("\(name).hidden.weight", [hidden, 4 * hidden], hidden: hidden, generator: &generator)
    }

    public var parameters: [Parameter] { [inputWeight, inputBias, hiddenWeight] }

    /// x: [B, L, input], mask [B * L] (padding after the real steps) -> every step's output [B, L, h]
    /// (over padding, the last real step's) and the output after each sequence's last real step [B, h].
    public func callAsFunction(_ x: Variable, mask: [Float]) -> (states: Variable, last: Variable) {
        let tape = x.tape, h = hiddenSize
        let (steps, masks) = recurrentInputs(x, mask: mask, inputWeight: inputWeight, inputBias: inputBias)
        let recurrent = tape.parameter(hiddenWeight)
        var output = tape.constant(.zeros([x.shape[0], h]))
        var cell = output
        var outputs: [Variable] = []
        for (input, stepMask) in zip(steps, masks) {
            let gates = tape.split(tape.add(input, tape.matmul(output, recurrent)), axis: 1, sizes: [h, h, h, h])
            let inputGate = tape.sigmoid(gates[0]), forgetGate = tape.sigmoid(gates[1])
            let candidate = tape.tanh(gates[2]), outputGate = tape.sigmoid(gates[3])
            let nextCell = tape.add(tape.multiply(forgetGate, cell), tape.multiply(inputGate, candidate))
            let nextOutput = tape.multiply(outputGate, tape.tanh(nextCell))
            cell = maskedUpdate(cell, nextCell, mask: stepMask)
            output = maskedUpdate(output, nextOutput, mask: stepMask)
            outputs.append(output)
        }
        return (stacked(outputs), output)
    }
}
