import Foundation
import Testing
@testable import MINDData

@Suite struct AttributeReaderTests {
    @Test func readsItemsCSV() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let file = try directory.write("items.csv", "item_id,title,genres\n1,Toy Story,Animation|Comedy\n2,\"Heat, the movie\",Action\n")
        let table = try AttributeReader.read(file, idColumn: "item_id")
        #expect(table.ids == ["1", "2"])
        #expect(table.columns.map(\.name) == ["title", "genres"])
        #expect(table.columns[0].values == ["Toy Story", "Heat, the movie"])
        #expect(table.columns[1].values == ["Animation|Comedy", "Action"])
        #expect(!table.isRecBole)
    }

    @Test func readsRecBoleItemAndUserFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let items = try directory.write(
            "ml.item", "item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n1\tToy Story\t1995\tAnimation Children's Comedy\n")
        let table = try AttributeReader.read(items, idColumn: "item_id")
        #expect(table.isRecBole)
        #expect(table.columns.map(\.type) == [.tokenSequence, .token, .tokenSequence])
        #expect(table.columns[2].values == ["Animation Children's Comedy"])
        let users = try directory.write("ml.user", "user_id:token\tage:float\tgender:token\n1\t24\tM\r\n2\t53\tF\r\n")
        let userTable = try AttributeReader.read(users, idColumn: "user_id")
        #expect(userTable.ids == ["1", "2"])
        #expect(userTable.columns.map(\.name) == ["age", "gender"])
        #expect(userTable.columns[1].values == ["M", "F"])
    }

    @Test func wideFilesAndExtraFields() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let names = ["item_id"] + (1..<100).map { "c\($0)" }
        let row = ["x"] + (1..<100).map { "v\($0)" }
        let wide = try directory.write("wide.csv", names.joined(separator: ",") + "\n" + row.joined(separator: ",") + "\n")
        let table = try AttributeReader.read(wide, idColumn: "item_id")
        #expect(table.columns.count == 99 && table.columns[98].values == ["v99"])
        let extra = try directory.write("extra.csv", "item_id,genre\n" + (["a"] + Array(repeating: "g", count: 200)).joined(separator: ",") + "\n")
        #expect(readError { _ = try AttributeReader.read(extra, idColumn: "item_id") }
            == .wrongFieldCount(file: extra.path, line: 2, expected: 2, found: 201))
    }

    @Test func headerTyping() {
        #expect(ColumnHeader.parse(["user_id:token", "item_id:token", "label:float"]).map(\.name) == ["user_id", "item_id", "label"])
        #expect(ColumnHeader.parse(["user_id:token", "x:newtype"]).map(\.type) == [.token, nil])
        #expect(ColumnHeader.parse(["time:stamp", "user_id"]).map(\.name) == ["time:stamp", "user_id"])
        #expect(ColumnHeader.parse(["a:b", "c:d"]).map(\.name) == ["a:b", "c:d"])
    }
}
