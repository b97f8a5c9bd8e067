import MINDData

extension DataSchema {
    /// The model's view of a prepared dataset: item count, item features, user-feature vocabularies.
    public init(dataset: Dataset) {
        self.init(
            itemCount: dataset.itemCount,
            itemFeatures: dataset.itemFeatures,
            userFeatures: dataset.userFeatures.map { UserFeatureSpec(name: $0.name, vocabulary: $0.vocabulary) })
    }
}

extension TrainingData {
    /// The dataset's training sequences, each user's profile and the item popularity.
    public init(dataset: Dataset) {
        let sequences = dataset.trainingSequences()
        self.init(
            sequences: sequences.map(\.items), users: sequences.map(\.user),
            profiles: Dataset.profileMatrix(dataset), profileFeatureCount: dataset.userFeatures.count,
            itemCount: dataset.itemCount)
    }
}

extension Dataset {
    /// [userCount * F] profile value indices, 0 where a user has no value.
    public static func profileMatrix(_ dataset: Dataset) -> [Int32] {
        (0..<dataset.userCount).flatMap { dataset.profile(ofUser: $0) }
    }

    /// The profile of one user, [F].
    public func profile(ofUser user: Int) -> [Int32] {
        userFeatures.map { feature in
            user < feature.entityCount ? (feature.values(of: user).first ?? 0) : 0
        }
    }
}
