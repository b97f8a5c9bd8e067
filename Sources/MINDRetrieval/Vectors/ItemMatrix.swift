/// The catalogue's item vectors, one row per item, the right-hand side of every retrieval.
public struct ItemMatrix: Sendable, Equatable {
    /// Number of items (rows); item `i` is row `i`.
    public let count: Int
    /// Length of each item vector (columns).
    public let dimension: Int
    /// Row-major values. // [count, dimension]
    public let storage: [Float]

    /// Wraps `storage` as a `count x dimension` row-major matrix.
    public init(count: Int, dimension: Int, storage: [Float]) {
        precondition(count >= 0 && dimension > 0, "An item matrix needs a non-negative count and a positive dimension.")
        precondition(
            storage.count == count * dimension,
            "Item storage holds \(storage.count) values but \(count) items x \(dimension) dimensions need \(count * dimension).")
        self.count = count
        self.dimension = dimension
        self.storage = storage
    }

    /// The vector of item `index`, copied out (for tests and small tools, not hot loops).
    public func vector(_ index: Int) -> ArraySlice<Float> {
        precondition(index >= 0 && index < count, "Item \(index) is outside 0..<\(count).")
        return storage[(index * dimension)..<((index + 1) * dimension)]
    }
}
