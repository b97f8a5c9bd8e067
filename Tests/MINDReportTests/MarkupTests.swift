import Testing
@testable import MINDReport

@Suite struct MarkupTests {
    @Test func escapesTheFiveSpecialCharacters() {
        #expect(Markup.escape(Nasty.escaping) == "Tom &amp; Jerry &lt;&quot;quoted&quot;&gt; &#39;x&#39;")
    }

    @Test func dropsControlCharactersButKeepsWhitespaceAndEmoji() {
        #expect(Markup.escape(Nasty.control) == "bellnulltab\tend")
        #expect(Markup.escape("a\nb\r\u{7F}\u{85}c\u{FFFE}") == "a\nb\rc")
        #expect(Markup.escape(Nasty.emoji) == Nasty.emoji)
    }

    @Test func escapedTextRoundTripsThroughTheParserInTextAndAttributes() {
        let markup = "<root label=\"\(Markup.escape(Nasty.escaping))\" other='\(Markup.escape(Nasty.escaping))'>"
            + "\(Markup.escape(Nasty.escaping))</root>"
        let document = ParsedDocument.parse(markup)
        #expect(document.error == nil)
        let root = document.all("root").first
        #expect(root?.text == Nasty.escaping)
        #expect(root?.attributes["label"] == Nasty.escaping)
        #expect(root?.attributes["other"] == Nasty.escaping)
    }

    @Test func truncateKeepsGraphemeClustersWhole() {
        #expect(Markup.truncate("short", maxCharacters: 10) == "short")
        #expect(Markup.truncate("abcdefgh", maxCharacters: 5) == "abcd…")
        // The astronaut is one character made of three scalars; it must not be split.
        #expect(Markup.truncate("👩‍🚀👩‍🚀👩‍🚀", maxCharacters: 2) == "👩‍🚀…")
        #expect(Markup.truncate("abc", maxCharacters: 0) == "…")
    }

    @Test func fitCutsByEstimatedWidth() {
        // 10 characters at 0.6 × 10 px = 60 px.
        #expect(abs(TextMetrics.width("abcdefghij", fontSize: 10) - 60) <= 1e-9)
        #expect(TextMetrics.fit("abcdefghij", maxWidth: 60, fontSize: 10) == "abcdefghij")
        let cut = TextMetrics.fit("abcdefghij", maxWidth: 30, fontSize: 10)
        #expect(cut == "abcd…")
        #expect(TextMetrics.width(cut, fontSize: 10) <= 30)
        #expect(abs(TextMetrics.width("🚀", fontSize: 10) - 10) <= 1e-9)
    }

    @Test func numberAttributesAreNeverNonFinite() {
        #expect(SVGCanvas.number(.nan) == "0")
        #expect(SVGCanvas.number(.infinity) == "0")
        #expect(SVGCanvas.number(12) == "12")
        #expect(SVGCanvas.number(12.345) == "12.35")
        #expect(SVGCanvas.number(-0.5) == "-0.5")
        #expect(SVGCanvas.number(1e300) == "1000000")
    }

    @Test func paletteEndsAndContrast() {
        #expect(Palette.sequential(0) == "#ffffff")
        #expect(Palette.sequential(1) == "#08306b")
        #expect(Palette.sequential(5) == "#08306b")
        #expect(Palette.sequential(.nan) == Palette.missing)
        #expect(Palette.textColour(on: "#ffffff") == "#1a1a1a")
        #expect(Palette.textColour(on: "#08306b") == "#ffffff")
        #expect(Palette.category(10) == Palette.category(0))
        #expect(Palette.category(-1) == Palette.category(9))
    }
}
