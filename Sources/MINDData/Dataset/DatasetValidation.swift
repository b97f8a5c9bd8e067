import Foundation
import MINDCore
import MINDJSON

/// The checks `DatasetStore.load` makes once, so that code reading a loaded `Dataset` may index it without checks:
/// the manifest's fields are in range and agree with each other, every array file holds what the manifest says,
/// offsets span their values, and every index is below the size of what it indexes. Each failure is a
/// `DatasetError.invalidField` naming the file and the field (manifest key, array element or line).
enum DatasetValidation {
    /// Users, items and feature values are stored as Int32 indices.
    static let indexLimit = Int(Int32.max)

    /// Checks the manifest on its own, before any other file is opened.
    static func check(_ manifest: DatasetManifest, path: String) throws {
        func fail(_ field: String, _ reason: String) -> DatasetError { .invalidField(path: path, field: field, reason: reason) }
        let counts = manifest.counts
        guard (1...indexLimit).contains(counts.users) else { throw fail("counts.users", "\(counts.users) is not between 1 and \(indexLimit)") }
        guard (1...indexLimit).contains(counts.items) else { throw fail("counts.items", "\(counts.items) is not between 1 and \(indexLimit)") }
        guard counts.interactions >= counts.users else {
            throw fail("counts.interactions", "\(counts.interactions) is fewer than counts.users (\(counts.users)); every user has at least one interaction")
        }
        let split = manifest.split
        guard split.historyFraction > 0 && split.historyFraction < 1 else {
            throw fail("split.historyFraction", "\(split.historyFraction) is not in (0, 1)")
        }
        if split.kind == .users {
            guard split.ratios.count == 3, split.ratios.allSatisfy({ $0 >= 0 }), split.ratios[0] > 0 else {
                throw fail("split.ratios", "\(split.ratios) is not three train:valid:test shares with a positive train share")
            }
        }
        guard manifest.options.split == split.kind else {
            throw fail("options.split", "\(manifest.options.split.rawValue) differs from split.kind (\(split.kind.rawValue))")
        }
        guard manifest.options.historyFraction == split.historyFraction else {
            throw fail("options.historyFraction", "\(manifest.options.historyFraction) differs from split.historyFraction (\(split.historyFraction))")
        }
        for (key, features, stem) in [("itemFeatures", manifest.schema.itemFeatures, "item_feature"), ("userFeatures", manifest.schema.userFeatures, "user_feature")] {
            var names = Set<String>()
            for (index, feature) in features.enumerated() {
                let field = "schema.\(key)[\(index)]"
                guard !feature.name.isEmpty else { throw fail(field + ".name", "is empty") }
                guard names.insert(feature.name).inserted else { throw fail(field + ".name", "\"\(feature.name)\" is repeated") }
                guard (1...indexLimit).contains(feature.vocabularySize) else {
                    throw fail(field + ".vocabularySize", "\(feature.vocabularySize) is not between 1 and \(indexLimit) (index 0 is unknown)")
                }
                // Files are named by position; a free-form stem could point outside the directory.
                guard feature.file == "\(stem)_\(index)" else {
                    throw fail(field + ".file", "\"\(feature.file)\" is not \"\(stem)_\(index)\"")
                }
            }
        }
    }

    /// CSR offsets over `total` values: start at 0, never decrease, end at `total`. With `minimumRun` 1 every entity
    /// has at least one value; `exactRun` demands exactly that many (single-valued features).
    static func checkOffsets<Offset: BinaryInteger>(
        _ offsets: [Offset], total: Int, totalSource: String, entity: String, minimumRun: Int, exactRun: Int? = nil, path: String
    ) throws {
        func fail(_ index: Int, _ reason: String) -> DatasetError { .invalidField(path: path, field: "element \(index)", reason: reason) }
        guard let first = offsets.first, first == 0 else { throw fail(0, "is \(offsets.first.map { "\($0)" } ?? "missing"), must be 0") }
        for index in 1..<offsets.count {
            let run = Int(offsets[index]) - Int(offsets[index - 1])
            if run < 0 { throw fail(index, "offsets decrease (\(offsets[index - 1]) then \(offsets[index]))") }
            if run < minimumRun { throw fail(index, "\(entity) \(index - 1) has no values (every \(entity) has at least \(minimumRun))") }
            if let exactRun, run != exactRun { throw fail(index, "\(entity) \(index - 1) has \(run) values; a single-valued feature has exactly \(exactRun)") }
        }
        guard Int(offsets[offsets.count - 1]) == total else {
            throw fail(offsets.count - 1, "the last offset is \(offsets[offsets.count - 1]), but \(totalSource) is \(total)")
        }
    }

