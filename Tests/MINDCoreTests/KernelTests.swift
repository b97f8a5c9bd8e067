import Foundation
import Testing
import CKernels
@testable import MINDCore
import MINDTestSupport

@Suite("Forward values of kernels against plain loops")
struct KernelTests {
    func naiveProduct(_ a: Tensor, _ b: Tensor) -> Tensor {
        let m = a.shape[0], k = a.shape[1], n = b.shape[1]
        var c = Tensor.zeros([m, n])
        for i in 0..<m { for j in 0..<n { for p in 0..<k { c.storage[i * n + j] += a.storage[i * k + p] * b.storage[p * n + j] } } }
        return c
    }

    @Test("matmul equals the triple loop, small kernel and BLAS", arguments: [(3, 4, 5), (64, 64, 64), (130, 17, 33)])
    func matmul(sizes: (Int, Int, Int)) {
        let a = random([sizes.0, sizes.1], seed: 1), b = random([sizes.1, sizes.2], seed: 2)
        let tape = Tape()
        let c = tape.matmul(tape.constant(a), tape.constant(b)).value
        #expect(c.maxAbsoluteDifference(naiveProduct(a, b)) < 1e-3)
        let ct = tape.matmul(tape.constant(a.permuted([1, 0])), tape.constant(b.permuted([1, 0])), transposeA: true, transposeB: true).value
        #expect(ct.maxAbsoluteDifference(c) < 1e-3)
    }

    /// `MatrixKernels.multiply` with `kernel` on an [m, k] x [k, n] product, every transpose, with and without
    /// accumulating into C, against the triple loop.
    func expectEveryTransposeMatchesTheTripleLoop(_ sizes: (Int, Int, Int), kernel: ProductKernel, tolerance: Float) {
        let (m, k, n) = sizes
        let a = random([m, k], seed: 3), b = random([k, n], seed: 4), start = random([m, n], seed: 5)
        let expected = naiveProduct(a, b)
        for (transposeA, transposeB) in [(false, false), (false, true), (true, false), (true, true)] {
            let storedA = transposeA ? a.permuted([1, 0]) : a, storedB = transposeB ? b.permuted([1, 0]) : b
            for accumulate in [false, true] {
                var c = start
                c.storage.withUnsafeMutableBufferPointer { cp in
                    MatrixKernels.multiply(storedA.storage, storedB.storage, cp.baseAddress!, m: m, n: n, k: k, transposeA: transposeA,
                                           transposeB: transposeB, accumulate: accumulate, kernel: kernel)
                }
                var want = expected
                if accumulate { want.addInPlace(start) }
                #expect(c.maxAbsoluteDifference(want) < tolerance, "\(sizes) transposes \(transposeA), \(transposeB), accumulate \(accumulate)")
            }
        }
    }

    /// The small kernel's matrix-vector and outer-product loops (an inner length of 1).
    @Test("small kernel: matrix-vector and outer products equal the triple loop",
          arguments: [(5, 11, 1), (5, 1, 11), (1, 11, 5), (11, 1, 1), (1, 1, 11), (9, 3, 1)])
    func smallMatrixVectorProducts(sizes: (Int, Int, Int)) {
        expectEveryTransposeMatchesTheTripleLoop(sizes, kernel: .fastest, tolerance: 1e-5)
    }

    /// The row-independent kernel on sizes that exercise its row tiles (8 and 4 rows with AVX-512, 6 and 4 with
    /// AVX2) and leftover rows, its 32-, 16- and 8-wide strips and leftover (masked or scalar) columns.
    @Test("row-independent kernel equals the triple loop",
          arguments: [(1, 1, 1), (7, 5, 29), (9, 64, 40), (4, 3, 16), (13, 17, 8), (6, 1, 25), (5, 11, 1), (17, 5, 47), (10, 9, 33)])
    func rowIndependentProducts(sizes: (Int, Int, Int)) {
        expectEveryTransposeMatchesTheTripleLoop(sizes, kernel: .rowIndependent, tolerance: 1e-4)
    }

