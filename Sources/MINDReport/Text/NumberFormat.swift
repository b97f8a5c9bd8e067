import Foundation

/// Number formatting for chart labels and tables: short enough to fit a heatmap cell, never "nan" or "inf".
public enum NumberFormat {
    /// What a missing or non-finite value prints as.
    public static let missing = "–"

    /// Three significant digits with a k/M/B/T suffix from a thousand up ("0.312", "12.5", "12.5k", "1.2M"),
    /// scientific notation below 0.001 or from 10^15 ("3.1e-5"); `missing` for NaN and infinities.
    public static func short(_ value: Double) -> String {
        guard value.isFinite else { return missing }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        let sign = value < 0 ? "-" : ""
        if magnitude < 1e-3 || magnitude >= 1e15 { return sign + scientific(magnitude) }
        let units: [(scale: Double, suffix: String)] = [(1, ""), (1e3, "k"), (1e6, "M"), (1e9, "B"), (1e12, "T")]
        var unit = units.lastIndex { magnitude >= $0.scale } ?? 0
        var mantissa = significant(magnitude / units[unit].scale)
        // 999_960 rounds to "1000k"; the next suffix reads "1M".
        if let rounded = Double(mantissa), rounded >= 1000 {
            guard unit + 1 < units.count else { return sign + scientific(magnitude) }
            unit += 1
            mantissa = significant(magnitude / units[unit].scale)
        }
        return sign + mantissa + units[unit].suffix
    }

    /// `value` with exactly `digits` decimals (clamped to 0...17), "-0.00" printed as "0.00"; `missing` for NaN
    /// and infinities.
    public static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return missing }
        let text = String(format: "%.\(min(max(digits, 0), 17))f", value)
        if text.hasPrefix("-") && text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) {
            return String(text.dropFirst())
        }
        return text
    }

    /// `fixed` with an explicit sign for differences ("+0.0123", "-0.0040", "0.0000" for zero).
    public static func signed(_ value: Double, digits: Int = 4) -> String {
        let text = fixed(value, digits: digits)
        return text == missing || text.hasPrefix("-") || text.allSatisfy({ $0 == "0" || $0 == "." }) ? text : "+" + text
    }

    /// A positive finite `magnitude` below 1000 (or just at it) to three significant digits, trailing zeros dropped.
    private static func significant(_ magnitude: Double) -> String {
        let decimals = max(0, 2 - Int(floor(log10(magnitude))))
        return trimmingZeros(String(format: "%.\(decimals)f", magnitude))
    }

    /// "3.1e-5" rather than C's "3.1e-05".
    private static func scientific(_ magnitude: Double) -> String {
        let parts = String(format: "%.1e", magnitude).split(separator: "e")
        guard parts.count == 2, let exponent = Int(parts[1]) else { return missing }
        return trimmingZeros(String(parts[0])) + "e\(exponent)"
    }

    private static func trimmingZeros(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var result = Substring(text)
        while result.hasSuffix("0") { result = result.dropLast() }
        if result.hasSuffix(".") { result = result.dropLast() }
        return String(result)
    }
}
