import Foundation
import Testing
import MINDCore
@testable import MINDNN

@Suite("Layers, optimisers and checkpoints")
struct NNTests {
    /// y = sin(2 x0) + x1^2 - x0 x1 on [-1, 1]^2: smooth, non-linear, known.
    func target(_ x0: Float, _ x1: Float) -> Float { Foundation.sin(2 * x0) + x1 * x1 - x0 * x1 }

    @Test func twoLayerPerceptronLearnsAKnownFunctionWithAdam() {
        var generator = SeededGenerator(seed: 7)
        let mlp = MultiLayerPerceptron(name: "mlp", sizes: [2, 32, 1], generator: &generator)
        let adam = Adam(learningRate: 0.01)
        func batch(_ size: Int) -> (Tensor, Tensor) {
            var xs = [Float](), ys = [Float]()
            for _ in 0..<size {
                let a = generator.nextUniformFloat() * 2 - 1, b = generator.nextUniformFloat() * 2 - 1
                xs += [a, b]
                ys.append(target(a, b))
            }
            return (Tensor(shape: [size, 2], storage: xs), Tensor(shape: [size, 1], storage: ys))
        }
        func meanSquaredError(_ x: Tensor, _ y: Tensor, train: Bool) -> Float {
            let tape = Tape()
            let error = tape.subtract(mlp(tape.constant(x)), tape.constant(y))
            let loss = tape.mean(tape.multiply(error, error))
            if train { adam.step(tape.gradients(of: loss)) }
            return loss.value.scalar
        }
        let (testX, testY) = batch(512)
        let before = meanSquaredError(testX, testY, train: false)
        for _ in 0..<1500 {
            let (x, y) = batch(64)
            _ = meanSquaredError(x, y, train: true)
        }
        let after = meanSquaredError(testX, testY, train: false)
        #expect(before > 0.2)
        #expect(after < 0.01, "test MSE \(before) -> \(after)")
    }

    @Test func lazyAdamMovesOnlyTouchedRows() {
        var generator = SeededGenerator(seed: 1)
        let embedding = Embedding(name: "items", count: 10, dimension: 4, generator: &generator)
        let before = embedding.table.value
        let adam = Adam(learningRate: 0.1)
        let tape = Tape()
        let rows = embedding(tape, [3, 7, 3])
        adam.step(tape.gradients(of: tape.sum(rows)))
        for row in 0..<10 {
            let changed = Array(before.row(row)) != Array(embedding.table.value.row(row))
            #expect(changed == (row == 3 || row == 7), "row \(row)")
        }
    }

    @Test func pooledEmbeddingGradientMatchesFiniteDifferences() {
        var generator = SeededGenerator(seed: 2)
        let embedding = Embedding(name: "genres", count: 6, dimension: 3, standardDeviation: 1, generator: &generator)
        let offsets: [Int32] = [0, 2, 2, 5]  // entity 1 has no values
        let values: [Int32] = [1, 4, 0, 4, 5]
        let weights = Tensor.randomNormal([3, 3], standardDeviation: 1, using: &generator)
        func loss() -> (Float, Gradients) {
            let tape = Tape()
            let pooled = embedding.pooled(tape, offsets: offsets, values: values)
            let scalar = tape.sum(tape.multiply(pooled, tape.constant(weights)))
            return (scalar.value.scalar, tape.gradients(of: scalar))
        }
        let analytic = loss().1.denseGradient(for: embedding.table)!
        for index in 0..<embedding.table.value.count {
            let original = embedding.table.value.storage[index]
            embedding.table.value.storage[index] = original + 1e-2
            let plus = loss().0
            embedding.table.value.storage[index] = original - 1e-2
            let minus = loss().0
            embedding.table.value.storage[index] = original
            #expect(abs((plus - minus) / 2e-2 - analytic.storage[index]) < 1e-2)
        }
        // Entity 1 pools nothing: a zero vector.
        let tape = Tape()
        #expect(embedding.pooled(tape, offsets: offsets, values: values).value.row(1).allSatisfy { $0 == 0 })
    }

