import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Raw little-endian arrays on disk (`.i32`, `.i64`, `.f64`, `.u8`): numpy reads them with
/// `np.fromfile(path, dtype='<i4')`, and loading is one copy.
enum BinaryArrayFile {
    static func write<Element: FixedWidthInteger>(_ array: [Element], to url: URL) throws {
        #if _endian(big)
        let array = array.map { $0.littleEndian }
        #endif
        try array.withUnsafeBytes { try writeBytes($0, to: url) }
    }

    static func write(_ array: [Double], to url: URL) throws {
        #if _endian(big)
        precondition(false, "Big-endian hosts are not supported for dataset files.")
        #endif
        try array.withUnsafeBytes { try writeBytes($0, to: url) }
    }

    /// Writes straight from memory (no intermediate Data copy of a large array).
    static func writeBytes(_ bytes: UnsafeRawBufferPointer, to url: URL) throws {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw PrepareError.writeFailed(path: url.path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, min(bytes.count - offset, 1 << 26))
            if written < 0 {
                if errno == EINTR { continue }
                throw PrepareError.writeFailed(path: url.path, reason: String(cString: strerror(errno)))
            }
            offset += written
        }
    }

    /// Reads `url` as an array of `Element`. The element count comes from the file's size and must equal
    /// `count` (what the manifest field `countField` promises), so nothing is allocated from an unchecked count.
    static func read<Element>(_ url: URL, as type: Element.Type, count: Int, countField: String) throws -> [Element] {
        guard FileManager.default.fileExists(atPath: url.path) else { throw DatasetError.missingFile(path: url.path) }
        let file: MappedFile
        do { file = try MappedFile(url: url) } catch {
            throw DatasetError.corrupt(path: url.path, reason: "cannot read: \(error)")
        }
        let stride = MemoryLayout<Element>.stride
        guard file.bytes.count % stride == 0 else {
            throw DatasetError.invalidField(
                path: url.path, field: "length",
                reason: "\(file.bytes.count) bytes is not a whole number of \(stride)-byte values (truncated?)")
        }
        let found = file.bytes.count / stride
        guard found == count else {
            throw DatasetError.invalidField(
                path: url.path, field: "length", reason: "holds \(found) values, but \(countField) says \(count)")
        }
        return [Element](unsafeUninitializedCapacity: found) { buffer, initialized in
            if found > 0 {
                UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: file.bytes.baseAddress!, byteCount: found * stride)
            }
            initialized = found
        }
    }
}

/// Why a dataset directory could not be loaded or written.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    case notADataset(path: String)
    case unsupportedFormatVersion(path: String, found: Int, supported: Int)
    case missingFile(path: String)
    case corrupt(path: String, reason: String)
    /// One field of a file is wrong: a manifest key (`counts.items`), an array element (`element 17`), a line.
    case invalidField(path: String, field: String, reason: String)

    public var description: String {
        switch self {
        case .notADataset(let path): return "\(path): not a mind dataset directory (no valid manifest.json); run `mind prepare` first"
        case .unsupportedFormatVersion(let path, let found, let supported):
            return "\(path): dataset format version \(found) is not supported (this build reads version \(supported)); prepare it again"
        case .missingFile(let path): return "\(path): missing file of the dataset"
        case .corrupt(let path, let reason): return "\(path): \(reason)"
        case .invalidField(let path, let field, let reason): return "\(path): \(field): \(reason)"
        }
    }
}
