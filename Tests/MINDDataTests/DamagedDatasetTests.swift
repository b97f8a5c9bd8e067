import Foundation
import Testing
@testable import MINDData

/// One thing wrong in a dataset directory prepared from good files.
enum Damage: String, CaseIterable, Sendable {
    case usersCountHuge, usersCountNegative, itemsCountHuge, interactionsCountHuge, itemsCountTooSmall, interactionsCountOneMore
    case trainUsersCountWrong, validCasesCountWrong, countsKeyMissing, usersCountFraction, itemsCountText
    case historyFractionTooLarge, historyFractionZero, unknownSplitKind, splitRatiosEmpty, optionsSplitDiffers
    case vocabularySizeHuge, vocabularySizeOneMore, featureFileOutsideDirectory, featureNameEmpty
    case sequenceItemsTruncated, sequenceOffsetsTruncated, sequenceItemsMissing
    case offsetsNotStartingAtZero, offsetsDecreasing, offsetsPastTheEnd, userWithEmptySequence
    case itemIndexTooLarge, itemIndexNegative
    case categoryValueTooLarge, categoryValueNegative, featureOffsetsPastTheEnd, featureValuesTruncated, featureEntityWithoutValue
    case featureVocabularyMissing, featureVocabularyWithoutUnknown
    case unknownSplitCode, splitFileTruncated
    case timestampNaN, timestampInfinite, timestampsOutOfOrder
    case emptyUserId, repeatedItemId, itemIdsInvalidUTF8, manifestTooLarge

    /// Words of the reason, where the case is about how a value is worded.
    var reason: String? {
        switch self {
        case .usersCountFraction: return "must be a whole number, not the number 3.5 (column "
        case .itemsCountText: return "must be a whole number, not a string"
        default: return nil
        }
    }

    /// The file named in the error, and a word of its field.
    var expected: (file: String, field: String) {
        switch self {
        case .usersCountHuge, .usersCountNegative: return ("manifest.json", "counts.users")
        case .itemsCountHuge: return ("manifest.json", "counts.items")
        case .interactionsCountHuge, .interactionsCountOneMore, .offsetsPastTheEnd: return ("sequence_offsets.i64", "element")
        case .itemsCountTooSmall: return ("items.txt", "line count")
        case .trainUsersCountWrong: return ("manifest.json", "counts.trainUsers")
        case .validCasesCountWrong: return ("manifest.json", "counts.validCases")
        case .countsKeyMissing: return ("manifest.json", "counts.items")
        case .usersCountFraction: return ("manifest.json", "counts.users")
        case .itemsCountText: return ("manifest.json", "counts.items")
        case .historyFractionTooLarge, .historyFractionZero: return ("manifest.json", "split.historyFraction")
        case .unknownSplitKind: return ("manifest.json", "split.kind")
        case .splitRatiosEmpty: return ("manifest.json", "split.ratios")
        case .optionsSplitDiffers: return ("manifest.json", "options.split")
        case .vocabularySizeHuge: return ("manifest.json", "schema.itemFeatures[0].vocabularySize")
        case .vocabularySizeOneMore: return ("item_feature_0.vocab.txt", "line count")
        case .featureFileOutsideDirectory: return ("manifest.json", "schema.itemFeatures[0].file")
        case .featureNameEmpty: return ("manifest.json", "schema.itemFeatures[0].name")
        case .sequenceItemsTruncated: return ("sequence_items.i32", "length")
        case .sequenceOffsetsTruncated: return ("sequence_offsets.i64", "length")
        case .sequenceItemsMissing: return ("sequence_items.i32", "missing")
        case .offsetsNotStartingAtZero: return ("sequence_offsets.i64", "element 0")
        case .offsetsDecreasing: return ("sequence_offsets.i64", "element 3")
        case .userWithEmptySequence: return ("sequence_offsets.i64", "element 2")
        case .itemIndexTooLarge, .itemIndexNegative: return ("sequence_items.i32", "element 5")
        case .categoryValueTooLarge, .categoryValueNegative: return ("item_feature_0.values.i32", "element 0")
        case .featureOffsetsPastTheEnd, .featureValuesTruncated, .featureEntityWithoutValue: return ("item_feature_0.offsets.i32", "element")
        case .featureVocabularyMissing: return ("item_feature_0.vocab.txt", "missing")
        case .featureVocabularyWithoutUnknown: return ("item_feature_0.vocab.txt", "line 1")
        case .unknownSplitCode: return ("user_split.u8", "element 3")
        case .splitFileTruncated: return ("user_split.u8", "length")
        case .timestampNaN, .timestampInfinite: return ("sequence_timestamps.f64", "element 4")
        case .timestampsOutOfOrder: return ("sequence_timestamps.f64", "element")
        case .emptyUserId: return ("users.txt", "line 1")
        case .repeatedItemId: return ("items.txt", "line 2")
        case .itemIdsInvalidUTF8: return ("items.txt", "UTF-8")
        case .manifestTooLarge: return ("manifest.json", "size")
        }
    }
}

