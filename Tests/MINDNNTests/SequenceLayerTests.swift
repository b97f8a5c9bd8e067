import Foundation
import Testing
import MINDCore
import MINDTestSupport
@testable import MINDNN

@Suite("Sequence layers: GRU, LSTM, multi-head attention, layer norm")
struct SequenceLayerTests {
    /// Two sequences of length 3, the second with one padding step at the end.
    let mask: [Float] = [1, 1, 1, 1, 1, 0]

    @Test func gruGradientsMatchFiniteDifferences() {
        var generator = SeededGenerator(seed: 1)
        let gru = GRU(name: "gru", input: 3, hidden: 2, generator: &generator)
        checkGradients([random([2, 3, 3], seed: 2)], parameters: gru.parameters) { _, x in
            let (states, last) = gru(x[0], mask: mask)
            return x[0].tape.concat([x[0].tape.reshape(last, [2, 1, 2]), states], axis: 1)
        }
    }

    /// A state of 10: the recurrence's SIMD loops run one full block of 8 and a tail of 2.
    @Test func gruGradientsMatchFiniteDifferencesWithAWideState() {
        var generator = SeededGenerator(seed: 5)
        let gru = GRU(name: "gru", input: 3, hidden: 10, generator: &generator)
        checkGradients([random([2, 3, 3], seed: 6)], parameters: gru.parameters) { _, x in gru(x[0], mask: mask).states }
    }

    /// The GRU's one-entry recurrence against the same equations written as step-by-step tape ops:
    /// states and every gradient agree, with padding in the batch.
    @Test func gruRecurrenceMatchesTheStepByStepOps() {
        var generator = SeededGenerator(seed: 7)
        let gru = GRU(name: "gru", input: 4, hidden: 10, generator: &generator)
        let x = random([3, 4, 4], seed: 8)
        let mask: [Float] = [1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0]
        let weights = random([3, 4, 10], seed: 9)
        func stepByStep(_ tape: Tape, _ input: Variable) -> Variable {
            let h = 10, b = 3, l = 4
            let projected = tape.add(tape.matmul(input, tape.parameter(gru.inputWeight)), tape.parameter(gru.inputBias))
            let steps = tape.unstack(tape.transpose(projected, [1, 0, 2]))  // L x [B, 3h]
            var state = tape.constant(.zeros([b, h]))
            var states: [Variable] = []
            for t in 0..<l {
                let stepMask = tape.constant(Tensor(shape: [b, 1], storage: (0..<b).map { mask[$0 * l + t] }))
                let fromInput = tape.split(steps[t], axis: 1, sizes: [h, h, h])
                let fromState = tape.split(tape.add(tape.matmul(state, tape.parameter(gru.hiddenWeight)), tape.parameter(gru.hiddenBias)),
                                           axis: 1, sizes: [h, h, h])
                let reset = tape.sigmoid(tape.add(fromInput[0], fromState[0]))
                let update = tape.sigmoid(tape.add(fromInput[1], fromState[1]))
                let candidate = tape.tanh(tape.add(fromInput[2], tape.multiply(reset, fromState[2])))
                let next = tape.add(candidate, tape.multiply(update, tape.subtract(state, candidate)))
                state = tape.add(state, tape.multiply(stepMask, tape.subtract(next, state)))
                states.append(tape.reshape(state, [b, 1, h]))
            }
            return tape.concat(states, axis: 1)
        }
        var results: [([Float], [Tensor], Gradients)] = []
        for fused in [true, false] {
            let tape = Tape()
            let input = tape.variable(x)
            let states = fused ? gru(input, mask: mask).states : stepByStep(tape, input)
            let loss = tape.sum(tape.multiply(states, tape.constant(weights)))
            let (inputGradient, parameterGradients) = tape.gradients(of: loss, wrt: [input])
            results.append((states.value.storage, inputGradient, parameterGradients))
        }
        #expect(zip(results[0].0, results[1].0).allSatisfy { abs($0 - $1) < 1e-6 }, "states")
        #expect(results[0].1[0].maxAbsoluteDifference(results[1].1[0]) < 1e-5, "input gradient")
        for parameter in gru.parameters {
            let fused = results[0].2.denseGradient(for: parameter)!, reference = results[1].2.denseGradient(for: parameter)!
            #expect(fused.maxAbsoluteDifference(reference) < 1e-5, "\(parameter.name)")
        }
        // A padded step changes no state: the fourth sequence position of the second row repeats its second state.
        #expect(Array(results[0].0[(4 + 3) * 10..<(4 + 4) * 10]) == Array(results[0].0[(4 + 1) * 10..<(4 + 2) * 10]))
    }

