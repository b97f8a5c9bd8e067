import Testing
@testable import MINDReport

@Suite struct TicksTests {
    @Test func ticksOverAFractionRangeAreRoundAndExact() {
        let ticks = Ticks.values(in: 0...0.33, targetCount: 5)
        #expect(ticks == [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3])
        #expect(Ticks.labels(ticks) == ["0.00", "0.05", "0.10", "0.15", "0.20", "0.25", "0.30"])
        #expect(Ticks.values(in: 0...0.33, targetCount: 3) == [0, 0.1, 0.2, 0.3])
    }

    @Test func ticksOverLargeAndNegativeRanges() {
        #expect(Ticks.values(in: 0...100) == [0, 20, 40, 60, 80, 100])
        #expect(Ticks.values(in: -1.2...0.7) == [-1, -0.5, 0, 0.5])
        #expect(Ticks.labels(Ticks.values(in: 0...50_000)) == ["0", "10k", "20k", "30k", "40k", "50k"])
    }

    @Test func integerTicksNeverGoBelowAStepOfOne() {
        #expect(Ticks.values(in: 0...3, targetCount: 6, integersOnly: true) == [0, 1, 2, 3])
        #expect(Ticks.step(for: 0...3, targetCount: 6, integersOnly: true) == 1)
        #expect(Ticks.step(for: 0...3, targetCount: 6) == 0.5)
    }

    @Test func niceDomainWidensToTickMultiples() {
        #expect(Ticks.niceDomain(0...0.33) == 0...0.35)
        #expect(Ticks.niceDomain(0.12...0.97) == 0...1)
        #expect(Ticks.niceDomain(0.52...0.97) == 0.5...1)
        #expect(Ticks.niceDomain(-3.2...0) == -3.5...0)
    }

    @Test func degenerateAndNonFiniteRanges() {
        #expect(Ticks.niceDomain(0...0) == -1...1)
        #expect(Ticks.niceDomain(5...5, integersOnly: true) == 4...6)
        let widened = Ticks.niceDomain(0.7...0.7)
        #expect(widened.lowerBound <= 0.63 && widened.upperBound >= 0.77, "\(widened)")
        #expect(Ticks.step(for: 1...1) == nil)
        #expect(Ticks.values(in: 2...2) == [2])
        #expect(Ticks.niceDomain(-Double.infinity...1) == 0...1)
        #expect(Ticks.values(in: 0...Double.infinity) == [])
        // A span that overflows: the bounds are the only honest labels.
        let huge = Ticks.values(in: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude)
        #expect(huge.allSatisfy { $0.isFinite })
        #expect(!Ticks.labels(huge).contains { $0.lowercased().contains("inf") || $0.lowercased().contains("nan") })
    }

    @Test func labelsShowBinEdgesExactly() {
        #expect(Ticks.labels([0, 0.25, 0.5, 0.75, 1]) == ["0.00", "0.25", "0.50", "0.75", "1.00"])
        #expect(Ticks.labels([0, 2.5, 5]) == ["0.0", "2.5", "5.0"])
        #expect(Ticks.labels([0, 10, 20]) == ["0", "10", "20"])
    }
}
