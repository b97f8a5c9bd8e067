import Foundation
import Testing
@testable import MINDServing

@Suite("NumpyArray")
struct NumpyArrayTests {
    /// Writes `array` to a scratch file and reads it back.
    static func roundTrip(_ array: NumpyArray) throws -> (NumpyArray, [UInt8]) {
        let directory = try Fixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("a.npy")
        try array.write(to: url)
        return (try NumpyArray.read(from: url), Array(try Data(contentsOf: url)))
    }

    /// Decodes `bytes` as a file named "x.npy", returning the error it throws.
    static func rejection(_ bytes: [UInt8]) -> NumpyFormatError? {
        do {
            _ = try bytes.withUnsafeBytes { try NumpyArray.decode($0, file: "x.npy") }
            return nil
        } catch let error as NumpyFormatError {
            return error
        } catch {
            return nil
        }
    }

    /// A file with the given header dictionary (padded like NumPy's) and data bytes.
    static func file(_ dictionary: String, data: [UInt8] = [], version: [UInt8] = [1, 0]) -> [UInt8] {
        var header = Array(dictionary.utf8)
        header += [UInt8](repeating: 0x20, count: (64 - (10 + header.count + 1) % 64) % 64) + [0x0A]
        return NumpyFormat.magic + version + [UInt8(header.count & 0xFF), UInt8(header.count >> 8)] + header + data
    }

    @Test(arguments: [[0, 3], [1, 1], [1, 7], [3, 5], [13, 1], [2, 3, 5], [0, 4, 8], [17], [0], []])
    func floatArraysRoundTripWithTheirShape(shape: [Int]) throws {
        let count = shape.reduce(1, *)
        let values = (0..<count).map { Float($0) * 0.37 - 1.5 }
        let array = NumpyArray(values, shape: shape)
        let (read, bytes) = try Self.roundTrip(array)
        #expect(read == array)
        #expect(read.floats == values)
        #expect(bytes.count == NumpyArray.header(.float32, shape: shape).count + 4 * count)
    }

    @Test(arguments: [[0, 4], [1, 1], [5, 3], [9]])
    func boolArraysRoundTrip(shape: [Int]) throws {
        let values = (0..<shape.reduce(1, *)).map { $0 % 3 != 1 }
        let (read, _) = try Self.roundTrip(NumpyArray(values, shape: shape))
        #expect(read.bools == values && read.shape == shape && read.elementType == .bool)
    }

    @Test func specialFloatsSurviveBitForBit() throws {
        let values: [Float] = [.infinity, -.infinity, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .nan]
        let (read, _) = try Self.roundTrip(NumpyArray(values, shape: [2, 3]))
        #expect(read.floats?.map(\.bitPattern) == values.map(\.bitPattern))
    }

    @Test(arguments: [[0, 3], [1, 64], [123456, 64], [7], [], [2, 3, 4], [Int(Int32.max), 1000]])
    func headersArePaddedTo64BytesAndEndWithANewline(shape: [Int]) throws {
        let header = NumpyArray.header(.float32, shape: shape)
        #expect(header.count % 64 == 0)
        #expect(header.last == 0x0A)
        #expect(Array(header.prefix(8)) == [0x93] + Array("NUMPY".utf8) + [1, 0])
        #expect(Int(header[8]) | Int(header[9]) << 8 == header.count - 10)
        let text = String(decoding: header[10...], as: UTF8.self)
        let tuple = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        #expect(text.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': \(tuple), }"))
    }

    @Test func numpysOwnHeaderIsRead() throws {
        // What np.save(np.zeros((2, 3), np.float32)) writes, byte for byte in the header.
        let bytes = Self.file("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data: [UInt8](repeating: 0, count: 24))
        #expect(bytes.count == 128 + 24)
        let array = try bytes.withUnsafeBytes { try NumpyArray.decode($0, file: "x.npy") }
        #expect(array == NumpyArray([Float](repeating: 0, count: 6), shape: [2, 3]))
    }

    @Test func everyKindOfMalformedFileIsRejectedWithItsName() {
        let good = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
        let data = [UInt8](repeating: 0, count: 24)
        let cases: [([UInt8], NumpyFormatError)] = [
            ([], .badMagic(file: "x.npy")),
            (Array("PK\u{3}\u{4} a zip file".utf8), .badMagic(file: "x.npy")),
            ([0x93, 0x4E, 0x55], .truncatedHeader(file: "x.npy", needed: 10, found: 3)),
            (Array(Self.file(good, data: data).prefix(40)), .truncatedHeader(file: "x.npy", needed: 128, found: 40)),
            (Self.file(good, data: data, version: [2, 0]), .unsupportedVersion(file: "x.npy", major: 2, minor: 0)),
            (Self.file(good, data: data, version: [1, 1]), .unsupportedVersion(file: "x.npy", major: 1, minor: 1)),
            (Self.file(good.replacingOccurrences(of: "<f4", with: "<f8"), data: data), .unsupportedElementType(file: "x.npy", descr: "<f8")),
            (Self.file(good.replacingOccurrences(of: "<f4", with: ">f4"), data: data), .unsupportedElementType(file: "x.npy", descr: ">f4")),
            (Self.file(good.replacingOccurrences(of: "False", with: "True"), data: data), .fortranOrder(file: "x.npy")),
            (Self.file(good, data: Array(data.dropLast())), .dataLengthMismatch(file: "x.npy", shape: [2, 3], expectedBytes: 24, foundBytes: 23)),
            (Self.file(good, data: data + [0]), .dataLengthMismatch(file: "x.npy", shape: [2, 3], expectedBytes: 24, foundBytes: 25)),
            (Self.file("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", data: [1, 2, 0]),
             .invalidBool(file: "x.npy", element: 1, byte: 2)),
            (Self.file("{'descr': '<f4', 'fortran_order': False, 'shape': (9223372036854775807, 2), }"),
             .shapeTooLarge(file: "x.npy", shape: [Int.max, 2])),
            // A huge shape over a small file: refused from the file length, before anything is allocated.
            (Self.file("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000, 64), }", data: data),
             .dataLengthMismatch(file: "x.npy", shape: [1_000_000_000_000, 64], expectedBytes: 256_000_000_000_000, foundBytes: 24)),
        ]
        for (bytes, expected) in cases {
            let error = Self.rejection(bytes)
            #expect(error == expected)
            #expect(error?.description.hasPrefix("x.npy: ") == true)
        }
    }

    @Test(arguments: [
        "", "{", "{}", "[1, 2]", "{'descr': '<f4', 'shape': (2, 3), }", "{'descr': '<f4', 'fortran_order': False, }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }", "{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1, }", "{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3], }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } trailing", "{'descr': '<f4' 'fortran_order': False, 'shape': (2, 3)}",
        "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", "{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999, 3), }",
    ])
    func malformedHeadersAreRejected(dictionary: String) {
        guard case .malformedHeader(let file, _)? = Self.rejection(Self.file(dictionary, data: [UInt8](repeating: 0, count: 24))) else {
            Issue.record("accepted or wrongly rejected: \(dictionary)")
            return
        }
        #expect(file == "x.npy")
    }

    @Test func aMissingFileIsATypedError() {
        let url = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)/a.npy")
        #expect(throws: NumpyFormatError.self) { try NumpyArray.read(from: url) }
    }
}
