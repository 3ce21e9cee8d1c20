import Foundation
import EngineCore
import EngineData

/// `reel bench --pipeline`: the data pipeline's speed on one thread, as ../shared/bench/pipeline_ref.py measures
/// mmaction2's: clips/s of a split's whole pipeline (read, decode, every step, the float32 output), and decode
/// frames/s (file read + decode, and decode from memory) on the dataset's own frames.
public enum PipelineBench {
    public struct Result: Sendable {
        public var clip: Benchmark.Timing
        public var framesPerClip: Int
        /// Decode time inside the timed clips, as a share of their total.
        public var decodeShare: Double
        public var readDecode: Benchmark.Timing
        public var memoryDecode: Benchmark.Timing
        public var clipsPerSecond: Double { Double(clip.clean.count) / clip.clean.reduce(0, +) }
        public var readDecodeFramesPerSecond: Double { Double(readDecode.clean.count) / readDecode.clean.reduce(0, +) }
        public var memoryDecodeFramesPerSecond: Double { Double(memoryDecode.clean.count) / memoryDecode.clean.reduce(0, +) }
        /// Clips/s if a clip cost only reading and decoding its frames (read + decode frames/s ÷ frames per clip): the
        /// bound the pipeline is measured against (Reel issue 15).
        public var decodeBoundClipsPerSecond: Double { readDecodeFramesPerSecond / Double(max(framesPerClip, 1)) }
        /// The pipeline's clips/s as a share of `decodeBoundClipsPerSecond`.
        public var fractionOfDecodeBound: Double { clipsPerSecond / decodeBoundClipsPerSecond }
    }

    /// Runs the pipeline over the dataset's items in turn (a warm-up pass first, so the files sit in the page cache),
    /// `clips` clean clips; then decodes the first items' frames one at a time.
    public static func run(_ dataset: RawframeDataset, clips: Int = 256, seed: UInt64 = 0) throws -> Result {
        precondition(dataset.count > 0)
        let workspace = PipelineWorkspace()
        var failure: Error?
        var item = 0, frames = 0
        func oneClip() {
            guard failure == nil else { return }
            var rng = Philox(seed: seed, stream: UInt64(item))
            do {
                let s = try dataset.item(item % dataset.count, rng: &rng, workspace: workspace)
                frames = s.frameIndices.count
            } catch { failure = error }
            item += 1
        }
        for _ in 0..<min(dataset.count, 64) { oneClip() }
        let (decodeBefore, itemBefore) = (workspace.decodeSeconds, item)
        let clip = Benchmark.time(warmup: 0, clean: clips, budget: 60, oneClip)
        if let failure { throw failure }
        // Over every timed clip (clean or not), as the decode clock cannot tell them apart.
        let decodeShare = (workspace.decodeSeconds - decodeBefore) / max(1e-9, Double(item - itemBefore) * clip.median)

        // Decode only: the frame files of the first videos.
        var paths: [String] = []
        for i in 0..<dataset.count where paths.count < 256 {
            let s = dataset.initialSample(i)
            for t in 0..<s.totalFrames where paths.count < 256 { paths.append(s.framePath(index: t + s.startIndex)) }
        }
        let decoder = JPEGDecoder()
        var k = 0
        let readDecode = Benchmark.time(warmup: min(paths.count, 32), clean: 512, budget: 20) {
            _ = try? decoder.decode(file: paths[k % paths.count]); k += 1
        }
        let blobs = paths.compactMap { FileManager.default.contents(atPath: $0) }
        k = 0
        let memoryDecode = Benchmark.time(warmup: min(blobs.count, 32), clean: 512, budget: 20) {
            _ = try? decoder.decode(blobs[k % blobs.count], path: paths[k % paths.count]); k += 1
        }
        return Result(clip: clip, framesPerClip: frames, decodeShare: decodeShare, readDecode: readDecode,
                      memoryDecode: memoryDecode)
    }
}