    /// Without a transposed B every element is the chain c = fma(A[i, p], B[p, j], c) over p in order, from 0: the
    /// same bits as that chain written out, and so the same on any machine with a correct fused multiply-add.
    @Test func rowIndependentElementsAreTheFusedChainInOrder() {
        let m = 11, k = 37, n = 27
        let a = random([m, k], seed: 9), b = random([k, n], seed: 10)
        var c = [Float](repeating: .nan, count: m * n)
        MatrixKernels.multiply(a.storage, b.storage, &c, m: m, n: n, k: k, transposeA: false, transposeB: false, accumulate: false,
                               kernel: .rowIndependent)
        for i in 0..<m {
            for j in 0..<n {
                var chain: Float = 0
                for p in 0..<k { chain.addProduct(a.storage[i * k + p], b.storage[p * n + j]) }
                #expect(c[i * n + j] == chain, "element \(i), \(j)")
            }
        }
    }

    /// Each instruction set this CPU has (scalar, AVX2, AVX-512 where present) gives the same bits, A plain or
    /// transposed, so answers do not change with the machine either.
    @Test(arguments: [(13, 37, 45), (9, 64, 77), (1, 5, 3), (8, 1, 33)])
    func rowIndependentInstructionSetsAgreeBitForBit(sizes: (Int, Int, Int)) {
        let (m, k, n) = sizes
        let a = random([m, k], seed: 13), b = random([k, n], seed: 14), start = random([m, n], seed: 15)
        let transposedA = a.permuted([1, 0])
        let sets = [MIND_ISA_SCALAR, MIND_ISA_AVX2, MIND_ISA_AVX512].filter { $0.rawValue <= MatrixKernels.widestInstructionSet.rawValue }
        for accumulate in [false, true] {
            var results: [[Float]] = []
            for instructionSet in sets {
                var plain = start.storage, transposed = start.storage
                MatrixKernels.rowsTimesMatrix(a.storage, rowStride: k, depthStride: 1, b.storage, &plain, m: m, n: n, k: k,
                                              accumulate: accumulate, instructionSet: instructionSet)
                MatrixKernels.rowsTimesMatrix(transposedA.storage, rowStride: 1, depthStride: m, b.storage, &transposed, m: m, n: n, k: k,
                                              accumulate: accumulate, instructionSet: instructionSet)
                #expect(transposed == plain, "\(sizes) on \(instructionSet.rawValue)")
                results.append(plain)
            }
            #expect(results.allSatisfy { $0 == results[0] }, "\(sizes), accumulate \(accumulate), \(sets.count) instruction sets")
        }
    }

    /// What the kernel is for: a row's result is the same bits computed alone, among 53 rows, or at another place,
    /// for every transpose.
    @Test func rowIndependentRowsAreTheSameBitsAloneAndInABatch() {
        let m = 53, k = 70, n = 45
        let a = random([m, k], seed: 11), b = random([k, n], seed: 12)
        for (transposeA, transposeB) in [(false, false), (false, true), (true, false), (true, true)] {
            let storedA = transposeA ? a.permuted([1, 0]) : a, storedB = transposeB ? b.permuted([1, 0]) : b
            var together = [Float](repeating: 0, count: m * n)
            MatrixKernels.multiply(storedA.storage, storedB.storage, &together, m: m, n: n, k: k, transposeA: transposeA,
                                   transposeB: transposeB, accumulate: false, kernel: .rowIndependent)
            // The rows in reverse order: every row lands in another place of its block of four.
            let reversedRows = Tensor(shape: [m, k], storage: (0..<m).reversed().flatMap { Array(a.storage[($0 * k)..<(($0 + 1) * k)]) })
            let storedReversed = transposeA ? reversedRows.permuted([1, 0]) : reversedRows
            var reversed = [Float](repeating: 0, count: m * n)
            MatrixKernels.multiply(storedReversed.storage, storedB.storage, &reversed, m: m, n: n, k: k, transposeA: transposeA,
                                   transposeB: transposeB, accumulate: false, kernel: .rowIndependent)
            for i in [0, 3, 4, 17, 51, 52] {
                let row = Array(a.storage[(i * k)..<((i + 1) * k)])  // [1, k]; stored [k, 1] when transposed, the same floats
                var alone = [Float](repeating: 0, count: n)
                MatrixKernels.multiply(row, storedB.storage, &alone, m: 1, n: n, k: k, transposeA: transposeA,
                                       transposeB: transposeB, accumulate: false, kernel: .rowIndependent)
                let transposes = "transposes \(transposeA), \(transposeB), row \(i)"
                #expect(Array(together[(i * n)..<((i + 1) * n)]) == alone, "\(transposes)")
                #expect(Array(reversed[((m - 1 - i) * n)..<((m - i) * n)]) == alone, "\(transposes), reversed")
            }
        }
    }