    /// The pullback sums reads per distinct row, through a slot array where the rows are dense (a catalogue's
    /// genres) and row by row where they are spread over a large table; both must give g[e] / count(e) per read.
    @Test(arguments: [(rows: 6, values: [Int32](arrayLiteral: 1, 4, 0, 4, 5, 4, 1)),
                      (rows: 400, values: [Int32](arrayLiteral: 350, 3, 350, 199, 3, 0, 350))])
    func pooledEmbeddingGradientSumsEveryRead(rows: Int, values: [Int32]) {
        var generator = SeededGenerator(seed: 3)
        for width in [3, 11] {  // below one SIMD block, and one block plus a tail
            let embedding = Embedding(name: "tags", count: rows, dimension: width, standardDeviation: 1, generator: &generator)
            let offsets: [Int32] = [0, 3, 3, 4, 7]  // entity 1 reads nothing
            let upstream = Tensor.randomNormal([4, width], standardDeviation: 1, using: &generator)
            let tape = Tape()
            let pooled = embedding.pooled(tape, offsets: offsets, values: values)
            let gradient = tape.gradients(of: tape.sum(tape.multiply(pooled, tape.constant(upstream))))
                .denseGradient(for: embedding.table)!
            var expected = [Float](repeating: 0, count: rows * width)
            for e in 0..<4 {
                let start = Int(offsets[e]), end = Int(offsets[e + 1])
                for v in start..<end {
                    for j in 0..<width { expected[Int(values[v]) * width + j] += upstream.storage[e * width + j] / Float(end - start) }
                }
            }
            for index in expected.indices { #expect(abs(gradient.storage[index] - expected[index]) < 1e-5, "\(rows) rows, width \(width), \(index)") }
        }
    }

    @Test func safetensorsRoundTripAndErrors() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mind-nn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var generator = SeededGenerator(seed: 3)
        let a = Parameter(name: "layer.weight", value: .randomNormal([3, 5], standardDeviation: 1, using: &generator))
        let b = Parameter(name: "layer.bias", value: .randomNormal([5], standardDeviation: 1, using: &generator))
        let url = directory.appendingPathComponent("weights.safetensors")
        try [a, b].save(to: url, metadata: ["format": "pt"])
        let (tensors, metadata) = try SafeTensors.read(from: url)
        #expect(tensors["layer.weight"] == a.value)
        #expect(tensors["layer.bias"] == b.value)
        #expect(metadata["format"] == "pt")
        // Header length is a multiple of 8 so the data is aligned.
        let bytes = try Data(contentsOf: url)
        let headerLength = bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect((8 + headerLength) % 8 == 0)

        let copy = Parameter(name: "layer.weight", value: .zeros([3, 5]))
        try [copy].load(from: url)
        #expect(copy.value == a.value)
        let wrongShape = Parameter(name: "layer.bias", value: .zeros([4]))
        #expect(throws: SafeTensorsError.self) { try [wrongShape].load(from: url) }
        let missing = Parameter(name: "other", value: .zeros([1]))
        #expect(throws: SafeTensorsError.self) { try [missing].load(from: url) }
        try Data([1, 2, 3]).write(to: directory.appendingPathComponent("bad.safetensors"))
        #expect(throws: SafeTensorsError.self) { try SafeTensors.read(from: directory.appendingPathComponent("bad.safetensors")) }
    }

    @Test func adamStateRoundTripsForExactResume() throws {
        func run(steps: Int, restartAt: Int?) throws -> Tensor {
            var generator = SeededGenerator(seed: 4)
            let linear = Linear(name: "l", input: 3, output: 2, generator: &generator)
            var adam = Adam(learningRate: 0.05, weightDecay: 0.01)
            let x = Tensor.randomNormal([8, 3], standardDeviation: 1, using: &generator)
            for step in 0..<steps {
                if step == restartAt {
                    let state = adam.stateTensors()
                    adam = Adam(learningRate: 0.05, weightDecay: 0.01)
                    try adam.restore(from: state)
                }
                let tape = Tape()
                let y = linear(tape.constant(x))
                adam.step(tape.gradients(of: tape.sum(tape.multiply(y, y))))
            }
            return linear.weight.value
        }
        #expect(try run(steps: 10, restartAt: nil) == run(steps: 10, restartAt: 5))
    }
}
