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
        let tape = x.tape, b = x.shape[0], l = x.shape[1]
        precondition(l > 0 && mask.count == b * l, "The mask has \(mask.count) entries for a [\(b), \(l)] batch.")
        let projected = tape.add(tape.matmul(x, tape.parameter(inputWeight)), tape.parameter(inputBias))  // [B, L, 3h]
        let states = gruRecurrence(projected, tape.parameter(hiddenWeight), tape.parameter(hiddenBias), mask: mask, hidden: hiddenSize)
        // Padding repeats the last real state, so the last position holds it.
        let last = tape.gather(tape.reshape(states, [b * l, hiddenSize]), indices: (0..<b).map { Int32($0 * l + l - 1) })  // [B, h]
        return (states, last)
    }
}

/// The GRU's recurrence over all L steps as one tape entry: projected = x W + b [B, L, 3h], U [h, 3h], c [3h]
/// -> the states [B, L, h]. The same arithmetic as the step-by-step ops, but with all-positions training a shard
/// holds a few sequences, so each step's ops were [2, 128]-sized and the step-by-step tape spent its time on
/// bookkeeping and on a fresh [h, 3h] gradient of U per step; here the backward pass keeps each step's dGH and
/// forms dU = sum_t S_{t-1}^T dGH_t as one product over the L * B rows.
private func gruRecurrence(_ projected: Variable, _ recurrent: Variable, _ recurrentBias: Variable, mask: [Float], hidden h: Int) -> Variable {
    typealias Lanes = VectorMath.Lanes
    let tape = projected.tape, xi = projected.value, u = recurrent.value, c = recurrentBias.value
    let b = xi.shape[0], l = xi.shape[1], g = 3 * h
    precondition(xi.shape == [b, l, g] && u.shape == [h, g] && c.shape == [g], "GRU shapes \(xi.shape), \(u.shape), \(c.shape) for h = \(h).")
    // Saved for the backward pass, step-major: states[t] is the state before step t ([L + 1, B, h], states[0] = 0);
    // reset, update, candidate and hn (the U_n h + c_n part of each step) are [L, B, h].
    var states = [Float](repeating: 0, count: (l + 1) * b * h)
    var reset = [Float](repeating: 0, count: l * b * h), update = reset, candidate = reset, hn = reset
    var fromState = [Float](repeating: 0, count: b * g)  // one step's h U + c, [B, 3h]
    let one = Lanes(repeating: 1)
    xi.storage.withUnsafeBufferPointer { xp in
        for t in 0..<l {
            states.withUnsafeMutableBufferPointer { sp in
                MatrixKernels.multiply(sp.baseAddress! + t * b * h, u.storage, &fromState, m: b, n: g, k: h, transposeA: false, transposeB: false, accumulate: false, kernel: tape.products)
            }
            for row in 0..<b {
                let m = Lanes(repeating: mask[row * l + t])
                let input = xp.baseAddress! + (row * l + t) * g, base = (t * b + row) * h
                for j in stride(from: 0, to: h, by: 8) {
                    let n = Swift.min(8, h - j)
                    let ghr = lanes(fromState, row * g + j, n) + lanes(c.storage, j, n)
                    let ghz = lanes(fromState, row * g + h + j, n) + lanes(c.storage, h + j, n)
                    let ghn = lanes(fromState, row * g + 2 * h + j, n) + lanes(c.storage, 2 * h + j, n)
                    let r = VectorMath.sigmoid(lanes(input, j, n) + ghr)
                    let z = VectorMath.sigmoid(lanes(input, h + j, n) + ghz)
                    let candidateLanes = VectorMath.tanh(lanes(input, 2 * h + j, n) + r * ghn)
                    let previous = lanes(states, base + j, n)
                    let next = candidateLanes + z * (previous - candidateLanes)
                    store(previous + m * (next - previous), &states, base + b * h + j, n)
                    store(r, &reset, base + j, n)
                    store(z, &update, base + j, n)
                    store(candidateLanes, &candidate, base + j, n)
                    store(ghn, &hn, base + j, n)
                }
            }
        }
    }
    // [L + 1, B, h] step-major -> the output [B, L, h].
    let out = Tensor(shape: [b, l, h]) { o in
        for t in 0..<l { for row in 0..<b { for j in 0..<h { o[(row * l + t) * h + j] = states[((t + 1) * b + row) * h + j] } } }
    }
    return tape.record(out) { gradient, acc in
        var dProjected = [Float](repeating: 0, count: b * l * g)  // [B, L, 3h]
        var dFromState = [Float](repeating: 0, count: l * b * g)  // every step's dGH, [L, B, 3h]
        var carry = [Float](repeating: 0, count: b * h)  // d state after the step being undone, [B, h]
        var dPrevious = carry
        for t in (0..<l).reversed() {
            for row in 0..<b {
                let m = Lanes(repeating: mask[row * l + t])
                let base = (t * b + row) * h, projectedBase = (row * l + t) * g, stepBase = (t * b + row) * g
                for j in stride(from: 0, to: h, by: 8) {
                    let n = Swift.min(8, h - j)
                    let dState = lanes(carry, row * h + j, n) + lanes(gradient.storage, (row * l + t) * h + j, n)
                    let r = lanes(reset, base + j, n), z = lanes(update, base + j, n), cand = lanes(candidate, base + j, n)
                    let previous = lanes(states, base + j, n)
                    // s = p + m (next - p), next = cand + z (p - cand), cand = tanh(x_n + r hn), r and z sigmoids.
                    let dNext = m * dState
                    let dCandidatePre = dNext * (one - z) * (one - cand * cand)
                    let dUpdatePre = dNext * (previous - cand) * z * (one - z)
                    let dResetPre = dCandidatePre * lanes(hn, base + j, n) * r * (one - r)
                    store(dResetPre, &dProjected, projectedBase + j, n)
                    store(dUpdatePre, &dProjected, projectedBase + h + j, n)
                    store(dCandidatePre, &dProjected, projectedBase + 2 * h + j, n)
                    store(dResetPre, &dFromState, stepBase + j, n)
                    store(dUpdatePre, &dFromState, stepBase + h + j, n)
                    store(dCandidatePre * r, &dFromState, stepBase + 2 * h + j, n)
                    store((one - m) * dState + dNext * z, &dPrevious, row * h + j, n)
                }
            }
            // d previous state += dGH_t U^T: [B, 3h] x [3h, h].
            dFromState.withUnsafeBufferPointer { dp in
                MatrixKernels.multiply(dp.baseAddress! + t * b * g, u.storage, &dPrevious, m: b, n: h, k: g, transposeA: false, transposeB: true, accumulate: true)
            }
            swap(&carry, &dPrevious)
        }
        acc.add(Tensor(shape: [b, l, g], storage: dProjected), to: projected)
        if acc.needsGradient(recurrent) {
            // dU = sum_t states[t]^T dGH_t: [h, L B] x [L B, 3h], the states before each step.
            let dU = Tensor(shape: [h, g]) { d in
                MatrixKernels.multiply(states, dFromState, d.baseAddress!, m: h, n: g, k: l * b, transposeA: true, transposeB: false, accumulate: false)
            }
            acc.add(dU, to: recurrent)
        }
        if acc.needsGradient(recurrentBias) {
            var dc = [Float](repeating: 0, count: g)
            for row in 0..<(l * b) { for j in 0..<g { dc[j] += dFromState[row * g + j] } }
            acc.add(Tensor(shape: [g], storage: dc), to: recurrentBias)
        }
    }
}

/// Up to 8 values from `p + offset` as lanes (the rest 0).
@inline(__always)
private func lanes(_ p: UnsafePointer<Float>, _ offset: Int, _ count: Int) -> VectorMath.Lanes {
    if count == 8 { return UnsafeRawPointer(p + offset).loadUnaligned(as: VectorMath.Lanes.self) }
    var v = VectorMath.Lanes(repeating: 0)
    for i in 0..<count { v[i] = p[offset + i] }
    return v
}

@inline(__always)
private func lanes(_ array: [Float], _ offset: Int, _ count: Int) -> VectorMath.Lanes {
    array.withUnsafeBufferPointer { lanes($0.baseAddress!, offset, count) }
}

/// Stores the first `count` lanes at `array[offset...]`.
@inline(__always)
private func store(_ v: VectorMath.Lanes, _ array: inout [Float], _ offset: Int, _ count: Int) {
    array.withUnsafeMutableBufferPointer { p in
        if count == 8 { UnsafeMutableRawPointer(p.baseAddress! + offset).storeBytes(of: v, as: VectorMath.Lanes.self); return }
        for i in 0..<count { p[offset + i] = v[i] }
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
