#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import MINDJSON

/// Reads and writes dataset directories. Writing goes to a hidden temporary directory next to the
/// destination, renamed into place at the end, so a failed or interrupted run leaves nothing half-written.
///
/// Layout (arrays are raw little-endian, `np.fromfile(path, dtype=...)` reads them):
/// - `manifest.json`: format, version, counts, split, schema, options, sources with SHA-256 (written last)
/// - `report.json`: what prepare dropped and why
/// - `users.txt`, `items.txt`: external ids, one per line, line number = dense index
/// - `sequence_offsets.i64` (users + 1), `sequence_items.i32`, `sequence_timestamps.f64` (if any):
///   every user's chronological sequence, concatenated in user order
/// - `user_split.u8` (users split): 0 train, 1 valid, 2 test
/// - `item_feature_<k>.{vocab.txt,offsets.i32,values.i32}`, `user_feature_<k>.*`: CSR categorical features
/// - `item_titles.txt`: display text per item
public enum DatasetStore {
    /// Writes `dataset` (and `report`, as report.json) to `directory`, replacing an earlier dataset there.
    /// Refuses to replace a file or a non-empty directory that is not a dataset.
    public static func write(_ dataset: Dataset, report: PrepareReport? = nil, to directory: URL) throws {
        let manager = FileManager.default
        let destination = directory.standardizedFileURL
        try checkDestination(destination)
        var staged: URL?
        do {
            let temporary = try StagedDirectory.create(for: destination)
            staged = temporary
            try writeContents(dataset, report: report, into: temporary)
            try StagedDirectory.moveIntoPlace(temporary, destination: destination)
        } catch {
            if let staged { try? manager.removeItem(at: staged) }
            if error is DatasetError || error is PrepareError { throw error }
            throw PrepareError.writeFailed(path: destination.path, reason: "\(error.localizedDescription)")
        }
    }

