import Testing
@testable import MINDReport

@Suite struct TableTests {
    private let table: Table = {
        var table = Table(headers: ["model", "Recall@50", "HR@50"],
                          rows: [["MIND", "0.312", "0.51"], ["YouTube DNN", "0.25", "–"], ["pop"]],
                          caption: "Test split")
        table.highlightedRows = [0]
        return table
    }()

    @Test func textPadsColumnsAndRightAlignsNumbers() {
        let lines = table.text().components(separatedBy: "\n")
        #expect(lines == [
            "Test split",
            "  model        Recall@50  HR@50",
            "  -----------  ---------  -----",
            "* MIND             0.312   0.51",
            "  YouTube DNN       0.25      –",
            "  pop",
        ])
    }

    @Test func textWithoutHighlightsHasNoMarkerColumn() {
        let plain = Table(headers: ["genre", "n"], rows: [["🚀 space", "7"], ["drama", "12"]])
        #expect(plain.text() == "genre      n\n--------  --\n🚀 space   7\ndrama     12")
    }

    @Test func htmlEscapesClassesAndHighlights() {
        var nasty = table
        nasty.rows.append([Nasty.escaping, "1,024", "87%"])
        let html = nasty.html()
        let document = ParsedDocument.parse(html)
        #expect(document.error == nil)
        #expect(document.all("caption").first?.text == "Test split")
        #expect(document.all("th").map { $0.attributes["class"] } == [nil, "number", "number"])
        #expect(document.all("tr").filter { $0.attributes["class"] == "highlighted" }.count == 1)
        let cells = document.all("td")
        #expect(cells.count == 12, "the short row is padded")
        #expect(cells.contains { $0.text == Nasty.escaping && $0.attributes["class"] == nil })
        #expect(cells.filter { $0.attributes["class"] == "number" }.map(\.text) == ["0.312", "0.51", "0.25", "–", "1,024", "87%"])
    }

    @Test func numericDetection() {
        for cell in ["0.312", "-4", "+1", "−2.5", "12.5k", "3.1e-5", "87%", "1,024", " 7 ", "–", "n/a", ".5"] {
            #expect(Table.isNumeric(cell), "\(cell)")
        }
        for cell in ["", "nan", "inf", "infinity", "MIND", "1.2.3", "2024-01-01", "e5", "%", "-", "k", "v2"] {
            #expect(!Table.isNumeric(cell), "\(cell)")
        }
    }
}
