/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011): a counter-based RNG.
///
/// State is a 64-bit key (the seed) and a 128-bit counter, so it is tiny to checkpoint, and independent streams
/// (per worker, per rank) come from `fork(stream:)` without any shared state. Used for init, dropout, shuffling
/// and augmentation; the same seed gives the same numbers on every machine.
public struct Philox: Sendable, Equatable, Codable {
    public private(set) var key: (UInt32, UInt32)
    public private(set) var counter: (UInt32, UInt32, UInt32, UInt32)
    private var buffer: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    private var used = 4                       // outputs of `buffer` already handed out
    private var spareNormal: Float? = nil

    public init(seed: UInt64, stream: UInt64 = 0) {
        key = (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
        counter = (0, 0, UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream >> 32))
    }

    /// An independent generator for a sub-stream (a loader worker, a rank): same key, other high counter words.
    public func fork(stream: UInt64) -> Philox {
        var p = Philox(seed: UInt64(key.0) | UInt64(key.1) << 32, stream: stream)
        p.counter.1 = counter.1 &+ 0x9E37_79B9   // keep forks of forks apart
        return p
    }

    private static func mulhilo(_ a: UInt32, _ b: UInt32) -> (hi: UInt32, lo: UInt32) {
        let p = UInt64(a) * UInt64(b)
        return (UInt32(p >> 32), UInt32(truncatingIfNeeded: p))
    }

    /// Ten rounds over the current counter.
    private func block() -> (UInt32, UInt32, UInt32, UInt32) {
        var c = counter
        var k = key
        for _ in 0..<10 {
            let (hi0, lo0) = Self.mulhilo(0xD251_1F53, c.0)
            let (hi1, lo1) = Self.mulhilo(0xCD9E_8D57, c.2)
            c = (hi1 ^ c.1 ^ k.0, lo1, hi0 ^ c.3 ^ k.1, lo0)
            k = (k.0 &+ 0x9E37_79B9, k.1 &+ 0xBB67_AE85)
        }
        return c
    }

    private mutating func increment() {
        counter.0 &+= 1
        if counter.0 == 0 { counter.1 &+= 1 }
    }

    public mutating func next() -> UInt32 {
        if used == 4 {
            buffer = block()
            increment()
            used = 0
        }
        defer { used += 1 }
        switch used {
        case 0: return buffer.0
        case 1: return buffer.1
        case 2: return buffer.2
        default: return buffer.3
        }
    }

    public mutating func next64() -> UInt64 { UInt64(next()) << 32 | UInt64(next()) }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func nextFloat() -> Float { Float(next() >> 8) * (1.0 / 16_777_216.0) }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextDouble() -> Double { Double(next64() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// Uniform integer in `range` (unbiased, by rejection).
    public mutating func nextInt(in range: Range<Int>) -> Int {
        precondition(!range.isEmpty, "empty range")
        let n = UInt64(range.count)
        let limit = UInt64.max - UInt64.max % n
        while true {
            let x = next64()
            if x < limit { return range.lowerBound + Int(x % n) }
        }
    }

    /// Standard normal (Box–Muller; the second value of each pair is kept for the next call).
    public mutating func nextNormal() -> Float {
        if let s = spareNormal { spareNormal = nil; return s }
        var u1 = nextDouble()
        while u1 <= 0 { u1 = nextDouble() }
        let u2 = nextDouble()
        let r = (-2 * _log(u1)).squareRoot()
        let theta = 2 * Double.pi * u2
        spareNormal = Float(r * _sin(theta))
        return Float(r * _cos(theta))
    }

    /// Fisher–Yates shuffle.
    public mutating func shuffle<T>(_ a: inout [T]) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, nextInt(in: 0..<(i + 1))) }
    }

    // Equatable/Codable by the full state (tuples are neither).
    public static func == (a: Philox, b: Philox) -> Bool { a.state == b.state }

    /// Key, counter, position in the current block and a pending normal, as plain numbers (for checkpoints).
    public var state: [UInt64] {
        [UInt64(key.0), UInt64(key.1), UInt64(counter.0), UInt64(counter.1), UInt64(counter.2), UInt64(counter.3),
         UInt64(used), spareNormal.map { UInt64($0.bitPattern) | 1 << 32 } ?? 0]
    }

    /// Why `s` is not a state `state` could have produced (nil when it is one): a checkpoint is untrusted input,
    /// and `init(state:)` must never see words it would truncate or a position past its block.
    public static func stateProblem(_ s: [UInt64]) -> String? {
        guard s.count == 8 else { return "a generator state has 8 words, found \(s.count)" }
        if let i = s.prefix(6).firstIndex(where: { $0 > UInt64(UInt32.max) }) { return "word \(i) (\(s[i])) does not fit 32 bits" }
        guard s[6] <= 4 else { return "word 6 (the position in the block, \(s[6])) is not in 0...4" }
        let spare = s[7]
        guard spare == 0 || spare >> 32 == 1 && Float(bitPattern: UInt32(truncatingIfNeeded: spare)).isFinite else {
            return "word 7 (\(spare)) is neither 0 nor a pending finite normal"
        }
        return nil
    }

    public init(state s: [UInt64]) {
        precondition(Self.stateProblem(s) == nil, "invalid Philox state")
        key = (UInt32(s[0]), UInt32(s[1]))
        counter = (UInt32(s[2]), UInt32(s[3]), UInt32(s[4]), UInt32(s[5]))
        spareNormal = s[7] >> 32 == 1 ? Float(bitPattern: UInt32(truncatingIfNeeded: s[7])) : nil
        used = 4
        if s[6] < 4 {
            // Re-create the block the saved generator was in the middle of.
            counter.0 &-= 1
            if counter.0 == UInt32.max { counter.1 &-= 1 }
            buffer = block()
            increment()
            used = Int(s[6])
        }
    }

    public init(from decoder: Decoder) throws {
        let s = try [UInt64](from: decoder)
        if let problem = Self.stateProblem(s) {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath, debugDescription: problem))
        }
        self.init(state: s)
    }
    public func encode(to encoder: Encoder) throws { try state.encode(to: encoder) }
}

import Foundation
@inline(__always) private func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) private func _sin(_ x: Double) -> Double { Foundation.sin(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Foundation.cos(x) }
