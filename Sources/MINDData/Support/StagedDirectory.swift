import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A directory written whole or not at all: its files go into a hidden temporary sibling
/// (`.<name>.tmp-<pid>-<random>`) that is renamed into place at the end, so a crash or Ctrl-C never leaves a
/// half-written dataset or export. Shared by `DatasetStore` and `ModelExport`.
public enum StagedDirectory {
    /// Name prefix of the temporary siblings of `destination`.
    public static func temporaryPrefix(for destination: URL) -> String {
        ".\(destination.standardizedFileURL.lastPathComponent).tmp-"
    }

    /// Creates a new, empty temporary sibling of `destination` (and its parent), first removing siblings left by
    /// processes that are gone.
    public static func create(for destination: URL) throws -> URL {
        let parent = destination.standardizedFileURL.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        removeStaleTemporaryDirectories(for: destination)
        let temporary = parent.appendingPathComponent("\(temporaryPrefix(for: destination))\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: false)
        return temporary
    }

    /// Renames `temporary` to `destination`, moving an earlier directory aside first and removing it after; if
    /// the final rename fails, the earlier directory is put back.
    public static func moveIntoPlace(_ temporary: URL, destination: URL) throws {
        let manager = FileManager.default
        guard manager.fileExists(atPath: destination.path) else {
            try manager.moveItem(at: temporary, to: destination)
            return
        }
        let old = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).old-\(getpid())")
        try? manager.removeItem(at: old)
        try manager.moveItem(at: destination, to: old)
        do {
            try manager.moveItem(at: temporary, to: destination)
        } catch {
            try? manager.moveItem(at: old, to: destination)
            throw error
        }
        try? manager.removeItem(at: old)
    }

    /// Names for an error message: sorted, at most five, then how many more.
    public static func listing(_ names: [String]) -> String {
        let sorted = names.sorted()
        let shown = sorted.prefix(5).joined(separator: ", ")
        return sorted.count > 5 ? "\(shown) and \(sorted.count - 5) more" : shown
    }

    /// Removes the temporary siblings of `destination` left by `process` (for a Ctrl-C handler).
    public static func removeTemporaryDirectories(for destination: URL, process: Int32 = getpid()) {
        let parent = destination.standardizedFileURL.deletingLastPathComponent()
        let prefix = temporaryPrefix(for: destination) + "\(process)-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? [] where name.hasPrefix(prefix) {
            try? FileManager.default.removeItem(at: parent.appendingPathComponent(name))
        }
    }

    /// Removes the temporary siblings of `destination` whose process is gone (a killed earlier run).
    static func removeStaleTemporaryDirectories(for destination: URL) {
        let parent = destination.standardizedFileURL.deletingLastPathComponent()
        let prefix = temporaryPrefix(for: destination)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? [] where name.hasPrefix(prefix) {
            let pidText = name.dropFirst(prefix.count).prefix { $0 != "-" }
            if let pid = Int32(pidText), kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(at: parent.appendingPathComponent(name))
            }
        }
    }
}
