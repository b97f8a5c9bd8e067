import Foundation

/// Round-number axis ticks: steps of 1, 2 or 5 × 10^k (as d3's linear scales choose them), so an axis over
/// 0...0.33 reads 0, 0.05, …, 0.3 rather than 0, 0.0825, ….
public enum Ticks {
    /// The tick step for `range` aiming at about `targetCount` intervals; at least 1 when `integersOnly`; nil when
    /// the range is empty, inverted or not finite.
    public static func step(for range: ClosedRange<Double>, targetCount: Int = 5, integersOnly: Bool = false) -> Double? {
        stepParts(for: range, targetCount: targetCount, integersOnly: integersOnly).map { $0.step }
    }

    /// The multiples of the tick step inside `range`, lowest first; the two bounds when no step exists.
    public static func values(in range: ClosedRange<Double>, targetCount: Int = 5, integersOnly: Bool = false) -> [Double] {
        guard range.lowerBound.isFinite, range.upperBound.isFinite else { return [] }
        guard let parts = stepParts(for: range, targetCount: targetCount, integersOnly: integersOnly) else {
            return range.lowerBound == range.upperBound ? [range.lowerBound] : [range.lowerBound, range.upperBound]
        }
        // The tolerance keeps 0.35 / 0.05 = 6.999999999999999 from losing the top tick.
        let first = ceil(range.lowerBound / parts.step - 1e-9)
        let last = floor(range.upperBound / parts.step + 1e-9)
        // A tiny span at a huge offset makes the counts meaningless; the bounds are then the honest labels.
        guard first.isFinite, last.isFinite, last >= first, last - first <= 1000 else {
            return [range.lowerBound, range.upperBound]
        }
        return (Int(first)...Int(last)).map { multiple(Double($0), of: parts) }
    }

    /// `range` widened outward to multiples of its tick step, so the tallest bar ends on a labelled gridline; an
    /// empty range is first widened around its value (by 1 when `integersOnly`, else by 10 %, or by 1 around zero).
    public static func niceDomain(_ range: ClosedRange<Double>, targetCount: Int = 5, integersOnly: Bool = false) -> ClosedRange<Double> {
        guard range.lowerBound.isFinite, range.upperBound.isFinite else { return 0...1 }
        var lower = range.lowerBound
        var upper = range.upperBound
        if lower == upper {
            let pad = integersOnly || lower == 0 ? 1 : abs(lower) * 0.1
            lower -= pad
            upper += pad
        }
        // Twice, because widening can change the step (as d3's nice() iterates).
        for _ in 0..<2 {
            guard let parts = stepParts(for: lower...upper, targetCount: targetCount, integersOnly: integersOnly) else { break }
            let niceLower = multiple(floor(lower / parts.step), of: parts)
            let niceUpper = multiple(ceil(upper / parts.step), of: parts)
            guard niceLower.isFinite, niceUpper.isFinite, niceLower < niceUpper else { break }
            lower = niceLower
            upper = niceUpper
        }
        return lower...upper
    }

    /// Labels for evenly spaced values (axis ticks, bin edges) with one shared number of decimals ("0.00", "0.05",
    /// "0.10"): enough to tell neighbours apart and, within two more digits, to show each value exactly. Short
    /// forms ("10k", "20k") once the values reach ten thousand.
    public static func labels(_ ticks: [Double]) -> [String] {
        let largest = ticks.map { abs($0) }.max() ?? 0
        guard ticks.count >= 2, largest < 10_000 else { return ticks.map(NumberFormat.short) }
        let step = abs(ticks[1] - ticks[0])
        guard step > 0, step.isFinite else { return ticks.map(NumberFormat.short) }
        let neighbours = min(10, max(0, Int(-floor(log10(step) + 1e-9))))
        var decimals = neighbours
        // A step of 0.25 needs two decimals although 0.2 and 0.5 need one.
        while decimals < neighbours + 2 && !ticks.allSatisfy({ isWhole($0 * pow(10, Double(decimals))) }) {
            decimals += 1
        }
        return ticks.map { NumberFormat.fixed($0, digits: decimals) }
    }

    private static func isWhole(_ value: Double) -> Bool {
        !value.isFinite || abs(value - value.rounded()) <= 1e-6 * max(1, abs(value))
    }

    /// `index` × step. Dividing by an exact integer (20 for a step of 0.05) avoids 0.30000000000000004; -0 becomes 0.
    private static func multiple(_ index: Double, of parts: (step: Double, inverse: Double?)) -> Double {
        let value = parts.inverse.map { index / $0 } ?? index * parts.step
        return value == 0 ? 0 : value
    }

    /// The step, and for steps below 1 the integer it divides 1 into, which keeps tick values exact.
    private static func stepParts(for range: ClosedRange<Double>, targetCount: Int, integersOnly: Bool) -> (step: Double, inverse: Double?)? {
        let span = range.upperBound - range.lowerBound
        guard span.isFinite, span > 0 else { return nil }
        let raw = span / Double(max(1, targetCount))
        let power = floor(log10(raw))
        let error = raw / pow(10, power)
        let factor: Double = error >= 50.squareRoot() ? 10 : error >= 10.squareRoot() ? 5 : error >= 2.squareRoot() ? 2 : 1
        let step = factor * pow(10, power)
        if integersOnly && step < 1 { return (1, nil) }
        guard step.isFinite, step > 0 else { return nil }
        return power < 0 ? (step, pow(10, -power) / factor) : (step, nil)
    }
}
