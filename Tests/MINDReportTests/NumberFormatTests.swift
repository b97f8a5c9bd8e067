import Testing
@testable import MINDReport

@Suite struct NumberFormatTests {
    @Test func shortUsesThreeSignificantDigitsAndSuffixes() {
        let cases: [(Double, String)] = [
            (0, "0"), (0.312, "0.312"), (0.31249, "0.312"), (0.0312, "0.0312"), (1, "1"), (12.5, "12.5"),
            (123.4, "123"), (999.6, "1k"), (1234, "1.23k"), (12_500, "12.5k"), (999_960, "1M"), (1_200_000, "1.2M"),
            (3.4e9, "3.4B"), (5e12, "5T"), (-0.5, "-0.5"), (-12_500, "-12.5k"), (0.00003125, "3.1e-5"), (2e18, "2e18"),
        ]
        for (value, expected) in cases {
            #expect(NumberFormat.short(value) == expected, "short(\(value))")
        }
    }

    @Test func nonFiniteValuesPrintAsMissing() {
        for value in [Double.nan, .infinity, -.infinity] {
            #expect(NumberFormat.short(value) == "–")
            #expect(NumberFormat.fixed(value, digits: 2) == "–")
        }
    }

    @Test func fixedPadsAndNeverPrintsNegativeZero() {
        #expect(NumberFormat.fixed(0.5, digits: 3) == "0.500")
        #expect(NumberFormat.fixed(2.345, digits: 0) == "2")
        #expect(NumberFormat.fixed(-0.0001, digits: 2) == "0.00")
        #expect(NumberFormat.fixed(-1.25, digits: 1) == "-1.2")
        #expect(NumberFormat.fixed(1, digits: -3) == "1")
    }
}
