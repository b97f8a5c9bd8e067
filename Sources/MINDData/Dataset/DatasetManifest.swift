/// The description of a prepared dataset directory (`manifest.json`): what is in it and how it was made.
public struct DatasetManifest: Codable, Sendable, Equatable {
    public static let formatName = "mind-dataset"
    public static let currentFormatVersion = 1

    /// Always `mind-dataset`; marks a directory as ours.
    public var format: String
    public var formatVersion: Int
    /// Tool and version that wrote it.
    public var createdBy: String
    public var counts: Counts
    public var split: Split
    public var schema: Schema
    /// Every option prepare ran with, so the dataset can be rebuilt.
    public var options: PrepareOptions
    /// Input files with sizes and SHA-256 digests.
    public var sources: [SourceFile]

    public struct Counts: Codable, Sendable, Equatable {
        public var users: Int
        public var items: Int
        public var interactions: Int
        public var trainUsers: Int
        public var validUsers: Int
        public var testUsers: Int
        public var trainingInteractions: Int
        public var validCases: Int
        public var testCases: Int
    }

    public struct Split: Codable, Sendable, Equatable {
        public var kind: SplitKind
        /// train:valid:test user ratios (users split only).
        public var ratios: [Int]
        /// Share of a valid/test user's sequence given as history (users split only).
        public var historyFraction: Double
        public var seed: UInt64
    }

    public struct Schema: Codable, Sendable, Equatable {
        public var hasTimestamps: Bool
        public var itemFeatures: [FeatureSchema]
        public var userFeatures: [FeatureSchema]
        /// Source column of `itemTitles`, if any.
        public var itemTitleColumn: String?
    }

    public struct FeatureSchema: Codable, Sendable, Equatable {
        public var name: String
        /// Including index 0 (unknown).
        public var vocabularySize: Int
        public var multiValued: Bool
        /// Stem of the feature's files in the directory.
        public var file: String
    }
}

/// An input file as recorded in the manifest.
public struct SourceFile: Codable, Sendable, Equatable {
    /// interactions, items or users.
    public var role: String
    public var path: String
    public var bytes: Int
    public var sha256: String

    public init(role: String, path: String, bytes: Int, sha256: String) {
        self.role = role
        self.path = path
        self.bytes = bytes
        self.sha256 = sha256
    }
}
