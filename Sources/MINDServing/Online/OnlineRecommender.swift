import Foundation
import MINDCore
import MINDRetrieval

/// What the service answers from: a `Recommender` plus every user's history from the event log, with each user's
/// interests extracted once per change and kept, so a recommendation for a stored user is retrieval only.
///
/// Thread-safe; the lock guards only the dictionary and the engine reference. Interest extraction and retrieval run
/// outside it, and a result computed from an older history (or an older model) is never stored over a newer one.
public final class OnlineRecommender: @unchecked Sendable {
    /// One user's stored behaviour and what was extracted from it.
    struct UserRecord {
        var items: [String] = []
        var timestamps: [Int64] = []
        /// The log position of each event, increasing: concurrent writers may apply their events out of order.
        var sequences: [Int64] = []
        /// Bumped by every event; interests are current when extracted at this version and the engine generation.
        var version = 0
        var interests: CachedInterests?
    }

    struct CachedInterests {
        var version: Int
        var generation: Int
        var batch: InterestBatch?  // nil: no known item (answered by popularity)
        var known: [Int32]
    }

    private let lock = NSLock()
    private var engine: Recommender
    private var generation = 0
    private var users: [ExactString: UserRecord] = [:]  // by bytes: two ids that differ in bytes are two users, as in the log
    private var appliedSequence: Int64 = 0

