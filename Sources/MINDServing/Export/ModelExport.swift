#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import MINDData
import MINDModels

/// One user to export: the external id, the whole history as the model's item indices (oldest first)
/// and the profile as the model's value indices ([F], empty when the model reads none).
public struct ExportedUser: Sendable, Equatable {
    /// External user id, one line of user_ids.txt.
    public var id: String
    /// Item indices of the model, oldest first; never empty.
    public var history: [Int32]
    /// Profile value indices in the model's feature order.
    public var profile: [Int32]

    /// A user with a non-empty history.
    public init(id: String, history: [Int32], profile: [Int32]) {
        precondition(!history.isEmpty, "An exported user needs a non-empty history.")
        self.id = id
        self.history = history
        self.profile = profile
    }
}

/// Writes a model's vectors as files numpy and faiss load as they are:
///
/// - `items.npy` float32 [n_items, d], row i is line i of `item_ids.txt`
/// - with users: `user_interests.npy` float32 [n_users, K, d] (masked interests are zeros),
///   `user_interest_mask.npy` bool [n_users, K], `user_ids.txt`
/// - `config.json` (the model's), `manifest.json` (`ExportManifest`, written last)
///
/// Everything goes into a hidden temporary sibling directory that is renamed into place at the end, so an
/// interrupted export leaves nothing half-written; an existing directory is replaced only if it is empty or
/// holds an export of ours.
public enum ModelExport {
    /// The export's file names.
    public static let itemsFile = "items.npy"
    public static let itemIDsFile = "item_ids.txt"
    public static let userInterestsFile = "user_interests.npy"
    public static let userMaskFile = "user_interest_mask.npy"
    public static let userIDsFile = "user_ids.txt"
    public static let configFile = "config.json"
    public static let manifestFile = "manifest.json"

    /// Users encoded per block: a multiple of `Recommender.encodeChunkSize`, so every history is encoded in
    /// the same chunk as by one `interestBatch` call over all users, and memory stays bounded.
    static let usersPerBlock = Recommender.encodeChunkSize * 16

    /// Every user of `dataset` with a non-empty history, in the dataset's user order, as `mind recommend
    /// --user` sees them: the whole chronological sequence and the stored profile, mapped to the model by id.
    public static func users(of dataset: Dataset, for recommender: Recommender) -> [ExportedUser] {
        var users: [ExportedUser] = []
        users.reserveCapacity(dataset.userCount)
        for user in 0..<dataset.userCount {
            let ids = dataset.sequence(ofUser: user).map { dataset.items.ids[Int($0)] }
            let history = recommender.itemIndices(ids).known
            guard !history.isEmpty else { continue }
            var profile: [String: String] = [:]
            for (feature, value) in zip(dataset.userFeatures, dataset.profile(ofUser: user)) where value != 0 {
                profile[feature.name] = feature.vocabulary[Int(value)]
            }
            users.append(ExportedUser(id: dataset.users.ids[user], history: history, profile: recommender.profileValues(profile)))
        }
        return users
    }

