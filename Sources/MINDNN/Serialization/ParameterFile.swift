import Foundation
import MINDCore

/// Problems reading a safetensors file; each names the file, and the tensor when it is about one.
public enum SafeTensorsError: Error, CustomStringConvertible, Equatable {
    case unreadable(String, String)
    case malformed(String, String)
    /// The 8-byte header length is beyond `SafeTensors.maximumHeaderLength`.
    case headerTooLarge(String, length: UInt64, limit: Int)
    /// The 8-byte header length is beyond the end of the file.
    case headerExceedsFile(String, length: UInt64, fileSize: Int)
    /// A header entry that is wrong on its own: dtype, shape or offsets (file, tensor, reason).
    case invalidTensor(String, String, String)
    /// Two tensors share bytes (file, first, second by offset).
    case overlappingTensors(String, String, String)
    /// Bytes of the data region that belong to no tensor (file, tensor before, tensor after, byte count).
    case gap(String, after: String?, before: String?, bytes: Int)
    case missingTensor(String, String)
    case shapeMismatch(String, String, expected: [Int], found: [Int])
    /// A tensor the model does not have, when extra tensors are refused.
    case unexpectedTensor(String, String)
    /// A NaN or infinite value (file, tensor, flat index, index per dimension, the value as text).
    case nonFinite(String, String, index: Int, coordinates: [Int], value: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "\(path): cannot read (\(reason))"
        case .malformed(let path, let reason): return "\(path): not a valid safetensors file: \(reason)"
        case .headerTooLarge(let path, let length, let limit):
            return "\(path): not a valid safetensors file: header length \(length) is over the limit of \(limit) bytes"
        case .headerExceedsFile(let path, let length, let fileSize):
            return "\(path): not a valid safetensors file: header length \(length) runs past the end of the \(fileSize)-byte file"
        case .invalidTensor(let path, let name, let reason):
            return "\(path): not a valid safetensors file: tensor '\(name)': \(reason)"
        case .overlappingTensors(let path, let first, let second):
            return "\(path): not a valid safetensors file: tensors '\(first)' and '\(second)' overlap in data_offsets"
        case .gap(let path, let after, let before, let bytes):
            let place: String
            switch (after, before) {
            case (let after?, let before?): place = "between tensors '\(after)' and '\(before)'"
            case (nil, let before?): place = "before tensor '\(before)'"
            case (let after?, nil): place = "after tensor '\(after)', at the end of the file"
            case (nil, nil): place = "in a file without tensors"
            }
            return "\(path): not a valid safetensors file: \(bytes) bytes \(place) belong to no tensor (data_offsets must tile the data)"
        case .missingTensor(let path, let name): return "\(path): has no tensor '\(name)'"
        case .shapeMismatch(let path, let name, let expected, let found):
            return "\(path): tensor '\(name)' has shape \(found), the model expects \(expected)"
        case .unexpectedTensor(let path, let name): return "\(path): tensor '\(name)' is not a parameter of this model"
        case .nonFinite(let path, let name, let index, let coordinates, let value):
            return "\(path): tensor '\(name)' holds \(value) at index \(index) \(coordinates); weights must be finite"
        }
    }

    /// The same error about the file at `path` (the header decoder does not know the path).
    func inFile(_ path: String) -> SafeTensorsError {
        switch self {
        case .invalidTensor(_, let name, let reason): return .invalidTensor(path, name, reason)
        default: return self
        }
    }
}

/// What loading parameters does with tensors in the file that are not among the parameters.
public enum ExtraTensors: Sendable {
    /// Skip them: the file may hold more than this set of parameters (a part of a model).
    case ignore
    /// Refuse the file: it was written for another model.
    case reject
}

extension SafeTensors {
    /// Throws `nonFinite` for the first NaN or infinite value of `tensor`, named `name` in the file at `path`.
    public static func checkFinite(_ tensor: Tensor, name: String, path: String) throws {
        let bad = tensor.storage.withUnsafeBufferPointer { values -> Int? in
            for index in 0..<values.count where !values[index].isFinite { return index }
            return nil
        }
        guard let bad else { return }
        var coordinates = [Int](repeating: 0, count: tensor.shape.count)
        var rest = bad
        for dimension in tensor.shape.indices.reversed() where tensor.shape[dimension] > 0 {
            coordinates[dimension] = rest % tensor.shape[dimension]
            rest /= tensor.shape[dimension]
        }
        throw SafeTensorsError.nonFinite(path, name, index: bad, coordinates: coordinates, value: "\(tensor.storage[bad])")
    }
}

extension Array where Element == Parameter {
    /// Saves the parameters' values by name.
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        var tensors: [String: Tensor] = [:]
        for parameter in self {
            precondition(tensors[parameter.name] == nil, "Two parameters are named '\(parameter.name)'.")
            tensors[parameter.name] = parameter.value
        }
        try SafeTensors.write(tensors, metadata: metadata, to: url)
    }

    /// Loads every parameter's value by name; nothing changes on error. Every parameter must be in the file
    /// with its shape and finite values (NaN weights would rank nothing); `extraTensors` says whether tensors
    /// that are no parameter are skipped (the default, so a part of a model can be loaded) or refused.
    public func load(from url: URL, extraTensors: ExtraTensors = .ignore) throws {
        let (tensors, _) = try SafeTensors.read(from: url)
        for parameter in self {
            guard let tensor = tensors[parameter.name] else { throw SafeTensorsError.missingTensor(url.path, parameter.name) }
            guard tensor.shape == parameter.shape else {
                throw SafeTensorsError.shapeMismatch(url.path, parameter.name, expected: parameter.shape, found: tensor.shape)
            }
            try SafeTensors.checkFinite(tensor, name: parameter.name, path: url.path)
        }
        if extraTensors == .reject {
            let names = Set(map(\.name))
            if let extra = tensors.keys.sorted().first(where: { !names.contains($0) }) {
                throw SafeTensorsError.unexpectedTensor(url.path, extra)
            }
        }
        for parameter in self { parameter.value = tensors[parameter.name]! }
    }
}
