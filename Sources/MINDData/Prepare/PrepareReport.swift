/// What prepare did: counts after each filter, sequence-length distribution, split sizes, feature choices.
public struct PrepareReport: Codable, Sendable, Equatable {
    /// Data rows read from the interactions file (valid ones plus skipped malformed ones).
    public var rowsRead: Int
    /// Distinct users and items among the valid rows read, before any filter.
    public var usersRead: Int
    public var itemsRead: Int
    /// Malformed rows skipped with `--skip-invalid`, by file role then kind.
    public var invalidRows: [String: [String: Int]]
    public var droppedByRating: Int
    public var droppedByKCore: Int
    public var usersRemovedByKCore: Int
    public var itemsRemovedByKCore: Int
    public var kCorePasses: Int
    public var users: Int
    public var items: Int
    public var interactions: Int
    /// interactions / (users x items).
    public var density: Double
    public var sequenceLength: LengthStatistics
    public var trainUsers: Int
    public var validUsers: Int
    public var testUsers: Int
    public var trainingInteractions: Int
    public var validCases: Int
    public var testCases: Int
    /// Valid/test users too short to cut into history and truth (left out of evaluation).
    public var usersTooShortToEvaluate: Int
    /// Interactions whose user had the same timestamp on another row (kept in file order).
    public var rowsWithTiedTimestamps: Int
    public var itemFeatures: [FeatureDecision]
    public var userFeatures: [FeatureDecision]
    public var itemTitleColumn: String?
    /// Items (users) of the dataset absent from the items (users) file: their features are unknown.
    public var itemsWithoutAttributes: Int
    public var usersWithoutAttributes: Int

    /// Min, percentiles (nearest rank) and max of per-user sequence lengths.
    public struct LengthStatistics: Codable, Sendable, Equatable {
        public var min: Int
        public var p50: Int
        public var p90: Int
        public var p99: Int
        public var max: Int
        public var mean: Double

        static func of(_ lengths: [Int]) -> LengthStatistics {
            guard !lengths.isEmpty else { return LengthStatistics(min: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0) }
            let sorted = lengths.sorted()
            func percentile(_ p: Double) -> Int {
                let rank = Int((p * Double(sorted.count)).rounded(.up))
                return sorted[Swift.max(0, Swift.min(sorted.count - 1, rank - 1))]
            }
            return LengthStatistics(
                min: sorted[0], p50: percentile(0.5), p90: percentile(0.9), p99: percentile(0.99),
                max: sorted[sorted.count - 1], mean: Double(sorted.reduce(0, +)) / Double(sorted.count))
        }
    }

    /// Whether a column became a feature, and why.
    public struct FeatureDecision: Codable, Sendable, Equatable {
        public var column: String
        public var used: Bool
        public var multiValued: Bool
        /// Including the unknown value.
        public var vocabularySize: Int
        public var reason: String
    }
}
