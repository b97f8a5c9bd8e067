/// One user to evaluate: what the model may see (history, chronological) and what it must find (truth).
public struct EvaluationCase: Sendable, Equatable {
    /// Dense user index in the dataset's user vocabulary.
    public var user: Int32
    /// Item indices the model sees, oldest first.
    public var history: [Int32]
    /// Item indices held out, to be retrieved.
    public var truth: [Int32]

    public init(user: Int32, history: [Int32], truth: [Int32]) {
        self.user = user
        self.history = history
        self.truth = truth
    }
}
