/// SIMD element-wise math over raw buffers: the inner loops every tensor op ends in.
///
/// `exp` is a Cephes-style polynomial on 8 lanes (relative error about 2e-7), since the
/// libm call per element would dominate softmax, sigmoid and tanh.
public enum VectorMath {
    public typealias Lanes = SIMD8<Float>

    @inline(__always)
    public static func exp(_ x: Lanes) -> Lanes {
        // Only add, multiply, compare-select and bit casts: Swift's generic SIMD rounding and
        // float-to-int conversions compile to per-lane library calls (measured 40 ns/element).
        let low = Lanes(repeating: -87.3), high = Lanes(repeating: 88.7)
        var clamped = x.replacing(with: low, where: x .< low)
        clamped = clamped.replacing(with: high, where: clamped .> high)
        // Round to nearest by adding and subtracting 1.5 * 2^23; the sum's low bits hold n.
        let magic = Lanes(repeating: 12_582_912)
        let shifted = clamped * 1.442_695_04 + magic
        let n = shifted - magic
        let r = clamped - n * 0.693_359_375 + n * 2.121_944_4e-4
        var p = Lanes(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        p = p * r * r + r + 1
        // 2^n: n + 127 in the exponent field; n sits in the low bits of `shifted`.
        let integer = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let exponent = (integer &+ 127) &<< 23
        return p * unsafeBitCast(exponent, to: Lanes.self)
    }

    /// 1 / (1 + exp(-x)).
    @inline(__always)
    public static func sigmoid(_ x: Lanes) -> Lanes {
        1 / (1 + exp(-x))
    }

    @inline(__always)
    public static func exp(_ x: Float) -> Float {
        exp(Lanes(repeating: x))[0]
    }

    /// tanh(x) as x P(x^2) / Q(x^2) with quartic P and Q on [-9, 9] and +-1 beyond (|tanh(9)| is 1 to within
    /// 3e-8): within 4e-7 of tanh in Float, and half the work of the form through exp, 1 - 2 / (exp(2x) + 1).
    /// The coefficients are a minimax fit of our own (Loeb iteration with Lawson weights on 40,000 points).
    @inline(__always)
    public static func tanh(_ x: Lanes) -> Lanes {
        let bound = Lanes(repeating: 9)
        var clamped = x.replacing(with: -bound, where: x .< -bound)
        clamped = clamped.replacing(with: bound, where: clamped .> bound)
        let t = clamped * clamped
        var p = Lanes(repeating: 1.318_463_6e-8)
        p = p * t + 2.047_212_0e-5
        p = p * t + 3.486_599_0e-3
        p = p * t + 1.337_321_2e-1
        p = p * t + 9.999_999_1e-1
        var q = Lanes(repeating: 7.702_829_8e-7)
        q = q * t + 3.271_413_7e-4
        q = q * t + 2.584_204_4e-2
        q = q * t + 4.670_650_9e-1
        q = q * t + 1
        return clamped * p / q
    }

    /// out = tanh(a), or tanh(a + b) when `b` is given, over contiguous vectors. A loop of its own rather than `map`
    /// with a closure: the optimiser kept that closure out of line, a call per 8 elements that left each block
    /// waiting on its division.
    public static func tanh(_ a: UnsafePointer<Float>, plus b: UnsafePointer<Float>? = nil, _ out: UnsafeMutablePointer<Float>, count: Int) {
        let rawA = UnsafeRawPointer(a)
        let rawB = b.map(UnsafeRawPointer.init)
        let rawOut = UnsafeMutableRawPointer(out)
        var i = 0
        while i + 8 <= count {
            var x = rawA.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self)
            if let rawB { x += rawB.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self) }
            rawOut.storeBytes(of: tanh(x), toByteOffset: i * 4, as: Lanes.self)
            i += 8
        }
        if i < count {
            var tail = Lanes(repeating: 0)
            for j in 0..<(count - i) { tail[j] = a[i + j] + (b?[i + j] ?? 0) }
            let result = tanh(tail)
            for j in 0..<(count - i) { out[i + j] = result[j] }
        }
    }

    /// The sum of exp(x - shift) over contiguous values (eight running sums, then their total). Loops of their own,
    /// like `tanh` above: through `map` the exp closure is kept out of line.
    public static func sumOfExp(_ x: UnsafePointer<Float>, minus shift: Float, count: Int) -> Float {
        let rawX = UnsafeRawPointer(x), shiftLanes = Lanes(repeating: shift)
        var accumulator = Lanes(repeating: 0)
        var i = 0
        while i + 8 <= count {
            accumulator += exp(rawX.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self) - shiftLanes)
            i += 8
        }
        var total = accumulator.sum()
        while i < count {
            total += exp(x[i] - shift)
            i += 1
        }
        return total
    }

    /// out = exp(x - shift) * factor over contiguous vectors.
    public static func exp(_ x: UnsafePointer<Float>, minus shift: Float, times factor: Float, _ out: UnsafeMutablePointer<Float>, count: Int) {
        let rawX = UnsafeRawPointer(x), rawOut = UnsafeMutableRawPointer(out)
        let shiftLanes = Lanes(repeating: shift), factorLanes = Lanes(repeating: factor)
        var i = 0
        while i + 8 <= count {
            let v = exp(rawX.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self) - shiftLanes) * factorLanes
            rawOut.storeBytes(of: v, toByteOffset: i * 4, as: Lanes.self)
            i += 8
        }
        while i < count {
            out[i] = exp(x[i] - shift) * factor
            i += 1
        }
    }

    /// Applies `lanes` to 8 elements at a time and `scalar` to the tail.
    @inline(__always)
    public static func map(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int,
        lanes: (Lanes) -> Lanes
    ) {
        var i = 0
        let rawIn = UnsafeRawPointer(input)
        let rawOut = UnsafeMutableRawPointer(output)
        while i + 8 <= count {
            let v = rawIn.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self)
            rawOut.storeBytes(of: lanes(v), toByteOffset: i * 4, as: Lanes.self)
            i += 8
        }
        if i < count {
            var tail = Lanes(repeating: 0)
            for j in 0..<(count - i) { tail[j] = input[i + j] }
            let result = lanes(tail)
            for j in 0..<(count - i) { output[i + j] = result[j] }
        }
    }

    /// Applies `lanes` to pairs of 8-element blocks of two inputs.
    @inline(__always)
    public static func zip(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
        count: Int, lanes: (Lanes, Lanes) -> Lanes
    ) {
        var i = 0
        let rawA = UnsafeRawPointer(a)
        let rawB = UnsafeRawPointer(b)
        let rawOut = UnsafeMutableRawPointer(output)
        while i + 8 <= count {
            let x = rawA.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self)
            let y = rawB.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self)
            rawOut.storeBytes(of: lanes(x, y), toByteOffset: i * 4, as: Lanes.self)
            i += 8
        }
        if i < count {
            var x = Lanes(repeating: 0)
            var y = Lanes(repeating: 1)
            for j in 0..<(count - i) {
                x[j] = a[i + j]
                y[j] = b[i + j]
            }
            let result = lanes(x, y)
            for j in 0..<(count - i) { output[i + j] = result[j] }
        }
    }

    /// Dot product of two contiguous vectors.
    @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var accumulator = Lanes(repeating: 0)
        var i = 0
        let rawA = UnsafeRawPointer(a)
        let rawB = UnsafeRawPointer(b)
        while i + 8 <= count {
            let x = rawA.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self)
            let y = rawB.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self)
            accumulator.addProduct(x, y)
            i += 8
        }
        var sum = accumulator.sum()
        while i < count {
            sum += a[i] * b[i]
            i += 1
        }
        return sum
    }

    /// y += alpha * x over contiguous vectors.
    @inline(__always)
    public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        let rawX = UnsafeRawPointer(x)
        let rawY = UnsafeMutableRawPointer(y)
        let scale = Lanes(repeating: alpha)
        while i + 8 <= count {
            var v = rawY.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self)
            v.addProduct(scale, rawX.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self))
            rawY.storeBytes(of: v, toByteOffset: i * 4, as: Lanes.self)
            i += 8
        }
        while i < count {
            y[i] += alpha * x[i]
            i += 1
        }
    }

    /// The largest of `count` values, skipping those whose mask entry is 0; -infinity when none is kept.
    @inline(__always)
    public static func maximum(_ x: UnsafePointer<Float>, mask: UnsafePointer<Float>?, count: Int) -> Float {
        let lowest = Lanes(repeating: -.infinity), zero = Lanes(repeating: 0)
        var best = lowest
        var i = 0
        let rawX = UnsafeRawPointer(x)
        while i + 8 <= count {
            var v = rawX.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self)
            if let mask { v.replace(with: lowest, where: UnsafeRawPointer(mask).loadUnaligned(fromByteOffset: i * 4, as: Lanes.self) .== zero) }
            best.replace(with: v, where: v .> best)
            i += 8
        }
        var largest = best.max()
        while i < count {
            if mask == nil || mask![i] != 0 { largest = Swift.max(largest, x[i]) }
            i += 1
        }
        return largest
    }

    /// The sum of `count` values, skipping those whose mask entry is 0 (eight running sums, then their total).
    @inline(__always)
    public static func sum(_ x: UnsafePointer<Float>, mask: UnsafePointer<Float>?, count: Int) -> Float {
        let zero = Lanes(repeating: 0)
        var accumulator = zero
        var i = 0
        let rawX = UnsafeRawPointer(x)
        while i + 8 <= count {
            var v = rawX.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self)
            if let mask { v.replace(with: zero, where: UnsafeRawPointer(mask).loadUnaligned(fromByteOffset: i * 4, as: Lanes.self) .== zero) }
            accumulator += v
            i += 8
        }
        var total = accumulator.sum()
        while i < count {
            if mask == nil || mask![i] != 0 { total += x[i] }
            i += 1
        }
        return total
    }

    /// y += x over contiguous vectors.
    @inline(__always)
    public static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] += x[i] }
    }
}
