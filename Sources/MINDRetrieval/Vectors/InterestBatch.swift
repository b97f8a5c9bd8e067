/// Up to K interest vectors per user plus a mask of the ones in use, the left-hand side of multi-interest retrieval.
///
/// Masked interests (dynamic K, K'_u < K) are ignored by every index: they never score an item.
public struct InterestBatch: Sendable, Equatable {
    /// Number of users.
    public let count: Int
    /// Interest slots per user, K.
    public let interestCount: Int
    /// Length of each interest vector, d.
    public let dimension: Int
    /// Row-major values. // [count, interestCount, dimension]
    public let vectors: [Float]
    /// True where the interest is in use. // [count, interestCount]
    public let mask: [Bool]

    /// Wraps `vectors` and `mask`; every user must have at least one interest in use.
    public init(count: Int, interestCount: Int, dimension: Int, vectors: [Float], mask: [Bool]) {
        precondition(count >= 0 && interestCount > 0 && dimension > 0, "An interest batch needs positive K and dimension.")
        precondition(
            vectors.count == count * interestCount * dimension,
            "Interest vectors hold \(vectors.count) values but \(count) x \(interestCount) x \(dimension) are needed.")
        precondition(mask.count == count * interestCount, "The interest mask needs \(count * interestCount) entries, not \(mask.count).")
        for user in 0..<count {
            precondition(
                mask[(user * interestCount)..<((user + 1) * interestCount)].contains(true),
                "User \(user) of the interest batch has every interest masked; at least one must be in use.")
        }
        self.count = count
        self.interestCount = interestCount
        self.dimension = dimension
        self.vectors = vectors
        self.mask = mask
    }

    /// One interest per user, all in use: the batch a single-vector model (YouTubeDNN, a query) produces.
    public init(singleVectors vectors: [Float], count: Int, dimension: Int) {
        self.init(
            count: count, interestCount: 1, dimension: dimension, vectors: vectors,
            mask: [Bool](repeating: true, count: count))
    }

    /// Whether interest `interest` of user `user` is in use.
    @inline(__always)
    public func isActive(user: Int, interest: Int) -> Bool {
        mask[user * interestCount + interest]
    }

    /// The users `range`, as a batch of their own.
    public func slice(_ range: Range<Int>) -> InterestBatch {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "Users \(range) are outside 0..<\(count).")
        let width = interestCount * dimension
        return InterestBatch(
            count: range.count, interestCount: interestCount, dimension: dimension,
            vectors: Array(vectors[(range.lowerBound * width)..<(range.upperBound * width)]),
            mask: Array(mask[(range.lowerBound * interestCount)..<(range.upperBound * interestCount)]))
    }
}
