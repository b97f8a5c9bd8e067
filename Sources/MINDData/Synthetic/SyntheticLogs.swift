import Foundation
import MINDCore

/// Synthetic interaction logs with planted interests: items fall into topic clusters, each user draws
/// from one to several topics (Zipf-skewed popularity within a topic), timestamps increase per user.
///
/// User u's rows depend only on the seed and u, so the in-memory and the streamed (file) versions
/// are identical, and any prefix of users is the same whatever the total.
public struct SyntheticLogs: Sendable {
    public var config: SyntheticConfig
    public var seed: UInt64
    /// Per row, user index (rows grouped by user, chronological).
    public var users: [Int32]
    /// Per row, item index.
    public var items: [Int32]
    /// Per row, seconds since the epoch.
    public var timestamps: [Int64]
    /// Topic of each item.
    public var itemTopics: [Int32]
    /// Topics each user draws from (the planted interests).
    public var userTopics: [[Int32]]

    /// External id of user index `user` (1-based decimal, as in the files).
    public static func userId(_ user: Int) -> String { String(user + 1) }
    /// External id of item index `item`.
    public static func itemId(_ item: Int) -> String { String(item + 1) }
    /// Category label of topic `topic`.
    public static func topicLabel(_ topic: Int) -> String { "topic_\(topic)" }

    /// Generates the whole log in memory.
    public static func generate(_ config: SyntheticConfig, seed: UInt64) -> SyntheticLogs {
        precondition(config.validationErrors().isEmpty, "Invalid synthetic config: \(config.validationErrors().joined(separator: "; "))")
        let model = SyntheticModel(config: config, seed: seed)
        var logs = SyntheticLogs(
            config: config, seed: seed, users: [], items: [], timestamps: [], itemTopics: model.itemTopics, userTopics: [])
        let expected = Int(Double(config.users) * config.meanLength)
        logs.users.reserveCapacity(expected)
        logs.items.reserveCapacity(expected)
        logs.timestamps.reserveCapacity(expected)
        var scratch = SyntheticModel.Scratch()
        for user in 0..<config.users {
            let topics = model.generateUser(user, into: &scratch)
            logs.userTopics.append(topics)
            for (item, time) in zip(scratch.items, scratch.times) {
                logs.users.append(Int32(user))
                logs.items.append(item)
                logs.timestamps.append(time)
            }
        }
        return logs
    }

    /// The interactions as a table with external ids, ready for `DatasetBuilder`.
    public func interactionTable() -> InteractionTable {
        InteractionTable(
            userIds: (0..<config.users).map(Self.userId), itemIds: (0..<config.items).map(Self.itemId), users: users,
            items: items, timestamps: timestamps.map(Double.init), ratings: nil)
    }

    /// The items file: `item_id` and `category` (the topic).
    public func itemTable() -> AttributeTable {
        AttributeTable(
            ids: (0..<config.items).map(Self.itemId),
            columns: [.init(name: "category", values: itemTopics.map { Self.topicLabel(Int($0)) })])
    }

    /// Planted topics of each user of `dataset` (built from this log), by dataset user index.
    public func plantedTopics(in dataset: Dataset) -> [[Int32]] {
        dataset.users.ids.map { id in Int(id).map { userTopics[$0 - 1] } ?? [] }
    }

    /// Topic of each item of `dataset` (built from this log), by dataset item index.
    public func itemTopics(in dataset: Dataset) -> [Int32] {
        dataset.items.ids.map { id in Int(id).map { itemTopics[$0 - 1] } ?? -1 }
    }

    /// A dataset built from this log in memory (no files), e.g. for model tests.
    public func dataset(options: PrepareOptions = PrepareOptions()) throws -> Dataset {
        try DatasetBuilder(options: options).build(interactions: interactionTable(), items: itemTable()).0
    }
}

