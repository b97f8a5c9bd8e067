import Foundation
import MINDCore
@testable import MINDJSON
import Testing

/// `StrictJSON.decode`: values that do not fit their field are named by JSON path and place, and what it reads
/// is what Foundation's decoder reads.
@Suite struct JSONDecodingTests {
    struct Counts: Decodable, Equatable {
        var n: Int
        var small: Int8?
        var unsigned: UInt32?
        var ratio: Float?
        var name: String?
        var flags: [Bool]?
    }

    struct Nested: Decodable {
        struct Inner: Decodable { var b: Int }
        var a: [Inner]
    }

    /// Reads exactly three numbers from an array, as a fixed-size record would.
    struct Triple: Decodable {
        var values: [Double]
        init(from decoder: any Decoder) throws {
            var array = try decoder.unkeyedContainer()
            values = try (0..<3).map { _ in try array.decode(Double.self) }
        }
    }

    static func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as DecodingError {
            return JSONProblem.describe(error)
        } catch {
            return "\(error)"
        }
    }

    @Test("each value that does not fit is named with its path and place", arguments: [
        (#"{"n": 3.5}"#, #""n" must be a whole number, not the number 3.5 (column 7)"#),
        (#"{"n": 1e20}"#, #""n" must be within -9223372036854775808...9223372036854775807, not the number 1e20 (column 7)"#),
        (#"{"n": 99999999999999999999}"#, #""n" must be within"#),
        (#"{"n": 3.0}"#, #""n" must be a whole number written in digits, not the number 3.0 (column 7)"#),
        (#"{"n": 1e3}"#, #""n" must be a whole number written in digits, not the number 1e3"#),
        (#"{"n": "3"}"#, #""n" must be a whole number, not a string (column 7)"#),
        (#"{"n": null}"#, #""n" must be a whole number, not null (column 7)"#),
        (#"{"n": 1, "small": 300}"#, #""small" must be within -128...127, not the number 300 (column 19)"#),
        (#"{"n": 1, "unsigned": -1}"#, #""unsigned" must be within 0...4294967295, not the number -1"#),
        (#"{"n": 1, "ratio": 1e39}"#, #""ratio" must be within the range of a 32-bit floating-point number, not the number 1e39"#),
        (#"{"n": 1, "name": 7}"#, #""name" must be a string, not the number 7 (column 18)"#),
        (#"{"n": 1, "flags": [true, 0]}"#, #""flags[1]" must be true or false, not the number 0 (column 26)"#),
        (#"{"n": 1, "flags": {}}"#, #""flags" must be an array, not an object (column 19)"#),
        (#"{"small": 1}"#, #""n" is missing (in the object at column 1)"#),
        (#"[1]"#, "the document must be an object, not an array (column 1)"),
        (#"{"n": 1, "name": "a number of \#(String(repeating: "9", count: 40))"}"#, nil),
        (#"{"n": 1, "ratio": 1.5, "name": null}"#, nil),
    ] as [(String, String?)])
    func mismatchesAreNamed(document: String, expected: String?) {
        let got = Self.message { _ = try StrictJSON.decode(Counts.self, from: document.utf8) }
        if let expected {
            #expect(got?.contains(expected) == true, "\(document): \(got ?? "accepted")")
        } else {
            #expect(got == nil, "\(document): \(got ?? "")")
        }
    }

    @Test func placesCountLinesInLongerDocuments() {
        let document = "{\n  \"a\": [\n    {\"b\": 1},\n    {\"b\": \"two\"}\n  ]\n}"
        #expect(Self.message { _ = try StrictJSON.decode(Nested.self, from: document.utf8) }
                == #""a[1].b" must be a whole number, not a string (line 4, column 11)"#)
        #expect(Self.message { _ = try StrictJSON.decode(Nested.self, from: "{\n  \"a\": [{}]\n}".utf8) }
                == #""a[0].b" is missing (in the object at line 2, column 9)"#)
        #expect(Self.message { _ = try StrictJSON.decode(Triple.self, from: "[1, 2]".utf8) }
                == #""[2]" must be given, but the array has 2 elements (column 1)"#)
        #expect(Self.message { _ = try StrictJSON.decode(Int.self, from: "12345678901234567890123456789012".utf8) }?
                .contains("not the number of 32 digits") == true)
    }

    /// The decoder finds places by binary search over line starts (errors must stay cheap when a type tries one
    /// type after another); the place it gives is the one a scan from the start gives, at every offset.
    @Test func placesFoundByLineStartsAreTheScannedOnes() {
        for text in ["", "x", "\n", "{\n  \"a\": 1,\n\n  \"b\": [2]\n}\n", "[1,\n2]"] {
            let bytes = Array(text.utf8)
            let source = JSONSource(bytes: bytes)
            for offset in 0...bytes.count {
                // The place as a scan from the start finds it.
                let before = bytes[..<offset]
                let scanned = (line: 1 + before.filter { $0 == 0x0A }.count,
                               column: offset - (before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0) + 1,
                               multiline: bytes.contains(0x0A))
                let found = source.place(offset)
                #expect((found.line, found.column, found.multiline) == (scanned.line, scanned.column, scanned.multiline),
                        "\(text.debugDescription) at \(offset)")
            }
        }
    }

    @Test func valuesAreReadAsWritten() throws {
        let counts = try StrictJSON.decode(Counts.self, from: #"{"n": -42, "small": -128, "unsigned": 4294967295, "ratio": 0.25, "name": "a\"b\u00e9", "flags": [true, false]}"#.utf8)
        #expect(counts == Counts(n: -42, small: -128, unsigned: 4_294_967_295, ratio: 0.25, name: "a\"bé", flags: [true, false]))
        #expect(try StrictJSON.decode([String: Int64].self, from: #"{"x": 9223372036854775807, "y": -0}"#.utf8)
                == ["x": .max, "y": 0])
        #expect(try StrictJSON.decode([Int?].self, from: "[1, null]".utf8) == [1, nil])
        // The smallest subnormal is kept; a number nearer zero reads as zero, the nearest Double; 0e1 is zero. (Foundation's
        // decoder refuses both of the last, which its own parser and the RFC take.)
        #expect(try StrictJSON.decode([Double].self, from: "[5e-324, 1e-400, -1e-400, 0e1]".utf8) == [5e-324, 0, -0.0, 0])
    }

    /// Damaged copies of valid documents: whatever `StrictJSON.decode` reads as any JSON value, Foundation's
    /// decoder reads the same (strings, numbers, nesting), or refuses for one of its two number quirks while its own
    /// parser takes the document.
    @Test func readsWhatFoundationReads() throws {
        let seeds = [
            #"{"a": [1, 2.5, -3e-2, {"b": null}], "c": "x\u00e9\n\ud83d\ude00", "d": true, "e": false}"#,
            #"[0, -0, 1E+2, 123456789012345678901234567890, 0.1, 5e-324, 1.7976931348623157e308, "\/"]"#,
            #"{"": {"": []}, "k": "\"quoted\" \\ tab\t"}"#,
        ]
        var generator = SeededGenerator(seed: 12)
        let alphabet = Array(#"{}[],:"\ 0123456789.eE+-tfnaul/ubx"#.utf8)
        var compared = 0
        for round in 0..<20_000 {
            var bytes = Array(seeds[round % seeds.count].utf8)
            for _ in 0..<Int.random(in: 0...2, using: &generator) {
                let position = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes.insert(alphabet.randomElement(using: &generator)!, at: position)
                case 1: bytes.remove(at: position)
                default: bytes[position] = alphabet.randomElement(using: &generator)!
                }
            }
            guard let ours = try? StrictJSON.decode(JSONValue.self, from: bytes) else { continue }
            compared += 1
            let text = String(decoding: bytes, as: UTF8.self)
            guard let foundation = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)) else {
                #expect((try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil, "\(text)")
                #expect(text.contains("0E") || text.contains("0e") || text.contains("e-"), "\(text)")
                continue
            }
            #expect(ours == foundation, "\(text)")
        }
        #expect(compared > 1000, "the damage should leave many documents valid (\(compared))")
    }
}
