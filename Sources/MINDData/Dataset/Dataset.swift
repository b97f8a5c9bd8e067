import Foundation

/// A prepared dataset: vocabularies, every user's chronological sequence, the split, and features.
///
/// Sequences are stored concatenated in user-index order (`sequenceItems`, `sequenceOffsets`);
/// training sequences and evaluation cases are cut from them by the split rule in the manifest.
public struct Dataset: Sendable {
    public var manifest: DatasetManifest
    public var users: Vocabulary
    public var items: Vocabulary
    /// User u's sequence is `sequenceItems[sequenceOffsets[u]..<sequenceOffsets[u+1]]`, oldest first.
    public var sequenceOffsets: [Int]
    public var sequenceItems: [Int32]
    /// Timestamps aligned with `sequenceItems`, when the source had them.
    public var sequenceTimestamps: [Double]?
    /// Per user (users split only).
    public var userSplit: [UserSplit]?
    /// Per item, multi-valued (e.g. genre); value index 0 = unknown.
    public var itemFeatures: [CategoricalFeature]
    /// Per user, one value each (gender, age, occupation); 0 = unknown.
    public var userFeatures: [CategoricalFeature]
    /// Display text per item (e.g. movie_title), not a feature.
    public var itemTitles: [String]?

    public init(
        manifest: DatasetManifest, users: Vocabulary, items: Vocabulary, sequenceOffsets: [Int], sequenceItems: [Int32],
        sequenceTimestamps: [Double]?, userSplit: [UserSplit]?, itemFeatures: [CategoricalFeature],
        userFeatures: [CategoricalFeature], itemTitles: [String]?
    ) {
        precondition(sequenceOffsets.count == users.count + 1, "Sequence offsets need one entry per user plus one.")
        precondition(userSplit.map { $0.count == users.count } ?? true, "The user split needs one entry per user.")
        self.manifest = manifest
        self.users = users
        self.items = items
        self.sequenceOffsets = sequenceOffsets
        self.sequenceItems = sequenceItems
        self.sequenceTimestamps = sequenceTimestamps
        self.userSplit = userSplit
        self.itemFeatures = itemFeatures
        self.userFeatures = userFeatures
        self.itemTitles = itemTitles
    }

    public var userCount: Int { users.count }
    public var itemCount: Int { items.count }
    public var interactionCount: Int { sequenceItems.count }

    /// User `user`'s whole chronological sequence.
    public func sequence(ofUser user: Int) -> ArraySlice<Int32> {
        sequenceItems[sequenceOffsets[user]..<sequenceOffsets[user + 1]]
    }

    /// Chronological sequences to train on: users split -> the train users' full sequences;
    /// leave-one-out -> every user's sequence without its last two items (whole, if too short to evaluate).
    public func trainingSequences() -> [TrainingSequence] {
        var result: [TrainingSequence] = []
        result.reserveCapacity(userCount)
        for user in 0..<userCount {
            let items = trainingSlice(ofUser: user)
            if !items.isEmpty { result.append(TrainingSequence(user: Int32(user), items: Array(items))) }
        }
        return result
    }

    /// The part of `user`'s sequence that training may see.
    public func trainingSlice(ofUser user: Int) -> ArraySlice<Int32> {
        let sequence = self.sequence(ofUser: user)
        switch manifest.split.kind {
        case .users:
            return userSplit?[user] == .train ? sequence : []
        case .leaveOneOut:
            return sequence.count >= 3 ? sequence.dropLast(2) : sequence
        }
    }

    /// Users to evaluate with what the model may see (history) and what it must retrieve (truth).
    public func evaluationCases(_ split: EvaluationSplit) -> [EvaluationCase] {
        var cases: [EvaluationCase] = []
        for user in 0..<userCount {
            let sequence = self.sequence(ofUser: user)
            switch manifest.split.kind {
            case .users:
                let wanted: UserSplit = split == .valid ? .valid : .test
                guard userSplit?[user] == wanted, let cut = Dataset.historyLength(sequence.count, manifest.split.historyFraction) else {
                    continue
                }
                cases.append(EvaluationCase(
                    user: Int32(user), history: Array(sequence.prefix(cut)), truth: Array(sequence.dropFirst(cut))))
            case .leaveOneOut:
                guard sequence.count >= 3 else { continue }
                let cut = split == .valid ? sequence.count - 2 : sequence.count - 1
                cases.append(EvaluationCase(
                    user: Int32(user), history: Array(sequence.prefix(cut)), truth: [sequence[sequence.startIndex + cut]]))
            }
        }
        return cases
    }

    /// History length for a valid/test user in the users split: the first `fraction` of the sequence,
    /// at least one item, leaving at least one item of truth; nil when the sequence is shorter than 2.
    public static func historyLength(_ length: Int, _ fraction: Double) -> Int? {
        guard length >= 2 else { return nil }
        return max(1, min(length - 1, Int(Double(length) * fraction)))
    }

    /// How often each item occurs in the training sequences (popularity for MostPopular and samplers).
    public func itemTrainingCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: itemCount)
        for user in 0..<userCount {
            for item in trainingSlice(ofUser: user) { counts[Int(item)] += 1 }
        }
        return counts
    }
}