/// The generative model shared by the in-memory and streaming paths.
struct SyntheticModel: Sendable {
    let config: SyntheticConfig
    let base: SeededGenerator
    let itemTopics: [Int32]
    /// Items of each topic, most popular first.
    let topicItems: [[Int32]]
    /// Cumulative Zipf weights per topic (normalised to 1).
    let topicCumulative: [[Double]]

    init(config: SyntheticConfig, seed: UInt64) {
        self.config = config
        base = SeededGenerator(seed: seed)
        var generator = base.derived(1)
        var order = Array(0..<config.items)
        generator.shuffle(&order)
        var topics = [Int32](repeating: 0, count: config.items)
        var members = [[Int32]](repeating: [], count: config.topics)
        for (position, item) in order.enumerated() {
            let topic = position % config.topics
            topics[item] = Int32(topic)
            members[topic].append(Int32(item))
        }
        itemTopics = topics
        topicItems = members
        topicCumulative = members.map { list in
            var total = 0.0
            var cumulative: [Double] = []
            cumulative.reserveCapacity(list.count)
            for rank in 0..<list.count {
                total += 1 / pow(Double(rank + 1), config.zipfExponent)
                cumulative.append(total)
            }
            return cumulative.map { $0 / total }
        }
    }

    struct Scratch {
        var items: [Int32] = []
        var times: [Int64] = []
        var seen = Set<Int32>()
    }

    /// Fills `scratch` with user `user`'s chronological rows and returns the user's topics.
    func generateUser(_ user: Int, into scratch: inout Scratch) -> [Int32] {
        var generator = base.derived(0x1_0000_0000 &+ UInt64(user))
        let low = min(config.interestsPerUser.lowerBound, config.topics)
        let high = min(config.interestsPerUser.upperBound, config.topics)
        let interestCount = low + generator.nextInt(below: high - low + 1)
        var topics: [Int32] = []
        while topics.count < interestCount {
            let topic = Int32(generator.nextInt(below: config.topics))
            if !topics.contains(topic) { topics.append(topic) }
        }
        var weights = topics.map { _ in -log(max(generator.nextUniformDouble(), 1e-12)) }
        let totalWeight = weights.reduce(0, +)
        weights = weights.map { $0 / totalWeight }

        let extraMean = config.meanLength - Double(config.minLength)
        var length = config.minLength
        if extraMean > 0 {
            let p = 1 / (1 + extraMean)
            length += Int(log(max(generator.nextUniformDouble(), 1e-300)) / log(1 - p))
        }
        scratch.items.removeAll(keepingCapacity: true)
        scratch.times.removeAll(keepingCapacity: true)
        scratch.seen.removeAll(keepingCapacity: true)
        var time: Int64 = 1_500_000_000 + Int64(generator.nextInt(below: 30 * 86_400))
        func drawTopic() -> Int32 {
            var u = generator.nextUniformDouble()
            for (index, weight) in weights.enumerated() {
                if u < weight { return topics[index] }
                u -= weight
            }
            return topics[topics.count - 1]
        }
        var current = drawTopic()
        for step in 0..<length {
            if step > 0 && generator.nextUniformDouble() >= config.topicStickiness { current = drawTopic() }
            var item: Int32 = 0
            for _ in 0..<16 {
                if config.noise > 0 && generator.nextUniformDouble() < config.noise {
                    item = Int32(generator.nextInt(below: config.items))
                } else {
                    item = sampleItem(topic: Int(current), &generator)
                }
                if !scratch.seen.contains(item) { break }
            }
            scratch.seen.insert(item)
            scratch.items.append(item)
            time += 1 + Int64(generator.nextInt(below: 3600))
            scratch.times.append(time)
        }
        return topics
    }

    @inline(__always)
    private func sampleItem(topic: Int, _ generator: inout SeededGenerator) -> Int32 {
        let cumulative = topicCumulative[topic]
        let u = generator.nextUniformDouble()
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] > u { high = mid } else { low = mid + 1 }
        }
        return topicItems[topic][low]
    }
}