    private static func checkDestination(_ destination: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: destination.path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else { throw PrepareError.outputIsAFile(path: destination.path) }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: destination.path)) ?? []
        if contents.isEmpty { return }
        guard let manifest = try? readManifest(destination) else { throw PrepareError.outputIsNotADataset(path: destination.path) }
        let features = manifest.schema.itemFeatures + manifest.schema.userFeatures
        let own = Set(fixedFileNames + features.flatMap { [$0.file + ".vocab.txt", $0.file + ".offsets.i32", $0.file + ".values.i32"] })
        let others = contents.filter { !own.contains($0) }
        guard others.isEmpty else { throw PrepareError.outputHoldsOtherFiles(path: destination.path, names: others) }
    }

    /// Every file a dataset directory may hold besides its features' files.
    static let fixedFileNames = [
        "users.txt", "items.txt", "sequence_offsets.i64", "sequence_items.i32", "sequence_timestamps.f64", "user_split.u8",
        "item_titles.txt", "report.json", "manifest.json",
    ]

    private static func writeContents(_ dataset: Dataset, report: PrepareReport?, into directory: URL) throws {
        func url(_ name: String) -> URL { directory.appendingPathComponent(name) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try writeLines(dataset.users.ids, to: url("users.txt"))
        try writeLines(dataset.items.ids, to: url("items.txt"))
        try BinaryArrayFile.write(dataset.sequenceOffsets.map { Int64($0) }, to: url("sequence_offsets.i64"))
        try BinaryArrayFile.write(dataset.sequenceItems, to: url("sequence_items.i32"))
        if let timestamps = dataset.sequenceTimestamps { try BinaryArrayFile.write(timestamps, to: url("sequence_timestamps.f64")) }
        if let split = dataset.userSplit { try BinaryArrayFile.write(split.map(\.rawValue), to: url("user_split.u8")) }
        for (feature, schema) in Array(zip(dataset.itemFeatures, dataset.manifest.schema.itemFeatures)) + Array(zip(dataset.userFeatures, dataset.manifest.schema.userFeatures)) {
            try writeLines(feature.vocabulary, to: url(schema.file + ".vocab.txt"))
            try BinaryArrayFile.write(feature.offsets, to: url(schema.file + ".offsets.i32"))
            try BinaryArrayFile.write(feature.values, to: url(schema.file + ".values.i32"))
        }
        if let titles = dataset.itemTitles { try writeLines(titles, to: url("item_titles.txt")) }
        if let report { try encoder.encode(report).write(to: url("report.json")) }
        // The manifest goes last: a directory with a manifest is complete.
        try encoder.encode(dataset.manifest).write(to: url("manifest.json"))
    }

    private static func writeLines(_ lines: [String], to url: URL) throws {
        var text = lines.joined(separator: "\n")
        if !lines.isEmpty { text += "\n" }
        var utf8 = Array(text.utf8)
        try utf8.withUnsafeMutableBytes { try BinaryArrayFile.writeBytes(UnsafeRawBufferPointer($0), to: url) }
    }

    /// A manifest is a few kilobytes; a larger one is not ours and is not read into memory.
    static let maximumManifestBytes = 16 << 20

    static func readManifest(_ directory: URL) throws -> DatasetManifest {
        let url = directory.appendingPathComponent("manifest.json")
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
        if let size, size > maximumManifestBytes {
            throw DatasetError.invalidField(path: url.path, field: "size", reason: "\(size) bytes; a manifest is at most \(maximumManifestBytes)")
        }
        guard let data = try? Data(contentsOf: url) else { throw DatasetError.notADataset(path: directory.path) }
        struct Header: Decodable {
            var format: String
            var formatVersion: Int
        }
        guard let header = try? StrictJSON.decode(Header.self, from: data), header.format == DatasetManifest.formatName else {
            throw DatasetError.notADataset(path: directory.path)
        }
        guard header.formatVersion == DatasetManifest.currentFormatVersion else {
            throw DatasetError.unsupportedFormatVersion(
                path: directory.path, found: header.formatVersion, supported: DatasetManifest.currentFormatVersion)
        }
        do {
            return try StrictJSON.decode(DatasetManifest.self, from: data)
        } catch let error as JSONSyntaxError {
            throw DatasetError.corrupt(path: url.path, reason: error.description)
        } catch let error as DecodingError {
            let (field, reason) = DatasetValidation.describe(error)
            throw DatasetError.invalidField(path: url.path, field: field, reason: reason)
        } catch {
            throw DatasetError.corrupt(path: url.path, reason: "unreadable manifest: \(error)")
        }
    }

    /// Reads one label per line, checking the count against `countField` of the manifest; a stray carriage return
    /// means the file was edited and is refused, and so is an empty line unless `allowEmpty`.
    static func readLines(_ url: URL, count: Int, countField: String, allowEmpty: Bool = true) throws -> [String] {
        guard FileManager.default.fileExists(atPath: url.path) else { throw DatasetError.missingFile(path: url.path) }
        let file: MappedFile
        do { file = try MappedFile(url: url) } catch {
            throw DatasetError.corrupt(path: url.path, reason: "cannot read: \(error)")
        }
        guard FieldParsing.isValidUTF8(file.bytes) else { throw DatasetError.corrupt(path: url.path, reason: "invalid UTF-8") }
        var lines: [String] = []
        // Every line takes at least one byte, so the file's size bounds what a count from the manifest may reserve.
        lines.reserveCapacity(max(0, min(count, file.bytes.count)))
        var start = 0
        let bytes = file.bytes
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
            let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            if line.contains(UInt8(ascii: "\r")) {
                throw DatasetError.invalidField(
                    path: url.path, field: "line \(lines.count + 1)", reason: "contains a carriage return; ids may not contain line breaks")
            }
            if !allowEmpty && line.isEmpty {
                throw DatasetError.invalidField(path: url.path, field: "line \(lines.count + 1)", reason: "is an empty id")
            }
            lines.append(String(decoding: line, as: UTF8.self))
            start = end + 1
        }
        guard lines.count == count else {
            throw DatasetError.invalidField(
                path: url.path, field: "line count",
                reason: "has \(lines.count) lines, but \(countField) says \(count) (an id with a line break?)")
        }
        return lines
    }

    /// Loads a dataset directory written by `write`, checking every file against the manifest and each other
    /// (see `DatasetValidation`); a damaged directory gives a `DatasetError` naming the file and field.
    public static func load(from directory: URL) throws -> Dataset {
        let manifest = try readManifest(directory)
        func url(_ name: String) -> URL { directory.appendingPathComponent(name) }
        let manifestPath = url("manifest.json").path
        try DatasetValidation.check(manifest, path: manifestPath)
        let counts = manifest.counts
        let users = try readLines(url("users.txt"), count: counts.users, countField: "counts.users", allowEmpty: false)
        let items = try readLines(url("items.txt"), count: counts.items, countField: "counts.items", allowEmpty: false)
        try DatasetValidation.checkDistinct(users, path: url("users.txt").path)
        try DatasetValidation.checkDistinct(items, path: url("items.txt").path)
        let offsets = try BinaryArrayFile.read(
            url("sequence_offsets.i64"), as: Int64.self, count: counts.users + 1, countField: "counts.users + 1").map { Int($0) }
        try DatasetValidation.checkOffsets(
            offsets, total: counts.interactions, totalSource: "counts.interactions", entity: "user", minimumRun: 1,
            path: url("sequence_offsets.i64").path)
        let sequenceItems = try BinaryArrayFile.read(
            url("sequence_items.i32"), as: Int32.self, count: counts.interactions, countField: "counts.interactions")
        try DatasetValidation.checkIndices(
            sequenceItems, below: counts.items, what: "item index", limitSource: "counts.items", path: url("sequence_items.i32").path)
        var timestamps: [Double]?
        if manifest.schema.hasTimestamps {
            let values = try BinaryArrayFile.read(
                url("sequence_timestamps.f64"), as: Double.self, count: counts.interactions, countField: "counts.interactions")
            try DatasetValidation.checkTimestamps(values, offsets: offsets, path: url("sequence_timestamps.f64").path)
            timestamps = values
        }
        var userSplit: [UserSplit]?
        if manifest.split.kind == .users {
            let raw = try BinaryArrayFile.read(url("user_split.u8"), as: UInt8.self, count: counts.users, countField: "counts.users")
            userSplit = try raw.enumerated().map { index, value in
                guard let part = UserSplit(rawValue: value) else {
                    throw DatasetError.invalidField(
                        path: url("user_split.u8").path, field: "element \(index)",
                        reason: "unknown split code \(value) (0 train, 1 valid, 2 test)")
                }
                return part
            }
        }
        func loadFeature(_ schema: DatasetManifest.FeatureSchema, entities: Int, entity: String, field: String) throws -> CategoricalFeature {
            let vocabularyURL = url(schema.file + ".vocab.txt")
            let offsetsURL = url(schema.file + ".offsets.i32")
            let valuesURL = url(schema.file + ".values.i32")
            let vocabulary = try readLines(vocabularyURL, count: schema.vocabularySize, countField: field + ".vocabularySize")
            guard vocabulary.first == CategoricalFeature.unknown else {
                throw DatasetError.invalidField(path: vocabularyURL.path, field: "line 1", reason: "is not \(CategoricalFeature.unknown)")
            }
            let offsets = try BinaryArrayFile.read(
                offsetsURL, as: Int32.self, count: entities + 1, countField: "counts.\(entity)s + 1")
            // The values file's own size is the total the offsets must reach; checked before it is read.
            let valueBytes = (try? FileManager.default.attributesOfItem(atPath: valuesURL.path)[.size] as? Int) ?? nil
            guard let valueBytes else { throw DatasetError.missingFile(path: valuesURL.path) }
            try DatasetValidation.checkOffsets(
                offsets, total: valueBytes / MemoryLayout<Int32>.stride, totalSource: "the value count of \(valuesURL.lastPathComponent)",
                entity: entity, minimumRun: 1, exactRun: schema.multiValued ? nil : 1, path: offsetsURL.path)
            let values = try BinaryArrayFile.read(
                valuesURL, as: Int32.self, count: Int(offsets[offsets.count - 1]), countField: "the last offset of \(offsetsURL.lastPathComponent)")
            try DatasetValidation.checkIndices(
                values, below: vocabulary.count, what: "value", limitSource: field + ".vocabularySize", path: valuesURL.path)
            return CategoricalFeature(
                name: schema.name, vocabulary: vocabulary, offsets: offsets, values: values, isMultiValued: schema.multiValued)
        }
        let itemFeatures = try manifest.schema.itemFeatures.enumerated().map {
            try loadFeature($1, entities: counts.items, entity: "item", field: "schema.itemFeatures[\($0)]")
        }
        let userFeatures = try manifest.schema.userFeatures.enumerated().map {
            try loadFeature($1, entities: counts.users, entity: "user", field: "schema.userFeatures[\($0)]")
        }
        let titles = manifest.schema.itemTitleColumn == nil
            ? nil : try readLines(url("item_titles.txt"), count: counts.items, countField: "counts.items")
        let dataset = Dataset(
            manifest: manifest, users: Vocabulary(ids: users), items: Vocabulary(ids: items), sequenceOffsets: offsets,
            sequenceItems: sequenceItems, sequenceTimestamps: timestamps, userSplit: userSplit, itemFeatures: itemFeatures,
            userFeatures: userFeatures, itemTitles: titles)
        try DatasetValidation.checkCounts(of: dataset, path: manifestPath)
        return dataset
    }
}

