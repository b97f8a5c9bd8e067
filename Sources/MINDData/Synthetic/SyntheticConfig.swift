/// Shape of a synthetic log with planted multi-interest structure.
public struct SyntheticConfig: Sendable, Codable, Equatable {
    public var users: Int
    public var items: Int
    /// Item clusters; each item belongs to exactly one.
    public var topics: Int
    /// How many topics each user draws from (uniform over the range, capped at `topics`).
    public var interestsPerUser: ClosedRange<Int>
    /// Mean sequence length per user (at least `minLength`).
    public var meanLength: Double
    public var minLength: Int
    /// Popularity skew inside a topic: item of rank r has weight 1 / (r + 1)^s.
    public var zipfExponent: Double
    /// Probability that the next interaction stays in the current topic (sessions), else a fresh draw.
    public var topicStickiness: Double
    /// Probability that an interaction is a uniformly random item (noise).
    public var noise: Double

    public init(
        users: Int, items: Int, topics: Int = 20, interestsPerUser: ClosedRange<Int> = 1...4, meanLength: Double = 20,
        minLength: Int = 5, zipfExponent: Double = 1.0, topicStickiness: Double = 0.5, noise: Double = 0.0
    ) {
        self.users = users
        self.items = items
        self.topics = topics
        self.interestsPerUser = interestsPerUser
        self.meanLength = meanLength
        self.minLength = minLength
        self.zipfExponent = zipfExponent
        self.topicStickiness = topicStickiness
        self.noise = noise
    }

    /// Problems with the configuration, as full sentences for the CLI.
    public func validationErrors() -> [String] {
        var errors: [String] = []
        if users < 1 { errors.append("--users must be at least 1") }
        if items < 1 { errors.append("--items must be at least 1") }
        if topics < 1 || topics > max(1, items) { errors.append("--topics must be between 1 and the number of items") }
        if interestsPerUser.lowerBound < 1 { errors.append("--interests-per-user must start at 1 or more") }
        if minLength < 1 { errors.append("the minimum length must be at least 1") }
        if !(meanLength >= Double(minLength)) { errors.append("--mean-length must be at least the minimum length \(minLength)") }
        if !(zipfExponent >= 0) { errors.append("the Zipf exponent must be non-negative") }
        if !(0...1).contains(topicStickiness) || !(0...1).contains(noise) { errors.append("probabilities must lie in [0, 1]") }
        return errors
    }
}