    /// Writes the export of `recommender` (loaded from `modelDirectory`) and, when `users` is given, their
    /// interests, to `directory`; `datasetPath` is recorded in the manifest.
    @discardableResult
    public static func write(
        _ recommender: Recommender, modelDirectory: URL, users: [ExportedUser]?, datasetPath: String? = nil, to directory: URL
    ) throws -> ExportManifest {
        let manager = FileManager.default
        let destination = directory.standardizedFileURL
        try checkDestination(destination)
        let configSource = modelDirectory.appendingPathComponent(configFile)
        guard manager.fileExists(atPath: configSource.path) else { throw ExportError.missingModelFile(path: configSource.path) }
        var staged: URL?
        do {
            let temporary = try StagedDirectory.create(for: destination)
            staged = temporary
            var manifest = ExportManifest(
                format: ExportManifest.formatName, formatVersion: ExportManifest.currentFormatVersion,
                model: modelDirectory.standardizedFileURL.path, dataset: datasetPath.map { URL(fileURLWithPath: $0).standardizedFileURL.path },
                itemCount: recommender.items.count, userCount: users?.count ?? 0, dimension: recommender.items.dimension,
                interestCount: recommender.model.users.interestCount, files: [itemsFile, itemIDsFile, configFile])
            try NumpyArray(recommender.items.storage, shape: [recommender.items.count, recommender.items.dimension])
                .write(to: temporary.appendingPathComponent(itemsFile))  // [n_items, d]
            try writeLines(recommender.itemIDs, to: temporary.appendingPathComponent(itemIDsFile))
            if let users {
                try writeInterests(of: users, recommender: recommender, into: temporary)
                try writeLines(users.map(\.id), to: temporary.appendingPathComponent(userIDsFile))
                manifest.files += [userInterestsFile, userMaskFile, userIDsFile]
            }
            try manager.copyItem(at: configSource, to: temporary.appendingPathComponent(configFile))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            // The manifest goes last: a directory with a manifest is complete.
            try encoder.encode(manifest).write(to: temporary.appendingPathComponent(manifestFile))
            try checkDestination(destination)
            try StagedDirectory.moveIntoPlace(temporary, destination: destination)
            return manifest
        } catch {
            if let staged { try? manager.removeItem(at: staged) }
            if error is ExportError || error is NumpyFormatError { throw error }
            throw ExportError.writeFailed(path: destination.path, reason: "\(error.localizedDescription)")
        }
    }

    /// Refuses a destination that is a file, or a non-empty directory without an export manifest of ours.
    public static func checkDestination(_ directory: URL) throws {
        let destination = directory.standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: destination.path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else { throw ExportError.outputIsAFile(path: destination.path) }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: destination.path)) ?? []
        guard !contents.isEmpty else { return }
        guard let manifest = ExportManifest.read(from: destination) else { throw ExportError.outputIsNotAnExport(path: destination.path) }
        let others = contents.filter { !manifest.files.contains($0) && $0 != manifestFile }
        guard others.isEmpty else { throw ExportError.outputHoldsOtherFiles(path: destination.path, names: others) }
    }

    // MARK: - Parts

    /// Streams the users' interests, block by block, into user_interests.npy and user_interest_mask.npy.
    private static func writeInterests(of users: [ExportedUser], recommender: Recommender, into directory: URL) throws {
        let k = recommender.model.users.interestCount, d = recommender.items.dimension
        let vectors = try NumpyFileWriter(url: directory.appendingPathComponent(userInterestsFile), type: .float32, shape: [users.count, k, d])
        let masks = try NumpyFileWriter(url: directory.appendingPathComponent(userMaskFile), type: .bool, shape: [users.count, k])
        for start in stride(from: 0, to: users.count, by: usersPerBlock) {
            let block = users[start..<min(start + usersPerBlock, users.count)]
            let batch = recommender.interestBatch(histories: block.map { ArraySlice($0.history) }, profiles: block.flatMap(\.profile))
            precondition(batch.interestCount == k && batch.dimension == d, "The user tower's interests must be [K, d] = [\(k), \(d)].")
            var values = batch.vectors  // [block, K, d]
            for slot in batch.mask.indices where !batch.mask[slot] {
                for offset in (slot * d)..<((slot + 1) * d) { values[offset] = 0 }
            }
            try vectors.append(values)
            try batch.mask.map { $0 ? UInt8(1) : 0 }.withUnsafeBytes { try masks.append($0) }  // [block, K]
        }
        try vectors.finish()
        try masks.finish()
    }

    private static func writeLines(_ lines: [String], to url: URL) throws {
        var text = lines.joined(separator: "\n")
        if !lines.isEmpty { text += "\n" }
        try Data(text.utf8).write(to: url)
    }
}
