import ArgumentParser
import Dispatch
import Foundation
import CKernels
import MINDCore
import MINDModels

/// `mind bench`: throughput of the numeric core and of training, as JSON lines for BENCHMARKS.md.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure kernel and training throughput on this machine (prints JSON lines).",
        subcommands: [KernelBench.self, TrainingBench.self, ExportSplitBench.self, InterestsBench.self, RetrievalBench.self, HNSWBench.self, PGVectorBench.self, JSONBench.self],
        defaultSubcommand: KernelBench.self)
}

/// Seconds per call of `body`, the best of several timed repeats after a warm-up.
func secondsPerCall(minimumSeconds: Double = 0.3, _ body: () -> Void) -> Double {
    body()
    var best = Double.infinity
    for _ in 0..<3 {
        var calls = 0
        let start = DispatchTime.now().uptimeNanoseconds
        var elapsed = 0.0
        repeat {
            body()
            calls += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < minimumSeconds / 3
        best = min(best, elapsed / Double(calls))
    }
    return best
}

/// Prints `object` as one JSON line; a value JSON cannot hold (NaN, infinity) is reported, not dropped.
func printJSON(_ object: [String: Any]) {
    do {
        print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self))
    } catch {
        FileHandle.standardError.write(Data("mind bench: cannot write this result as JSON (\(error)): \(object)\n".utf8))
    }
}

struct KernelBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "GFLOP/s of the matmuls MIND runs, element-wise throughput and tape overhead per op.")

    @Option(help: "Threads OpenBLAS may use in this run (mind itself runs it on one; element-wise kernels run on one).")
    var threads: Int = 1

    func validate() throws {
        guard threads > 0 else { throw ValidationError("--threads must be positive") }
    }

    func run() throws {
        // This process only measures: it may set OpenBLAS's process-wide thread count before any work starts.
        BLAS.setThreadCount(threads)
        var generator = SeededGenerator(seed: 1)
        printJSON(["kind": "environment", "openblas_core": BLAS.coreName, "threads": threads,
                   "OPENBLAS_CORETYPE": ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? ""])
        // (name, m, n, k, batch): MIND's shapes: u_hat = E S, the MLP, scoring a catalogue, routing.
        let shapes: [(String, Int, Int, Int, Int)] = [
            ("bilinear [2560,64]x[64,64]", 2560, 64, 64, 1),
            ("mlp [512,64]x[64,256]", 512, 256, 64, 1),
            ("catalogue [128,64]x[64,3706]", 128, 3706, 64, 1),
            ("square [1024,1024]x[1024,1024]", 1024, 1024, 1024, 1),
            ("routing batched [128,4,20]x[128,20,64]", 4, 64, 20, 128),
            ("GRU step [256,256]x[256,768]", 256, 768, 256, 1),
            ("exact-index block [256,64]x[64,512]", 256, 512, 64, 1),
        ]
        for (name, m, n, k, batch) in shapes {
            let a = Tensor.randomNormal([batch * m * k], standardDeviation: 1, using: &generator)
            let b = Tensor.randomNormal([batch * k * n], standardDeviation: 1, using: &generator)
            var c = [Float](repeating: 0, count: batch * m * n)
            let ours = secondsPerCall {
                a.storage.withUnsafeBufferPointer { ap in
                    b.storage.withUnsafeBufferPointer { bp in
                        c.withUnsafeMutableBufferPointer { cp in
                            MatrixKernels.batchedMultiply(ap.baseAddress!, bp.baseAddress!, cp.baseAddress!, batch: batch, m: m, n: n, k: k,
                                                          transposeA: false, transposeB: false, accumulate: false)
                        }
                    }
                }
            }
            // The kernel answers are computed with (serving, evaluation), on the widest instruction set and held to
            // AVX2 as on CPUs without AVX-512: the same bits, other speed.
            func rowIndependentSeconds(_ instructionSet: mind_isa?) -> Double {
                secondsPerCall {
                    a.storage.withUnsafeBufferPointer { ap in
                        b.storage.withUnsafeBufferPointer { bp in
                            c.withUnsafeMutableBufferPointer { cp in
                                for index in 0..<batch {
                                    MatrixKernels.rowIndependentMultiply(
                                        ap.baseAddress! + index * m * k, bp.baseAddress! + index * k * n, cp.baseAddress! + index * m * n,
                                        m: m, n: n, k: k, transposeA: false, transposeB: false, accumulate: false, instructionSet: instructionSet)
                                }
                            }
                        }
                    }
                }
            }
            let rowIndependent = rowIndependentSeconds(nil)
            let rowIndependentAVX2 = rowIndependentSeconds(MIND_ISA_AVX2)
            // The same product as one raw sgemm per matrix: OpenBLAS's own speed, the reference.
            let raw = secondsPerCall {
                a.storage.withUnsafeBufferPointer { ap in
                    b.storage.withUnsafeBufferPointer { bp in
                        c.withUnsafeMutableBufferPointer { cp in
                            for index in 0..<batch {
                                BLAS.sgemm(transposeA: false, transposeB: false, m: m, n: n, k: k, a: ap.baseAddress! + index * m * k, lda: k,
                                           b: bp.baseAddress! + index * k * n, ldb: n, c: cp.baseAddress! + index * m * n, ldc: n)
                            }
                        }
                    }
                }
            }
            let flops = 2.0 * Double(batch * m * n * k)
            printJSON(["kind": "matmul", "shape": name, "mind_gflops": flops / ours / 1e9, "openblas_sgemm_gflops": flops / raw / 1e9,
                       "row_independent_gflops": flops / rowIndependent / 1e9, "row_independent_avx2_gflops": flops / rowIndependentAVX2 / 1e9,
                       "row_independent_widest": Int(MatrixKernels.widestInstructionSet.rawValue),
                       "ratio": raw / ours])
        }
        let count = 1 << 20
        let x = Tensor.randomNormal([count], standardDeviation: 1, using: &generator)
        let y = Tensor.randomNormal([count], standardDeviation: 1, using: &generator)
        // The kernels the tape ops run, outside a tape (a tape keeps every value it records).
        for (name, op) in [("exp", { _ = x.mapLanes { VectorMath.exp($0) } }), ("add", { _ = x.zipLanes(y) { $0 + $1 } }),
                           ("multiply", { _ = x.zipLanes(y) { $0 * $1 } }),
                           ("sigmoid", { _ = x.mapLanes { VectorMath.sigmoid($0) } })] as [(String, () -> Void)] {
            let seconds = secondsPerCall(op)
            printJSON(["kind": "elementwise", "op": name, "elements": count, "gelements_per_second": Double(count) / seconds / 1e9])
        }
        // Tape overhead: record and back-propagate ops on 1-element tensors, where the math is nothing.
        let small = Tensor(shape: [1], storage: [0.5])
        let opsPerRun = 1000
        let perOp = secondsPerCall {
            let t = Tape()
            var v = t.variable(small)
            for _ in 0..<opsPerRun { v = t.add(v, v) }
            _ = t.gradients(of: t.sum(v))
        } / Double(opsPerRun)
        printJSON(["kind": "tape", "microseconds_per_op_forward_and_backward": perOp * 1e6])
    }
}
