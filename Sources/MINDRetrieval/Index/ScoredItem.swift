/// One retrieved item: its index, its serving score, and which of the user's interests gave that score.
public struct ScoredItem: Sendable, Hashable, Codable {
    /// Row of the item in the `ItemMatrix`.
    public var item: Int32
    /// max over the user's unmasked interests k of e_item . u_k.
    public var score: Float
    /// The interest k attaining the max (the lowest such k on a tie); 0 for single-vector queries.
    public var interest: Int

    public init(item: Int32, score: Float, interest: Int) {
        self.item = item
        self.score = score
        self.interest = interest
    }

    /// Ranking order used everywhere: higher score first, then lower item index, so results are deterministic.
    @inline(__always)
    public static func ranksBefore(_ a: ScoredItem, _ b: ScoredItem) -> Bool {
        a.score > b.score || (a.score == b.score && a.item < b.item)
    }
}
