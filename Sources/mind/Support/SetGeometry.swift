/// Summaries of interest vectors shared by `mind demo` and `mind bench interests`.

/// A running mean; nil until a value is added.
struct Mean {
    private var sum = 0.0, count = 0
    mutating func add(_ value: Double) { sum += value; count += 1 }
    var value: Double? { count > 0 ? sum / Double(count) : nil }
}

/// Mean norm of vectors and mean cosine between vectors of the same set (a user's interests).
struct SetGeometry {
    var cosine = Mean(), norm = Mean()

    /// vectors: [count, setSize, dimension]; inUse(flat index into [count, setSize]).
    mutating func add(_ vectors: [Float], count: Int, setSize: Int, dimension: Int, inUse: (Int) -> Bool) {
        func dot(_ a: Int, _ b: Int) -> Double {
            (0..<dimension).reduce(0) { $0 + Double(vectors[a * dimension + $1] * vectors[b * dimension + $1]) }
        }
        for set in 0..<count {
            let members = (0..<setSize).map { set * setSize + $0 }.filter(inUse)
            for a in members {
                norm.add(dot(a, a).squareRoot())
                for b in members where b > a { cosine.add(dot(a, b) / (dot(a, a) * dot(b, b)).squareRoot()) }
            }
        }
    }
}
