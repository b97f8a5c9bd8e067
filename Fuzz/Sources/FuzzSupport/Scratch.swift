import Foundation

/// A directory private to this fuzzing process, emptied before each input, where inputs become files
/// for readers that take a URL.
public enum Scratch {
    /// Created once per process (under /dev/shm when present: no disk traffic per execution). libFuzzer ends
    /// crashing and fork-mode child processes without running `atexit`, so directories of dead processes go here.
    public static let directory: URL = {
        let parent = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where name.hasPrefix("mind-fuzz-") {
            if let process = Int32(name.dropFirst("mind-fuzz-".count)), kill(process, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: parent + "/" + name)
            }
        }
        let url = URL(fileURLWithPath: parent).appendingPathComponent("mind-fuzz-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: url)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: Scratch.directory) }
        return url
    }()

    /// Removes whatever the previous input left in `directory`.
    public static func clear() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names { try? FileManager.default.removeItem(at: directory.appendingPathComponent(name)) }
    }

    /// Writes `bytes` to `name` in a freshly emptied scratch directory and returns its URL.
    public static func file(named name: String, bytes: UnsafeRawBufferPointer) -> URL {
        clear()
        let url = directory.appendingPathComponent(name)
        _ = FileManager.default.createFile(atPath: url.path, contents: Data(bytes))
        return url
    }
}
