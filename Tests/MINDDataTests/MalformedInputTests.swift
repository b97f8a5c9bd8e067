import Foundation
import Testing
@testable import MINDData

@Suite struct MalformedInputTests {
    let header = "user_id,item_id,rating,timestamp\n"

    func error(_ text: String, name: String = "bad.csv") throws -> (DataReadError?, String) {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let file = try directory.write(name, text)
        return (readError { _ = try InteractionReader.read(file) }, file.path)
    }

    @Test func wrongColumnCountNamesTheLine() throws {
        let (error, path) = try error(header + "u,i,5,1\nu,i,5\n")
        #expect(error == .wrongFieldCount(file: path, line: 3, expected: 4, found: 3))
        #expect(error?.description == "\(path):3: expected 4 fields as in the header, found 3")
    }

    @Test func emptyIdNamesLineAndColumn() throws {
        let (error, path) = try error(header + "u,i,5,1\nu,,5,2\n")
        #expect(error == .emptyField(file: path, line: 3, column: 2, name: "item_id"))
        #expect(error?.description.contains(":3: column 2 (item_id)") == true)
    }

    @Test func nonNumericTimestamp() throws {
        let (error, path) = try error(header + "u,i,5,yesterday\n")
        #expect(error == .notANumber(file: path, line: 2, column: 4, name: "timestamp", text: "yesterday"))
    }

    /// Nanosecond timestamps are beyond 2^53: as doubles, neighbours would merge into ties and the order be lost.
    @Test func timestampsBeyondTwoToThe53AreRefused() throws {
        let (error, path) = try error(header + "u,i,5,9007199254740992\nu,i,5,1700000000123456789\n")
        #expect(error == .impreciseTimestamp(file: path, line: 3, column: 4, name: "timestamp", text: "1700000000123456789"))
        #expect(error?.description.contains("milliseconds") == true)
    }

    @Test func nonNumericRating() throws {
        let (error, path) = try error(header + "u,i,5,1\nu,j,five,2\n")
        #expect(error == .notANumber(file: path, line: 3, column: 3, name: "rating", text: "five"))
    }

    @Test func notANumberRejectsNaNAndInfinity() throws {
        #expect(try error(header + "u,i,nan,1\n").0?.invalidRowKind == .notANumber)
        #expect(try error(header + "u,i,5,inf\n").0?.invalidRowKind == .notANumber)
    }

    @Test func invalidUTF8() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let file = try directory.write("bad.csv", bytes: Array((header + "u,i,5,1\n").utf8) + [0x75, 0xC3, 0x28] + Array(",i,5,2\n".utf8))
        let error = readError { _ = try InteractionReader.read(file) }
        #expect(error == .invalidUTF8(file: file.path, line: 3, column: 1, name: "user_id"))
    }

    @Test func emptyFile() throws {
        let (error, path) = try error("")
        #expect(error == .emptyFile(file: path))
        let (blank, blankPath) = try self.error("\n\r\n")
        #expect(blank == .emptyFile(file: blankPath))
    }

    @Test func missingHeader() throws {
        let (error, path) = try error("1,31,2.5,1260759144\n1,1029,3.0,1260759179\n")
        #expect(error == .missingHeader(file: path, expected: ["user_id", "item_id"], found: ["1", "31", "2.5", "1260759144"]))
        #expect(error?.description.hasPrefix("\(path):1: missing header") == true)
    }

    @Test func missingOneColumn() throws {
        let (error, path) = try error("user_id,product\nu,p\n")
        #expect(error == .missingColumn(file: path, column: "item_id", header: ["user_id", "product"]))
    }

    @Test func unterminatedQuote() throws {
        let (error, path) = try error(header + "u,i,5,1\n\"u2,i,5,2\nu3,i,5,3\n")
        #expect(error == .unterminatedQuote(file: path, line: 3))
    }

    @Test func textAfterClosingQuote() throws {
        let (error, path) = try error(header + "\"u\"x,i,5,1\n")
        #expect(error == .textAfterClosingQuote(file: path, line: 2, column: 1))
    }

    @Test func idWithALineBreakIsRejected() throws {
        let (error, path) = try error(header + "\"u\nv\",i,5,1\n")
        #expect(error == .newlineInField(file: path, line: 2, column: 1, name: "user_id"))
    }

    @Test func lineNumbersCountQuotedLineBreaksAndBlankLines() throws {
        let (error, path) = try error("user_id,item_id,title\n\nu,i,\"two\nlines\"\nu,,x\n")
        #expect(error == .emptyField(file: path, line: 5, column: 2, name: "item_id"))
    }

    @Test func errorsInTheSecondParallelChunkHaveFileLineNumbers() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        var text = "user_id,item_id,timestamp\n"
        for row in 0..<400_000 { text += "user\(row % 977),item\(row % 513),\(row)\n" }
        text += "u,i,notatime\n"
        let file = try directory.write("big.csv", text)
        let error = readError { _ = try InteractionReader.read(file, threads: 2) }
        #expect(error == .notANumber(file: file.path, line: 400_002, column: 3, name: "timestamp", text: "notatime"))
    }

    @Test func skipInvalidCountsEachKind() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let text = header + "u,i,5,1\nu,i,5\n,i,5,2\nu,i,x,3\nu,j,4,4\n\"u\"z,i,1,1\n"
        let file = try directory.write("mixed.csv", bytes: Array(text.utf8) + [0xFF] + Array(",i,1,1\n".utf8))
        let table = try InteractionReader.read(file, skipInvalid: true)
        #expect(table.pairs == [["u", "i"], ["u", "j"]])
        #expect(table.invalidRows == [.wrongFieldCount: 1, .emptyField: 1, .notANumber: 1, .badQuote: 1, .invalidUTF8: 1])
        #expect(table.userIds == ["u"])
    }

    @Test func attributeFileErrors() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let duplicate = try directory.write("items.csv", "item_id,genre\na,x\nb,y\na,z\n")
        #expect(readError { _ = try AttributeReader.read(duplicate, idColumn: "item_id") }
            == .duplicateId(file: duplicate.path, line: 4, id: "a", firstLine: 2))
        let short = try directory.write("users.csv", "user_id,gender,age\nu,F,1\nv,M\n")
        #expect(readError { _ = try AttributeReader.read(short, idColumn: "user_id") }
            == .wrongFieldCount(file: short.path, line: 3, expected: 3, found: 2))
        let skipped = try AttributeReader.read(duplicate, idColumn: "item_id", skipInvalid: true)
        #expect(skipped.ids == ["a", "b"])
        #expect(skipped.invalidRows == [.duplicateId: 1])
        let empty = try directory.write("empty.item", "")
        #expect(readError { _ = try AttributeReader.read(empty, idColumn: "item_id") } == .emptyFile(file: empty.path))
    }
}
