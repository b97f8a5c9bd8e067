import Foundation
import MINDCore
import MINDData
import MINDJSON
import MINDNN

/// A trained model on disk: config (every hyper-parameter and the seed), data schema
/// (item features, profile vocabularies), item ids, best weights, metrics and log.
///
///     model/
///       config.json            ModelConfig + provenance
///       schema.json            DataSchema
///       items.txt              item id per line; line i is item index i
///       popularity.json        training interactions per item (fallback ranking)
///       weights.safetensors    best weights (Python: safetensors.numpy.load_file)
///       metrics.json           per-epoch records, test metrics when evaluated
///       training_log.jsonl     one line per epoch
///       checkpoint/            last state, for --resume
public struct ModelBundle: Sendable {
    public var config: ModelConfig
    public var schema: DataSchema
    public var itemIDs: [String]
    /// Where the dataset came from (its directory and manifest digest), for provenance.
    public var datasetPath: String
    /// Training interactions per item: the fallback ranking for a history with no known item.
    public var itemPopularity: [Int]

    public init(config: ModelConfig, schema: DataSchema, itemIDs: [String], datasetPath: String, itemPopularity: [Int]) {
        self.config = config
        self.schema = schema
        self.itemIDs = itemIDs
        self.datasetPath = datasetPath
        self.itemPopularity = itemPopularity
    }

    struct ConfigFile: Codable {
        static let currentFormatVersion = 1
        var format = "mind-model"
        var formatVersion = currentFormatVersion
        var config: ModelConfig
        var dataset: String
    }

    /// Writes config, schema and item ids (each atomically).
    public func write(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(ConfigFile(config: config, dataset: datasetPath)), to: directory.appendingPathComponent("config.json"))
        try AtomicFile.write(JSONEncoder().encode(schema), to: directory.appendingPathComponent("schema.json"))
        try AtomicFile.write(Data((itemIDs.joined(separator: "\n") + "\n").utf8), to: directory.appendingPathComponent("items.txt"))
        try AtomicFile.write(JSONEncoder().encode(itemPopularity), to: directory.appendingPathComponent("popularity.json"))
    }

    /// Reads a model directory's description (not its weights).
    public static func read(from directory: URL) throws -> ModelBundle {
        func load(_ name: String) throws -> Data {
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { throw ModelBundleError.missingFile(url.path) }
            return try Data(contentsOf: url)
        }
        let configFile: ConfigFile
        let configPath = directory.appendingPathComponent("config.json").path
        // Each key is checked while decoding (a ConfigError names the key and its allowed values); the combinations
        // are checked here, as before training.
        configFile = try JSONProblem.decode(ConfigFile.self, from: load("config.json")) { ModelBundleError.malformed(configPath, $0) }
        do { try configFile.config.validate() } catch { throw ModelBundleError.malformed(configPath, "\(error)") }
        guard configFile.format == "mind-model" else { throw ModelBundleError.malformed(directory.path, "config.json is not a mind model config") }
        guard configFile.formatVersion == ConfigFile.currentFormatVersion else {
            throw ModelBundleError.invalidField(configPath, field: "formatVersion",
                "\(configFile.formatVersion) is not a version this mind reads (\(ConfigFile.currentFormatVersion))")
        }
        let schema: DataSchema
        let schemaPath = directory.appendingPathComponent("schema.json").path
        schema = try JSONProblem.decode(DataSchema.self, from: load("schema.json")) { ModelBundleError.malformed(schemaPath, $0) }
        try schema.validate(path: schemaPath)
        guard let text = String(data: try load("items.txt"), encoding: .utf8) else {
            throw ModelBundleError.malformed(directory.appendingPathComponent("items.txt").path, "not UTF-8")
        }
        var ids = text.components(separatedBy: "\n")
        if ids.last == "" { ids.removeLast() }
        guard Set(ids.map(ExactString.init)).count == ids.count else {
            throw ModelBundleError.malformed(directory.appendingPathComponent("items.txt").path, "repeats an item id")
        }
        guard ids.count == schema.itemCount else {
            throw ModelBundleError.malformed(directory.appendingPathComponent("items.txt").path, "has \(ids.count) ids, the schema has \(schema.itemCount) items")
        }
        let popularityPath = directory.appendingPathComponent("popularity.json").path
        let popularity = try JSONProblem.decode([Int].self, from: load("popularity.json")) { ModelBundleError.malformed(popularityPath, $0) }
        guard popularity.count == ids.count else {
            throw ModelBundleError.malformed(popularityPath, "has \(popularity.count) counts for \(ids.count) items")
        }
        if let bad = popularity.firstIndex(where: { $0 < 0 }) {
            throw ModelBundleError.invalidField(popularityPath, field: "[\(bad)]", "count \(popularity[bad]) of item '\(ids[bad])' is negative")
        }
        return ModelBundle(config: configFile.config, schema: schema, itemIDs: ids, datasetPath: configFile.dataset, itemPopularity: popularity)
    }

    /// The trained model: the architecture from the config, the best weights from disk. The weights must be
    /// exactly the model's parameters (no tensor missing or extra, every shape right, every value finite).
    public static func loadModel(from directory: URL) throws -> (RecommenderModel, ModelBundle) {
        let bundle = try read(from: directory)
        let weights = directory.appendingPathComponent("weights.safetensors")
        guard FileManager.default.fileExists(atPath: weights.path) else { throw ModelBundleError.missingFile(weights.path) }
        try bundle.checkEmbeddingShapes(SafeTensors.header(of: weights).entries, path: weights.path)
        let model = RecommenderModel(config: bundle.config, schema: bundle.schema)
        try model.parameters.load(from: weights, extraTensors: .reject)
        return (model, bundle)
    }

    /// Compares the embedding tables in a weights header with the schema before the model is built, so that
    /// the largest allocations (item count x d, vocabulary x d) are backed by the weights file's data.
    func checkEmbeddingShapes(_ entries: [SafeTensors.Entry], path: String) throws {
        let shapes = Dictionary(entries.map { ($0.name, $0.shape) }, uniquingKeysWith: { first, _ in first })
        let d = config.embeddingSize
        var expected: [(name: String, shape: [Int], field: String)] = [("item.id", [schema.itemCount, d], "itemCount")]
        for (index, feature) in schema.itemFeatures.enumerated() {
            expected.append(("item.feature.\(feature.name)", [feature.cardinality, d], "itemFeatures[\(index)].vocabulary"))
        }
        for (name, shape, field) in expected {
            guard let found = shapes[name] else { throw SafeTensorsError.missingTensor(path, name) }
            guard found == shape else {
                throw ModelBundleError.inconsistent(path, tensor: name, expected: shape, found: found, schemaField: field)
            }
        }
        // Profile tables exist only when the model uses the profile; when present, one row per vocabulary value.
        for (index, feature) in schema.userFeatures.enumerated() {
            let name = "user.feature.\(feature.name)"
            if let found = shapes[name], found.first != feature.vocabulary.count {
                throw ModelBundleError.inconsistent(path, tensor: name, expected: [feature.vocabulary.count] + found.dropFirst(),
                                                    found: found, schemaField: "userFeatures[\(index)].vocabulary")
            }
        }
    }
}