    @Test func vectorisedExpMatchesFoundation() {
        var worst: Float = 0
        for x in stride(from: Float(-80), through: 80, by: 0.37) {
            let relative = abs(VectorMath.exp(x) - Foundation.exp(x)) / Foundation.exp(x)
            worst = max(worst, relative)
        }
        #expect(worst < 1e-6)
        #expect(VectorMath.exp(-200) == 0 || VectorMath.exp(-200) < 1e-37)
    }

    /// Both forms, on lengths with and without a tail past the 8-wide blocks, out to where tanh saturates.
    @Test(arguments: [8, 13])
    func vectorisedTanhMatchesFoundation(count: Int) {
        var worst: Float = 0
        for start in stride(from: Float(-30), to: 30, by: 0.37) {
            let x = (0..<count).map { start + Float($0) * 0.011 }
            let offset = (0..<count).map { Float($0 % 3) * 0.25 }
            var plain = [Float](repeating: .nan, count: count), summed = [Float](repeating: .nan, count: count)
            VectorMath.tanh(x, &plain, count: count)
            VectorMath.tanh(x, plus: offset, &summed, count: count)
            for i in 0..<count {
                worst = max(worst, abs(plain[i] - Foundation.tanh(x[i])), abs(summed[i] - Foundation.tanh(x[i] + offset[i])))
            }
        }
        #expect(worst < 1e-6)
    }

