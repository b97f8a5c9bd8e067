import MINDRetrieval

/// One recommendation request in external ids: a history (oldest first), a profile, items to leave out.
public struct RecommendationRequest: Sendable, Equatable {
    /// Who asked (echoed in the answer; may be empty).
    public var user: String
    /// Item ids, oldest first.
    public var history: [String]
    /// Profile feature name -> value.
    public var profile: [String: String]
    /// Item ids never to return, besides the history.
    public var exclude: [String]

    public init(user: String = "", history: [String], profile: [String: String] = [:], exclude: [String] = []) {
        self.user = user
        self.history = history
        self.profile = profile
        self.exclude = exclude
    }
}

/// Items best first with their scores and the interest that retrieved each (-1: the popularity fallback).
/// Encoded as `{"user", "items", "scores", "interests"}`: the batch-recommend output line and the HTTP answer.
public struct Recommendation: Sendable, Equatable, Codable {
    public var user: String
    public var items: [String]
    public var scores: [Float]
    public var interests: [Int]
    /// History ids that are not in the catalogue (skipped); not part of the encoded answer.
    public var unknownItems: Int = 0

    enum CodingKeys: String, CodingKey { case user, items, scores, interests }

    public init(user: String, items: [String], scores: [Float], interests: [Int], unknownItems: Int = 0) {
        self.user = user
        self.items = items
        self.scores = scores
        self.interests = interests
        self.unknownItems = unknownItems
    }
}

/// A history's interests as the model extracts them, for `explain`, `serve` and analysis.
public struct ExtractedInterests: Sendable, Equatable {
    /// The behaviours the user tower reads: the history's most recent items (indices), oldest first. // [L']
    public var behaviours: [Int32]
    /// Interest vectors, one per slot. // [K][d]
    public var vectors: [[Float]]
    /// Which interests are in use (dynamic K). // [K]
    public var active: [Bool]
    /// Coupling weight of each behaviour to each interest after routing (each behaviour's weights over the
    /// active interests sum to 1); nil for a model without routing. // [K][L']
    public var couplingWeights: [[Float]]?
    /// History ids that are not in the catalogue (skipped).
    public var unknownItems: Int

    /// For each behaviour, the active interest it weighs most in (nil without routing). // [L']
    public var strongestInterestOfEachBehaviour: [Int]? {
        guard let couplingWeights else { return nil }
        let activeInterests = active.indices.filter { active[$0] }
        return behaviours.indices.map { position in
            activeInterests.max { couplingWeights[$0][position] < couplingWeights[$1][position] } ?? 0
        }
    }

    /// The behaviours (indices into `behaviours`) of interest `interest`, by decreasing coupling weight.
    public func behaviourPositions(of interest: Int) -> [Int] {
        guard let couplingWeights else { return [] }
        return Self.heaviestFirst(couplingWeights[interest])
    }

    /// Positions of `weights` by decreasing weight; on a tie the later (more recent) behaviour first.
    static func heaviestFirst(_ weights: [Float]) -> [Int] {
        weights.indices.sorted { weights[$0] > weights[$1] || (weights[$0] == weights[$1] && $0 > $1) }
    }
}
