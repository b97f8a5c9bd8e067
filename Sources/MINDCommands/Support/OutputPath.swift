import ArgumentParser
import Foundation
import MINDCore

/// An input of a command, named as the user gave it: `(option, path)`, the path nil when the option was not given.
typealias CommandInput = (option: String, path: String?)

/// Refuses, before any work, an output file (given as `option`) whose directory is missing or not a directory,
/// that is a directory, or that is one of `inputs` or lies inside one (a file of a model or dataset directory):
/// writing it would destroy what the command reads. Links are followed on both sides.
func checkOutputPath(_ path: String, option: String, inputs: [CommandInput] = []) throws {
    var isDirectory: ObjCBool = false
    let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
    guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory) else {
        throw ValidationError("\(option) \(path): the directory \(parent) does not exist")
    }
    guard isDirectory.boolValue else { throw ValidationError("\(option) \(path): \(parent) is a file, not a directory") }
    guard !(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue) else {
        throw ValidationError("\(option) \(path) is a directory")
    }
    try checkOutputIsNoInput(path, option: option, inputs: inputs)
}

/// Refuses an output directory (given as `option`) that is one of `inputs`, lies inside one, or holds one:
/// replacing it would destroy what the command reads.
func checkOutputDirectory(_ path: String, option: String, inputs: [CommandInput]) throws {
    // The directory, or the nearest of its parents that exists, must be a directory.
    var existing = URL(fileURLWithPath: path).standardizedFileURL
    while !FileManager.default.fileExists(atPath: existing.path) && existing.path != "/" { existing.deleteLastPathComponent() }
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: existing.path, isDirectory: &isDirectory), !isDirectory.boolValue {
        throw ValidationError("\(option) \(path): \(existing.path) is a file, not a directory")
    }
    try checkOutputIsNoInput(path, option: option, inputs: inputs)
    for (inputOption, input) in inputs {
        guard let input, FilePaths.isSameOrInside(input, path) else { continue }
        throw ValidationError("\(option) \(path) holds \(inputOption) \(input), which replacing it would delete")
    }
}

private func checkOutputIsNoInput(_ path: String, option: String, inputs: [CommandInput]) throws {
    for (inputOption, input) in inputs {
        guard let input, FilePaths.isSameOrInside(path, input) else { continue }
        let relation = FilePaths.isSameOrInside(input, path) ? "is" : "lies inside"
        throw ValidationError("\(option) \(path) \(relation) \(inputOption) \(input): choose an output that is not an input")
    }
}