    public init(recommender: Recommender) {
        engine = recommender
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// The model now answering.
    public var recommender: Recommender { locked { engine } }
    /// Users with at least one event.
    public var userCount: Int { locked { users.count } }
    /// Highest sequence number applied.
    public var lastSequence: Int64 { locked { appliedSequence } }

    /// Swaps in a newly loaded model; every cached interest is recomputed on its user's next request.
    public func replace(_ recommender: Recommender) {
        locked {
            engine = recommender
            generation += 1
        }
    }

    /// Gives `user` a history that precedes every logged event (from the training data, say): it is not in the
    /// event log, so it must be given again on each start. Replaces what the user had.
    public func seed(user: String, items: [String], timestamps: [Int64]) {
        precondition(items.count == timestamps.count, "Give one timestamp per item.")
        locked {
            var record = UserRecord()
            record.items = items
            record.timestamps = timestamps
            record.sequences = [Int64](repeating: 0, count: items.count)  // before the log's first event (1)
            users[ExactString(user)] = record
        }
    }

    /// Adds stored events to their users' histories in log order, whatever order concurrent writers apply them in;
    /// an event already applied is skipped. Returns the users whose history changed, in first-seen order.
    @discardableResult
    public func apply(_ events: [StoredEvent]) -> [String] {
        locked {
            var changed: [String] = []
            var seen = Set<ExactString>()
            for stored in events {
                let user = stored.event.user
                var record = users.removeValue(forKey: ExactString(user)) ?? UserRecord()
                // Usually the newest event: the search from the end stops at once.
                var position = record.sequences.count
                while position > 0 && record.sequences[position - 1] > stored.sequence { position -= 1 }
                if position > 0 && record.sequences[position - 1] == stored.sequence {
                    users[ExactString(user)] = record
                    continue
                }
                record.sequences.insert(stored.sequence, at: position)
                record.items.insert(stored.event.item, at: position)
                record.timestamps.insert(stored.event.timestamp, at: position)
                record.version += 1
                users[ExactString(user)] = record
                appliedSequence = max(appliedSequence, stored.sequence)
                if seen.insert(ExactString(user)).inserted { changed.append(user) }
            }
            return changed
        }
    }

    /// The stored history of `user`, oldest first; nil for a user with no event.
    public func history(of user: String) -> (items: [String], timestamps: [Int64])? {
        locked { users[ExactString(user)].map { ($0.items, $0.timestamps) } }
    }

    /// Extracts and keeps the interests of `users` now (after their events), all in one batch. Returns how many
    /// users' interests were computed.
    @discardableResult
    public func refreshInterests(of users: [String]) -> Int {
        let (engine, generation, snapshots) = locked { () -> (Recommender, Int, [(String, [String], Int)]) in
            (self.engine, self.generation, users.compactMap { user in self.users[ExactString(user)].map { (user, $0.items, $0.version) } })
        }
        guard !snapshots.isEmpty else { return 0 }
        let knownLists = snapshots.map { engine.itemIndices($0.1).known }
        let withItems = knownLists.indices.filter { !knownLists[$0].isEmpty }
        var batches = [InterestBatch?](repeating: nil, count: snapshots.count)
        if !withItems.isEmpty {
            let batch = engine.interestBatch(histories: withItems.map { ArraySlice(knownLists[$0]) }, profiles: [])
            for (position, i) in withItems.enumerated() { batches[i] = batch.slice(position..<(position + 1)) }
        }
        locked {
            for (i, (user, _, version)) in snapshots.enumerated() {
                store(CachedInterests(version: version, generation: generation, batch: batches[i], known: knownLists[i]), for: user)
            }
        }
        return snapshots.count
    }

    /// Keeps `cached` unless the user already has interests from a newer history or model. Call with the lock held.
    private func store(_ cached: CachedInterests, for user: String) {
        guard var record = users[ExactString(user)] else { return }
        if let current = record.interests,
           (current.generation, current.version) >= (cached.generation, cached.version) { return }
        record.interests = cached
        users[ExactString(user)] = record
    }

    /// The interests of a stored user, from the cache when current, else extracted now (and kept).
    /// Returns nil for an unknown user.
    func currentInterests(of user: String) -> (Recommender, CachedInterests)? {
        let snapshot = locked { () -> (Recommender, Int, UserRecord)? in
            users[ExactString(user)].map { (engine, generation, $0) }
        }
        guard let (engine, generation, record) = snapshot else { return nil }
        if let cached = record.interests, cached.version == record.version, cached.generation == generation {
            return (engine, cached)
        }
        let known = engine.itemIndices(record.items).known
        let batch = known.isEmpty ? nil : engine.interestBatch(histories: [ArraySlice(known)], profiles: [])
        let cached = CachedInterests(version: record.version, generation: generation, batch: batch, known: known)
        locked { store(cached, for: user) }
        return (engine, cached)
    }

    /// The top `count` items for a stored user: their history and `exclude` left out. With a profile (for a model
    /// that reads one) the interests are extracted for this request; without, the kept interests are used.
    /// Returns nil for an unknown user.
    public func recommend(user: String, profile: [String: String] = [:], count: Int, exclude: [String] = []) -> Recommendation? {
        guard let (engine, ranked) = rankedItems(user: user, profile: profile, count: count, exclude: exclude) else { return nil }
        return Recommendation(user: user, items: ranked.map { engine.itemIDs[Int($0.item)] }, scores: ranked.map(\.score),
                              interests: ranked.map(\.interest))
    }

    /// `recommend(user:...)` as item indices, with the model that ranked them (to name them).
    public func rankedItems(user: String, profile: [String: String] = [:], count: Int, exclude: [String] = []) -> (Recommender, [ScoredItem])? {
        let engine = recommender
        if engine.model.usesProfile && !profile.isEmpty {
            guard let history = history(of: user) else { return nil }
            return (engine, engine.rankedItems(history: history.items, profile: profile, count: count, exclude: exclude))
        }
        guard let (current, cached) = currentInterests(of: user) else { return nil }
        let exclusions = cached.known + current.itemIndices(exclude).known
        if let batch = cached.batch, count > 0 {
            return (current, current.index.recommend(interests: batch, n: count, exclude: [exclusions])[0])
        }
        return (current, current.popularity.recommend(history: exclusions, n: count).map { ScoredItem(item: $0.item, score: $0.score, interest: -1) })
    }

    /// A stored user's interests with the behaviours each draws on; nil for an unknown user.
    public func interests(of user: String) -> ExtractedInterests? {
        guard let history = history(of: user) else { return nil }
        return recommender.interests(history: history.items)
    }
}
