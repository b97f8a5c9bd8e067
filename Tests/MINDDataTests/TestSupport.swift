import Foundation
@testable import MINDData

/// A fresh temporary directory per test, removed by `cleanup()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("mind-data-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Writes `text` (UTF-8) to `name` and returns its URL.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> URL {
        try write(name, bytes: Array(text.utf8))
    }

    @discardableResult
    func write(_ name: String, bytes: [UInt8]) throws -> URL {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file
    }

    func path(_ name: String) -> URL { url.appendingPathComponent(name) }

    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// Expects `body` to throw a `DataReadError` and returns it.
func readError(_ body: () throws -> Void) -> DataReadError? {
    do {
        try body()
        return nil
    } catch let error as DataReadError {
        return error
    } catch {
        return nil
    }
}

extension InteractionTable {
    /// Rows as (user id, item id) strings, for comparisons.
    var pairs: [[String]] { (0..<rowCount).map { [userIds[Int(users[$0])], itemIds[Int(items[$0])]] } }
}
