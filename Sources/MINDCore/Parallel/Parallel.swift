import Dispatch

/// Splits work over the machine's cores when there is enough of it to pay for the hand-off.
public enum Parallel {
    /// Upper bound on threads used by one kernel call. The trainer sets it to 1 while it runs
    /// its own data-parallel shards, so kernels never oversubscribe the cores.
    nonisolated(unsafe) public static var maxThreads: Int = min(2, max(1, ProcessInfo.processInfo.activeProcessorCount))

    /// Element count below which a kernel stays on the calling thread (measured: a GCD
    /// hand-off costs a few microseconds, which 64K element-wise floats take on one core).
    public static let elementThreshold = 1 << 16

    /// Runs `body(range)` over `0..<count` split into contiguous chunks, in parallel when
    /// `count * costPerItem` is large enough and more than one thread is allowed.
    @inline(__always)
    public static func forEachChunk(
        count: Int, costPerItem: Int = 1, _ body: (Range<Int>) -> Void
    ) {
        let threads = maxThreads
        if threads <= 1 || count < 2 || count * costPerItem < elementThreshold {
            body(0..<count)
            return
        }
        let chunks = min(threads, count)
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let start = count * chunk / chunks
                let end = count * (chunk + 1) / chunks
                body(start..<end)
            }
        }
    }
}

import Foundation
