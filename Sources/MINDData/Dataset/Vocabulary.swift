import MINDCore

/// External ids in dense-index order, with the reverse lookup.
public struct Vocabulary: Sendable, Equatable {
    /// `ids[index]` is the external id of dense index `index`.
    public private(set) var ids: [String]
    /// By bytes, not by Unicode equivalence (see `ExactString`): the dataset's ids are distinct as bytes.
    private var lookup: [ExactString: Int32]

    /// A vocabulary over distinct `ids`; a repeated id is a programmer error.
    public init(ids: [String]) {
        self.ids = ids
        var lookup: [ExactString: Int32] = [:]
        lookup.reserveCapacity(ids.count)
        for (index, id) in ids.enumerated() {
            let previous = lookup.updateValue(Int32(index), forKey: ExactString(id))
            precondition(previous == nil, "Vocabulary ids must be distinct; '\(id)' appears twice.")
        }
        self.lookup = lookup
    }

    /// The dense index of `id`, or nil if unknown.
    public func index(of id: String) -> Int32? { lookup[ExactString(id)] }

    /// The dense index of `id`, appending it first if it is new.
    public mutating func intern(_ id: String) -> Int32 {
        if let index = lookup[ExactString(id)] { return index }
        let index = Int32(ids.count)
        lookup[ExactString(id)] = index
        ids.append(id)
        return index
    }

    public var count: Int { ids.count }

    public static func == (lhs: Vocabulary, rhs: Vocabulary) -> Bool { ExactString.same(lhs.ids, rhs.ids) }
}

/// A categorical attribute of users or items, stored CSR-style so multi-valued features (genres) fit.
public struct CategoricalFeature: Sendable, Equatable, Codable {
    /// Column name in the source file, e.g. "genre".
    public var name: String
    /// Value labels; index 0 is reserved for unknown or missing.
    public var vocabulary: [String]
    /// Entity e's values are `values[offsets[e]..<offsets[e+1]]`; `offsets.count` is entities + 1.
    public var offsets: [Int32]
    public var values: [Int32]
    /// Whether an entity may carry several values (genres) or exactly one (gender).
    public var isMultiValued: Bool

    public init(name: String, vocabulary: [String], offsets: [Int32], values: [Int32], isMultiValued: Bool = false) {
        precondition(vocabulary.first == CategoricalFeature.unknown, "Feature vocabularies reserve index 0 for unknown.")
        precondition(offsets.first == 0 && Int(offsets.last ?? 0) == values.count, "Feature offsets must span the values.")
        self.name = name
        self.vocabulary = vocabulary
        self.offsets = offsets
        self.values = values
        self.isMultiValued = isMultiValued
    }

    /// The label of value index 0.
    public static let unknown = "<unknown>"

    enum CodingKeys: String, CodingKey { case name, vocabulary, offsets, values, isMultiValued }

    /// Decodes a feature; `isMultiValued` may be absent (model schemas written before it was stored).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        vocabulary = try container.decode([String].self, forKey: .vocabulary)
        offsets = try container.decode([Int32].self, forKey: .offsets)
        values = try container.decode([Int32].self, forKey: .values)
        isMultiValued = try container.decodeIfPresent(Bool.self, forKey: .isMultiValued) ?? false
        guard offsets.first == 0, Int(offsets.last ?? -1) == values.count, offsets.count >= 1 else {
            throw DecodingError.dataCorruptedError(forKey: .offsets, in: container, debugDescription: "feature '\(name)': offsets do not span its values")
        }
    }

    /// Number of entities (items or users) described.
    public var entityCount: Int { offsets.count - 1 }

    /// Value indices of entity `entity` (at least one; `[0]` when unknown).
    public func values(of entity: Int) -> ArraySlice<Int32> {
        values[Int(offsets[entity])..<Int(offsets[entity + 1])]
    }
}

/// One user's chronological behaviour sequence to train on.
public struct TrainingSequence: Sendable, Equatable {
    public var user: Int32
    /// Item indices, oldest first.
    public var items: [Int32]

    public init(user: Int32, items: [Int32]) {
        self.user = user
        self.items = items
    }
}

/// Which held-out part to evaluate on.
public enum EvaluationSplit: String, Sendable, CaseIterable, Codable {
    case valid, test
}

/// Where a user belongs in the users split.
public enum UserSplit: UInt8, Sendable, Codable {
    case train = 0, valid = 1, test = 2
}

/// How the evaluation data is held out.
public enum SplitKind: String, Codable, Sendable, CaseIterable {
    /// ComiRec: users split by ratio; valid/test users' sequences cut into history and truth.
    case users
    /// The MIND paper: each user's last item is the test target, the one before the validation target.
    case leaveOneOut = "leave-one-out"
}
