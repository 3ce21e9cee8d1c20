import Foundation

/// Reference-counted, 64-byte-aligned Float32 storage shared by tensors (copy-on-write through `Tensor`).
public final class TensorStorage: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    public init(count: Int) {
        _ = EngineRuntime.configured
        self.count = count
        // 64-byte alignment: whole cache lines and AVX-512 loads for OpenBLAS and our loops.
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * MemoryLayout<Float>.stride, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(1, count))
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }

    @usableFromInline func copy() -> TensorStorage {
        let s = TensorStorage(count: count)
        s.pointer.update(from: pointer, count: count)
        return s
    }
}

/// A dense, contiguous, row-major Float32 tensor with value semantics (copy-on-write storage).
///
/// Weights follow PyTorch's shapes (O×I×kh×kw(×kt), so state dicts match mmaction2's). Activations inside the
/// backbone are channel-major, C×N×H×W (2-D) or C×N×T×H×W (3-D), so a convolution over a whole batch is a few large
/// GEMMs; model inputs arrive as B×M×C×H×W (clips × segments) and are made channel-major once, before the backbone.
/// Kernels get raw pointers through `withData` / `withMutableData`; a mutation copies the storage first if another
/// tensor shares it, so a tensor handed to an event or a checkpoint writer never changes under it.
public struct Tensor: @unchecked Sendable, Equatable, CustomStringConvertible {
    public private(set) var shape: [Int]
    @usableFromInline var storage: TensorStorage

    public var count: Int { storage.count }
    public var rank: Int { shape.count }

    /// Uninitialised memory of `shape` (every element must be written before it is read).
    public init(uninitialized shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.storage = TensorStorage(count: shape.reduce(1, *))
    }

    public init(shape: [Int], repeating value: Float) {
        self.init(uninitialized: shape)
        storage.pointer.initialize(repeating: value, count: storage.count)
    }

    public init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not hold \(values.count) values")
        self.init(uninitialized: shape)
        values.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }

    /// Uniform in `range`, drawn from `rng` in index order.
    public static func uniform(_ shape: [Int], in range: ClosedRange<Float>, rng: inout Philox) -> Tensor {
        var t = Tensor(uninitialized: shape)
        let lo = range.lowerBound, width = range.upperBound - range.lowerBound, n = t.count
        t.withMutableData { p in for i in 0..<n { p[i] = lo + width * rng.nextFloat() } }
        return t
    }

    /// Normal(mean, std), drawn from `rng` in index order.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float, rng: inout Philox) -> Tensor {
        var t = Tensor(uninitialized: shape)
        let n = t.count
        t.withMutableData { p in for i in 0..<n { p[i] = mean + std * rng.nextNormal() } }
        return t
    }

    public subscript(i: Int) -> Float {
        get { storage.pointer[i] }
        set { makeUnique(); storage.pointer[i] = newValue }
    }

    /// The elements in row-major order.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: count)) }

    @inlinable
    public func withData<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafePointer(storage.pointer))
    }

    @inlinable
    public mutating func withMutableData<R>(_ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        makeUnique()
        return try body(storage.pointer)
    }

    @inlinable
    /// True when both tensors use the same storage: any write to either since then would have copied it (copy on
    /// write), so the contents are still the same. Caches of derived tensors (folded weights) check it.
    public func sharesStorage(with other: Tensor) -> Bool { storage === other.storage }

    public mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// The same elements under another shape of equal element count (shares storage until written).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var t = self
        t.reshape(newShape)
        return t
    }

    public mutating func reshape(_ newShape: [Int]) {
        var shape = newShape
        if let k = shape.firstIndex(of: -1) {
            let known = shape.enumerated().filter { $0.offset != k }.map(\.element).reduce(1, *)
            shape[k] = known == 0 ? 0 : count / known
        }
        precondition(shape.reduce(1, *) == count, "cannot reshape \(self.shape) to \(newShape)")
        self.shape = shape
    }

    public mutating func fill(_ value: Float) {
        makeUnique()
        storage.pointer.update(repeating: value, count: count)
    }

    /// Σ self·other in double precision (gradient checks, losses).
    public func dot(_ other: Tensor) -> Double {
        precondition(count == other.count)
        var s = 0.0
        for i in 0..<count { s += Double(storage.pointer[i]) * Double(other.storage.pointer[i]) }
        return s
    }

    public static func == (a: Tensor, b: Tensor) -> Bool {
        a.shape == b.shape && (a.storage === b.storage || memcmp(a.storage.pointer, b.storage.pointer, a.count * 4) == 0)
    }

    public var description: String {
        let preview = scalars.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor(\(shape), [\(preview)\(count > 8 ? ", …" : "")])"
    }
}
