/// One behaviour a user showed: they interacted with an item at a time.
public struct UserEvent: Sendable, Equatable, Hashable {
    /// External user id.
    public var user: String
    /// External item id.
    public var item: String
    /// Seconds since 1970 (UTC).
    public var timestamp: Int64

    public init(user: String, item: String, timestamp: Int64) {
        self.user = user
        self.item = item
        self.timestamp = timestamp
    }
}

/// An event once the store holds it durably: numbered in the order the store committed it.
public struct StoredEvent: Sendable, Equatable, Hashable {
    /// Position in the log, strictly increasing, never reused.
    public var sequence: Int64
    public var event: UserEvent

    public init(sequence: Int64, event: UserEvent) {
        self.sequence = sequence
        self.event = event
    }
}

/// An append-only, durable log of events: the service's memory of what users did since the model was trained.
///
/// `append` returns only once the events would survive a crash of the process or the machine (for SQLite: a
/// committed transaction with `synchronous = FULL`; for PostgreSQL: a committed transaction). Either every event of
/// one call is stored or none is.
public protocol EventStore: Sendable {
    /// Stores `events` durably, in order; returns them with their sequence numbers.
    func append(_ events: [UserEvent]) async throws -> [StoredEvent]
    /// Every stored event with sequence greater than `after`, in sequence order, handed over in batches of at most
    /// `batchSize` (so replaying a long log never holds it twice).
    func replay(after: Int64, batchSize: Int, _ body: ([StoredEvent]) throws -> Void) async throws
    /// Finishes pending writes and releases the store; later calls fail.
    func close() async throws
    /// Where the events live, for messages (a path, or a URL without its password).
    var location: String { get }
    /// Why writes would fail now, found without writing (the log's files deleted or replaced, say); nil when
    /// nothing is known to be wrong. Readiness checks ask this.
    func knownProblem() -> String?
}

extension EventStore {
    public func knownProblem() -> String? { nil }
}

/// Failures of an event store, each naming the store.
public enum EventStoreError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(String, String)
    case writeFailed(String, String)
    case readFailed(String, String)
    case closed(String)
    case invalidEvent(String)

    public var description: String {
        switch self {
        case .cannotOpen(let store, let reason): return "cannot open the event store \(store): \(reason)"
        case .writeFailed(let store, let reason): return "cannot write to the event store \(store): \(reason)"
        case .readFailed(let store, let reason): return "cannot read the event store \(store): \(reason)"
        case .closed(let store): return "the event store \(store) is closed"
        case .invalidEvent(let reason): return "invalid event: \(reason)"
        }
    }
}

/// Limits on what one event may hold, shared by the HTTP layer and the stores.
public enum EventLimits {
    /// Longest user or item id, in UTF-8 bytes.
    public static let maximumIdBytes = 256
    /// Most events in one append.
    public static let maximumBatch = 10_000
}

/// Turns concurrent `append` calls into few transactions: while one transaction commits, the calls that arrive
/// queue up and are written together by the next one (group commit). Each caller still gets its own events back
/// only after the transaction holding them committed, so durability is per call, and one fsync serves many writers.
public actor GroupCommit {
    public typealias Write = @Sendable ([[UserEvent]]) async throws -> [[StoredEvent]]

    private struct Pending {
        var events: [UserEvent]
        var continuation: CheckedContinuation<[StoredEvent], Error>
    }

    private let write: Write
    private var pending: [Pending] = []
    private var writing = false
    /// Most events per transaction: bounds a transaction's size when many writers pile up.
    private let maximumEventsPerCommit: Int

    /// `write` stores several callers' events in one transaction, returning each caller's stored events.
    public init(maximumEventsPerCommit: Int = 50_000, write: @escaping Write) {
        self.write = write
        self.maximumEventsPerCommit = maximumEventsPerCommit
    }

    public func append(_ events: [UserEvent]) async throws -> [StoredEvent] {
        if events.isEmpty { return [] }
        return try await withCheckedThrowingContinuation { continuation in
            pending.append(Pending(events: events, continuation: continuation))
            if !writing {
                writing = true
                Task { await self.drain() }
            }
        }
    }

    /// Writes queued calls, one transaction per round, until the queue is empty.
    private func drain() async {
        while !pending.isEmpty {
            var taken = 0, events = 0
            while taken < pending.count && (taken == 0 || events + pending[taken].events.count <= maximumEventsPerCommit) {
                events += pending[taken].events.count
                taken += 1
            }
            let group = Array(pending.prefix(taken))
            pending.removeFirst(taken)
            do {
                let stored = try await write(group.map(\.events))
                for (call, events) in zip(group, stored) { call.continuation.resume(returning: events) }
            } catch {
                for call in group { call.continuation.resume(throwing: error) }
            }
        }
        writing = false
    }
}
