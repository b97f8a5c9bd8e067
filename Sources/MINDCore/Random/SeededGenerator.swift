import Foundation

/// Xoshiro256** seeded through SplitMix64: fast, small-state and reproducible across platforms.
///
/// Every random draw in `mind` takes one of these explicitly, so the same `--seed`
/// gives the same model, the same split and the same synthetic data.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// A generator whose whole stream is determined by `seed`.
    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = nextSplitMix()
        s1 = nextSplitMix()
        s2 = nextSplitMix()
        s3 = nextSplitMix()
    }

    /// An independent stream derived from this generator's seed and a label, e.g. one per
    /// epoch or per worker, so that adding draws in one place never shifts another.
    public func derived(_ label: UInt64) -> SeededGenerator {
        SeededGenerator(seed: (s0 ^ (label &* 0xD6E8_FEB8_6659_FD93)) &+ s2)
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    @inline(__always)
    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }

    /// Uniform in [0, 1) with 24 random bits, the full precision of a Float.
    @inline(__always)
    public mutating func nextUniformFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always)
    public mutating func nextUniformDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform integer in 0..<bound without modulo bias (Lemire's method).
    @inline(__always)
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "nextInt(below:) needs a positive bound.")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// A standard normal draw (Box-Muller; the second value is discarded for simplicity).
    public mutating func nextNormal() -> Float {
        nextNormalPair().0
    }

    /// Two independent standard normal draws from one Box-Muller transform.
    public mutating func nextNormalPair() -> (Float, Float) {
        var u1 = Float(next() >> 40) * (1.0 / 16_777_216.0)
        if u1 < 1e-30 { u1 = 1e-30 }
        let angle = 2 * Float.pi * Float(next() >> 40) * (1.0 / 16_777_216.0)
        let radius = (-2 * logf(u1)).squareRoot()
        return (radius * cosf(angle), radius * sinf(angle))
    }

    /// Fills `buffer` with standard normal draws times `scale`.
    public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>, scale: Float) {
        var i = 0
        while i + 1 < buffer.count {
            let (a, b) = nextNormalPair()
            buffer[i] = a * scale
            buffer[i + 1] = b * scale
            i += 2
        }
        if i < buffer.count { buffer[i] = nextNormal() * scale }
    }

    /// Shuffles `array` in place (Fisher-Yates) with this generator.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }
}

