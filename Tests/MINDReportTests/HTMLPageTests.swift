import Testing
@testable import MINDReport

@Suite struct HTMLPageTests {
    @Test func pageIsWellFormedAndLinksEverySection() {
        let chart = Heatmap(title: "routing", rowLabels: ["a"], columnLabels: ["b"], values: [[1]], valueLabel: "w").svg()
        let page = HTMLPage(title: Nasty.escaping, subtitle: "model: MIND", sections: [
            .init(title: "Routing", html: chart, note: "Each row sums to 1 & <shows> routing."),
            .init(title: "Routing", html: chart),
            .init(title: "Table", html: Table(headers: ["a"], rows: [["1"]]).html() + HTMLPage.paragraph("x < y")),
        ])
        let html = page.html()
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(html.contains("<meta charset=\"utf-8\"/>"))
        let document = ParsedDocument.parse(html)
        #expect(document.error == nil, "\(String(describing: document.error))")
        #expect(document.all("title").first?.text == Nasty.escaping)
        #expect(document.all("h1").first?.text == Nasty.escaping)
        let links = document.all("a").compactMap { $0.attributes["href"] }
        let ids = document.all("section").compactMap { $0.attributes["id"] }
        #expect(links == ["#section-1", "#section-2", "#section-3"])
        #expect(links == ids.map { "#" + $0 })
        #expect(Set(ids).count == ids.count)
        #expect(document.all("svg").count == 2)
        #expect(document.all("p").map(\.text).contains("Each row sums to 1 & <shows> routing."))
        #expect(document.all("p").map(\.text).contains("x < y"))
        expectNoNonFiniteAttributes(document)
    }

    @Test func pageFetchesNothingAndRunsNothing() {
        let html = HTMLPage(title: "t", sections: [.init(title: "s", html: "<p>x</p>")]).html().lowercased()
        for forbidden in ["<script", "<link", "<img", "@import", "url(", "http://", "https://", "@font-face", "onload"] {
            #expect(!html.contains(forbidden), "\(forbidden)")
        }
        #expect(html.contains("font-family: system-ui, sans-serif"))
    }

    @Test func emptyPageIsStillWellFormed() {
        let document = ParsedDocument.parse(HTMLPage(title: "", sections: []).html())
        #expect(document.error == nil)
        #expect(document.all("nav").isEmpty)
        #expect(HTMLPage.paragraph(Nasty.control) == "<p>bellnulltab\tend</p>")
    }
}
