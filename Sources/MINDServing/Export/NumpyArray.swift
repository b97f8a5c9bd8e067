#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import MINDData

/// A dense C-ordered array in NumPy's `.npy` format, version 1.0: what `np.load` reads and `np.save` writes.
///
/// Only the two element types the export needs: float32 (`<f4`) and bool (`|b1`). The writer pads the
/// header so the data starts at a multiple of 64 bytes (as NumPy does); the reader checks every size
/// against the real file length before allocating, so a malformed file is a typed error, never a crash.
public struct NumpyArray: Sendable, Equatable {
    /// The element types supported, by their NumPy `descr`.
    public enum ElementType: String, Sendable, Equatable {
        /// Little-endian IEEE float32.
        case float32 = "<f4"
        /// One byte per element, 0 or 1.
        case bool = "|b1"

        /// Bytes per element.
        public var size: Int { self == .float32 ? 4 : 1 }
    }

    /// The values, flattened in C (row-major) order.
    public enum Values: Sendable, Equatable {
        case float32([Float])
        case bool([Bool])
    }

    /// The array's dimensions, outermost first (empty for a scalar).
    public let shape: [Int]
    /// The flattened values; their count is the product of `shape`.
    public let values: Values

    /// Wraps float32 values of the given shape.
    public init(_ values: [Float], shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 } && values.count == shape.reduce(1, *),
                     "A \(shape) array needs \(shape.reduce(1, *)) values, not \(values.count).")
        self.shape = shape
        self.values = .float32(values)
    }

    /// Wraps bool values of the given shape.
    public init(_ values: [Bool], shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 } && values.count == shape.reduce(1, *),
                     "A \(shape) array needs \(shape.reduce(1, *)) values, not \(values.count).")
        self.shape = shape
        self.values = .bool(values)
    }

    /// The element type of `values`.
    public var elementType: ElementType {
        if case .float32 = values { return .float32 }
        return .bool
    }

    /// The values as floats, or nil for a bool array.
    public var floats: [Float]? {
        if case .float32(let floats) = values { return floats }
        return nil
    }

    /// The values as bools, or nil for a float32 array.
    public var bools: [Bool]? {
        if case .bool(let bools) = values { return bools }
        return nil
    }

    // MARK: - Writing

    /// The version 1.0 preamble and header for `type` and `shape`, padded with spaces and ended by a newline
    /// so that its length is a multiple of 64.
    public static func header(_ type: ElementType, shape: [Int]) -> [UInt8] {
        let dimensions = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dictionary = Array("{'descr': '\(type.rawValue)', 'fortran_order': False, 'shape': \(dimensions), }".utf8)
        let unpadded = NumpyFormat.preambleSize + dictionary.count + 1
        dictionary += [UInt8](repeating: UInt8(ascii: " "), count: (64 - unpadded % 64) % 64)
        dictionary.append(UInt8(ascii: "\n"))
        precondition(dictionary.count <= Int(UInt16.max), "A .npy 1.0 header cannot hold a \(shape.count)-dimensional shape.")
        let length = UInt16(dictionary.count)
        return NumpyFormat.magic + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + dictionary
    }

    /// Writes this array to `url` (replacing it); the caller renames into place when atomicity matters.
    public func write(to url: URL) throws {
        let writer = try NumpyFileWriter(url: url, type: elementType, shape: shape)
        switch values {
        case .float32(let floats): try floats.withUnsafeBytes { try writer.append($0) }
        case .bool(let bools): try bools.map { $0 ? UInt8(1) : 0 }.withUnsafeBytes { try writer.append($0) }
        }
        try writer.finish()
    }

    // MARK: - Reading

    /// Reads the `.npy` file at `url`, checking magic, version, header, element type and size.
    public static func read(from url: URL) throws -> NumpyArray {
        let file: MappedFile
        do {
            file = try MappedFile(url: url)
        } catch {
            throw NumpyFormatError.cannotRead(file: url.path, reason: "\(error)")
        }
        return try decode(file.bytes, file: url.path)
    }

    /// Decodes the bytes of a whole `.npy` file; `file` names it in errors.
    public static func decode(_ bytes: UnsafeRawBufferPointer, file: String) throws -> NumpyArray {
        let header = try NumpyFormat.parseHeader(bytes, file: file)
        let count = try NumpyFormat.elementCount(header.shape, elementSize: header.type.size, file: file)
        let available = bytes.count - header.dataOffset
        guard available == count * header.type.size else {
            throw NumpyFormatError.dataLengthMismatch(file: file, shape: header.shape, expectedBytes: count * header.type.size, foundBytes: available)
        }
        let data = UnsafeRawBufferPointer(rebasing: bytes[header.dataOffset...])
        switch header.type {
        case .float32:
            var floats = [Float](repeating: 0, count: count)
            floats.withUnsafeMutableBytes { $0.copyMemory(from: data) }
            #if _endian(big)
            floats = floats.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
            #endif
            return NumpyArray(floats, shape: header.shape)
        case .bool:
            var bools = [Bool](repeating: false, count: count)
            for (index, byte) in data.enumerated() {
                guard byte <= 1 else { throw NumpyFormatError.invalidBool(file: file, element: index, byte: byte) }
                bools[index] = byte == 1
            }
            return NumpyArray(bools, shape: header.shape)
        }
    }
}

/// Streams one `.npy` file: the header first, then the data in as many pieces as the caller likes, so a
/// large matrix is never held twice in memory. `finish` checks that exactly the declared size was written.
public final class NumpyFileWriter {
    /// The file being written.
    public let url: URL
    private let descriptor: Int32
    private var remaining: Int
    private var closed = false

    /// Creates (or truncates) `url` and writes the header for `type` and `shape`.
    public init(url: URL, type: NumpyArray.ElementType, shape: [Int]) throws {
        self.url = url
        remaining = try NumpyFormat.elementCount(shape, elementSize: type.size, file: url.path) * type.size
        descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw NumpyFormatError.writeFailed(file: url.path, reason: String(cString: strerror(errno))) }
        let header = NumpyArray.header(type, shape: shape)
        do {
            try header.withUnsafeBytes { try writeAll($0) }
        } catch {
            close(descriptor)
            closed = true
            throw error
        }
    }

    deinit {
        if !closed { close(descriptor) }
    }

    /// Appends raw little-endian element bytes.
    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(!closed, "A finished .npy writer cannot take more data.")
        precondition(bytes.count <= remaining, "\(url.path): \(bytes.count) more bytes would exceed the declared shape.")
        remaining -= bytes.count
        try writeAll(bytes)
    }

    /// Appends float32 values.
    public func append(_ floats: [Float]) throws {
        #if _endian(big)
        let floats = floats.map { Float(bitPattern: $0.bitPattern.littleEndian) }
        #endif
        try floats.withUnsafeBytes { try append($0) }
    }

    /// Closes the file; the data written must fill the declared shape exactly.
    public func finish() throws {
        precondition(remaining == 0, "\(url.path): \(remaining) bytes of the declared shape were never written.")
        closed = true
        guard close(descriptor) == 0 else { throw NumpyFormatError.writeFailed(file: url.path, reason: String(cString: strerror(errno))) }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, base + offset, min(bytes.count - offset, 1 << 26))
            if written < 0 {
                if errno == EINTR { continue }
                throw NumpyFormatError.writeFailed(file: url.path, reason: String(cString: strerror(errno)))
            }
            offset += written
        }
    }
}
