/// Why an evaluation could not run: bad settings, or a retriever that broke its contract.
public enum EvaluationError: Error, CustomStringConvertible, Equatable {
    /// The cutoff list was empty.
    case noCutoffs
    /// A cutoff was zero or negative.
    case invalidCutoff(Int)
    /// The chunk size was zero or negative.
    case invalidChunkSize(Int)
    /// The retriever returned a number of lists other than the number of cases it was given.
    case resultCountMismatch(expected: Int, got: Int)
    /// The interest closure returned a batch for a number of users other than the number of cases.
    case interestCountMismatch(expected: Int, got: Int)
    /// The interest vectors' dimension differs from the index's.
    case dimensionMismatch(interests: Int, index: Int)

    public var description: String {
        switch self {
        case .noCutoffs:
            return "evaluation needs at least one cutoff N"
        case .invalidCutoff(let cutoff):
            return "cutoff \(cutoff) is not positive; every N must be at least 1"
        case .invalidChunkSize(let size):
            return "evaluation chunk size \(size) is not positive"
        case .resultCountMismatch(let expected, let got):
            return "the retriever returned \(got) result lists for \(expected) users"
        case .interestCountMismatch(let expected, let got):
            return "the interest batch has \(got) users but \(expected) were asked for"
        case .dimensionMismatch(let interests, let index):
            return "interest vectors have dimension \(interests) but the item index has \(index)"
        }
    }
}
