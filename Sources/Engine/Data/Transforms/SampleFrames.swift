import Foundation
import EngineCore

/// mmaction2's `SampleFrames` and `DenseSampleFrames` frame-index sampling (SEMANTICS.md §5.2–5.3), as a pure
/// function of the video length and an RNG: what the loader, `reel inspect frames` and the dashboard's timeline
/// preview all call.
///
/// Notation: N = total frames, L = clip_len·frame_interval, C = num_clips. Indices are 0-based until
/// `start_index` (the dataset's, 1 for rawframes) is added at the end, as mmaction2 does.
public struct SampleFrames: Sendable, Equatable {
    public enum OutOfBound: String, Sendable { case loop, repeatLast = "repeat_last" }

    public var clipLen: Int
    public var frameInterval = 1
    public var numClips = 1
    public var temporalJitter = false
    public var twiceSample = false
    public var outOfBound = OutOfBound.loop
    public var testMode = false
    public var keepTailFrames = false
    /// DenseSampleFrames: clips come from a window of `sampleRange` frames (nil = plain SampleFrames).
    public var dense: (sampleRange: Int, numSamplePositions: Int)? = nil

    public init(clipLen: Int, frameInterval: Int = 1, numClips: Int = 1, testMode: Bool = false) {
        self.clipLen = clipLen
        self.frameInterval = frameInterval
        self.numClips = numClips
        self.testMode = testMode
    }

    public static func == (a: SampleFrames, b: SampleFrames) -> Bool {
        a.clipLen == b.clipLen && a.frameInterval == b.frameInterval && a.numClips == b.numClips
            && a.temporalJitter == b.temporalJitter && a.twiceSample == b.twiceSample && a.outOfBound == b.outOfBound
            && a.testMode == b.testMode && a.keepTailFrames == b.keepTailFrames
            && a.dense?.sampleRange == b.dense?.sampleRange && a.dense?.numSamplePositions == b.dense?.numSamplePositions
    }

    /// The clips a video gives: `num_clips`, twice with `twice_sample` and per sample position of a dense test
    /// (a test video shorter than a clip gives `num_clips` only, as in mmaction2).
    public var clipsPerVideo: Int {
        guard testMode else { return numClips }
        if let dense { return numClips * dense.numSamplePositions }
        return numClips * (twiceSample ? 2 : 1)
    }

    /// The sampled frame indices (clip-major), start_index included.
    public func indices(totalFrames n: Int, startIndex: Int = 1, rng: inout Philox) -> [Int] {
        let offsets = dense == nil ? clipOffsets(n, rng: &rng) : denseOffsets(n, rng: &rng)
        var out: [Int] = []
        out.reserveCapacity(offsets.count * clipLen)
        for offset in offsets {
            var clip = (0..<clipLen).map { offset + $0 * frameInterval }
            if temporalJitter { clip = clip.map { $0 + rng.nextInt(in: 0..<frameInterval) } }
            switch outOfBound {
            case .loop:
                clip = clip.map { n > 0 ? $0 % n : 0 }
            case .repeatLast:
                let lastInBound = clip.filter { $0 < n }.max() ?? 0
                clip = clip.map { $0 >= n ? lastInBound : $0 }
            }
            out += clip
        }
        return out.map { $0 + startIndex }
    }

    /// Start offsets of the clips (SEMANTICS.md §5.2).
    func clipOffsets(_ n: Int, rng: inout Philox) -> [Int] {
        let span = clipLen * frameInterval, c = numClips
        if testMode {
            let a = Double(n - span + 1) / Double(c)
            guard n >= span else { return [Int](repeating: 0, count: c) }
            var offsets = (0..<c).map { Int((Double($0) * a + a / 2).rounded(.towardZero)) }
            if twiceSample { offsets += (0..<c).map { Int((Double($0) * a).rounded(.towardZero)) } }
            return offsets
        }
        if keepTailFrames {
            let a = Double(n - span + 1) / Double(c)
            guard n > span - 1 else { return [Int](repeating: 0, count: c) }
            return (0..<c).map { Int((Double($0) * a + rng.nextDouble() * a).rounded(.towardZero)) }
        }
        let a = Self.floorDiv(n - span + 1, c)
        if a > 0 {
            return (0..<c).map { $0 * a + rng.nextInt(in: 0..<a) }
        } else if n > max(c, span) {
            return (0..<c).map { _ in rng.nextInt(in: 0..<(n - span + 1)) }.sorted()
        } else if a == 0 {
            let ratio = Double(n - span + 1) / Double(c)
            return (0..<c).map { Int((Double($0) * ratio).rounded(.toNearestOrEven)) }
        }
        return [Int](repeating: 0, count: c)
    }

    /// DenseSampleFrames' offsets (SEMANTICS.md §5.3).
    func denseOffsets(_ n: Int, rng: inout Philox) -> [Int] {
        guard let (range, positions) = dense else { return [] }
        let p = max(1, 1 + n - range), step = range / numClips
        if testMode {
            var out: [Int] = []
            for m in 0..<positions {
                let s = positions == 1 ? 0 : Int((Double(p - 1) * Double(m) / Double(positions - 1)).rounded(.towardZero))
                out += (0..<numClips).map { ($0 * step + s) % max(1, n) }
            }
            return out
        }
        let s = p == 1 ? 0 : rng.nextInt(in: 0..<(p - 1))
        return (0..<numClips).map { ($0 * step + s) % max(1, n) }
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
