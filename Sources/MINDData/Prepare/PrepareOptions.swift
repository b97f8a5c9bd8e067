/// Everything `mind prepare` can be told: filters, split, seed, column names and feature choices.
public struct PrepareOptions: Codable, Sendable, Equatable {
    /// Keep interactions rated at or above this (implicit feedback); nil keeps all.
    public var minRating: Double?
    /// k-core: every kept user has at least this many interactions...
    public var minUserCount: Int
    /// ...and every kept item at least this many, iterated to a fixed point.
    public var minItemCount: Int
    public var split: SplitKind
    /// train:valid:test user ratios for the users split (a zero test share is allowed).
    public var splitRatios: [Int]
    /// Share of a valid/test user's sequence given as history in the users split.
    public var historyFraction: Double
    public var seed: UInt64
    /// Skip malformed rows (counted by kind) instead of failing.
    public var skipInvalid: Bool
    public var columns: InteractionColumns
    /// Item feature columns to use; nil chooses automatically (see `FeatureSelection`).
    public var itemFeatures: [String]?
    /// User feature columns to use; nil chooses automatically.
    public var userFeatures: [String]?
    /// Automatic choice drops a column whose distinct values exceed this share of rows (nearly an id).
    public var maxDistinctFraction: Double

    public init(
        minRating: Double? = nil, minUserCount: Int = 5, minItemCount: Int = 5, split: SplitKind = .users,
        splitRatios: [Int] = [8, 1, 1], historyFraction: Double = 0.8, seed: UInt64 = 42, skipInvalid: Bool = false,
        columns: InteractionColumns = InteractionColumns(), itemFeatures: [String]? = nil, userFeatures: [String]? = nil,
        maxDistinctFraction: Double = 0.5
    ) {
        self.minRating = minRating
        self.minUserCount = minUserCount
        self.minItemCount = minItemCount
        self.split = split
        self.splitRatios = splitRatios
        self.historyFraction = historyFraction
        self.seed = seed
        self.skipInvalid = skipInvalid
        self.columns = columns
        self.itemFeatures = itemFeatures
        self.userFeatures = userFeatures
        self.maxDistinctFraction = maxDistinctFraction
    }

    /// Problems with the options themselves, before any data is read.
    public func validationErrors() -> [String] {
        var errors: [String] = []
        if minUserCount < 1 { errors.append("--min-user-count must be at least 1") }
        if minItemCount < 1 { errors.append("--min-item-count must be at least 1") }
        if splitRatios.count != 3 && splitRatios.count != 2 {
            errors.append("--split-ratios takes train:valid:test, e.g. 8:1:1")
        } else if splitRatios.contains(where: { $0 < 0 }) || splitRatios[0] <= 0 || splitRatios.reduce(0, +) <= 0 {
            errors.append("--split-ratios needs a positive train share and no negative shares")
        }
        if !(historyFraction > 0 && historyFraction < 1) { errors.append("history fraction must be in (0, 1)") }
        if let minRating, !minRating.isFinite { errors.append("--min-rating must be a finite number") }
        return errors
    }
}

/// Why a prepare run failed after reading its input.
public enum PrepareError: Error, CustomStringConvertible, Equatable {
    case invalidOptions([String])
    case noRatingColumn(threshold: Double)
    case nothingLeft(stage: String)
    case unknownFeatureColumn(file: String, column: String, available: [String])
    case outputIsNotADataset(path: String)
    case outputIsAFile(path: String)
    case outputHoldsOtherFiles(path: String, names: [String])
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidOptions(let errors): return errors.joined(separator: "; ")
        case .noRatingColumn(let threshold):
            return "--min-rating \(threshold) needs a rating column, and the interactions file has none"
        case .nothingLeft(let stage): return "no interactions left after \(stage); loosen the filters"
        case .unknownFeatureColumn(let file, let column, let available):
            return "\(file): no column '\(column)' to use as a feature (columns: \(available.joined(separator: ", ")))"
        case .outputIsNotADataset(let path):
            return "\(path) exists and is not a mind dataset directory; refusing to overwrite it"
        case .outputIsAFile(let path): return "\(path) exists and is a file; refusing to overwrite it"
        case .outputHoldsOtherFiles(let path, let names):
            return "\(path) holds files that are not its dataset's (\(StagedDirectory.listing(names))), which replacing it would delete; "
                + "move them, or choose another --output"
        case .writeFailed(let path, let reason): return "\(path): write failed: \(reason)"
        }
    }
}
