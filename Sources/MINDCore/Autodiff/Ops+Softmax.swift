/// Softmax and log-softmax along an axis, with an optional mask (same shape, 1 keeps,
/// 0 removes). A fully masked slice gives all zeros instead of NaN.
extension Tape {
    public func softmax(_ a: Variable, axis: Int, mask: Tensor? = nil) -> Variable {
        let (x, out, outer, length, inner) = Self.softmaxForward(a.value, axis: axis, mask: mask, logarithm: false)
        return record(out) { g, acc in
            // dx = y * (g - sum(g * y)) along the axis.
            let ga = Tensor(shape: x.shape) { d in
                for i in 0..<outer {
                    for t in 0..<inner {
                        var dotProduct: Float = 0
                        for j in 0..<length {
                            let index = (i * length + j) * inner + t
                            dotProduct += g.storage[index] * out.storage[index]
                        }
                        for j in 0..<length {
                            let index = (i * length + j) * inner + t
                            d[index] = out.storage[index] * (g.storage[index] - dotProduct)
                        }
                    }
                }
            }
            acc.add(ga, to: a)
        }
    }

    /// log(softmax(x)); masked positions hold 0 and get no gradient.
    public func logSoftmax(_ a: Variable, axis: Int, mask: Tensor? = nil) -> Variable {
        let (x, out, outer, length, inner) = Self.softmaxForward(a.value, axis: axis, mask: mask, logarithm: true)
        return record(out) { g, acc in
            // dx = g - softmax * sum(g) along the axis, restricted to unmasked positions.
            if inner == 1 {
                acc.add(Self.contiguousLogSoftmaxGradient(g, out, mask, rows: outer, length: length), to: a)
                return
            }
            let ga = Tensor(shape: x.shape) { d in
                for i in 0..<outer {
                    for t in 0..<inner {
                        var total: Float = 0
                        for j in 0..<length {
                            let index = (i * length + j) * inner + t
                            if mask == nil || mask!.storage[index] != 0 { total += g.storage[index] }
                        }
                        for j in 0..<length {
                            let index = (i * length + j) * inner + t
                            if let mask, mask.storage[index] == 0 {
                                d[index] = 0
                            } else {
                                d[index] = g.storage[index] - Foundation.exp(out.storage[index]) * total
                            }
                        }
                    }
                }
            }
            acc.add(ga, to: a)
        }
    }

    /// The forward pass shared by softmax and log-softmax, with the [outer, axis, inner] view.
    static func softmaxForward(
        _ x: Tensor, axis: Int, mask: Tensor?, logarithm: Bool
    ) -> (input: Tensor, output: Tensor, outer: Int, length: Int, inner: Int) {
        if let mask { precondition(mask.shape == x.shape, "softmax mask shape \(mask.shape) differs from \(x.shape).") }
        let (outer, length, inner) = x.shape.split(at: axis)
        let out = Tensor(shape: x.shape) { o in
            softmaxKernel(x.storage, mask?.storage, o, outer: outer, length: length, inner: inner, logarithm: logarithm)
        }
        return (x, out, outer, length, inner)
    }

    static func softmaxKernel(
        _ x: [Float], _ mask: [Float]?, _ o: UnsafeMutableBufferPointer<Float>,
        outer: Int, length: Int, inner: Int, logarithm: Bool
    ) {
        if inner == 1 {
            contiguousSoftmax(x, mask, o, rows: outer, length: length, logarithm: logarithm)
            return
        }
        for i in 0..<outer {
            for t in 0..<inner {
                var largest = -Float.infinity
                for j in 0..<length {
                    let index = (i * length + j) * inner + t
                    if mask == nil || mask![index] != 0 { largest = Swift.max(largest, x[index]) }
                }
                if largest == -Float.infinity {
                    for j in 0..<length { o[(i * length + j) * inner + t] = 0 }
                    continue
                }
                var total: Float = 0
                for j in 0..<length {
                    let index = (i * length + j) * inner + t
                    if let mask, mask[index] == 0 {
                        o[index] = 0
                    } else {
                        let e = Foundation.exp(x[index] - largest)
                        o[index] = e
                        total += e
                    }
                }
                if logarithm {
                    let logTotal = Foundation.log(total) + largest
                    for j in 0..<length {
                        let index = (i * length + j) * inner + t
                        if mask == nil || mask![index] != 0 { o[index] = x[index] - logTotal }
                    }
                } else {
                    let scale = 1 / total
                    for j in 0..<length { o[(i * length + j) * inner + t] *= scale }
                }
            }
        }
    }
}


extension Tape {
    /// The log-softmax pullback over contiguous rows: g - exp(out) * sum(g), masked entries 0.
    static func contiguousLogSoftmaxGradient(_ g: Tensor, _ out: Tensor, _ mask: Tensor?, rows: Int, length: Int) -> Tensor {
        let zero = VectorMath.Lanes(repeating: 0)
        return Tensor(shape: g.shape) { d in
            g.storage.withUnsafeBufferPointer { gp in
                out.storage.withUnsafeBufferPointer { op in
                    withMaskPointer(mask?.storage) { mp in
                        for row in 0..<rows {
                            let base = row * length
                            let gradient = gp.baseAddress! + base, output = op.baseAddress! + base, result = d.baseAddress! + base
                            let rowMask = mp.map { $0 + base }
                            let scale = VectorMath.Lanes(repeating: VectorMath.sum(gradient, mask: rowMask, count: length))
                            VectorMath.zip(gradient, output, result, count: length) { $0 - VectorMath.exp($1) * scale }
                            if let rowMask {
                                VectorMath.zip(result, rowMask, result, count: length) { $0.replacing(with: zero, where: $1 .== zero) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Softmax over contiguous rows (the last axis), on SIMD lanes: the sampled-softmax loss
    /// runs this over [B, 1 + negatives] (or [B, 1 + catalogue] for the full softmax) every step.
    static func contiguousSoftmax(
        _ x: [Float], _ mask: [Float]?, _ o: UnsafeMutableBufferPointer<Float>, rows: Int, length: Int, logarithm: Bool
    ) {
        typealias Lanes = VectorMath.Lanes
        let zero = Lanes(repeating: 0)
        x.withUnsafeBufferPointer { xp in
            withMaskPointer(mask) { mp in
                for row in 0..<rows {
                    let input = xp.baseAddress! + row * length
                    let output = o.baseAddress! + row * length
                    let rowMask = mp.map { $0 + row * length }
                    let largest = VectorMath.maximum(input, mask: rowMask, count: length)
                    if largest == -Float.infinity {
                        output.update(repeating: 0, count: length)
                        continue
                    }
                    let shift = Lanes(repeating: largest)
                    VectorMath.map(input, output, count: length) { VectorMath.exp($0 - shift) }
                    let total = VectorMath.sum(output, mask: rowMask, count: length)
                    if logarithm {
                        let logTotal = Lanes(repeating: Foundation.log(total) + largest)
                        VectorMath.map(input, output, count: length) { $0 - logTotal }
                    } else {
                        let scale = Lanes(repeating: 1 / total)
                        VectorMath.map(output, output, count: length) { $0 * scale }
                    }
                    if let rowMask {
                        VectorMath.zip(output, rowMask, output, count: length) { $0.replacing(with: zero, where: $1 .== zero) }
                    }
                }
            }
        }
    }

    /// Runs `body` with a pointer to the mask's values, or nil without a mask.
    private static func withMaskPointer<Result>(_ mask: [Float]?, _ body: (UnsafePointer<Float>?) -> Result) -> Result {
        guard let mask else { return body(nil) }
        return mask.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

import Foundation
