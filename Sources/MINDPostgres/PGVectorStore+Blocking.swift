import Dispatch
import MINDRetrieval

extension PGVectorStore {
    /// `write` for synchronous callers (the command line): blocks the calling thread until the load commits or fails.
    ///
    /// The load runs as a task on an executor of its own (a serial dispatch queue) while the caller waits on a
    /// semaphore, so it needs no thread of Swift's cooperative pool; async code calls `write` itself.
    public func writeBlocking(items: ItemMatrix, ids: [String], titles: [String?] = [], hnsw: HNSWBuildSettings = .init()) throws -> PGVectorLoadReport {
        try runBlocking { try await write(items: items, ids: ids, titles: titles, hnsw: hnsw) }
    }

    /// `read` for synchronous callers, bridged as `writeBlocking` is.
    public func readBlocking() throws -> PGVectorTableContents {
        try runBlocking { try await read() }
    }
}

/// The outcome of a task, handed to the thread waiting for it.
private final class Outcome<Value: Sendable>: @unchecked Sendable {
    var result: Result<Value, Error>?
}

/// Runs a task's jobs on one serial dispatch queue of its own, not on Swift's cooperative pool.
private final class QueueTaskExecutor: TaskExecutor, @unchecked Sendable {
    private let queue = DispatchQueue(label: "mind.postgres.blocking")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// Runs `body` as a task and blocks until it finishes.
///
/// The task prefers an executor of its own (a serial queue), so it never needs a thread of the cooperative pool:
/// blocking a pool thread here (a synchronous test, a synchronous caller inside a task) cannot starve it.
private func runBlocking<Value: Sendable>(_ body: @escaping @Sendable () async throws -> Value) throws -> Value {
    let outcome = Outcome<Value>()
    let finished = DispatchSemaphore(value: 0)
    Task(executorPreference: QueueTaskExecutor()) {
        do {
            outcome.result = .success(try await body())
        } catch {
            outcome.result = .failure(error)
        }
        finished.signal()
    }
    finished.wait()
    guard let result = outcome.result else { preconditionFailure("A finished task always leaves its result.") }
    return try result.get()
}