extension Dataset {
    /// Loads a dataset directory written by `mind prepare`.
    public static func load(from directory: URL) throws -> Dataset {
        try DatasetStore.load(from: directory)
    }

    /// Writes this dataset atomically to `directory` (see `DatasetStore.write`).
    public func write(to directory: URL, report: PrepareReport? = nil) throws {
        try DatasetStore.write(self, report: report, to: directory)
    }
}

extension Dataset {
    /// Loads the dataset written to `directory` and checks that it equals this one, field by field, so a
    /// write that lost or changed data is caught at once. Returns the seconds the load took.
    @discardableResult
    public func verifyWritten(at directory: URL) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        let loaded = try Dataset.load(from: directory)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let differing = [
            ("sequences", loaded.sequenceItems == sequenceItems && loaded.sequenceOffsets == sequenceOffsets),
            ("users", loaded.users == users), ("items", loaded.items == items), ("manifest", loaded.manifest == manifest),
            ("item features", loaded.itemFeatures == itemFeatures), ("user features", loaded.userFeatures == userFeatures),
        ].filter { !$0.1 }.map(\.0)
        guard differing.isEmpty else {
            throw PrepareError.writeFailed(
                path: directory.path, reason: "the dataset read back differs from the one built (\(differing.joined(separator: ", ")))")
        }
        return seconds
    }
}
