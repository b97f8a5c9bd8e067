import Foundation

/// Raw little-endian arrays on disk (`.i32`, `.i64`, `.f64`, `.u8`): numpy reads them with
/// `np.fromfile(path, dtype='<i4')`, and loading is one copy.
enum BinaryArrayFile {
    static func write<Element: FixedWidthInteger>(_ array: [Element], to url: URL) throws {
        #if _endian(big)
        let array = array.map { $0.littleEndian }
        #endif
        try array.withUnsafeBytes { try Data($0).write(to: url) }
    }

    static func write(_ array: [Double], to url: URL) throws {
        #if _endian(big)
        precondition(false, "Big-endian hosts are not supported for dataset files.")
        #endif
        try array.withUnsafeBytes { try Data($0).write(to: url) }
    }

    /// Reads `url` as an array of `Element`, checking that it holds exactly `count` elements.
    static func read<Element>(_ url: URL, as type: Element.Type, count: Int) throws -> [Element] {
        guard FileManager.default.fileExists(atPath: url.path) else { throw DatasetError.missingFile(path: url.path) }
        let file = try MappedFile(url: url)
        let stride = MemoryLayout<Element>.stride
        guard file.bytes.count == count * stride else {
            throw DatasetError.corrupt(
                path: url.path, reason: "expected \(count) values (\(count * stride) bytes), found \(file.bytes.count) bytes")
        }
        return [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 {
                UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: file.bytes.baseAddress!, byteCount: count * stride)
            }
            initialized = count
        }
    }
}

/// Why a dataset directory could not be loaded or written.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    case notADataset(path: String)
    case unsupportedFormatVersion(path: String, found: Int, supported: Int)
    case missingFile(path: String)
    case corrupt(path: String, reason: String)

    public var description: String {
        switch self {
        case .notADataset(let path): return "\(path): not a mind dataset directory (no valid manifest.json); run `mind prepare` first"
        case .unsupportedFormatVersion(let path, let found, let supported):
            return "\(path): dataset format version \(found) is not supported (this build reads version \(supported)); prepare it again"
        case .missingFile(let path): return "\(path): missing file of the dataset"
        case .corrupt(let path, let reason): return "\(path): \(reason)"
        }
    }
}
