import Foundation
import MINDCore
import MINDJSON

/// Reads and writes the safetensors format (8-byte little-endian header length, a JSON
/// header of name -> dtype, shape, byte offsets, then raw little-endian data), so that
/// Python's `safetensors.numpy.load_file` opens our weights as they are.
///
/// Files come from other machines, so reading checks everything before it allocates or copies:
/// the header length against the file size (and `maximumHeaderLength`), every entry's dtype, shape
/// and offsets, and that the tensors tile the data region exactly (no overlap, no gap), as the format requires.
public enum SafeTensors {
    /// The largest JSON header read (the reference implementation's limit, 100 MB).
    public static let maximumHeaderLength = 100_000_000

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

    /// One tensor's entry in the header, checked against the file: F32, its byte range inside the data region.
    public struct Entry: Equatable, Sendable {
        public var name: String
        public var shape: [Int]
        /// Byte range relative to the start of the data region.
        public var range: Range<Int>
    }

    /// Reads every tensor (F32 only) and the metadata of a safetensors file.
    public static func read(from url: URL) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let data = try contents(of: url)
        let (entries, metadata, base) = try layout(of: data, path: url.path)
        var tensors: [String: Tensor] = [:]
        for entry in entries {
            // The layout check guarantees range.count == elements * 4 and that the range is inside the file.
            var storage = [Float](repeating: 0, count: entry.range.count / 4)
            _ = storage.withUnsafeMutableBytes { destination in
                data.copyBytes(to: destination, from: (base + entry.range.lowerBound)..<(base + entry.range.upperBound))
            }
            tensors[entry.name] = Tensor(shape: entry.shape, storage: storage)
        }
        return (tensors, metadata)
    }

    /// The checked header of a safetensors file (names, shapes, byte ranges and metadata), without reading
    /// the data: lets a caller compare shapes before it builds anything as large as the file says.
    public static func header(of url: URL) throws -> (entries: [Entry], metadata: [String: String]) {
        let (entries, metadata, _) = try layout(of: contents(of: url), path: url.path)
        return (entries, metadata)
    }

    static func contents(of url: URL) throws -> Data {
        // Mapped, so a large file costs no allocation until its tensors are copied out.
        do { return try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw SafeTensorsError.unreadable(url.path, error.localizedDescription)
        }
    }

    /// Parses and checks the header of `data`; returns the entries sorted by offset and where the data region starts.
    static func layout(of data: Data, path: String) throws -> (entries: [Entry], metadata: [String: String], dataStart: Int) {
        guard data.count >= 8 else { throw SafeTensorsError.malformed(path, "file of \(data.count) bytes is shorter than its 8-byte header length") }
        let declared = data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        // Compared as UInt64 before any conversion to Int or allocation: the prefix may be anything.
        guard declared <= UInt64(maximumHeaderLength) else {
            throw SafeTensorsError.headerTooLarge(path, length: declared, limit: maximumHeaderLength)
        }
        guard declared <= UInt64(data.count - 8) else {
            throw SafeTensorsError.headerExceedsFile(path, length: declared, fileSize: data.count)
        }
        let headerLength = Int(declared)
        let dataStart = 8 + headerLength
        let regionSize = data.count - dataStart
        let header: Header
        do { header = try StrictJSON.decode(Header.self, from: data[8..<dataStart]) } catch let error as SafeTensorsError {
            throw error.inFile(path)
        } catch let error as JSONSyntaxError {
            throw SafeTensorsError.malformed(path, "header is \(error)")
        } catch let error as DecodingError {
            throw SafeTensorsError.malformed(path, "header is not a JSON object of tensor entries (\(JSONProblem.describe(error)))")
        }
        var entries: [Entry] = []
        entries.reserveCapacity(header.entries.count)
        for raw in header.entries {
            entries.append(try raw.checked(regionSize: regionSize, path: path))
        }
        entries.sort { ($0.range.lowerBound, $0.range.upperBound, $0.name) < ($1.range.lowerBound, $1.range.upperBound, $1.name) }
        // The tensors must tile the data region: each starts where the previous ended, the last ends at the file's end.
        var end = 0
        var previous: String?
        for entry in entries {
            if entry.range.lowerBound < end {
                throw SafeTensorsError.overlappingTensors(path, previous ?? "", entry.name)
            }
            if entry.range.lowerBound > end {
                throw SafeTensorsError.gap(path, after: previous, before: entry.name, bytes: entry.range.lowerBound - end)
            }
            end = entry.range.upperBound
            previous = entry.name
        }
        guard end == regionSize else { throw SafeTensorsError.gap(path, after: previous, before: nil, bytes: regionSize - end) }
        return (entries, header.metadata, dataStart)
    }

    /// The JSON header as written: `__metadata__` (string -> string) and one entry per tensor.
    struct Header: Decodable {
        var entries: [RawEntry] = []
        var metadata: [String: String] = [:]

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            for key in container.allKeys {
                if key.stringValue == "__metadata__" {
                    do { metadata = try container.decode([String: String].self, forKey: key) } catch {
                        throw SafeTensorsError.invalidTensor("", "__metadata__", "must map strings to strings")
                    }
                    continue
                }
                do { entries.append(try container.decode(RawEntry.self, forKey: key).named(key.stringValue)) } catch let error as DecodingError {
                    throw SafeTensorsError.invalidTensor("", key.stringValue, """
                        entry needs "dtype" (a string), "shape" and "data_offsets" (lists of integers): \
                        \(JSONProblem.describe(error))
                        """)
                }
            }
        }
    }

    /// A header entry before it is checked against the file.
    struct RawEntry: Decodable {
        var name = ""
        var dtype: String
        var shape: [Int]
        var dataOffsets: [Int]

        enum CodingKeys: String, CodingKey {
            case dtype, shape
            case dataOffsets = "data_offsets"
        }

        func named(_ name: String) -> RawEntry {
            var copy = self
            copy.name = name
            return copy
        }

        /// Checks dtype, shape and offsets against a data region of `regionSize` bytes.
        func checked(regionSize: Int, path: String) throws -> Entry {
            func invalid(_ reason: String) -> SafeTensorsError { .invalidTensor(path, name, reason) }
            guard let type = DType(rawValue: dtype) else {
                throw invalid("dtype \"\(dtype)\" is not a safetensors dtype (\(DType.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard type == .f32 else { throw invalid("dtype \(dtype) is not supported; mind reads only F32") }
            if let negative = shape.firstIndex(where: { $0 < 0 }) {
                throw invalid("shape \(shape) has a negative extent at dimension \(negative)")
            }
            var elements = 1
            for extent in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: extent)
                guard !overflow else { throw invalid("shape \(shape) has more elements than an integer holds") }
                elements = product
            }
            let (bytes, overflow) = elements.multipliedReportingOverflow(by: type.size)
            guard !overflow else { throw invalid("shape \(shape) has more bytes than an integer holds") }
            guard dataOffsets.count == 2 else { throw invalid("data_offsets \(dataOffsets) must be [begin, end]") }
            let begin = dataOffsets[0], end = dataOffsets[1]
            guard begin >= 0, begin <= end else { throw invalid("data_offsets \(dataOffsets) are not an ascending pair of non-negative offsets") }
            guard end <= regionSize else {
                throw invalid("data_offsets \(dataOffsets) end past the data region of \(regionSize) bytes")
            }
            guard end - begin == bytes else {
                throw invalid("data_offsets \(dataOffsets) span \(end - begin) bytes; shape \(shape) of \(dtype) needs \(bytes)")
            }
            return Entry(name: name, shape: shape, range: begin..<end)
        }
    }

    /// The element types of the safetensors format; only F32 is read.
    enum DType: String, CaseIterable {
        case bool = "BOOL", u8 = "U8", i8 = "I8", f8e5m2 = "F8_E5M2", f8e4m3 = "F8_E4M3", f8e8m0 = "F8_E8M0"
        case i16 = "I16", u16 = "U16", f16 = "F16", bf16 = "BF16"
        case i32 = "I32", u32 = "U32", f32 = "F32", f64 = "F64", i64 = "I64", u64 = "U64"

        var size: Int {
            switch self {
            case .bool, .u8, .i8, .f8e5m2, .f8e4m3, .f8e8m0: return 1
            case .i16, .u16, .f16, .bf16: return 2
            case .i32, .u32, .f32: return 4
            case .f64, .i64, .u64: return 8
            }
        }
    }
}
