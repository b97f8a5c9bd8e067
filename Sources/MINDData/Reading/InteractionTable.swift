/// Which header columns hold the user, the item, the time and the rating of an interaction.
public struct InteractionColumns: Sendable, Codable, Equatable {
    public var user: String
    public var item: String
    /// Used when present; a missing timestamp column means file order is the chronological order.
    public var timestamp: String
    /// Used when present (and needed only with a rating threshold).
    public var rating: String
    /// When true, a missing timestamp column is an error rather than "use file order".
    public var requireTimestamp: Bool
    /// When true, a missing rating column is an error.
    public var requireRating: Bool

    public init(
        user: String = "user_id", item: String = "item_id", timestamp: String = "timestamp", rating: String = "rating",
        requireTimestamp: Bool = false, requireRating: Bool = false
    ) {
        self.user = user
        self.item = item
        self.timestamp = timestamp
        self.rating = rating
        self.requireTimestamp = requireTimestamp
        self.requireRating = requireRating
    }
}

/// One interaction given as strings, for building tables in tests and from generators.
public struct InteractionRow: Sendable, Equatable {
    public var user: String
    public var item: String
    public var timestamp: Double?
    public var rating: Double?

    public init(user: String, item: String, timestamp: Double? = nil, rating: Double? = nil) {
        self.user = user
        self.item = item
        self.timestamp = timestamp
        self.rating = rating
    }
}

/// Interactions in columns, in file order, with user and item ids interned in order of first appearance.
public struct InteractionTable: Sendable {
    /// External user ids; `users[row]` indexes this.
    public var userIds: [String]
    /// External item ids; `items[row]` indexes this.
    public var itemIds: [String]
    public var users: [Int32]
    public var items: [Int32]
    /// Per row, when the table has a timestamp column.
    public var timestamps: [Double]?
    /// Per row, when the table has a rating column.
    public var ratings: [Float]?
    /// Rows skipped as malformed (only with `skipInvalid`), by kind.
    public var invalidRows: [InvalidRowKind: Int]

    public var rowCount: Int { users.count }

    public init(
        userIds: [String], itemIds: [String], users: [Int32], items: [Int32], timestamps: [Double]?, ratings: [Float]?,
        invalidRows: [InvalidRowKind: Int] = [:]
    ) {
        precondition(users.count == items.count, "An interaction table needs one item per user entry.")
        precondition(timestamps.map { $0.count == users.count } ?? true, "Timestamps must have one entry per row.")
        precondition(ratings.map { $0.count == users.count } ?? true, "Ratings must have one entry per row.")
        self.userIds = userIds
        self.itemIds = itemIds
        self.users = users
        self.items = items
        self.timestamps = timestamps
        self.ratings = ratings
        self.invalidRows = invalidRows
    }

    /// Interns string rows; timestamps (ratings) are kept only if every row has one.
    public init(rows: [InteractionRow]) {
        var userIds = Vocabulary(ids: [])
        var itemIds = Vocabulary(ids: [])
        var users: [Int32] = []
        var items: [Int32] = []
        users.reserveCapacity(rows.count)
        items.reserveCapacity(rows.count)
        for row in rows {
            users.append(userIds.intern(row.user))
            items.append(itemIds.intern(row.item))
        }
        let timestamps = rows.allSatisfy { $0.timestamp != nil } && !rows.isEmpty ? rows.map { $0.timestamp ?? 0 } : nil
        let ratings = rows.allSatisfy { $0.rating != nil } && !rows.isEmpty ? rows.map { Float($0.rating ?? 0) } : nil
        self.init(userIds: userIds.ids, itemIds: itemIds.ids, users: users, items: items, timestamps: timestamps, ratings: ratings)
    }
}