/// Problems reading a model directory.
public enum ModelBundleError: Error, CustomStringConvertible, Equatable {
    case missingFile(String)
    case malformed(String, String)
    /// A value of a model file that is out of bounds or contradicts another (file, field, reason).
    case invalidField(String, field: String, String)
    /// A weight tensor whose shape contradicts schema.json (weights file, tensor, expected, found, schema field).
    case inconsistent(String, tensor: String, expected: [Int], found: [Int], schemaField: String)
    /// The model's items are not the dataset's (model path, dataset path).
    case vocabularyMismatch(model: String, dataset: String)
    case resumedOnOtherData(model: String, dataset: String)
    /// An output directory that holds something other than a model.
    case notAModelDirectory(String)
    /// An output directory that holds a model, without permission to replace it.
    case holdsAModel(String)
    case holdsOtherFiles(String, [String])

    public var description: String {
        switch self {
        case .vocabularyMismatch(let model, let dataset): return "\(model) was trained on a different item vocabulary than \(dataset)"
        case .resumedOnOtherData(let model, let dataset):
            return "\(model) was started on other training data than \(dataset) holds (its items' training counts or features differ); "
                + "resume it on the dataset it started on"
        case .notAModelDirectory(let path): return "\(path) exists and is not a model directory; choose another --output"
        case .holdsAModel(let path): return "\(path) already holds a model; add --force to replace it or --resume to continue it"
        case .holdsOtherFiles(let path, let names):
            return "\(path) holds files that are not its model's (\(StagedDirectory.listing(names))), which replacing it would delete; "
                + "move them, or choose another --output"
        case .missingFile(let path): return "\(path): missing; is this a model directory written by 'mind train'?"
        case .malformed(let path, let reason): return "\(path): \(reason)"
        case .invalidField(let path, let field, let reason): return "\(path): field '\(field)': \(reason)"
        case .inconsistent(let path, let tensor, let expected, let found, let field):
            return "\(path): tensor '\(tensor)' has shape \(found), schema.json (\(field)) and config.json give \(expected)"
        }
    }
}
