import Foundation

/// Chart colours: Tableau 10 for categories (chosen to stay apart under the common colour-vision deficiencies) and
/// a white-to-dark-blue ramp (ColorBrewer Blues) for magnitudes, which reads correctly in grey print too.
public enum Palette {
    /// Tableau 10, in its published order; the last one, a warm grey, doubles as the "other" colour.
    public static let categorical = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
        "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    ]
    /// Colour of a folded "other" category.
    public static let other = "#bab0ac"
    /// Fill of a cell that has no value.
    public static let missing = "#e8e8e8"

    /// The categorical colour for series `index`, cycling after ten.
    public static func category(_ index: Int) -> String {
        let count = categorical.count
        return categorical[((index % count) + count) % count]
    }

    /// The sequential colour at `fraction` (clamped to 0...1): white at 0, dark blue at 1; `missing` for NaN.
    public static func sequential(_ fraction: Double) -> String {
        guard !fraction.isNaN else { return missing }
        let stops: [(Double, Double, Double)] = [
            (255, 255, 255), (198, 219, 239), (107, 174, 214), (33, 113, 181), (8, 48, 107),
        ]
        let position = min(max(fraction, 0), 1) * Double(stops.count - 1)
        let index = min(Int(position), stops.count - 2)
        let weight = position - Double(index)
        let (from, to) = (stops[index], stops[index + 1])
        return hex(from.0 + (to.0 - from.0) * weight, from.1 + (to.1 - from.1) * weight, from.2 + (to.2 - from.2) * weight)
    }

    /// Black or white, whichever reads better on `background` (a "#rrggbb" colour), by its relative luminance.
    public static func textColour(on background: String) -> String {
        let digits = background.dropFirst()
        guard background.hasPrefix("#"), digits.count == 6, let packed = Int(digits, radix: 16) else { return "#1a1a1a" }
        let channels = [(packed >> 16) & 0xFF, (packed >> 8) & 0xFF, packed & 0xFF].map { channel -> Double in
            let value = Double(channel) / 255
            return value <= 0.03928 ? value / 12.92 : pow((value + 0.055) / 1.055, 2.4)
        }
        let luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
        // 0.18 is where the contrast ratios against black and against white are equal.
        return luminance > 0.18 ? "#1a1a1a" : "#ffffff"
    }

    private static func hex(_ red: Double, _ green: Double, _ blue: Double) -> String {
        let bytes = [red, green, blue].map { Int(min(max($0.rounded(), 0), 255)) }
        return "#" + bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
