import Foundation
import MINDCore

/// Reads and writes the safetensors format (8-byte little-endian header length, a JSON
/// header of name -> dtype, shape, byte offsets, then raw little-endian data), so that
/// Python's `safetensors.numpy.load_file` opens our weights as they are.
public enum SafeTensors {
    /// Writes `tensors` as F32 with string `metadata`, atomically (temporary file, then rename).
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to url: URL) throws {
        let names = tensors.keys.sorted()
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for name in names {
            let tensor = tensors[name]!
            let bytes = tensor.count * 4
            header[name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        var headerData = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad with spaces so the data starts 8-byte aligned (allowed by the format).
        while (8 + headerData.count) % 8 != 0 { headerData.append(0x20) }
        var file = Data(capacity: 8 + headerData.count + offset)
        var length = UInt64(headerData.count).littleEndian
        withUnsafeBytes(of: &length) { file.append(contentsOf: $0) }
        file.append(headerData)
        for name in names {
            tensors[name]!.storage.withUnsafeBufferPointer { file.append(UnsafeBufferPointer(start: $0.baseAddress, count: $0.count)) }
        }
        try AtomicFile.write(file, to: url)
    }

    /// Reads every tensor (F32 only) and the metadata of a safetensors file.
    public static func read(from url: URL) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw SafeTensorsError.unreadable(url.path, error.localizedDescription)
        }
        guard data.count >= 8 else { throw SafeTensorsError.malformed(url.path, "file shorter than its 8-byte header length") }
        let headerLength = data.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        guard headerLength <= data.count - 8 else { throw SafeTensorsError.malformed(url.path, "header length \(headerLength) exceeds the file") }
        let headerData = data.subdata(in: 8..<(8 + headerLength))
        guard let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw SafeTensorsError.malformed(url.path, "header is not a JSON object")
        }
        let base = 8 + headerLength
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                metadata = value as? [String: String] ?? [:]
                continue
            }
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2
            else { throw SafeTensorsError.malformed(url.path, "tensor '\(name)' has an incomplete header entry") }
            guard dtype == "F32" else { throw SafeTensorsError.malformed(url.path, "tensor '\(name)' has dtype \(dtype); only F32 is supported") }
            let count = shape.elementCount
            guard offsets[1] - offsets[0] == count * 4, base + offsets[1] <= data.count, offsets[0] >= 0 else {
                throw SafeTensorsError.malformed(url.path, "tensor '\(name)' offsets \(offsets) do not match shape \(shape)")
            }
            var storage = [Float](repeating: 0, count: count)
            _ = storage.withUnsafeMutableBytes { destination in
                data.copyBytes(to: destination, from: (base + offsets[0])..<(base + offsets[1]))
            }
            tensors[name] = Tensor(shape: shape, storage: storage)
        }
        return (tensors, metadata)
    }
}

/// Problems reading a safetensors file.
public enum SafeTensorsError: Error, CustomStringConvertible {
    case unreadable(String, String)
    case malformed(String, String)
    case missingTensor(String, String)
    case shapeMismatch(String, String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "\(path): cannot read (\(reason))"
        case .malformed(let path, let reason): return "\(path): not a valid safetensors file: \(reason)"
        case .missingTensor(let path, let name): return "\(path): has no tensor '\(name)'"
        case .shapeMismatch(let path, let name, let expected, let found):
            return "\(path): tensor '\(name)' has shape \(found), the model expects \(expected)"
        }
    }
}

/// Writes files so that readers see either the old file or the whole new one, never a part.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        try data.write(to: temporary)
        // rename(2) replaces the destination atomically on POSIX file systems.
        if rename(temporary.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path, NSLocalizedDescriptionKey: "cannot move \(temporary.path) into place: \(reason)"])
        }
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

    /// Loads every parameter's value by name, checking shapes; nothing changes on error.
    public func load(from url: URL) throws {
        let (tensors, _) = try SafeTensors.read(from: url)
        for parameter in self {
            guard let tensor = tensors[parameter.name] else { throw SafeTensorsError.missingTensor(url.path, parameter.name) }
            guard tensor.shape == parameter.shape else {
                throw SafeTensorsError.shapeMismatch(url.path, parameter.name, expected: parameter.shape, found: tensor.shape)
            }
        }
        for parameter in self { parameter.value = tensors[parameter.name]! }
    }
}
