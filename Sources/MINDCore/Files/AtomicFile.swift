import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes files so that readers see either the old file or the whole new one, never a part: the bytes go to a
/// temporary sibling that is renamed over the destination. Every output file of the project is written here, so
/// that what a destination *is* gets one treatment:
/// - a symbolic link is followed, and its target replaced (the link stays a link);
/// - a FIFO, a device or a socket (`/dev/stdout`, a pipe someone reads) is written through, not replaced, and a
///   write it refuses (`/dev/full`) is an error, never a success;
/// - on any failure the temporary file is removed and the destination is as it was.
public enum AtomicFile {
    /// Writes `data` to `url`.
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { try $0.write(contentsOf: data) }
    }

    /// Runs `produce` on a handle to write into (a temporary file, or the FIFO or device itself), then puts the file
    /// in place.
    public static func write(to url: URL, _ produce: (FileHandle) throws -> Void) throws {
        let destination = try FilePaths.followingLinks(url)
        if FilePaths.isSpecialFile(destination) {
            guard let handle = FileHandle(forWritingAtPath: destination.path) else {
                throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: url.path])
            }
            defer { try? handle.close() }
            try produce(handle)
            return
        }
        let directory = destination.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(destination.lastPathComponent).tmp-\(getpid())")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
              let handle = FileHandle(forWritingAtPath: temporary.path) else {
            let reason = String(cString: strerror(errno))
            throw CocoaError(.fileWriteUnknown, userInfo: [
                NSFilePathErrorKey: url.path, NSLocalizedDescriptionKey: "cannot create a file in \(directory.path): \(reason)",
            ])
        }
        do {
            defer { try? handle.close() }
            try produce(handle)
        } catch {
            try? FileManager.default.removeItem(at: temporary)  // a write that stopped halfway leaves nothing
            throw error
        }
        // rename(2) replaces the destination atomically on POSIX file systems.
        if rename(temporary.path, destination.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [
                NSFilePathErrorKey: url.path, NSLocalizedDescriptionKey: "cannot move \(temporary.path) into place: \(reason)",
            ])
        }
    }
}

/// What a path names once links are followed, for writers (`AtomicFile`) and for the commands' check that an
/// output is not one of their inputs.
public enum FilePaths {
    /// `url` with every symbolic link followed (in the path's directories and at its end), whether or not the final
    /// file exists yet. A loop of links is an error.
    public static func followingLinks(_ url: URL) throws -> URL {
        var current = url.standardizedFileURL
        for _ in 0..<40 {
            // The directories first (realpath needs an existing path), then the last component.
            let parent = current.deletingLastPathComponent()
            let resolvedParent = realpath(parent.path, nil).map { pointer -> URL in
                defer { free(pointer) }
                return URL(fileURLWithPath: String(cString: pointer), isDirectory: true)
            } ?? parent
            current = resolvedParent.appendingPathComponent(current.lastPathComponent)
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: current.path) else { return current }
            current = target.hasPrefix("/")
                ? URL(fileURLWithPath: target) : resolvedParent.appendingPathComponent(target).standardizedFileURL
        }
        throw CocoaError(.fileReadUnknown, userInfo: [
            NSFilePathErrorKey: url.path, NSLocalizedDescriptionKey: "too many levels of symbolic links",
        ])
    }

    /// Whether `url` exists and is neither a regular file nor a directory (a FIFO, a device, a socket).
    public static func isSpecialFile(_ url: URL) -> Bool {
        var status = stat()
        guard stat(url.path, &status) == 0 else { return false }
        let kind = status.st_mode & S_IFMT
        return kind != S_IFREG && kind != S_IFDIR
    }

    /// Whether `path` is `other` or lies inside the directory `other`, links followed on both.
    public static func isSameOrInside(_ path: String, _ other: String) -> Bool {
        guard let inner = try? followingLinks(URL(fileURLWithPath: path)).path,
              let outer = try? followingLinks(URL(fileURLWithPath: other)).path else { return false }
        return inner == outer || inner.hasPrefix(outer.hasSuffix("/") ? outer : outer + "/")
    }
}
