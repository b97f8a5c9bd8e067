/// The k-core filter: drop interactions of users with fewer than `minUserCount` and items with fewer
/// than `minItemCount` interactions, repeatedly, until every remaining user and item qualifies.
enum KCoreFilter {
    struct Outcome {
        /// Remaining interactions per original user (0 = removed).
        var userCounts: [Int32]
        var itemCounts: [Int32]
        var droppedRows: Int
        var usersRemoved: Int
        var itemsRemoved: Int
        /// Passes over the rows that removed something.
        var passes: Int
    }

    /// Updates `alive` in place; rows already dead (e.g. below the rating threshold) are ignored.
    static func apply(
        users: [Int32], items: [Int32], userCount: Int, itemCount: Int, alive: inout [Bool], minUserCount: Int,
        minItemCount: Int
    ) -> Outcome {
        var userCounts = [Int32](repeating: 0, count: userCount)
        var itemCounts = [Int32](repeating: 0, count: itemCount)
        var live: [Int32] = []
        live.reserveCapacity(users.count)
        for row in 0..<users.count where alive[row] {
            userCounts[Int(users[row])] += 1
            itemCounts[Int(items[row])] += 1
            live.append(Int32(row))
        }
        let usersBefore = userCounts.filter { $0 > 0 }.count
        let itemsBefore = itemCounts.filter { $0 > 0 }.count
        let minUser = Int32(clamping: minUserCount)  // a count above Int32.max keeps no one, as it should
        let minItem = Int32(clamping: minItemCount)
        var dropped = 0
        var passes = 0
        // Removing rows as soon as they fail lets one pass cascade; passes repeat until none removes a row,
        // which is exactly the fixed point.
        while true {
            var write = 0
            var removed = 0
            for read in 0..<live.count {
                let row = Int(live[read])
                let user = Int(users[row])
                let item = Int(items[row])
                if userCounts[user] < minUser || itemCounts[item] < minItem {
                    userCounts[user] -= 1
                    itemCounts[item] -= 1
                    alive[row] = false
                    removed += 1
                } else {
                    live[write] = Int32(row)
                    write += 1
                }
            }
            live.removeLast(live.count - write)
            if removed == 0 { break }
            dropped += removed
            passes += 1
        }
        return Outcome(
            userCounts: userCounts, itemCounts: itemCounts, droppedRows: dropped,
            usersRemoved: usersBefore - userCounts.filter { $0 > 0 }.count,
            itemsRemoved: itemsBefore - itemCounts.filter { $0 > 0 }.count, passes: passes)
    }
}
