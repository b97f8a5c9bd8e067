import Dispatch
import Foundation

/// The whole of `mind prepare` short of printing: read the files, checksum them, build the dataset.
public enum DatasetPreparation {
    /// Input files for one run.
    public struct Inputs: Sendable {
        public var interactions: URL
        public var items: URL?
        public var users: URL?
        /// Id column of the items file (defaults to the interactions' item column).
        public var itemIdColumn: String?
        /// Id column of the users file (defaults to the interactions' user column).
        public var userIdColumn: String?

        public init(interactions: URL, items: URL? = nil, users: URL? = nil, itemIdColumn: String? = nil, userIdColumn: String? = nil) {
            self.interactions = interactions
            self.items = items
            self.users = users
            self.itemIdColumn = itemIdColumn
            self.userIdColumn = userIdColumn
        }
    }

    /// Reads and builds; the SHA-256 of each input is computed on another thread while the interactions are parsed.
    public static func run(_ inputs: Inputs, options: PrepareOptions, createdBy: String = "mind") throws -> (Dataset, PrepareReport) {
        let problems = options.validationErrors()
        guard problems.isEmpty else { throw PrepareError.invalidOptions(problems) }
        let files = [("interactions", inputs.interactions), ("items", inputs.items), ("users", inputs.users)]
            .compactMap { role, url in url.map { (role, $0) } }
        let digests = DigestBox(count: files.count)
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            for (index, file) in files.enumerated() {
                digests.set(index, Result { try SourceFile(role: file.0, path: file.1.path, bytes: MappedFile(url: file.1).bytes.count, sha256: SHA256.hex(ofFile: file.1)) })
            }
        }
        defer { group.wait() }
        let table = try InteractionReader.read(inputs.interactions, columns: options.columns, skipInvalid: options.skipInvalid)
        let items = try inputs.items.map {
            try AttributeReader.read($0, idColumn: inputs.itemIdColumn ?? options.columns.item, skipInvalid: options.skipInvalid)
        }
        let users = try inputs.users.map {
            try AttributeReader.read($0, idColumn: inputs.userIdColumn ?? options.columns.user, skipInvalid: options.skipInvalid)
        }
        group.wait()
        let sources = try digests.values().map { try $0.get() }
        return try DatasetBuilder(options: options, createdBy: createdBy).build(
            interactions: table, items: items, users: users, sources: sources)
    }

    private final class DigestBox: @unchecked Sendable {
        private let lock = NSLock()
        private var results: [Result<SourceFile, Error>?]

        init(count: Int) { results = Array(repeating: nil, count: count) }

        func set(_ index: Int, _ result: Result<SourceFile, Error>) {
            lock.lock()
            results[index] = result
            lock.unlock()
        }

        func values() -> [Result<SourceFile, Error>] {
            lock.lock()
            defer { lock.unlock() }
            return results.map { $0 ?? .failure(PrepareError.writeFailed(path: "", reason: "checksum missing")) }
        }
    }
}

