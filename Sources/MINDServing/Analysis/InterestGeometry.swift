/// Summaries of interest vectors: how alike a user's interests are, how long they are.

/// A running mean; nil until a value is added.
public struct Mean: Sendable, Equatable {
    private var sum = 0.0, count = 0

    public init() {}

    /// Adds one value.
    public mutating func add(_ value: Double) { sum += value; count += 1 }

    /// The mean so far, or nil when nothing was added.
    public var value: Double? { count > 0 ? sum / Double(count) : nil }
}

/// Mean norm of vectors, and mean cosine between the vectors of one set (a user's interests).
public struct SetGeometry: Sendable, Equatable {
    /// Mean cosine over every pair within a set.
    public var cosine = Mean()
    /// Mean Euclidean norm of every vector in use.
    public var norm = Mean()

    public init() {}

    /// Adds `count` sets of `setSize` vectors. vectors: [count, setSize, dimension]; `inUse(i)` says whether
    /// vector i (a flat index into [count, setSize]) takes part. A zero vector has no direction: it counts
    /// toward the norm, not the cosine.
    public mutating func add(_ vectors: [Float], count: Int, setSize: Int, dimension: Int, inUse: (Int) -> Bool) {
        precondition(vectors.count == count * setSize * dimension, "Vectors must be [count, setSize, dimension].")
        func dot(_ a: Int, _ b: Int) -> Double {
            (0..<dimension).reduce(0) { $0 + Double(vectors[a * dimension + $1] * vectors[b * dimension + $1]) }
        }
        for set in 0..<count {
            let members = (0..<setSize).map { set * setSize + $0 }.filter(inUse)
            for a in members {
                norm.add(dot(a, a).squareRoot())
                for b in members where b > a {
                    let lengths = (dot(a, a) * dot(b, b)).squareRoot()
                    if lengths > 0 { cosine.add(dot(a, b) / lengths) }
                }
            }
        }
    }
}
