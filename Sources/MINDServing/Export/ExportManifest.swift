import Foundation
import MINDData
import MINDJSON

/// `manifest.json` of an export directory: what was exported, from where, and its sizes. Its presence
/// with `format == "mind-export"` is what lets a later export replace the directory.
public struct ExportManifest: Codable, Equatable, Sendable {
    /// The `format` value of every export manifest.
    public static let formatName = "mind-export"
    /// The layout version this build writes.
    public static let currentFormatVersion = 1

    /// Always `formatName`.
    public var format: String
    /// The layout version.
    public var formatVersion: Int
    /// The model directory exported (standardized path).
    public var model: String
    /// The dataset whose users' interests were exported, if any (standardized path).
    public var dataset: String?
    /// Rows of items.npy.
    public var itemCount: Int
    /// Rows of user_interests.npy (0 without a dataset).
    public var userCount: Int
    /// Length of every vector, d.
    public var dimension: Int
    /// Interest slots per user, K.
    public var interestCount: Int
    /// The files of the export, manifest excluded.
    public var files: [String]

    /// Reads the manifest of `directory`, or nil when there is none of ours (missing, unreadable, other format).
    public static func read(from directory: URL) -> ExportManifest? {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent(ModelExport.manifestFile)),
              let manifest = try? StrictJSON.decode(ExportManifest.self, from: data),
              manifest.format == formatName else { return nil }
        return manifest
    }
}

/// Why an export could not be written; each case names the path.
public enum ExportError: Error, CustomStringConvertible, Equatable {
    case outputIsAFile(path: String)
    case outputIsNotAnExport(path: String)
    case outputHoldsOtherFiles(path: String, names: [String])
    case missingModelFile(path: String)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .outputIsAFile(let path): return "\(path): the export output is a file; give a directory"
        case .outputIsNotAnExport(let path):
            return "\(path): the directory is not empty and holds no mind export (no manifest.json with format \"\(ExportManifest.formatName)\"); refusing to replace it"
        case .outputHoldsOtherFiles(let path, let names):
            return "\(path) holds files that are not its export's (\(StagedDirectory.listing(names))), which replacing it would delete; "
                + "move them, or choose another --output"
        case .missingModelFile(let path): return "\(path): missing file of the model directory"
        case .writeFailed(let path, let reason): return "\(path): cannot write the export: \(reason)"
        }
    }
}
