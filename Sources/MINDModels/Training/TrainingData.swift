import MINDCore

/// What the trainer reads: chronological item sequences, optional user profiles, item popularity.
public struct TrainingData: Sendable {
    /// One chronological sequence per training user.
    public var sequences: [[Int32]]
    /// The user index of each sequence (for profiles).
    public var users: [Int32]
    /// [userCount * F] profile value indices (F = profile feature count), or empty.
    public var profiles: [Int32]
    public var profileFeatureCount: Int
    /// Training interactions per item.
    public var popularity: [Int]

    public init(sequences: [[Int32]], users: [Int32], profiles: [Int32], profileFeatureCount: Int, itemCount: Int) {
        precondition(sequences.count == users.count, "Each sequence needs its user.")
        self.sequences = sequences
        self.users = users
        self.profiles = profiles
        self.profileFeatureCount = profileFeatureCount
        var counts = [Int](repeating: 0, count: itemCount)
        for sequence in sequences { for item in sequence { counts[Int(item)] += 1 } }
        popularity = counts
    }

    /// Training samples: for each sequence, every position t >= 1 (history = items before t,
    /// target = item t), as (sequence, position) pairs.
    public func samples() -> [SamplePosition] {
        var result: [SamplePosition] = []
        result.reserveCapacity(sequences.reduce(0) { $0 + max(0, $1.count - 1) })
        for (index, sequence) in sequences.enumerated() where sequence.count > 1 {
            for position in 1..<sequence.count { result.append(SamplePosition(sequence: Int32(index), position: Int32(position))) }
        }
        return result
    }
}

extension TrainingData {
    /// Windows for training every position at once: each sequence cut from its end into windows of at most
    /// `length` inputs, (sequence, position of the window's last target); the inputs are the `length` items
    /// before it (fewer at the start of a sequence), each predicting the item after it. Windows end every
    /// `stride` items (at most `length`; the default is `length`, windows that do not overlap) and each trains
    /// its last `stride` targets (`SamplePosition.trainedTargets(stride:)`): every target of `samples()` is
    /// trained in exactly one window.
    public func windows(length: Int, stride: Int? = nil) -> [SamplePosition] {
        let step = stride ?? length
        precondition(step >= 1 && step <= length, "A window stride must lie in 1...\(length); got \(step).")
        var result: [SamplePosition] = []
        for (index, sequence) in sequences.enumerated() {
            var end = sequence.count - 1
            while end >= 1 {
                result.append(SamplePosition(sequence: Int32(index), position: Int32(end)))
                end -= step
            }
        }
        return result
    }
}

/// One training sample: predict `sequences[sequence][position]` from the items before it.
public struct SamplePosition: Sendable, Equatable {
    public var sequence: Int32
    public var position: Int32

    /// For a window of `windows(length:stride:)` ending here: the positions whose targets it trains, its last
    /// `stride` (fewer at a sequence's start).
    public func trainedTargets(stride: Int) -> ClosedRange<Int> { max(1, Int(position) - stride + 1)...Int(position) }
}