@Suite("Damaged dataset directories")
struct DamagedDatasetTests {
    /// A good dataset (users split, timestamps, one item feature) in `directory/ds`.
    func goodDataset(_ directory: TemporaryDirectory) throws -> (Dataset, URL) {
        let (dataset, report) = try DatasetStoreTests().preparedFromFiles(directory)
        #expect(dataset.manifest.schema.hasTimestamps && !dataset.manifest.schema.itemFeatures.isEmpty)
        let output = directory.path("ds")
        try dataset.write(to: output, report: report)
        return (dataset, output)
    }

    @Test(arguments: Damage.allCases)
    func damagedDirectoryIsRefusedByFileAndField(_ damage: Damage) throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let (dataset, output) = try goodDataset(directory)
        try apply(damage, to: output, dataset: dataset)
        let before = try FileManager.default.contentsOfDirectory(atPath: output.path).sorted()
        do {
            _ = try Dataset.load(from: output)
            Issue.record("\(damage): loaded without an error")
        } catch let error as DatasetError {
            let (file, field) = damage.expected
            let text = error.description
            #expect(text.contains("/ds/\(file)"), "\(damage): \(text)")
            #expect(text.contains(field), "\(damage): \(text)")
            if let reason = damage.reason { #expect(text.contains(reason), "\(damage): \(text)") }
        }
        // Loading writes nothing, not even on failure.
        #expect(try FileManager.default.contentsOfDirectory(atPath: output.path).sorted() == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).sorted() == ["ds", "in.csv", "items.csv"])
    }

