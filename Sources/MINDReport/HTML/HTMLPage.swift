import Foundation

/// One self-contained HTML page of titled sections (charts, tables, notes) with a table of contents: inline CSS,
/// no scripts, fonts or images to fetch, so the file can be mailed or archived with a model.
public struct HTMLPage: Sendable {
    /// One section: a heading, trusted markup, and an optional note under it.
    public struct Section: Sendable {
        /// Heading, also the entry in the table of contents.
        public var title: String
        /// Trusted, already built markup (an `svg()` or `html()` result), inserted as is.
        public var html: String
        /// Plain text shown under the markup; escaped.
        public var note: String?

        /// A section headed `title` showing `html`.
        public init(title: String, html: String, note: String? = nil) {
            self.title = title
            self.html = html
            self.note = note
        }
    }

    /// Page title, in the tab and as the top heading.
    public var title: String
    /// Optional line under the title, e.g. the model and dataset.
    public var subtitle: String?
    /// The sections in page order.
    public var sections: [Section]

    /// A page titled `title` made of `sections`.
    public init(title: String, subtitle: String? = nil, sections: [Section]) {
        self.title = title
        self.subtitle = subtitle
        self.sections = sections
    }

    /// `text` escaped in a `<p>`, for notes built into a section's markup.
    public static func paragraph(_ text: String) -> String {
        "<p>\(Markup.escape(text))</p>"
    }

    /// The HTML document. Past the doctype line it is also well-formed XML (self-closed void elements, only
    /// XML's predefined entities), so tests and tools can parse it with an XML parser.
    public func html() -> String {
        var lines = [
            "<!DOCTYPE html>",
            "<html lang=\"en\">",
            "<head>",
            "<meta charset=\"utf-8\"/>",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>",
            "<title>\(Markup.escape(title))</title>",
            "<style>\(Self.styleSheet)</style>",
            "</head>",
            "<body>",
            "<header>",
            "<h1>\(Markup.escape(title))</h1>",
        ]
        if let subtitle { lines.append("<p class=\"subtitle\">\(Markup.escape(subtitle))</p>") }
        lines.append("</header>")
        if !sections.isEmpty {
            lines.append("<nav aria-label=\"Contents\">")
            lines.append("<h2>Contents</h2>")
            lines.append("<ol>")
            for (index, section) in sections.enumerated() {
                lines.append("<li><a href=\"#\(Self.sectionID(index))\">\(Markup.escape(section.title))</a></li>")
            }
            lines.append("</ol>")
            lines.append("</nav>")
        }
        for (index, section) in sections.enumerated() {
            lines.append("<section id=\"\(Self.sectionID(index))\">")
            lines.append("<h2>\(Markup.escape(section.title))</h2>")
            lines.append("<div class=\"figure\">\n\(section.html)\n</div>")
            if let note = section.note { lines.append("<p class=\"note\">\(Markup.escape(note))</p>") }
            lines.append("</section>")
        }
        lines += ["</body>", "</html>"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Ids from positions, not titles: two sections may share a title, and charts carry no ids of their own.
    private static func sectionID(_ index: Int) -> String {
        "section-\(index + 1)"
    }

    // No "<" or "&" in here: the page must stay well-formed XML.
    private static let styleSheet = """

    body { font-family: system-ui, sans-serif; color: #222; background: #fff; line-height: 1.45;
           max-width: 1100px; margin: 0 auto; padding: 24px; }
    h1 { font-size: 1.6em; margin: 0 0 4px; }
    h2 { font-size: 1.2em; margin: 0 0 12px; }
    .subtitle { color: #555; margin: 0; }
    nav { margin: 20px 0; }
    nav h2 { font-size: 1em; margin: 0; }
    nav ol { margin: 4px 0; padding-left: 1.6em; }
    section { border-top: 1px solid #e6e6e6; margin-top: 28px; padding-top: 16px; }
    .figure { overflow-x: auto; }
    .figure svg { display: block; max-width: 100%; height: auto; }
    .note { color: #555; font-size: 0.92em; }
    table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 4px 0; }
    caption { caption-side: top; text-align: left; font-weight: 600; padding-bottom: 6px; }
    th, td { padding: 4px 12px; text-align: left; border-bottom: 1px solid #e6e6e6; }
    th { border-bottom: 2px solid #bbb; }
    th.number, td.number { text-align: right; }
    tr.highlighted td { font-weight: 700; }
    @media print { nav { display: none; } section { break-inside: avoid; } }

    """
}
