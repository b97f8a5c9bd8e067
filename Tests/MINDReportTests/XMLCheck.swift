import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// What XMLParser saw in a document: the parse error if any, each element with its attributes, and the text
/// directly inside each element (child elements' text goes to the child).
final class ParsedDocument: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text: String
        /// Names of the direct child elements.
        var children: [String] = []
    }

    private(set) var elements: [Element] = []
    private(set) var error: Error?
    private var open: [Element] = []

    /// Parses `markup`, dropping a leading `<!DOCTYPE html>` line (XMLParser would look for a DTD).
    static func parse(_ markup: String) -> ParsedDocument {
        let document = ParsedDocument()
        var source = markup
        if source.hasPrefix("<!DOCTYPE html>") { source = String(source.dropFirst("<!DOCTYPE html>".count)) }
        let parser = XMLParser(data: Data(source.utf8))
        parser.delegate = document
        if !parser.parse() { document.error = parser.parserError ?? NSError(domain: "XMLParser", code: -1) }
        return document
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        open.append(Element(name: elementName, attributes: attributes, text: ""))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !open.isEmpty else { return }
        open[open.count - 1].text += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard let element = open.popLast() else { return }
        elements.append(element)
        if !open.isEmpty { open[open.count - 1].children.append(element.name) }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        error = parseError
    }

    /// Elements named `name`, in document order of their end tags.
    func all(_ name: String) -> [Element] {
        elements.filter { $0.name == name }
    }

    /// Text of every `<text>` element, trimmed.
    var texts: [String] {
        all("text").map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
    }
}

/// Parses a chart and checks what every chart must satisfy: well-formed, an `<svg>` root with the SVG namespace
/// and positive size, and no attribute that says NaN or infinity.
@discardableResult
func expectValidSVG(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) -> ParsedDocument {
    let document = ParsedDocument.parse(svg)
    #expect(document.error == nil, "SVG does not parse: \(String(describing: document.error))", sourceLocation: sourceLocation)
    #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""), "no SVG root", sourceLocation: sourceLocation)
    guard let root = document.all("svg").first else {
        Issue.record("no <svg> element", sourceLocation: sourceLocation)
        return document
    }
    for key in ["width", "height"] {
        let size = root.attributes[key].flatMap(Double.init) ?? 0
        #expect(size > 0 && size < 10_000, "svg \(key) \(root.attributes[key] ?? "missing")", sourceLocation: sourceLocation)
    }
    expectNoNonFiniteAttributes(document, sourceLocation: sourceLocation)
    return document
}

/// No attribute value other than the accessible label (which is the title text) contains "nan" or "inf".
func expectNoNonFiniteAttributes(_ document: ParsedDocument, sourceLocation: SourceLocation = #_sourceLocation) {
    for element in document.elements {
        for (key, value) in element.attributes where key != "aria-label" {
            let lowered = value.lowercased()
            #expect(!(lowered.contains("nan") || lowered.contains("inf")), "<\(element.name) \(key)=\"\(value)\">", sourceLocation: sourceLocation)
        }
    }
}

/// The numbers in every coordinate-like attribute, for checks that the geometry stays finite and in range.
func coordinates(_ document: ParsedDocument) -> [Double] {
    let keys: Set = ["x", "y", "width", "height", "x1", "y1", "x2", "y2", "cx", "cy", "r"]
    return document.elements.flatMap { element in
        element.attributes.filter { keys.contains($0.key) }.compactMap { Double($0.value) }
    }
}

/// Labels with every character that could break markup, plus emoji and length.
enum Nasty {
    static let escaping = "Tom & Jerry <\"quoted\"> 'x'"
    static let emoji = "Sci-Fi 🚀👩‍🚀 Ünïcödé"
    static let long = String(repeating: "A very long genre name that goes on ", count: 6)
    static let control = "bell\u{07}null\u{00}tab\tend"
}