    @Test func goodDirectoriesOfBothSplitsLoadAsWritten() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let (dataset, output) = try goodDataset(directory)
        try dataset.verifyWritten(at: output)
        let leaveOneOut = try DatasetPreparation.run(
            .init(interactions: directory.path("in.csv"), items: directory.path("items.csv")),
            options: PrepareOptions(minUserCount: 2, minItemCount: 2, split: .leaveOneOut)).0
        let second = directory.path("loo")
        try leaveOneOut.write(to: second)
        try leaveOneOut.verifyWritten(at: second)
        #expect(try Dataset.load(from: second).evaluationCases(.test) == leaveOneOut.evaluationCases(.test))
    }

    @Test func aDamagedDatasetMayStillBeReplacedByPrepare() throws {
        // A damaged dataset is still recognised as a dataset (its manifest is ours), so prepare may replace it.
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let (dataset, output) = try goodDataset(directory)
        try apply(.itemIndexTooLarge, to: output, dataset: dataset)
        try dataset.write(to: output)
        #expect(try Dataset.load(from: output).sequenceItems == dataset.sequenceItems)
    }

    // MARK: - Damage

    func apply(_ damage: Damage, to output: URL, dataset: Dataset) throws {
        let counts = dataset.manifest.counts
        switch damage {
        case .usersCountHuge: try editManifest(output) { $0["counts", "users"] = 1 << 62 }
        case .usersCountNegative: try editManifest(output) { $0["counts", "users"] = -1 }
        case .itemsCountHuge: try editManifest(output) { $0["counts", "items"] = Int.max }
        case .interactionsCountHuge: try editManifest(output) { $0["counts", "interactions"] = 1 << 61 }
        case .itemsCountTooSmall: try editManifest(output) { $0["counts", "items"] = counts.items - 1 }
        case .interactionsCountOneMore: try editManifest(output) { $0["counts", "interactions"] = counts.interactions + 1 }
        case .trainUsersCountWrong: try editManifest(output) { $0["counts", "trainUsers"] = counts.trainUsers + 1 }
        case .validCasesCountWrong: try editManifest(output) { $0["counts", "validCases"] = counts.validCases + 1 }
        case .countsKeyMissing: try editManifest(output) { $0["counts", "items"] = nil }
        case .usersCountFraction: try editManifest(output) { $0["counts", "users"] = 3.5 }
        case .itemsCountText: try editManifest(output) { $0["counts", "items"] = "12" }
        case .historyFractionTooLarge: try editManifest(output) { $0["split", "historyFraction"] = 1.5 }
        case .historyFractionZero: try editManifest(output) { $0["split", "historyFraction"] = 0 }
        case .unknownSplitKind: try editManifest(output) { $0["split", "kind"] = "sideways" }
        case .splitRatiosEmpty: try editManifest(output) { $0["split", "ratios"] = [Int]() }
        case .optionsSplitDiffers: try editManifest(output) { $0["options", "split"] = "leave-one-out" }
        case .vocabularySizeHuge: try editFeatureSchema(output) { $0["vocabularySize"] = 1 << 40 }
        case .vocabularySizeOneMore:
            try editFeatureSchema(output) { $0["vocabularySize"] = dataset.itemFeatures[0].vocabulary.count + 1 }
        case .featureFileOutsideDirectory: try editFeatureSchema(output) { $0["file"] = "../item_feature_0" }
        case .featureNameEmpty: try editFeatureSchema(output) { $0["name"] = "" }
        case .sequenceItemsTruncated: try truncate(output, "sequence_items.i32", by: 2)
        case .sequenceOffsetsTruncated: try truncate(output, "sequence_offsets.i64", by: 8)
        case .sequenceItemsMissing: try FileManager.default.removeItem(at: output.appendingPathComponent("sequence_items.i32"))
        case .offsetsNotStartingAtZero: try edit(output, "sequence_offsets.i64", as: Int64.self) { $0[0] = 1 }
        case .offsetsDecreasing: try edit(output, "sequence_offsets.i64", as: Int64.self) { $0[3] = $0[2] - 1 }
        case .offsetsPastTheEnd: try edit(output, "sequence_offsets.i64", as: Int64.self) { $0[$0.count - 1] += 5 }
        case .userWithEmptySequence: try edit(output, "sequence_offsets.i64", as: Int64.self) { $0[2] = $0[1] }
        case .itemIndexTooLarge: try edit(output, "sequence_items.i32", as: Int32.self) { $0[5] = Int32(counts.items) }
        case .itemIndexNegative: try edit(output, "sequence_items.i32", as: Int32.self) { $0[5] = -1 }
        case .categoryValueTooLarge:
            try edit(output, "item_feature_0.values.i32", as: Int32.self) { $0[0] = Int32(dataset.itemFeatures[0].vocabulary.count) }
        case .categoryValueNegative: try edit(output, "item_feature_0.values.i32", as: Int32.self) { $0[0] = -3 }
        case .featureOffsetsPastTheEnd: try edit(output, "item_feature_0.offsets.i32", as: Int32.self) { $0[$0.count - 1] += 1 }
        case .featureValuesTruncated: try truncate(output, "item_feature_0.values.i32", by: 4)
        case .featureEntityWithoutValue: try edit(output, "item_feature_0.offsets.i32", as: Int32.self) { $0[1] = 0 }
        case .featureVocabularyMissing: try FileManager.default.removeItem(at: output.appendingPathComponent("item_feature_0.vocab.txt"))
        case .featureVocabularyWithoutUnknown: try replaceLine(output, "item_feature_0.vocab.txt", 0, with: "unknown")
        case .unknownSplitCode: try edit(output, "user_split.u8", as: UInt8.self) { $0[3] = 7 }
        case .splitFileTruncated: try truncate(output, "user_split.u8", by: 1)
        case .timestampNaN: try edit(output, "sequence_timestamps.f64", as: Double.self) { $0[4] = .nan }
        case .timestampInfinite: try edit(output, "sequence_timestamps.f64", as: Double.self) { $0[4] = -.infinity }
        case .timestampsOutOfOrder:
            let user = (0..<dataset.userCount).first { dataset.sequence(ofUser: $0).count >= 2 }!
            let second = dataset.sequenceOffsets[user] + 1
            try edit(output, "sequence_timestamps.f64", as: Double.self) { $0[second] = $0[second - 1] - 1000 }
        case .emptyUserId: try replaceLine(output, "users.txt", 0, with: "")
        case .repeatedItemId: try replaceLine(output, "items.txt", 1, with: dataset.items.ids[0])
        case .itemIdsInvalidUTF8:
            let url = output.appendingPathComponent("items.txt")
            try (Data([0xC3, 0x28]) + Data(contentsOf: url)).write(to: url)
        case .manifestTooLarge:
            let url = output.appendingPathComponent("manifest.json")
            let handle = try FileHandle(forWritingTo: url)
            try handle.truncate(atOffset: UInt64(DatasetStore.maximumManifestBytes + 1))
            try handle.close()
        }
    }

    func editManifest(_ output: URL, _ body: (inout JSONObject) -> Void) throws {
        let url = output.appendingPathComponent("manifest.json")
        var manifest = JSONObject(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any])
        body(&manifest)
        try JSONSerialization.data(withJSONObject: manifest.value).write(to: url)
    }

    func editFeatureSchema(_ output: URL, _ body: (inout [String: Any]) -> Void) throws {
        try editManifest(output) { manifest in
            var schema = manifest.value["schema"] as! [String: Any]
            var features = schema["itemFeatures"] as! [[String: Any]]
            body(&features[0])
            schema["itemFeatures"] = features
            manifest.value["schema"] = schema
        }
    }

    func edit<Element>(_ output: URL, _ name: String, as type: Element.Type, _ body: (inout [Element]) -> Void) throws {
        let url = output.appendingPathComponent(name)
        let data = try Data(contentsOf: url)
        var values = data.withUnsafeBytes { Array($0.bindMemory(to: Element.self)) }
        body(&values)
        try values.withUnsafeBytes { Data($0) }.write(to: url)
    }

    func truncate(_ output: URL, _ name: String, by bytes: Int) throws {
        let url = output.appendingPathComponent(name)
        let data = try Data(contentsOf: url)
        try data.prefix(data.count - bytes).write(to: url)
    }

    func replaceLine(_ output: URL, _ name: String, _ index: Int, with text: String) throws {
        let url = output.appendingPathComponent(name)
        var lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
        lines[index] = text
        try Data(lines.joined(separator: "\n").utf8).write(to: url)
    }
}

/// A decoded JSON object with two-level subscripts for manifest edits.
struct JSONObject {
    var value: [String: Any]

    init(_ value: [String: Any]) { self.value = value }

    subscript(section: String, key: String) -> Any? {
        get { (value[section] as? [String: Any])?[key] }
        set {
            var inner = value[section] as? [String: Any] ?? [:]
            inner[key] = newValue
            value[section] = inner
        }
    }
}