    @Test func softmaxRowsSumToOneAndMaskedEntriesAreZero() {
        let tape = Tape()
        let x = random([4, 6], seed: 3, scale: 10)
        var mask = Tensor(shape: [4, 6], repeating: 1)
        for j in 0..<6 { mask.storage[2 * 6 + j] = 0 }  // a fully masked row
        mask.storage[1] = 0
        let y = tape.softmax(tape.constant(x), axis: 1, mask: mask).value
        for row in [0, 1, 3] {
            #expect(abs(y.row(row).reduce(0, +) - 1) < 1e-5)
        }
        #expect(y.row(2).allSatisfy { $0 == 0 })
        #expect(y.storage[1] == 0)
        let logY = tape.logSoftmax(tape.constant(x), axis: 1).value
        let plain = tape.softmax(tape.constant(x), axis: 1).value
        for i in 0..<x.count where plain.storage[i] > 1e-30 { #expect(abs(Foundation.exp(logY.storage[i]) - plain.storage[i]) < 1e-5) }
    }

    /// The SIMD kernels of the last axis (rows longer than 8 lanes, masked entries inside the lanes and the tail,
    /// one masked entry far above the rest) agree with the strided loops, which the same values take transposed.
    @Test func contiguousSoftmaxMatchesTheStridedLoops() {
        let rows = 5, length = 37
        var x = random([rows, length], seed: 21, scale: 4)
        var mask = Tensor(shape: [rows, length], repeating: 1)
        for j in stride(from: 0, to: length, by: 3) { mask.storage[length + j] = 0 }
        mask.storage[2 * length + 5] = 0
        x.storage[2 * length + 5] = 200  // masked: must neither win the maximum nor reach the sum
        mask.storage[2 * length + 36] = 0  // in the tail
        for j in 0..<length { mask.storage[3 * length + j] = 0 }  // fully masked
        let upstream = random([rows, length], seed: 22)
        for logarithm in [false, true] {
            for masked in [false, true] {
                let tape = Tape()
                let rowsView = tape.constant(x), columnsView = tape.constant(x.permuted([1, 0]))
                let m = masked ? mask : nil
                let contiguous = logarithm ? tape.logSoftmax(rowsView, axis: 1, mask: m) : tape.softmax(rowsView, axis: 1, mask: m)
                let strided = logarithm
                    ? tape.logSoftmax(columnsView, axis: 0, mask: m?.permuted([1, 0]))
                    : tape.softmax(columnsView, axis: 0, mask: m?.permuted([1, 0]))
                let expected = strided.value.permuted([1, 0])
                for i in 0..<x.count {
                    #expect(abs(contiguous.value.storage[i] - expected.storage[i]) < 1e-5, "forward \(i) log \(logarithm) masked \(masked)")
                }
                let loss = tape.add(tape.sum(tape.multiply(contiguous, tape.constant(upstream))),
                                    tape.sum(tape.multiply(strided, tape.constant(upstream.permuted([1, 0])))))
                let (gradients, _) = tape.gradients(of: loss, wrt: [rowsView, columnsView])
                let fromColumns = gradients[1].permuted([1, 0])
                for i in 0..<x.count {
                    #expect(abs(gradients[0].storage[i] - fromColumns.storage[i]) < 1e-4, "gradient \(i) log \(logarithm) masked \(masked)")
                }
            }
        }
    }

    @Test func broadcastAddMatchesLoops() {
        let a = random([2, 3, 4], seed: 4), b = random([3, 1], seed: 5)
        let tape = Tape()
        let c = tape.add(tape.constant(a), tape.constant(b)).value
        #expect(c.shape == [2, 3, 4])
        for i in 0..<2 { for j in 0..<3 { for k in 0..<4 {
            #expect(c.storage[(i * 3 + j) * 4 + k] == a.storage[(i * 3 + j) * 4 + k] + b.storage[j])
        } } }
    }

    @Test func squashKeepsDirectionAndBoundsLength() {
        let tape = Tape()
        let z = random([5, 8], seed: 6, scale: 3)
        let v = tape.squash(tape.constant(z)).value
        for row in 0..<5 {
            let zr = Array(z.row(row)), vr = Array(v.row(row))
            let zn = zr.map { $0 * $0 }.reduce(0, +), vn = vr.map { $0 * $0 }.reduce(0, +).squareRoot()
            #expect(abs(vn - zn / (1 + zn)) < 1e-5)
            #expect(vn < 1)
            let cosine = zip(zr, vr).map(*).reduce(0, +) / (zn.squareRoot() * vn)
            #expect(abs(cosine - 1) < 1e-5)
        }
    }

    @Test(arguments: [1, 2, 3, 16])
    func chunkedWorkEqualsSerialForAnyThreadBudget(threads: Int) {
        let x = random([300_000], seed: 7)
        let serial = x.mapLanes { VectorMath.exp($0) }
        var chunked = [Float](repeating: 0, count: x.count)
        var covered = [Int32](repeating: 0, count: x.count)
        chunked.withUnsafeMutableBufferPointer { out in
            covered.withUnsafeMutableBufferPointer { seen in
                let (output, marks) = (out, seen)
                x.storage.withUnsafeBufferPointer { input in
                    Parallel.forEachChunk(count: x.count, threads: threads) { range in
                        VectorMath.map(input.baseAddress! + range.lowerBound, output.baseAddress! + range.lowerBound,
                                       count: range.count) { VectorMath.exp($0) }
                        for i in range { marks[i] += 1 }
                    }
                }
            }
        }
        #expect(chunked == serial.storage)
        #expect(covered.allSatisfy { $0 == 1 })
    }

    @Test func generatorIsReproducibleAndUniform() {
        var a = SeededGenerator(seed: 5), b = SeededGenerator(seed: 5), c = SeededGenerator(seed: 6)
        let xs = (0..<100).map { _ in a.next() }
        #expect(xs == (0..<100).map { _ in b.next() })
        #expect(xs != (0..<100).map { _ in c.next() })
        var counts = [Int](repeating: 0, count: 10)
        var g = SeededGenerator(seed: 1)
        for _ in 0..<100_000 { counts[g.nextInt(below: 10)] += 1 }
        #expect(counts.allSatisfy { abs($0 - 10_000) < 500 })
        var normalSum: Double = 0, normalSquares: Double = 0
        for _ in 0..<100_000 { let z = Double(g.nextNormal()); normalSum += z; normalSquares += z * z }
        #expect(abs(normalSum / 100_000) < 0.02)
        #expect(abs(normalSquares / 100_000 - 1) < 0.03)
    }
}