    /// Every value in `0..<limit`.
    static func checkIndices(_ values: [Int32], below limit: Int, what: String, limitSource: String, path: String) throws {
        if let index = values.firstIndex(where: { $0 < 0 || Int($0) >= limit }) {
            throw DatasetError.invalidField(
                path: path, field: "element \(index)", reason: "\(what) \(values[index]) is not in 0..<\(limit) (\(limitSource))")
        }
    }

    /// Finite times, in order within each user's sequence (prepare sorts them).
    static func checkTimestamps(_ timestamps: [Double], offsets: [Int], path: String) throws {
        if let index = timestamps.firstIndex(where: { !$0.isFinite }) {
            throw DatasetError.invalidField(path: path, field: "element \(index)", reason: "\(timestamps[index]) is not a finite time")
        }
        for user in 0..<(offsets.count - 1) where offsets[user + 1] - offsets[user] > 1 {
            for index in (offsets[user] + 1)..<offsets[user + 1] where timestamps[index] < timestamps[index - 1] {
                throw DatasetError.invalidField(
                    path: path, field: "element \(index)",
                    reason: "\(timestamps[index]) is earlier than the interaction before it of user \(user); sequences are chronological")
            }
        }
    }

    /// The first repeated line of an id file.
    static func checkDistinct(_ ids: [String], path: String) throws {
        var seen: [ExactString: Int] = [:]  // by bytes, as `Vocabulary` tells ids apart
        seen.reserveCapacity(ids.count)
        for (index, id) in ids.enumerated() {
            if let earlier = seen.updateValue(index, forKey: ExactString(id)) {
                throw DatasetError.invalidField(path: path, field: "line \(index + 1)", reason: "repeats the id on line \(earlier + 1)")
            }
        }
    }

    /// The summary counts of the manifest must be those of the loaded sequences and split (a hand-edited count would
    /// otherwise be shown as if it were true).
    static func checkCounts(of dataset: Dataset, path: String) throws {
        let stated = dataset.manifest.counts
        var trainUsers = 0, validUsers = 0, testUsers = 0, validCases = 0, testCases = 0, trainingInteractions = 0
        for user in 0..<dataset.userCount {
            let length = dataset.sequenceOffsets[user + 1] - dataset.sequenceOffsets[user]
            trainingInteractions += dataset.trainingSlice(ofUser: user).count
            switch dataset.manifest.split.kind {
            case .users:
                switch dataset.userSplit?[user] ?? .train {
                case .train: trainUsers += 1
                case .valid:
                    validUsers += 1
                    if length >= 2 { validCases += 1 }
                case .test:
                    testUsers += 1
                    if length >= 2 { testCases += 1 }
                }
            case .leaveOneOut:
                trainUsers += 1
                if length >= 3 {
                    validUsers += 1
                    testUsers += 1
                }
            }
        }
        if dataset.manifest.split.kind == .leaveOneOut {
            validCases = validUsers
            testCases = testUsers
        }
        let derived: [(String, Int, Int)] = [
            ("trainUsers", stated.trainUsers, trainUsers), ("validUsers", stated.validUsers, validUsers),
            ("testUsers", stated.testUsers, testUsers), ("trainingInteractions", stated.trainingInteractions, trainingInteractions),
            ("validCases", stated.validCases, validCases), ("testCases", stated.testCases, testCases),
        ]
        for (name, stated, actual) in derived where stated != actual {
            throw DatasetError.invalidField(
                path: path, field: "counts.\(name)", reason: "is \(stated), but the sequences and the split give \(actual)")
        }
    }

    /// A decoding error of the manifest as (field path, "(file)" for the document itself; reason).
    static func describe(_ error: DecodingError) -> (field: String, reason: String) {
        let (field, reason) = JSONProblem.parts(error)
        return (field.isEmpty ? "(file)" : field, reason)
    }
}
