import Testing
@testable import MINDCore
import MINDTestSupport

@Suite("Finite-difference gradient checks, one per op")
struct GradientTests {
    @Test("add with every broadcast pattern", arguments: [
        ([3, 4], [3, 4]), ([3, 4], [4]), ([3, 4], [3, 1]), ([2, 1, 4], [3, 1]), ([3, 4], [1]),
    ])
    func add(shapes: ([Int], [Int])) {
        checkGradients([random(shapes.0, seed: 1), random(shapes.1, seed: 2)]) { t, v in t.add(v[0], v[1]) }
    }

    @Test func subtract() {
        checkGradients([random([2, 3, 4], seed: 1), random([3, 4], seed: 2)]) { t, v in t.subtract(v[0], v[1]) }
    }

    @Test func multiply() {
        checkGradients([random([2, 3, 4], seed: 1), random([2, 1, 4], seed: 2)]) { t, v in t.multiply(v[0], v[1]) }
    }

    @Test func divide() {
        checkGradients([random([3, 4], seed: 1), awayFromZero([4], seed: 2)]) { t, v in t.divide(v[0], v[1]) }
    }

    @Test func scaleAndShift() {
        checkGradients([random([5, 3], seed: 3)]) { t, v in t.addScalar(t.scale(v[0], by: -2.5), 0.7) }
    }

    @Test func exp() { checkGradients([random([4, 5], seed: 4)]) { t, v in t.exp(v[0]) } }
    @Test func log() { checkGradients([positive([4, 5], seed: 5)]) { t, v in t.log(v[0]) } }
    @Test func sigmoid() { checkGradients([random([4, 5], seed: 6, scale: 2)]) { t, v in t.sigmoid(v[0]) } }
    @Test func tanh() { checkGradients([random([4, 5], seed: 7)]) { t, v in t.tanh(v[0]) } }
    @Test func relu() { checkGradients([awayFromZero([4, 5], seed: 8)]) { t, v in t.relu(v[0]) } }
    @Test func gelu() { checkGradients([random([4, 5], seed: 12, scale: 2)]) { t, v in t.gelu(v[0]) } }

