import ArgumentParser

/// The `--at` cut-offs of `evaluate` and `compare`: whole numbers from 1 to the largest list `recommend` gives,
/// comma-separated; anything else is a usage error naming an example.
func parseCutoffs(_ text: String, example: String) throws -> [Int] {
    let parts = text.split(separator: ",")
    let cutoffs = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !parts.isEmpty, cutoffs.count == parts.count, cutoffs.allSatisfy({ (1...RecommendCommand.maximumCount).contains($0) }) else {
        throw ValidationError("--at takes cut-offs from 1 to \(RecommendCommand.maximumCount) separated by commas, e.g. \(example)")
    }
    return cutoffs
}

/// Bootstrap resamples: positive, and at most a million (the interval's own error is long gone by then, and each
/// resample passes over every user).
func checkResamples(_ resamples: Int) throws {
    guard (1...1_000_000).contains(resamples) else { throw ValidationError("--resamples must be between 1 and 1000000") }
}
