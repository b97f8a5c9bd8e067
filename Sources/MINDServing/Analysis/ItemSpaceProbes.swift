import MINDRetrieval

/// Alternative interests for the same users, to measure what routing adds: the first interest alone, the
/// mean of the interests, and k-means centroids of the history's item vectors (no model at all).
extension InterestBatch {
    /// The same users served by their first interest only.
    public func keepingFirstInterest() -> InterestBatch {
        InterestBatch(count: count, interestCount: interestCount, dimension: dimension, vectors: vectors,
                      mask: mask.indices.map { $0 % interestCount == 0 })
    }

    /// The same users served by the mean of their active interests: one vector each.
    public func meanOfInterests() -> InterestBatch {
        var means = [Float](repeating: 0, count: count * dimension)
        for user in 0..<count {
            let active = (0..<interestCount).filter { mask[user * interestCount + $0] }
            for j in active {
                for x in 0..<dimension { means[user * dimension + x] += vectors[(user * interestCount + j) * dimension + x] / Float(active.count) }
            }
        }
        return InterestBatch(count: count, interestCount: 1, dimension: dimension, vectors: means, mask: [Bool](repeating: true, count: count))
    }

    /// Interests taken from the item space alone: the k-means centroids (farthest-point start,
    /// 10 Lloyd steps) of each history's item vectors; clusters = 1 is the history's mean.
    public init(kMeansOf histories: [ArraySlice<Int32>], items: ItemMatrix, clusters: Int) {
        let d = items.dimension
        var vectors: [Float] = [], mask: [Bool] = []
        for history in histories {
            let points = history.map { Array(items.storage[(Int($0) * d)..<(Int($0) * d + d)]) }
            func distance(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
            func nearest(_ point: [Float], _ centres: [[Float]]) -> Int { centres.indices.min { distance(point, centres[$0]) < distance(point, centres[$1]) }! }
            var centres = [points[points.count - 1]]
            while centres.count < min(clusters, points.count) {
                centres.append(points.max { distance($0, centres[nearest($0, centres)]) < distance($1, centres[nearest($1, centres)]) }!)
            }
            for _ in 0..<10 {
                var sums = [[Float]](repeating: [Float](repeating: 0, count: d), count: centres.count)
                var sizes = [Int](repeating: 0, count: centres.count)
                for point in points {
                    let j = nearest(point, centres)
                    for x in 0..<d { sums[j][x] += point[x] }
                    sizes[j] += 1
                }
                for j in centres.indices where sizes[j] > 0 { centres[j] = sums[j].map { $0 / Float(sizes[j]) } }
            }
            vectors += centres.flatMap { $0 } + [Float](repeating: 0, count: (clusters - centres.count) * d)
            mask += (0..<clusters).map { $0 < centres.count }
        }
        self.init(count: histories.count, interestCount: clusters, dimension: d, vectors: vectors, mask: mask)
    }
}

extension ItemMatrix {
    /// How much of the item vectors is one shared direction: |mean e| / mean |e|.
    public func sharedDirection() -> Double {
        var mean = [Double](repeating: 0, count: dimension), normSum = 0.0
        for item in 0..<count {
            var squared = 0.0
            for x in 0..<dimension {
                let value = Double(storage[item * dimension + x])
                mean[x] += value / Double(count)
                squared += value * value
            }
            normSum += squared.squareRoot()
        }
        return mean.reduce(0) { $0 + $1 * $1 }.squareRoot() / (normSum / Double(count))
    }
}
