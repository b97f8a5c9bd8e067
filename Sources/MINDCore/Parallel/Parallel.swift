import Dispatch
import Foundation

/// Splits work over a given number of threads. There is no process-wide thread setting: every caller
/// passes its own budget (a training run's `threads`, a batch recommendation's), so two callers in one
/// process never race over a shared knob.
public enum Parallel {
    /// The machine's cores: the default budget of commands that may use the whole machine.
    public static var availableCores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Work units below which a call stays on the calling thread (measured: a GCD hand-off costs a few
    /// microseconds, which 64K element-wise floats take on one core).
    public static let elementThreshold = 1 << 16

    /// Runs `body(range)` over `0..<count` split into at most `threads` contiguous chunks, in parallel when
    /// `count * costPerItem` is large enough to pay for the hand-off. Chunks never overlap, so a body that
    /// writes only its own range gives the same result for any thread count.
    @inline(__always)
    public static func forEachChunk(
        count: Int, costPerItem: Int = 1, threads: Int, _ body: (Range<Int>) -> Void
    ) {
        if threads <= 1 || count < 2 || count * costPerItem < elementThreshold {
            body(0..<count)
            return
        }
        let chunks = min(threads, count)
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                body(chunkRange(chunk, of: chunks, count: count))
            }
        }
    }

    /// Runs `work(worker)` for `workers` workers, on up to that many threads (on the caller when 1).
    public static func run(workers: Int, _ work: (Int) -> Void) {
        if workers <= 1 {
            for worker in 0..<max(workers, 0) { work(worker) }
            return
        }
        withoutActuallyEscaping(work) { work in
            DispatchQueue.concurrentPerform(iterations: workers, execute: work)
        }
    }

    /// The `chunk`-th of `chunks` near-equal contiguous parts of `0..<count`.
    @inline(__always)
    public static func chunkRange(_ chunk: Int, of chunks: Int, count: Int) -> Range<Int> {
        (count * chunk / chunks)..<(count * (chunk + 1) / chunks)
    }
}
