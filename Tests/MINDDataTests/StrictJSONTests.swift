import Foundation
import MINDCore
import Testing
@testable import MINDData
import MINDJSON

@Suite struct StrictJSONTests {
    static let valid = [
        #"{}"#, #"[]"#, #"0"#, #"-0"#, #"12.5e-3"#, #"1E+9"#, #""""#, #"true"#, #"null"#, " \n\t{\r\n} ",
        #"{"user": "u", "items": ["1", 2, -3.25, true, false, null, {"a": [[]]}]}"#,
        #"{"a": 1, "A": 2, "a ": 3}"#,
        #"["\"\\\/\b\f\n\r\t", "\u00e9\u20AC", "\ud83d\ude00", "é€😀"]"#,
        #"{"\u0061b": 1, "ab\u0063": 2}"#,
    ]

    @Test("valid documents pass, and JSONSerialization reads each of them", arguments: valid)
    func validDocumentsPass(document: String) throws {
        try StrictJSON.check(document.utf8)
        _ = try JSONSerialization.jsonObject(with: Data(document.utf8), options: [.fragmentsAllowed])
    }

    @Test("each mistake is named, with the path and the column where it stands", arguments: [
        ("", "the document is empty (column 1)"),
        ("  ", "the document is empty (column 3)"),
        (#"[1, 2,]"#, "a comma before ']' (column 7)"),
        (#"{"a": 1,}"#, "a comma before '}' (column 9)"),
        (#"{"a": [1,]}"#, #"a comma before ']' (in "a", column 10)"#),
        (#"{"n": 2, "n": 3}"#, #"field "n" appears twice (column 10)"#),
        (#"{"a": 1, "\u0061": 2}"#, #"field "a" appears twice (column 10)"#),
        (#"{"e": [{"u": 1}, {"u": 1, "u": 2}]}"#, #"field "u" appears twice (in "e[1]", column 27)"#),
        (#"{"a": 1} x"#, "text after the end of the JSON value (column 10)"),
        (#"{"a" 1}"#, #"expected ':' after the field name "a" (column 6)"#),
        (#"{a: 1}"#, "'a' where a field name in quotes belongs (column 2)"),
        (#"{"a": 1 "b": 2}"#, #"'"' where ',' or '}' belongs (column 9)"#),
        (#"[1 2]"#, "'2' where ',' or ']' belongs (column 4)"),
        (#"[01]"#, "a number with a leading zero (in \"[0]\", column 3)"),
        (#"[1.]"#, "a '.' without digits after it (in \"[0]\", column 4)"),
        (#"[1e]"#, "an exponent without digits (in \"[0]\", column 4)"),
        (#"[-]"#, "a '-' without digits after it (in \"[0]\", column 3)"),
        (#"[+1]"#, "'+' where a value belongs (in \"[0]\", column 2)"),
        (#"[NaN]"#, "'N' where a value belongs (in \"[0]\", column 2)"),
        (#"[tru]"#, "not a value; did you mean true? (in \"[0]\", column 2)"),
        (#"["a"#, "a string that is never closed (in \"[0]\", column 2)"),
        ("[\"a\tb\"]", "a control character (0x9) inside a string; write it as an escape (in \"[0]\", column 4)"),
        (#"["\x"]"#, #"\x is not an escape JSON has (in "[0]", column 4)"#),
        (#"["\u12"]"#, #"\u must be followed by four hexadecimal digits (in "[0]", column 7)"#),
        (#"["\ud83d"]"#, #"a lone surrogate \uD83D; a character above U+FFFF is a pair of escapes (in "[0]", column 9)"#),
        (#"["\ude00"]"#, #"a lone surrogate \uDE00"#),
        (#"["\ud83d\u0041"]"#, #"\uD83D is followed by \u0041, not a low surrogate"#),
        (#"{"a": [1, 2"#, #"the document ends inside an array (in "a", column 12)"#),
        ("{\n  \"a\": 1,\n  \"a\": 2\n}", #"field "a" appears twice (line 3, column 3)"#),
        ("// note\n{}", "'/' where a value belongs (line 1, column 1)"),
        (#"{"n": 1e400}"#, #"1e400 is beyond the range of a 64-bit floating-point number (in "n", column 7)"#),
        (#"[-2E+309]"#, "-2E+309 is beyond the range"),
        ("[" + String(repeating: "9", count: 400) + ".5]", "a number of 402 characters is beyond the range"),
    ])
    func mistakesAreNamed(document: String, expected: String) {
        do {
            try StrictJSON.check(document.utf8)
            Issue.record("accepted: \(document)")
        } catch {
            #expect(error.description.contains(expected), "\(error)")
            #expect(error.description.hasPrefix("not valid JSON: "))
        }
    }

    @Test func stringsMustBeUTF8() throws {
        let cases: [([UInt8], String)] = [
            ([0x5B, 0x22, 0xFF, 0x22, 0x5D], "byte 0xff inside a string is not UTF-8 (in \"[0]\", column 3)"),
            ([0x5B, 0x22, 0xC3, 0x22, 0x5D], "byte 0xc3 inside a string starts no whole UTF-8 character"),
            ([0x22, 0xC0, 0xAF, 0x22], "byte 0xc0 inside a string is not UTF-8"),  // an overlong '/'
            ([0x22, 0xED, 0xA0, 0x80, 0x22], "byte 0xed inside a string starts no whole UTF-8 character"),  // a surrogate
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], "byte 0xf4 inside a string starts no whole UTF-8 character"),  // > U+10FFFF
            ([0x5B, 0xC3, 0xA9, 0x5D], "byte 0xc3 where a value belongs"),
        ]
        for (bytes, expected) in cases {
            #expect(throws: JSONSyntaxError.self, "\(bytes)") { try StrictJSON.check(bytes) }
            do { try StrictJSON.check(bytes) } catch { #expect(error.description.contains(expected), "\(error)") }
        }
        // Keys with escapes and multi-byte characters compare by their text.
        #expect(throws: JSONSyntaxError.self) { try StrictJSON.check(#"{"é\n": 1, "\u00e9\u000a": 2}"#.utf8) }
        try StrictJSON.check(#"{"é\n": 1, "\u00e9\u000b": 2}"#.utf8)
    }

    @Test func nestingIsBounded() throws {
        let deepest = String(repeating: "[", count: StrictJSON.maximumDepth) + String(repeating: "]", count: StrictJSON.maximumDepth)
        try StrictJSON.check(deepest.utf8)
        let deeper = "[" + deepest + "]"
        #expect(throws: JSONSyntaxError.self) { try StrictJSON.check(deeper.utf8) }
        // The message keeps the ends of the path, not all 128 levels.
        do {
            try StrictJSON.check(deeper.utf8)
        } catch {
            let levels = StrictJSON.maximumDepth - 12
            #expect(error.path == "[0][0][0][0][0][0]...(\(levels) levels)...[0][0][0][0][0][0]")
        }
        // A million open brackets is an error, not a stack overflow.
        #expect(throws: JSONSyntaxError.self) { try StrictJSON.check(Array(repeating: UInt8(ascii: "["), count: 1_000_000)) }
    }

    /// Damaged copies of valid documents: whatever the strict check accepts, Foundation's parser accepts too, and
    /// the check never accepts a document with a field given twice.
    @Test func whatPassesIsJSONToFoundationToo() throws {
        var generator = SeededGenerator(seed: 11)
        let alphabet = Array(#"{}[],:"\ 0123456789.eE+-tfnaul/ubx"#.utf8)
        var accepted = 0
        for round in 0..<20_000 {
            var bytes = Array(Self.valid[round % Self.valid.count].utf8)
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let position = Int.random(in: 0...bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes.insert(alphabet.randomElement(using: &generator)!, at: position)
                case 1: if position < bytes.count { bytes.remove(at: position) }
                default: if position < bytes.count { bytes[position] = alphabet.randomElement(using: &generator)! }
                }
            }
            guard (try? StrictJSON.check(bytes)) != nil else { continue }
            accepted += 1
            #expect((try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil,
                    "accepted, but Foundation refuses: \(String(decoding: bytes, as: UTF8.self))")
        }
        #expect(accepted > 1000, "the damage should leave many documents valid (\(accepted))")
    }
}
