import Foundation
import Testing
import MINDCore
@testable import MINDNN

/// Damaged safetensors files, each built here byte by byte: every one must be refused with a typed error
/// naming the file and the tensor, never a crash, a giant allocation or a silent load.
@Suite("SafeTensors: damaged files are refused")
final class SafeTensorsValidationTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mind-safetensors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// A file with `header` as its JSON header, `data` bytes after it and, unless given, the true header length.
    func file(_ header: String, data: [UInt8], declaredLength: UInt64? = nil, name: String = "damaged.safetensors") throws -> URL {
        let headerBytes = Array(header.utf8)
        var length = (declaredLength ?? UInt64(headerBytes.count)).littleEndian
        var bytes = withUnsafeBytes(of: &length) { Array($0) }
        bytes += headerBytes + data
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    /// Runs `body`, which must throw a `SafeTensorsError` whose description names the file and each of `words`.
    func expectRefusal(_ url: URL, mentioning words: [String], sourceLocation: SourceLocation = #_sourceLocation,
                       _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("\(url.lastPathComponent) was accepted", sourceLocation: sourceLocation)
        } catch let error as SafeTensorsError {
            let text = error.description
            #expect(text.contains(url.path), "\(text)", sourceLocation: sourceLocation)
            for word in words { #expect(text.contains(word), "'\(word)' not in: \(text)", sourceLocation: sourceLocation) }
        } catch {
            Issue.record("untyped error \(error)", sourceLocation: sourceLocation)
        }
    }

    func floats(_ values: [Float]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }

    @Test func validFileLoadsBitForBit() throws {
        var generator = SeededGenerator(seed: 11)
        let weight = Parameter(name: "layer.weight", value: .randomNormal([4, 3], standardDeviation: 1, using: &generator))
        let bias = Parameter(name: "layer.bias", value: .randomNormal([3], standardDeviation: 1, using: &generator))
        let empty = Parameter(name: "layer.empty", value: .zeros([0, 3]))
        let url = directory.appendingPathComponent("weights.safetensors")
        try [weight, bias, empty].save(to: url, metadata: ["format": "pt"])
        let copies = [weight, bias, empty].map { Parameter(name: $0.name, value: .zeros($0.shape)) }
        try copies.load(from: url, extraTensors: .reject)
        for (original, copy) in zip([weight, bias, empty], copies) {
            #expect(original.value.storage.map(\.bitPattern) == copy.value.storage.map(\.bitPattern), "\(original.name)")
        }
        #expect(try SafeTensors.read(from: url).metadata == ["format": "pt"])
        // A hand-written file in the reference layout (no padding, metadata first) reads too.
        let handWritten = try file(#"{"__metadata__":{"a":"b"},"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
                                   data: floats([1.5, -2]), name: "hand.safetensors")
        #expect(try SafeTensors.read(from: handWritten).tensors["x"]?.storage == [1.5, -2])
    }

    @Test func headerLengthsNearTheIntegerLimitAreRefusedBeforeAllocating() throws {
        for declared in [UInt64.max, UInt64(Int.max), UInt64(Int.max) + 1, UInt64(1) << 40] {
            let url = try file("{}", data: [], declaredLength: declared)
            expectRefusal(url, mentioning: ["header length \(declared)", "limit"]) { _ = try SafeTensors.read(from: url) }
        }
    }

    @Test func headerLongerThanTheFileIsRefused() throws {
        let url = try file(#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: floats([1]), declaredLength: 4096)
        expectRefusal(url, mentioning: ["header length 4096", "past the end"]) { _ = try SafeTensors.read(from: url) }
        let short = directory.appendingPathComponent("short.safetensors")
        try Data([1, 2, 3]).write(to: short)
        expectRefusal(short, mentioning: ["shorter than its 8-byte header length"]) { _ = try SafeTensors.read(from: short) }
    }

    @Test func headerThatIsNotJSONIsRefused() throws {
        let url = try file("not json at all", data: [])
        expectRefusal(url, mentioning: ["header is not valid JSON: not a value"]) { _ = try SafeTensors.read(from: url) }
        let array = try file("[1]", data: [], name: "array.safetensors")
        expectRefusal(array, mentioning: ["header is not a JSON object of tensor entries", "must be an object, not an array"]) {
            _ = try SafeTensors.read(from: array)
        }
        // A tensor named twice: which of the two a reader takes would be up to its JSON parser, so neither is taken.
        let twice = try file(#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                             data: floats([1, 2]), name: "twice.safetensors")
        expectRefusal(twice, mentioning: ["field \"x\" appears twice"]) { _ = try SafeTensors.read(from: twice) }
        let badMetadata = try file(#"{"__metadata__":{"a":1}}"#, data: [], name: "metadata.safetensors")
        expectRefusal(badMetadata, mentioning: ["__metadata__"]) { _ = try SafeTensors.read(from: badMetadata) }
        let incomplete = try file(#"{"x":{"dtype":"F32","shape":[1]}}"#, data: floats([1]), name: "incomplete.safetensors")
        expectRefusal(incomplete, mentioning: ["'x'", "data_offsets", "\"x.data_offsets\" is missing"]) { _ = try SafeTensors.read(from: incomplete) }
        let fraction = try file(#"{"x":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, data: floats([1]), name: "fraction.safetensors")
        expectRefusal(fraction, mentioning: ["\"x.shape[0]\" must be a whole number, not the number 1.5 (column 30)"]) {
            _ = try SafeTensors.read(from: fraction)
        }
    }

    @Test func offsetsPastTheEndAreRefused() throws {
        let url = try file(#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: floats([1]))
        expectRefusal(url, mentioning: ["'x'", "end past the data region"]) { _ = try SafeTensors.read(from: url) }
        let huge = try file(#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[9223372036854775800,9223372036854775807]}}"#,
                            data: floats([1, 2]), name: "huge.safetensors")
        expectRefusal(huge, mentioning: ["'x'", "data_offsets"]) { _ = try SafeTensors.read(from: huge) }
        let reversed = try file(#"{"x":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}"#, data: floats([1, 2]), name: "reversed.safetensors")
        expectRefusal(reversed, mentioning: ["'x'", "ascending"]) { _ = try SafeTensors.read(from: reversed) }
    }

    @Test func overlappingTensorsAreRefused() throws {
        let url = try file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
                           data: floats([1, 2, 3]))
        expectRefusal(url, mentioning: ["'a'", "'b'", "overlap"]) { _ = try SafeTensors.read(from: url) }
        let same = try file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
                            data: floats([1, 2]), name: "same.safetensors")
        expectRefusal(same, mentioning: ["'a'", "'b'", "overlap"]) { _ = try SafeTensors.read(from: same) }
    }

    @Test func gapsAreRefused() throws {
        let url = try file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#,
                           data: floats([1, 2, 3]))
        expectRefusal(url, mentioning: ["4 bytes between tensors 'a' and 'b'"]) { _ = try SafeTensors.read(from: url) }
        let trailing = try file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: floats([1, 2]), name: "trailing.safetensors")
        expectRefusal(trailing, mentioning: ["4 bytes after tensor 'a'"]) { _ = try SafeTensors.read(from: trailing) }
        let leading = try file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: floats([1, 2]), name: "leading.safetensors")
        expectRefusal(leading, mentioning: ["4 bytes before tensor 'a'"]) { _ = try SafeTensors.read(from: leading) }
    }

    @Test func unknownAndUnsupportedDTypesAreRefused() throws {
        let unknown = try file(#"{"x":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}}"#, data: floats([1]))
        expectRefusal(unknown, mentioning: ["'x'", "\"Q7\" is not a safetensors dtype"]) { _ = try SafeTensors.read(from: unknown) }
        let half = try file(#"{"x":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#, data: floats([1]), name: "half.safetensors")
        expectRefusal(half, mentioning: ["'x'", "F16 is not supported"]) { _ = try SafeTensors.read(from: half) }
    }

    @Test func shapesWhoseProductOverflowsOrIsNegativeAreRefused() throws {
        let overflow = try file(#"{"x":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,4]}}"#, data: floats([1]))
        expectRefusal(overflow, mentioning: ["'x'", "more elements than an integer holds"]) { _ = try SafeTensors.read(from: overflow) }
        let bytes = try file(#"{"x":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,4]}}"#, data: floats([1]), name: "bytes.safetensors")
        expectRefusal(bytes, mentioning: ["'x'", "more bytes than an integer holds"]) { _ = try SafeTensors.read(from: bytes) }
        let negative = try file(#"{"x":{"dtype":"F32","shape":[-1,-4],"data_offsets":[0,16]}}"#, data: floats([1, 2, 3, 4]), name: "negative.safetensors")
        expectRefusal(negative, mentioning: ["'x'", "negative extent"]) { _ = try SafeTensors.read(from: negative) }
        let mismatch = try file(#"{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: floats([1, 2]), name: "mismatch.safetensors")
        expectRefusal(mismatch, mentioning: ["'x'", "span 8 bytes", "needs 12"]) { _ = try SafeTensors.read(from: mismatch) }
    }

    @Test func parametersNeedTheirTensorWithItsShape() throws {
        let url = try file(#"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}"#, data: floats([1, 2, 3, 4]), name: "weights.safetensors")
        let wrongShape = Parameter(name: "w", value: .zeros([4]))
        expectRefusal(url, mentioning: ["'w'", "[2, 2]", "[4]"]) { try [wrongShape].load(from: url) }
        #expect(wrongShape.value.storage == [0, 0, 0, 0], "nothing changes on error")
        let missing = Parameter(name: "v", value: .zeros([1]))
        expectRefusal(url, mentioning: ["no tensor 'v'"]) { try [missing].load(from: url) }
        // Extra tensors: skipped by default, refused on request.
        let other = Parameter(name: "w", value: .zeros([2, 2]))
        let both = try file(#"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"z":{"dtype":"F32","shape":[],"data_offsets":[16,20]}}"#,
                            data: floats([1, 2, 3, 4, 5]), name: "extra.safetensors")
        try [other].load(from: both)
        #expect(other.value.storage == [1, 2, 3, 4])
        expectRefusal(both, mentioning: ["'z'", "not a parameter"]) { try [other].load(from: both, extraTensors: .reject) }
    }

    @Test func nonFiniteWeightsAreRefusedNamingTheTensorAndIndex() throws {
        for (bad, text) in [(Float.nan, "nan"), (Float.infinity, "inf"), (-Float.infinity, "-inf")] {
            let url = try file(#"{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}"#, data: floats([0, 1, 2, 3, bad, 5]),
                               name: "\(text).safetensors")
            let parameter = Parameter(name: "w", value: .zeros([2, 3]))
            expectRefusal(url, mentioning: ["'w'", "holds \(text) at index 4 [1, 1]", "finite"]) { try [parameter].load(from: url) }
            #expect(parameter.value.storage.allSatisfy { $0 == 0 }, "nothing changes on error")
        }
    }
}
