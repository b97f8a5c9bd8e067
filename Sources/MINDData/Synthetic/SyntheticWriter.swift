import Dispatch
import Foundation
import MINDCore

/// Streams a synthetic log to CSV files with bounded memory, at any size: users are generated in
/// blocks, and each block's rows are written in time order (so users interleave, as in real logs).
public enum SyntheticWriter {
    /// What was written.
    public struct Summary: Sendable {
        public var rows: Int
        public var users: Int
        public var items: Int
    }

    /// Writes `interactions` (user_id,item_id,timestamp) and `items` (item_id,category), each atomically.
    public static func write(
        _ config: SyntheticConfig, seed: UInt64, interactions: URL, items: URL, usersPerBlock: Int = 8192
    ) throws -> Summary {
        precondition(config.validationErrors().isEmpty, "Invalid synthetic config: \(config.validationErrors().joined(separator: "; "))")
        let model = SyntheticModel(config: config, seed: seed)
        var rows = 0
        try AtomicFileWriter.write(to: interactions) { output in
            try output.append("user_id,item_id,timestamp\n")
            var block: [(time: Int64, user: Int32, item: Int32)] = []
            var blockStart = 0
            while blockStart < config.users {
                let blockEnd = min(config.users, blockStart + usersPerBlock)
                block.removeAll(keepingCapacity: true)
                // Two halves of the block generated at once: each user depends only on the seed and its index.
                let middle = blockStart + (blockEnd - blockStart) / 2
                var halves: [[(time: Int64, user: Int32, item: Int32)]] = [[], []]
                halves.withUnsafeMutableBufferPointer { output in
                    let results = output
                    DispatchQueue.concurrentPerform(iterations: 2) { half in
                        var local = SyntheticModel.Scratch()
                        var rows: [(time: Int64, user: Int32, item: Int32)] = []
                        rows.reserveCapacity(Int(Double(middle - blockStart + 1) * config.meanLength * 1.2))
                        for user in (half == 0 ? blockStart..<middle : middle..<blockEnd) {
                            _ = model.generateUser(user, into: &local)
                            for (item, time) in zip(local.items, local.times) { rows.append((time, Int32(user), item)) }
                        }
                        results[half] = rows
                    }
                }
                block.append(contentsOf: halves[0])
                block.append(contentsOf: halves[1])
                // Stable by construction: ties broken by user, and a user's own times strictly increase.
                block.sort { $0.time < $1.time || ($0.time == $1.time && $0.user < $1.user) }
                for row in block {
                    output.appendDecimal(Int64(row.user) + 1)
                    output.append(UInt8(ascii: ","))
                    output.appendDecimal(Int64(row.item) + 1)
                    output.append(UInt8(ascii: ","))
                    output.appendDecimal(row.time)
                    output.append(UInt8(ascii: "\n"))
                    try output.flushIfNeeded()
                }
                rows += block.count
                blockStart = blockEnd
            }
        }
        try AtomicFileWriter.write(to: items) { output in
            try output.append("item_id,category\n")
            for item in 0..<config.items {
                output.appendDecimal(Int64(item) + 1)
                try output.append(",\(SyntheticLogs.topicLabel(Int(model.itemTopics[item])))\n")
                try output.flushIfNeeded()
            }
        }
        return Summary(rows: rows, users: config.users, items: config.items)
    }
}

/// Buffered byte output through `AtomicFile`: in place only when the producer finishes.
final class AtomicFileWriter {
    private let handle: FileHandle
    private static let flushThreshold = 1 << 20
    private static let capacity = flushThreshold + (1 << 16)
    private let buffer: UnsafeMutablePointer<UInt8>
    private var count = 0

    private init(handle: FileHandle) {
        self.handle = handle
        buffer = .allocate(capacity: Self.capacity)
    }

    deinit { buffer.deallocate() }

    static func write(to url: URL, _ produce: (AtomicFileWriter) throws -> Void) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(to: url) { handle in
            let writer = AtomicFileWriter(handle: handle)
            try produce(writer)
            try writer.flush()
        }
    }

    /// Callers flush at least every `flushThreshold` bytes; one row or label must fit in the margin.
    @inline(__always)
    func append(_ byte: UInt8) {
        buffer[count] = byte
        count += 1
    }

    func append(_ text: String) throws {
        for byte in text.utf8 {
            if count == Self.capacity { try flush() }
            append(byte)
        }
    }

    @inline(__always)
    func appendDecimal(_ value: Int64) {
        var value = value
        if value < 0 {
            append(UInt8(ascii: "-"))
            value = -value
        }
        var digits = 1
        var probe = value
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        var position = count + digits - 1
        repeat {
            buffer[position] = UInt8(48 + value % 10)
            value /= 10
            position -= 1
        } while value > 0
        count += digits
    }

    func flushIfNeeded() throws {
        if count >= Self.flushThreshold { try flush() }
    }

    func flush() throws {
        guard count > 0 else { return }
        try handle.write(contentsOf: UnsafeRawBufferPointer(start: buffer, count: count))
        count = 0
    }
}
