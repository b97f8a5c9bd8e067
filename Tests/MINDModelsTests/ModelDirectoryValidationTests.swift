import Foundation
import Testing
import MINDCore
import MINDData
import MINDNN
@testable import MINDModels

/// A small model directory (12 items with a genre feature, a gender profile feature), written fresh for each
/// test and then damaged one file at a time: every damage must be a typed error naming the file and the field.
@Suite("Model directory: every file is validated before use")
final class ModelDirectoryValidationTests {
    let directory: URL
    let model: RecommenderModel
    let itemCount = 12

    init() throws {
        directory = try temporaryDirectory()
        let config = try ModelConfig(["model": "youtubednn", "embedding-size": "8", "mlp-hidden": "8", "use-profile": "true", "seed": "3"])
        let genre = CategoricalFeature(
            name: "genre", vocabulary: [CategoricalFeature.unknown, "a", "b", "c"],
            offsets: (0...Int32(itemCount)).map { $0 }, values: (0..<itemCount).map { Int32(1 + $0 % 3) }, isMultiValued: true)
        let schema = DataSchema(itemCount: itemCount, itemFeatures: [genre],
                                userFeatures: [UserFeatureSpec(name: "gender", vocabulary: [CategoricalFeature.unknown, "f", "m"])])
        model = RecommenderModel(config: config, schema: schema)
        try ModelBundle(config: config, schema: schema, itemIDs: (0..<itemCount).map { "item\($0)" }, datasetPath: "memory",
                        itemPopularity: (0..<itemCount).map { 20 - $0 }).write(to: directory)
        try model.parameters.save(to: url("weights.safetensors"), metadata: ["format": "pt"])
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// Rewrites the JSON file `name` after `change`.
    func edit(_ name: String, _ change: (inout [String: Any]) -> Void) throws {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url(name))) as? [String: Any])
        change(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: url(name))
    }

    /// Edits the first item feature of schema.json.
    func editGenre(_ change: (inout [String: Any]) -> Void) throws {
        try edit("schema.json") { schema in
            var features = schema["itemFeatures"] as! [[String: Any]]
            change(&features[0])
            schema["itemFeatures"] = features
        }
    }

    /// Loading the directory must throw an error whose description names `file` and each of `words`.
    func expectRefusal(_ file: String, mentioning words: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try ModelBundle.loadModel(from: directory)
            Issue.record("the damaged \(file) was accepted", sourceLocation: sourceLocation)
        } catch let error as ModelBundleError {
            check("\(error)", file: file, words: words, sourceLocation: sourceLocation)
        } catch let error as SafeTensorsError {
            check("\(error)", file: file, words: words, sourceLocation: sourceLocation)
        } catch {
            Issue.record("untyped error \(error)", sourceLocation: sourceLocation)
        }
    }

    func check(_ text: String, file: String, words: [String], sourceLocation: SourceLocation) {
        #expect(text.contains(url(file).path), "\(text)", sourceLocation: sourceLocation)
        for word in words { #expect(text.contains(word), "'\(word)' not in: \(text)", sourceLocation: sourceLocation) }
    }

    @Test func goodDirectoryLoadsTheSameWeightsBitForBit() throws {
        let (loaded, bundle) = try ModelBundle.loadModel(from: directory)
        #expect(bundle.schema == model.schema)
        #expect(loaded.parameters.map(\.name) == model.parameters.map(\.name))
        for (original, copy) in zip(model.parameters, loaded.parameters) {
            #expect(original.value.storage.map(\.bitPattern) == copy.value.storage.map(\.bitPattern), "\(original.name)")
        }
    }

    @Test func brokenJSONIsRefusedSayingWhereItBreaks() throws {
        for name in ["config.json", "schema.json", "popularity.json"] {
            let good = try Data(contentsOf: url(name))
            try Data(good.dropLast(2)).write(to: url(name))
            expectRefusal(name, mentioning: ["not valid JSON: the document ends"])
            // A field given twice: the decoder would take the first, so the file is refused instead.
            let text = String(decoding: good, as: UTF8.self)
            if let brace = text.firstIndex(of: "{") {
                try Data((text[...brace] + #""twice": 1, "twice": 2, "# + text[text.index(after: brace)...]).utf8).write(to: url(name))
                expectRefusal(name, mentioning: ["field \"twice\" appears twice"])
            }
            try good.write(to: url(name))
        }
        // Valid JSON whose number does not fit its field: the element and its place are named.
        try Data("[1, 2.5, 3]".utf8).write(to: url("popularity.json"))
        expectRefusal("popularity.json", mentioning: ["\"[1]\" must be a whole number, not the number 2.5 (column 5)"])
        try Data(#"{"a": 1}"#.utf8).write(to: url("popularity.json"))
        expectRefusal("popularity.json", mentioning: ["the document must be an array, not an object (column 1)"])
    }

    @Test func absurdItemCountIsRefusedBeforeAllocating() throws {
        try edit("schema.json") { $0["itemCount"] = 1_000_000_000_000 }
        expectRefusal("schema.json", mentioning: ["field 'itemCount'", "1000000000000", "outside"])
    }

    @Test func itemCountMustMatchItemsAndWeights() throws {
        // A schema of 11 items, consistent in itself: items.txt still has 12 lines.
        try edit("schema.json") { $0["itemCount"] = 11 }
        try editGenre { $0["offsets"] = Array(0...11); $0["values"] = Array(repeating: 1, count: 11) }
        expectRefusal("items.txt", mentioning: ["12 ids", "11 items"])
        // items.txt and popularity.json agree with it; the weights still have 12 rows.
        try Data(((0..<11).map { "item\($0)" }.joined(separator: "\n") + "\n").utf8).write(to: url("items.txt"))
        try JSONSerialization.data(withJSONObject: Array(repeating: 1, count: 11)).write(to: url("popularity.json"))
        expectRefusal("weights.safetensors", mentioning: ["'item.id'", "[12, 8]", "[11, 8]", "itemCount"])
    }

    @Test func valueIndexOutsideTheVocabularyIsRefused() throws {
        for bad in [99, 4, -1] {
            try editGenre { feature in
                var values = feature["values"] as! [Int]
                values[5] = bad
                feature["values"] = values
            }
            expectRefusal("schema.json", mentioning: ["itemFeatures[0] (genre).values[5]", "\(bad)", "outside the vocabulary 0..<4"])
        }
    }

    @Test func offsetsMustSpanOneRowPerItemWithoutGoingBack() throws {
        try editGenre { feature in
            var offsets = feature["offsets"] as! [Int]
            offsets.swapAt(3, 4)
            feature["offsets"] = offsets
        }
        expectRefusal("schema.json", mentioning: ["itemFeatures[0] (genre).offsets[4]", "less than"])
        try editGenre { $0["offsets"] = [0, 12]; $0["values"] = Array(repeating: 1, count: 12) }
        expectRefusal("schema.json", mentioning: ["itemFeatures[0] (genre).offsets", "2 entries", "13"])
    }

    @Test func absurdFeatureCountsAndVocabulariesAreRefused() throws {
        try edit("schema.json") { schema in
            let feature = (schema["itemFeatures"] as! [[String: Any]])[0]
            schema["itemFeatures"] = (0..<300).map { index -> [String: Any] in
                var copy = feature
                copy["name"] = "f\(index)"
                return copy
            }
        }
        expectRefusal("schema.json", mentioning: ["field 'itemFeatures'", "300 features"])
        try edit("schema.json") { schema in
            var features = schema["itemFeatures"] as! [[String: Any]]
            features = [features[0], features[1]]
            features[1]["name"] = features[0]["name"]
            schema["itemFeatures"] = features
        }
        expectRefusal("schema.json", mentioning: ["itemFeatures[1].name", "names two features"])
        try edit("schema.json") { schema in
            schema["itemFeatures"] = []
            schema["userFeatures"] = [["name": "gender", "vocabulary": [] as [String]]]
        }
        expectRefusal("schema.json", mentioning: ["userFeatures[0] (gender).vocabulary", "0 values"])
        try edit("schema.json") { $0["userFeatures"] = [["name": "gender", "vocabulary": ["f", "m"]]] }
        expectRefusal("schema.json", mentioning: ["userFeatures[0] (gender).vocabulary[0]"])
    }

    @Test func vocabularyMustMatchTheEmbeddingTable() throws {
        try editGenre { $0["vocabulary"] = [CategoricalFeature.unknown, "a", "b", "c", "d"] }
        expectRefusal("weights.safetensors", mentioning: ["'item.feature.genre'", "[4, 8]", "[5, 8]", "itemFeatures[0].vocabulary"])
        try editGenre { $0["vocabulary"] = [CategoricalFeature.unknown, "a", "b", "c"] }
        try edit("schema.json") { $0["userFeatures"] = [["name": "gender", "vocabulary": [CategoricalFeature.unknown, "f"]]] }
        expectRefusal("weights.safetensors", mentioning: ["'user.feature.gender'", "userFeatures[0].vocabulary"])
    }

    @Test func popularityMustBeNonNegativeCountsOfEveryItem() throws {
        try JSONSerialization.data(withJSONObject: [5, 4, 3, -1, 1, 1, 1, 1, 1, 1, 1, 1]).write(to: url("popularity.json"))
        expectRefusal("popularity.json", mentioning: ["field '[3]'", "-1", "item3", "negative"])
        try JSONSerialization.data(withJSONObject: [5, 4, 3]).write(to: url("popularity.json"))
        expectRefusal("popularity.json", mentioning: ["3 counts for 12 items"])
    }

    @Test func nonFiniteWeightsAreRefused() throws {
        for bad in [Float.nan, .infinity] {
            let parameter = model.parameters[0]
            let original = parameter.value.storage[3]
            parameter.value.storage[3] = bad
            try model.parameters.save(to: url("weights.safetensors"))
            parameter.value.storage[3] = original
            expectRefusal("weights.safetensors", mentioning: ["'\(parameter.name)'", "\(bad) at index 3", "finite"])
        }
    }

    @Test func weightsMustBeExactlyTheModelsParameters() throws {
        let extra = Parameter(name: "leftover", value: .zeros([2]))
        try (model.parameters + [extra]).save(to: url("weights.safetensors"))
        expectRefusal("weights.safetensors", mentioning: ["'leftover'", "not a parameter"])
        let last = try #require(model.parameters.last)
        try model.parameters.dropLast().map { $0 }.save(to: url("weights.safetensors"))
        expectRefusal("weights.safetensors", mentioning: ["no tensor '\(last.name)'"])
        let wrong = Parameter(name: last.name, value: .zeros([last.value.count + 1]))
        try (model.parameters.dropLast() + [wrong]).save(to: url("weights.safetensors"))
        expectRefusal("weights.safetensors", mentioning: ["'\(last.name)'", "\(last.shape)", "[\(last.value.count + 1)]"])
    }
}
