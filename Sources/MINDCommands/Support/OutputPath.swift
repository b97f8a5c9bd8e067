import ArgumentParser
import Foundation

/// Refuses, before any work, an output file (given as `option`) whose directory is missing or that is a directory.
func checkOutputPath(_ path: String, option: String) throws {
    var isDirectory: ObjCBool = false
    let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
    guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw ValidationError("\(option) \(path): the directory \(parent) does not exist")
    }
    guard !(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue) else {
        throw ValidationError("\(option) \(path) is a directory")
    }
}