    @Test func lstmGradientsMatchFiniteDifferences() {
        var generator = SeededGenerator(seed: 3)
        let lstm = LSTM(name: "lstm", input: 3, hidden: 2, generator: &generator)
        checkGradients([random([2, 3, 3], seed: 4)], parameters: lstm.parameters) { _, x in
            let (states, last) = lstm(x[0], mask: mask)
            return x[0].tape.concat([x[0].tape.reshape(last, [2, 1, 2]), states], axis: 1)
        }
    }

    @Test(arguments: [false, true])
    func attentionGradientsMatchFiniteDifferences(causal: Bool) {
        var generator = SeededGenerator(seed: 5)
        let attention = MultiHeadAttention(name: "attention", size: 4, heads: 2, generator: &generator)
        checkGradients([random([2, 3, 4], seed: 6)], parameters: attention.parameters) { _, x in
            attention(x[0], keyMask: mask, causal: causal)
        }
    }

    /// With the masks fixed by the sample seeds, dropping attention weights keeps the layer differentiable.
    @Test func attentionWithWeightDropoutGradientsMatchFiniteDifferences() {
        var generator = SeededGenerator(seed: 5)
        let attention = MultiHeadAttention(name: "attention", size: 4, heads: 2, weightDropout: 0.4, generator: &generator)
        checkGradients([random([2, 3, 4], seed: 6)], parameters: attention.parameters) { _, x in
            attention(x[0], keyMask: mask, causal: true, dropoutSeeds: [3, 4])
        }
    }

    /// Weight dropout zeroes some attention weights of a sample and scales the rest: the output is W_o (A' V) + b_o
    /// with A' the kept weights / (1 - rate); serving (no seeds) is unchanged, and a sample's output follows its own seed.
    @Test func attentionWeightDropoutActsInTrainingOnlyAndPerSample() {
        var generator = SeededGenerator(seed: 2)
        let plain = MultiHeadAttention(name: "attention", size: 4, heads: 2, generator: &generator)
        generator = SeededGenerator(seed: 2)
        let dropped = MultiHeadAttention(name: "attention", size: 4, heads: 2, weightDropout: 0.5, generator: &generator)
        let tape = Tape()
        let x = tape.constant(Tensor.randomNormal([2, 3, 4], standardDeviation: 1, using: &generator))
        let keyMask: [Float] = [1, 1, 1, 1, 1, 1]
        #expect(dropped(x, keyMask: keyMask, causal: true).value == plain(x, keyMask: keyMask, causal: true).value)
        let trained = dropped(x, keyMask: keyMask, causal: true, dropoutSeeds: [7, 8]).value
        #expect(trained != plain(x, keyMask: keyMask, causal: true).value)
        let second = tape.constant(Tensor(shape: [1, 3, 4], storage: Array(x.value.storage[12...])))
        let alone = dropped(second, keyMask: [1, 1, 1], causal: true, dropoutSeeds: [8]).value
        #expect(Array(trained.storage[12...]) == alone.storage)
        // Rebuild sample 1, head by head, from the kept weights.
        let weights = plain.weights(x, keyMask: keyMask, causal: true).value.storage  // [2, 2, 3, 3]
        let mask = Dropout(name: "attention.weights.dropout", rate: 0.5)(tape.constant(Tensor(shape: [1, 18], repeating: 1)),
                                                                         sampleSeeds: [8]).value.storage  // [H*L*L] of sample 1
        let qkv = plain.projection(x).value.storage, wo = plain.output.weight.value.storage, bo = plain.output.bias!.value.storage
        for t in 0..<3 {
            var joined = [Float](repeating: 0, count: 4)
            for head in 0..<2 {
                for c in 0..<2 {
                    joined[head * 2 + c] = (0..<3).reduce(0) {
                        $0 + weights[((2 + head) * 3 + t) * 3 + $1] * mask[(head * 3 + t) * 3 + $1] * qkv[(3 + $1) * 12 + 8 + head * 2 + c]
                    }
                }
            }
            for o in 0..<4 {
                let expected = bo[o] + (0..<4).reduce(0) { $0 + joined[$1] * wo[$1 * 4 + o] }
                #expect(abs(trained.storage[(3 + t) * 4 + o] - expected) < 1e-5, "position \(t) output \(o)")
            }
        }
    }

