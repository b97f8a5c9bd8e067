/// Groups surviving interactions by user and orders each user's rows by time with a stable sort:
/// rows with equal timestamps keep their file order (about half the rows of MovieLens-1M tie).
enum SequenceGrouping {
    struct Grouped {
        var offsets: [Int]
        var items: [Int32]
        var timestamps: [Double]?
        /// Rows sharing their timestamp with another row of the same user.
        var tiedRows: Int
    }

    static func group(
        users: [Int32], items: [Int32], timestamps: [Double]?, alive: [Bool], userMap: [Int32], itemMap: [Int32],
        userCount: Int, interactionCount: Int
    ) -> Grouped {
        // Counting sort by user: O(rows) and stable, so each user's rows stay in file order.
        var offsets = [Int](repeating: 0, count: userCount + 1)
        for row in 0..<users.count where alive[row] { offsets[Int(userMap[Int(users[row])]) + 1] += 1 }
        for user in 0..<userCount { offsets[user + 1] += offsets[user] }
        var cursor = Array(offsets.dropLast())
        var order = [Int32](repeating: 0, count: interactionCount)
        for row in 0..<users.count where alive[row] {
            let user = Int(userMap[Int(users[row])])
            order[cursor[user]] = Int32(row)
            cursor[user] += 1
        }
        var tiedRows = 0
        var sortedTimestamps: [Double]?
        if let timestamps {
            var scratch: [Int32] = []
            for user in 0..<userCount {
                let range = offsets[user]..<offsets[user + 1]
                var sorted = true
                for position in range.dropFirst() where timestamps[Int(order[position])] < timestamps[Int(order[position - 1])] {
                    sorted = false
                    break
                }
                if !sorted {
                    // Row indices grow with file order, so (timestamp, row) is the stable order.
                    scratch.removeAll(keepingCapacity: true)
                    scratch.append(contentsOf: order[range])
                    scratch.sort { left, right in
                        let leftTime = timestamps[Int(left)]
                        let rightTime = timestamps[Int(right)]
                        return leftTime < rightTime || (leftTime == rightTime && left < right)
                    }
                    order.replaceSubrange(range, with: scratch)
                }
                tiedRows += countTied(order[range], timestamps)
            }
            sortedTimestamps = order.map { timestamps[Int($0)] }
        }
        let sequenceItems = order.map { itemMap[Int(items[Int($0)])] }
        return Grouped(offsets: offsets, items: sequenceItems, timestamps: sortedTimestamps, tiedRows: tiedRows)
    }

    /// Rows in a sorted run of timestamps that share their value with a neighbour.
    private static func countTied(_ rows: ArraySlice<Int32>, _ timestamps: [Double]) -> Int {
        var count = 0
        var start = rows.startIndex
        while start < rows.endIndex {
            var end = start + 1
            let value = timestamps[Int(rows[start])]
            while end < rows.endIndex && timestamps[Int(rows[end])] == value { end += 1 }
            if end - start > 1 { count += end - start }
            start = end
        }
        return count
    }
}
