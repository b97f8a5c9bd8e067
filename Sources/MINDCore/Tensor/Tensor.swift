/// A dense Float32 array with a shape, stored row-major (the last axis is contiguous).
///
/// A value type with copy-on-write storage: passing tensors around is cheap, and the
/// autodiff tape can keep every intermediate value without defensive copies.
public struct Tensor: Sendable, Equatable, CustomStringConvertible {
    /// Extent of each axis; `[]` is a scalar.
    public var shape: [Int]
    /// Elements in row-major order; `storage.count == shape.product`.
    public var storage: [Float]

    /// A tensor over `storage` read in row-major order with the given shape.
    public init(shape: [Int], storage: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative extent.")
        precondition(
            shape.reduce(1, *) == storage.count,
            "Tensor shape \(shape) needs \(shape.reduce(1, *)) elements but storage has \(storage.count).")
        self.shape = shape
        self.storage = storage
    }

    /// A tensor filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        self.init(shape: shape, storage: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }

    /// A scalar tensor.
    public init(scalar: Float) { self.init(shape: [], storage: [scalar]) }

    /// Builds a tensor by writing into uninitialised storage of the right size.
    @inline(__always)
    public init(shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let count = shape.reduce(1, *)
        let storage = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            body(buffer)
            initialized = count
        }
        self.init(shape: shape, storage: storage)
    }

    /// Normal draws with the given standard deviation.
    public static func randomNormal(
        _ shape: [Int], standardDeviation: Float, using generator: inout SeededGenerator
    ) -> Tensor {
        Tensor(shape: shape) { out in
            for i in 0..<out.count { out[i] = generator.nextNormal() * standardDeviation }
        }
    }

    /// Uniform draws in [-limit, limit).
    public static func randomUniform(
        _ shape: [Int], limit: Float, using generator: inout SeededGenerator
    ) -> Tensor {
        Tensor(shape: shape) { out in
            for i in 0..<out.count { out[i] = (generator.nextUniformFloat() * 2 - 1) * limit }
        }
    }

    /// Number of elements.
    @inline(__always) public var count: Int { storage.count }
    /// Number of axes.
    @inline(__always) public var rank: Int { shape.count }
    /// The only element of a one-element tensor.
    public var scalar: Float {
        precondition(count == 1, "Tensor.scalar needs exactly one element, shape is \(shape).")
        return storage[0]
    }

    /// The same elements viewed with another shape of equal element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, storage: storage)
    }

    /// Row `index` of a rank-2 tensor.
    public func row(_ index: Int) -> ArraySlice<Float> {
        precondition(rank == 2, "Tensor.row needs a rank-2 tensor, shape is \(shape).")
        let width = shape[1]
        return storage[(index * width)..<((index + 1) * width)]
    }

    public var description: String { "Tensor(shape: \(shape), \(storage.prefix(8))\(count > 8 ? "..." : ""))" }

    /// Largest absolute element-wise difference to `other` (same shape).
    public func maxAbsoluteDifference(_ other: Tensor) -> Float {
        precondition(shape == other.shape, "Shapes \(shape) and \(other.shape) differ.")
        var worst: Float = 0
        for i in 0..<count { worst = max(worst, abs(storage[i] - other.storage[i])) }
        return worst
    }
}

extension Array where Element == Int {
    /// Product of the extents: the element count of a shape.
    @inline(__always) public var elementCount: Int { reduce(1, *) }
}