    @Test func layerNormGradientsMatchFiniteDifferences() {
        let norm = LayerNorm(name: "norm", size: 4)
        norm.gain.value = random([4], seed: 7)
        norm.bias.value = random([4], seed: 8)
        checkGradients([random([3, 4], seed: 9)], parameters: norm.parameters) { _, x in norm(x[0]) }
    }

    @Test func gruStepMatchesAHandComputation() {
        var generator = SeededGenerator(seed: 1)
        let gru = GRU(name: "gru", input: 1, hidden: 1, generator: &generator)
        // W_x = (0.5, -1, 2), b_x = (0.1, 0.2, 0.3), U = (1, 0.5, -0.5), c = (0, 0.1, 0.2).
        gru.inputWeight.value = Tensor(shape: [1, 3], storage: [0.5, -1, 2])
        gru.inputBias.value = Tensor(shape: [3], storage: [0.1, 0.2, 0.3])
        gru.hiddenWeight.value = Tensor(shape: [1, 3], storage: [1, 0.5, -0.5])
        gru.hiddenBias.value = Tensor(shape: [3], storage: [0, 0.1, 0.2])
        func sigmoid(_ v: Double) -> Double { 1 / (1 + exp(-v)) }
        var h = 0.0
        var expected: [Double] = []
        for x in [1.0, -2.0] {
            let r = sigmoid(0.5 * x + 0.1 + 1 * h + 0)
            let z = sigmoid(-1 * x + 0.2 + 0.5 * h + 0.1)
            let n = Foundation.tanh(2 * x + 0.3 + r * (-0.5 * h + 0.2))
            h = (1 - z) * n + z * h
            expected.append(h)
        }
        let tape = Tape()
        let (states, last) = gru(tape.constant(Tensor(shape: [1, 2, 1], storage: [1, -2])), mask: [1, 1])
        for t in 0..<2 { #expect(abs(Double(states.value.storage[t]) - expected[t]) < 1e-5, "step \(t)") }
        #expect(abs(Double(last.value.scalar) - expected[1]) < 1e-5)
    }

    @Test func lstmStepMatchesAHandComputation() {
        var generator = SeededGenerator(seed: 1)
        let lstm = LSTM(name: "lstm", input: 1, hidden: 1, generator: &generator)
        lstm.inputWeight.value = Tensor(shape: [1, 4], storage: [0.5, -1, 2, 1])
        lstm.inputBias.value = Tensor(shape: [4], storage: [0.1, 0.2, 0.3, -0.1])
        lstm.hiddenWeight.value = Tensor(shape: [1, 4], storage: [1, 0.5, -0.5, 0.3])
        func sigmoid(_ v: Double) -> Double { 1 / (1 + exp(-v)) }
        var (h, c) = (0.0, 0.0)
        for x in [1.0, -2.0] {
            let i = sigmoid(0.5 * x + 0.1 + h), f = sigmoid(-x + 0.2 + 0.5 * h)
            let g = Foundation.tanh(2 * x + 0.3 - 0.5 * h), o = sigmoid(x - 0.1 + 0.3 * h)
            c = f * c + i * g
            h = o * Foundation.tanh(c)
        }
        let tape = Tape()
        let (_, last) = lstm(tape.constant(Tensor(shape: [1, 2, 1], storage: [1, -2])), mask: [1, 1])
        #expect(abs(Double(last.value.scalar) - h) < 1e-5)
    }

    @Test func recurrentLayersCarryTheLastRealStateOverPadding() {
        var generator = SeededGenerator(seed: 11)
        let gru = GRU(name: "gru", input: 3, hidden: 4, generator: &generator)
        let lstm = LSTM(name: "lstm", input: 3, hidden: 4, generator: &generator)
        let real = random([1, 2, 3], seed: 12)
        var padded = Tensor.zeros([1, 5, 3])
        for i in 0..<6 { padded.storage[i] = real.storage[i] }
        for i in 6..<15 { padded.storage[i] = Float(i) }  // padding content must not matter
        for layer in [{ (x: Variable, m: [Float]) in gru(x, mask: m).last }, { lstm($0, mask: $1).last }] {
            let tape = Tape()
            let short = layer(tape.constant(real), [1, 1]).value
            let long = layer(tape.constant(padded), [1, 1, 0, 0, 0]).value
            #expect(short.maxAbsoluteDifference(long) < 1e-6)
        }
    }

    @Test func singleHeadAttentionMatchesAHandComputation() {
        var generator = SeededGenerator(seed: 1)
        let attention = MultiHeadAttention(name: "attention", size: 2, heads: 1, generator: &generator)
        // Q = K = V = x (identity maps, zero bias); output map identity.
        attention.projection.weight.value = Tensor(shape: [2, 6], storage: [1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1])
        attention.output.weight.value = Tensor(shape: [2, 2], storage: [1, 0, 0, 1])
        let x: [[Double]] = [[1, 0], [0, 2], [1, 1]]
        let tape = Tape()
        let input = tape.constant(Tensor(shape: [1, 3, 2], storage: x.flatMap { $0.map(Float.init) }))
        for causal in [false, true] {
            // The third position is padding: no query attends to it.
            let out = attention(input, keyMask: [1, 1, 0], causal: causal).value
            let weights = attention.weights(input, keyMask: [1, 1, 0], causal: causal).value  // [1, 1, 3, 3]
            #expect(weights.shape == [1, 1, 3, 3])
            for query in 0..<2 {
                let keys = causal ? 0...query : 0...1
                let scores = keys.map { k in (x[query][0] * x[k][0] + x[query][1] * x[k][1]) / 2.0.squareRoot() }
                let total = scores.map(exp).reduce(0, +)
                for key in 0..<3 {
                    let expected = keys.contains(key) ? exp(scores[key - keys.lowerBound]) / total : 0
                    #expect(abs(Double(weights.storage[query * 3 + key]) - expected) < 1e-6, "causal \(causal) weight \(query)->\(key)")
                }
                for c in 0..<2 {
                    let expected = zip(keys, scores).reduce(0.0) { $0 + exp($1.1) / total * x[$1.0][c] }
                    #expect(abs(Double(out.storage[query * 2 + c]) - expected) < 1e-5, "causal \(causal) query \(query)[\(c)]")
                }
            }
        }
    }

    @Test func attentionWeightsOfEachHeadRebuildTheOutput() {
        var generator = SeededGenerator(seed: 2)
        let attention = MultiHeadAttention(name: "attention", size: 4, heads: 2, generator: &generator)
        let tape = Tape()
        let x = tape.constant(Tensor.randomNormal([2, 3, 4], standardDeviation: 1, using: &generator))
        let keyMask: [Float] = [1, 1, 0, 1, 1, 1]
        let out = attention(x, keyMask: keyMask, causal: true).value  // [2, 3, 4]
        let weights = attention.weights(x, keyMask: keyMask, causal: true).value.storage  // [2, 2, 3, 3]
        let qkv = attention.projection(x).value.storage  // [2, 3, 12]: Q | K | V
        let wo = attention.output.weight.value.storage, bo = attention.output.bias!.value.storage
        for b in 0..<2 {
            for t in 0..<3 {
                var joined = [Float](repeating: 0, count: 4)  // head 0's 2 features, then head 1's
                for head in 0..<2 {
                    for c in 0..<2 {
                        joined[head * 2 + c] = (0..<3).reduce(0) { $0 + weights[((b * 2 + head) * 3 + t) * 3 + $1] * qkv[(b * 3 + $1) * 12 + 8 + head * 2 + c] }
                    }
                }
                for o in 0..<4 {
                    let expected = bo[o] + (0..<4).reduce(0) { $0 + joined[$1] * wo[$1 * 4 + o] }
                    #expect(abs(out.storage[(b * 3 + t) * 4 + o] - expected) < 1e-5, "sample \(b) position \(t) output \(o)")
                }
            }
        }
    }

    @Test func layerNormMatchesAHandComputation() {
        let norm = LayerNorm(name: "norm", size: 4, epsilon: 0)
        let tape = Tape()
        let out = norm(tape.constant(Tensor(shape: [1, 4], storage: [1, 2, 3, 6]))).value
        // mean 3, variance (4 + 1 + 0 + 9) / 4 = 3.5
        let expected = [1.0, 2, 3, 6].map { ($0 - 3) / 3.5.squareRoot() }
        for i in 0..<4 { #expect(abs(Double(out.storage[i]) - expected[i]) < 1e-5) }
    }
}

@Suite("Dropout: seeded per sample, the identity outside training")
struct DropoutTests {
    @Test func servingAndRateZeroAreTheIdentity() {
        let tape = Tape()
        let x = tape.constant(random([2, 3, 4], seed: 1))
        #expect(Dropout(name: "d", rate: 0.5)(x, sampleSeeds: nil).value == x.value)
        #expect(Dropout(name: "d", rate: 0)(x, sampleSeeds: [1, 2]).value == x.value)
    }

    /// Survivors are scaled by 1 / (1 - rate); the share dropped is near the rate.
    @Test func dropsAboutTheRateAndScalesTheRest() {
        let tape = Tape()
        let x = tape.constant(Tensor(shape: [4, 1000], repeating: 2))
        let out = Dropout(name: "d", rate: 0.3)(x, sampleSeeds: [1, 2, 3, 4]).value
        #expect(out.storage.allSatisfy { $0 == 0 || abs($0 - 2 / 0.7) < 1e-6 })
        let dropped = Double(out.storage.filter { $0 == 0 }.count) / 4000
        #expect(abs(dropped - 0.3) < 0.03, "dropped \(dropped)")
        #expect(abs(Double(out.storage.reduce(0, +)) / 4000 - 2) < 0.1)  // the expectation is kept
    }

    /// A sample's mask depends on its own seed and the layer's name, not on its neighbours.
    @Test func masksFollowTheSampleSeedAndTheLayer() {
        let tape = Tape()
        let ones = Tensor(shape: [1, 64], repeating: 1)
        let layer = Dropout(name: "a", rate: 0.5)
        let alone = layer(tape.constant(ones), sampleSeeds: [7]).value
        let paired = layer(tape.constant(Tensor(shape: [2, 64], repeating: 1)), sampleSeeds: [3, 7]).value
        #expect(Array(paired.storage[64...]) == alone.storage)
        #expect(Array(paired.storage[..<64]) != alone.storage)
        #expect(Dropout(name: "b", rate: 0.5)(tape.constant(ones), sampleSeeds: [7]).value != alone)
    }

    /// The gradient is the mask: the dropped elements get none, the kept ones 1 / (1 - rate).
    @Test func gradientsMatchFiniteDifferences() {
        let layer = Dropout(name: "d", rate: 0.4)
        checkGradients([random([2, 3, 4], seed: 2)]) { _, x in layer(x[0], sampleSeeds: [5, 6]) }
    }
}
