import Foundation

/// XML and HTML escaping, so labels taken from data (item titles, genre names) can never break the markup around them.
public enum Markup {
    /// `text` with `& < > " '` replaced by entities and the characters XML 1.0 forbids dropped; safe both as element
    /// text and inside a double- or single-quoted attribute value.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            // &apos; is not an HTML 4 entity; the numeric reference works in XML and every HTML version.
            case "'": result += "&#39;"
            default:
                if isAllowed(scalar) { result.unicodeScalars.append(scalar) }
            }
        }
        return result
    }

    /// `text` cut to at most `maxCharacters` characters, ending in "…" when cut; counts grapheme clusters, so an
    /// emoji or an accented letter is never split.
    public static func truncate(_ text: String, maxCharacters: Int) -> String {
        let limit = max(1, maxCharacters)
        guard text.count > limit else { return text }
        return String(text.prefix(limit - 1)) + "…"
    }

    /// The XML 1.0 `Char` production (surrogates cannot occur in a Swift string). C1 controls are dropped as well,
    /// because HTML parsers report them as errors and they never carry meaning in a label.
    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return true
        case 0x00..<0x20, 0x7F...0x9F, 0xFFFE, 0xFFFF: return false
        default: return true
        }
    }
}

/// Text width estimates for layout: no font metrics are available, so a character counts 0.6 × the font size, and
/// a wide one (CJK, emoji) a full font size.
enum TextMetrics {
    /// Estimated rendered width of `text` at `fontSize`.
    static func width(_ text: String, fontSize: Double) -> Double {
        text.reduce(0) { $0 + characterWidth($1) } * fontSize
    }

    /// `text` shortened with "…" so that its estimated width stays within `maxWidth`; `text` itself when it fits.
    static func fit(_ text: String, maxWidth: Double, fontSize: Double) -> String {
        guard width(text, fontSize: fontSize) > maxWidth else { return text }
        let budget = maxWidth / fontSize - characterWidth("…")
        var used = 0.0
        var kept = ""
        for character in text {
            used += characterWidth(character)
            if used > budget { break }
            kept.append(character)
        }
        return kept + "…"
    }

    /// Labels are drawn on one line: newlines and tabs would be collapsed by the renderer anyway.
    static func singleLine(_ text: String) -> String {
        String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }

    /// Width of one character in multiples of the font size.
    static func characterWidth(_ character: Character) -> Double {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        let value = scalar.value
        let isWide = scalar.properties.isEmojiPresentation
            || (0x1100...0x115F).contains(value) || (0x2E80...0xA4CF).contains(value)
            || (0xAC00...0xD7A3).contains(value) || (0xF900...0xFAFF).contains(value)
            || (0xFF00...0xFF60).contains(value) || (0x20000...0x3FFFD).contains(value)
        return isWide ? 1.0 : 0.6
    }
}