    /// x Phi(x) at hand-computed points (Phi from tables: Phi(1) = 0.8413447, Phi(2) = 0.9772499).
    @Test func geluMatchesTheNormalCDF() {
        let tape = Tape()
        let out = tape.gelu(tape.constant(Tensor(shape: [5], storage: [0, 1, -1, 2, -2]))).value.storage
        let expected: [Float] = [0, 0.8413447, -0.1586553, 1.9544998, -0.0455002]
        for (o, e) in zip(out, expected) { #expect(abs(o - e) < 1e-6, "\(o) against \(e)") }
    }
    @Test func pow() { checkGradients([positive([3, 4], seed: 9)]) { t, v in t.pow(v[0], 3.5) } }
    @Test func negate() { checkGradients([random([3], seed: 10)]) { t, v in -v[0] } }

    @Test("sum and mean over each axis", arguments: [0, 1, 2])
    func sumAndMean(axis: Int) {
        checkGradients([random([2, 3, 4], seed: 11)]) { t, v in t.sum(v[0], axis: axis) }
        checkGradients([random([2, 3, 4], seed: 12)]) { t, v in t.mean(v[0], axis: axis, keepingDimension: true) }
    }

    @Test func sumAndMeanOfAll() {
        checkGradients([random([3, 5], seed: 13)]) { t, v in t.sum(v[0]) }
        checkGradients([random([3, 5], seed: 14)]) { t, v in t.mean(v[0]) }
    }

    @Test("max over each axis", arguments: [0, 1])
    func max(axis: Int) {
        checkGradients([random([4, 6], seed: 15)]) { t, v in t.max(v[0], axis: axis) }
    }

    @Test("softmax and log-softmax over each axis, with and without a mask", arguments: [0, 1, 2])
    func softmax(axis: Int) {
        let x = random([2, 3, 4], seed: 16)
        var mask = Tensor(shape: x.shape, repeating: 1)
        mask.storage[1] = 0
        mask.storage[7] = 0
        checkGradients([x]) { t, v in t.softmax(v[0], axis: axis) }
        checkGradients([x]) { t, v in t.softmax(v[0], axis: axis, mask: mask) }
        checkGradients([x]) { t, v in t.logSoftmax(v[0], axis: axis) }
        checkGradients([x]) { t, v in t.logSoftmax(v[0], axis: axis, mask: mask) }
    }

    /// Rows of 21 candidates, so the SIMD loops run a full block and a tail; the last row names its columns out of
    /// order and one of them twice, as a history does.
    func targetCrossEntropyCase() -> (target: Tensor, candidates: Tensor, excluded: ExcludedColumns, offsets: Tensor) {
        var excluded = ExcludedColumns()
        for row: [Int32] in [[], [3], [0, 20], [9, 8, 9]] { excluded.appendRow(row) }
        return (random([4, 1], seed: 40), random([4, 21], seed: 41, scale: 3), excluded, random([4, 22], seed: 42))
    }

    @Test("targetCrossEntropy: gradients of the target and the candidates, with and without offsets", arguments: [false, true])
    func targetCrossEntropy(withOffsets: Bool) {
        let (target, candidates, excluded, offsets) = targetCrossEntropyCase()
        checkGradients([target, candidates], tolerance: 1e-2, step: 1e-2) { t, v in
            t.targetCrossEntropy(target: v[0], candidates: v[1], excluded: excluded, offsets: withOffsets ? offsets : nil)
        }
    }

    @Test("targetCrossEntropy equals -mean(pick(logSoftmax(concat + offsets, mask), 0)), value and gradients")
    func targetCrossEntropyMatchesTheComposedOps() {
        let (target, candidates, excluded, offsets) = targetCrossEntropyCase()
        var mask = Tensor(shape: [4, 22], repeating: 1)
        for row in 0..<4 { for column in excluded.row(row) { mask.storage[row * 22 + 1 + Int(column)] = 0 } }
        let fused = Tape(), composed = Tape()
        let (ft, fc) = (fused.variable(target), fused.variable(candidates))
        let fusedLoss = fused.targetCrossEntropy(target: ft, candidates: fc, excluded: excluded, offsets: offsets)
        let (ct, cc) = (composed.variable(target), composed.variable(candidates))
        let logits = composed.add(composed.concat([ct, cc], axis: 1), composed.constant(offsets))
        let picked = composed.pick(composed.logSoftmax(logits, axis: 1, mask: mask), columns: [Int32](repeating: 0, count: 4))
        let composedLoss = composed.scale(composed.mean(picked), by: -1)
        #expect(abs(fusedLoss.value.scalar - composedLoss.value.scalar) < 1e-5)
        let (fusedGradients, _) = fused.gradients(of: fusedLoss, wrt: [ft, fc])
        let (composedGradients, _) = composed.gradients(of: composedLoss, wrt: [ct, cc])
        for (f, c) in zip(fusedGradients, composedGradients) {
            #expect(f.shape == c.shape)
            #expect(zip(f.storage, c.storage).allSatisfy { abs($0 - $1) < 1e-6 }, "\(f.storage) against \(c.storage)")
        }
        // An excluded candidate gets no gradient, however large its score.
        #expect(fusedGradients[1].storage[1 * 21 + 3] == 0 && fusedGradients[1].storage[2 * 21 + 20] == 0)
    }

    @Test("targetCrossEntropy: an excluded column's score changes nothing, however large; a row with every column excluded has loss 0")
    func targetCrossEntropyIgnoresExcludedScores() {
        var excluded = ExcludedColumns()
        excluded.appendRow([Int32]([5, 2, 5]))
        excluded.appendRow(Int32(0)..<21)
        let target = random([2, 1], seed: 43)
        var low = random([2, 21], seed: 44), high = low
        for (row, column) in [(0, 2), (0, 5)] + (0..<21).map({ (1, $0) }) {
            low.storage[row * 21 + column] = -1e4
            high.storage[row * 21 + column] = 1e4
        }
        func lossAndGradient(_ candidates: Tensor) -> (Float, Tensor) {
            let tape = Tape()
            let c = tape.variable(candidates)
            let loss = tape.targetCrossEntropy(target: tape.variable(target), candidates: c, excluded: excluded)
            return (loss.value.scalar, tape.gradients(of: loss, wrt: [c]).0[0])
        }
        let (lowLoss, lowGradient) = lossAndGradient(low), (highLoss, highGradient) = lossAndGradient(high)
        #expect(lowLoss == highLoss && lowGradient.storage == highGradient.storage)
        // Row 1 keeps only its target: -log(exp(t) / exp(t)) = 0, so the mean is row 0's loss over 2.
        var rowZero = ExcludedColumns()
        rowZero.appendRow([Int32]([2, 5]))
        let tape = Tape()
        let alone = tape.targetCrossEntropy(target: tape.variable(Tensor(shape: [1, 1], storage: [target.storage[0]])),
                                            candidates: tape.variable(Tensor(shape: [1, 21], storage: Array(low.storage[0..<21]))),
                                            excluded: rowZero)
        #expect(abs(lowLoss - alone.value.scalar / 2) < 1e-6)
    }

    @Test("ExcludedColumns keeps rows as given; equal when each row leaves out the same set")
    func excludedColumnsCompareAsSets() {
        var given = ExcludedColumns(), sorted = ExcludedColumns(), other = ExcludedColumns()
        given.appendRow([Int32]([9, 3]), [Int32]([9]))
        sorted.appendRow([Int32]([3, 9]))
        other.appendRow([Int32]([3]))
        #expect(Array(given.row(0)) == [9, 3, 9])
        #expect(given == sorted && given != other)
    }

    @Test("matmul with each transpose combination", arguments: [(false, false), (false, true), (true, false), (true, true)])
    func matmul(transposes: (Bool, Bool)) {
        let (ta, tb) = transposes
        let a = random(ta ? [4, 3] : [3, 4], seed: 17)
        let b = random(tb ? [5, 4] : [4, 5], seed: 18)
        checkGradients([a, b]) { t, v in t.matmul(v[0], v[1], transposeA: ta, transposeB: tb) }
    }

    @Test func matmulWithLeadingAxesThroughBLAS() {
        // 2 x 40 x 16 x 32 multiply-adds is above the small-kernel limit, so BLAS runs.
        checkGradients([random([2, 40, 16], seed: 19, scale: 0.3), random([16, 32], seed: 20, scale: 0.3)], tolerance: 3e-2) { t, v in
            t.matmul(v[0], v[1])
        }
    }

    /// x W + b, on the small kernel and through BLAS (2 x 40 x 16 x 32 multiply-adds), equals matmul then add exactly.
    @Test("affine", arguments: [[2, 3, 4], [2, 40, 16]])
    func affine(inputShape: [Int]) {
        let k = inputShape[2], n = k == 4 ? 5 : 32
        let x = random(inputShape, seed: 25, scale: 0.3), w = random([k, n], seed: 26, scale: 0.3), b = random([n], seed: 27)
        checkGradients([x, w, b], tolerance: 3e-2) { t, v in t.affine(v[0], v[1], v[2]) }
        let tape = Tape()
        let fused = tape.affine(tape.constant(x), tape.constant(w), tape.constant(b)).value
        let separate = tape.add(tape.matmul(tape.constant(x), tape.constant(w)), tape.constant(b)).value
        #expect(fused.shape == inputShape.dropLast() + [n])
        #expect(fused.storage == separate.storage, "rounded exactly as matmul then add")
    }

    @Test("batched matmul with each transpose combination", arguments: [(false, false), (false, true), (true, false), (true, true)])
    func batchedMatmul(transposes: (Bool, Bool)) {
        let (ta, tb) = transposes
        let a = random(ta ? [3, 4, 2] : [3, 2, 4], seed: 21)
        let b = random(tb ? [3, 5, 4] : [3, 4, 5], seed: 22)
        checkGradients([a, b]) { t, v in t.batchedMatmul(v[0], v[1], transposeA: ta, transposeB: tb) }
    }

    @Test func reshapeAndTranspose() {
        checkGradients([random([2, 3, 4], seed: 23)]) { t, v in t.transpose(t.reshape(v[0], [6, 4]), [1, 0]) }
        checkGradients([random([2, 3, 4], seed: 24)]) { t, v in t.transpose(v[0], [2, 0, 1]) }
    }

    @Test func concatAndSplit() {
        checkGradients([random([2, 3], seed: 25), random([2, 2], seed: 26)]) { t, v in t.concat([v[0], v[1]], axis: 1) }
        checkGradients([random([4, 3], seed: 27)]) { t, v in
            let parts = t.split(v[0], axis: 0, sizes: [1, 3])
            return t.add(t.sum(parts[0], axis: 0), t.sum(parts[1], axis: 0))
        }
    }

    @Test func gatherAndScatterAdd() {
        let indices: [Int32] = [2, 0, 2, 1]
        checkGradients([random([3, 4], seed: 28)]) { t, v in t.gather(v[0], indices: indices, indexShape: [2, 2]) }
        checkGradients([random([4, 3], seed: 29)]) { t, v in t.scatterAdd(v[0], indices: indices, rowCount: 5) }
    }

    @Test func pick() {
        checkGradients([random([3, 5], seed: 30)]) { t, v in t.pick(v[0], columns: [4, 0, 2]) }
    }

    @Test func squash() {
        checkGradients([random([3, 2, 5], seed: 31)]) { t, v in t.squash(v[0]) }
        checkGradients([random([2, 4], seed: 32, scale: 0.05)]) { t, v in t.squash(v[0]) }
    }

    @Test func embeddingGradientIsSparseAndMatchesDense() {
        let table = Parameter(name: "table", value: random([5, 3], seed: 33), isEmbeddingTable: true)
        let tape = Tape()
        let indices: [Int32] = [4, 1, 4]
        let rows = tape.embedding(table, indices: indices)
        let weights = random([3, 3], seed: 34)
        let loss = tape.sum(tape.multiply(rows, tape.constant(weights)))
        let gradients = tape.gradients(of: loss)
        let sparse = gradients.sparse[ObjectIdentifier(table)]!.gradient.coalesced()
        #expect(sparse.rows == [1, 4])
        let dense = gradients.denseGradient(for: table)!
        // Row 4 is read twice: its gradient is the sum of both weight rows.
        for j in 0..<3 {
            #expect(abs(dense.storage[4 * 3 + j] - (weights.storage[j] + weights.storage[6 + j])) < 1e-6)
            #expect(abs(dense.storage[1 * 3 + j] - weights.storage[3 + j]) < 1e-6)
            #expect(dense.storage[0 * 3 + j] == 0)
        }
    }

    /// Rows read more than once on both sides, and n = 11 so each row has a tail past the 8-wide blocks.
    @Test func tanhProjection() {
        let aRows: [Int32] = [2, 0, 2, 1, 0], bRows: [Int32] = [0, 1, 2, 0, 1]
        checkGradients([random([3, 11], seed: 35), random([3, 11], seed: 36), random([11, 3], seed: 37)]) { t, v in
            t.tanhProjection(v[0], rows: aRows, plus: v[1], rows: bRows, projection: v[2])
        }
    }

    /// The fused op equals gather, add, tanh and matmul done one by one.
    @Test func tanhProjectionMatchesTheOpsItFuses() {
        let a = random([4, 19], seed: 38), b = random([2, 19], seed: 39), w = random([19, 4], seed: 40)
        let aRows: [Int32] = [3, 3, 0, 1, 2, 0], bRows: [Int32] = [0, 1, 0, 1, 0, 1]
        let tape = Tape()
        let fused = tape.tanhProjection(tape.constant(a), rows: aRows, plus: tape.constant(b), rows: bRows, projection: tape.constant(w))
        let sum = tape.add(tape.gather(tape.constant(a), indices: aRows), tape.gather(tape.constant(b), indices: bRows))
        let composed = tape.matmul(tape.tanh(sum), tape.constant(w))
        #expect(fused.shape == [6, 4])
        #expect(fused.value.maxAbsoluteDifference(composed.value) < 1e-5)
    }

    /// Both ways of coalescing give ascending distinct rows with sums in arrival order, bit for bit; rows spread
    /// over a large table take the sorting path and still sum right.
    @Test func coalescingBySlotsMatchesSorting() {
        let values = random([6, 3], seed: 41).storage
        let dense = SparseRowGradient(width: 3, rows: [5, 2, 5, 9, 2, 2], values: values)
        let bySlots = dense.coalesced(), bySorting = dense.coalescedBySorting()
        #expect(bySlots.rows == [2, 5, 9])
        #expect(bySlots.rows == bySorting.rows && bySlots.values == bySorting.values)
        for j in 0..<3 { #expect(bySlots.values[j] == values[3 + j] + values[12 + j] + values[15 + j]) }
        let spread = SparseRowGradient(width: 3, rows: [1_000_000, 3, 1_000_000], values: Array(values[0..<9])).coalesced()
        #expect(spread.rows == [3, 1_000_000])
        for j in 0..<3 { #expect(spread.values[3 + j] == values[j] + values[6 + j]) }
    }
}

