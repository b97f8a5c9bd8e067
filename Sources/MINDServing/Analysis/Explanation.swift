import MINDRetrieval

/// Why a model recommends what it does for one history: the coupling weights between the behaviours it
/// read and its interests, what each interest retrieves on its own, and for each recommended item the
/// interest that retrieved it and the behaviours that weigh most in that interest. `mind explain` draws it.
public struct Explanation: Sendable, Equatable {
    /// How `Interest.behaviours` weigh a behaviour.
    public enum BehaviourWeight: String, Sendable, Equatable {
        /// The routing's coupling weight of the behaviour to the interest (each behaviour's weights sum to 1).
        case coupling
        /// A model built on attention (ComiRec-SA, SASRec, SDM): the interest's attention on the behaviour, as the
        /// tower defines it (each interest's weights sum to 1 over the behaviours).
        case attention
        /// A model with neither (YouTubeDNN, GRU4Rec): the behaviour's item vector's inner product with the interest.
        case similarity
    }

    /// One active interest.
    public struct Interest: Sendable, Equatable {
        /// The interest's slot (0-based, as in `ScoredItem.interest` and the HTTP API).
        public var slot: Int
        /// The catalogue's top items for this interest alone, history excluded.
        public var items: [ScoredItem]
        /// This interest's weight of each behaviour, by position in `Explanation.behaviours`. // [L']
        public var weights: [Float]

        /// Positions in `behaviours` with their weight for this interest, heaviest first (on a tie the more
        /// recent behaviour first).
        public var behaviours: [(position: Int, weight: Float)] {
            ExtractedInterests.heaviestFirst(weights).map { ($0, weights[$0]) }
        }

    }

    /// The behaviours the user tower read (item indices, oldest first). // [L']
    public var behaviours: [Int32]
    /// The active interests, by slot.
    public var interests: [Interest]
    /// What `Interest.weights` holds.
    public var weight: BehaviourWeight
    /// The merged recommendation (max over interests, history excluded), best first.
    public var recommendations: [ScoredItem]
    /// History ids that are not in the catalogue (skipped).
    public var unknownItems: Int

    /// Coupling weights of the active interests: [interests.count][behaviours.count]; nil without routing.
    public var coupling: [[Float]]? { weight == .coupling ? interests.map(\.weights) : nil }

    /// The interest of `slot`, if it is active.
    public func interest(slot: Int) -> Interest? { interests.first { $0.slot == slot } }

    /// The behaviours (positions) that weigh most in the interest that retrieved `recommendation`.
    public func support(of recommendation: ScoredItem, count: Int = 3) -> [Int] {
        (interest(slot: recommendation.interest)?.behaviours.prefix(count).map(\.position)) ?? []
    }
}

extension Recommender {
    /// Explains the recommendation for `history` (item indices, oldest first; `profile` [F] or empty):
    /// `count` merged items and `perInterest` items for each interest alone.
    public func explain(history: [Int32], profile: [Int32] = [], count: Int, perInterest: Int) -> Explanation {
        let extracted = interests(history: history, profile: profile)
        let recommendations = retrieve(histories: [history], profiles: [profile], count: count, exclude: [history])[0]
        let slots = extracted.active.indices.filter { extracted.active[$0] }
        let attention = extracted.couplingWeights == nil && !history.isEmpty
            ? model.behaviourAttention(histories: [ArraySlice(history)], profiles: profile) : nil  // [1, K, L]
        let interests = slots.map { slot -> Explanation.Interest in
            // Without routing or attention, a behaviour weighs in an interest by its item vector's inner product with it.
            let vector = extracted.vectors[slot]
            let weights: [Float]
            if let coupling = extracted.couplingWeights {
                weights = coupling[slot]
            } else if let attention {
                let length = attention.shape[2]
                weights = extracted.behaviours.indices.map { attention.storage[slot * length + $0] }
            } else {
                weights = extracted.behaviours.map { item in zip(items.vector(Int(item)), vector).reduce(0) { $0 + $1.0 * $1.1 } }
            }
            return Explanation.Interest(
                slot: slot, items: index.search(query: vector, n: perInterest, exclude: history), weights: weights)
        }
        let weight: Explanation.BehaviourWeight = extracted.couplingWeights != nil ? .coupling : attention != nil ? .attention : .similarity
        return Explanation(
            behaviours: extracted.behaviours, interests: interests, weight: weight, recommendations: recommendations,
            unknownItems: extracted.unknownItems)
    }
}
