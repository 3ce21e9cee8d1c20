import Foundation
import EngineCore
import EngineData

/// `reel bench --pipeline`: the data pipeline's speed on one thread, as ../shared/bench/pipeline_ref.py measures
/// mmaction2's: clips/s of a split's whole pipeline (read, decode, every step, the float32 output), and decode
/// frames/s (file read + decode, and decode from memory) on the dataset's own frames. For a video dataset the
/// decode figures are the clip's own decoding (open the file, decode the sampled frames: the steps up to the Decode
/// step, same draws) and the decoder's sequential frames/s.
public enum PipelineBench {
    public struct Result: Sendable {
        public var clip: Benchmark.Timing
        public var framesPerClip: Int
        /// Decode time inside the timed clips, as a share of their total.
        public var decodeShare: Double
        /// Rawframes: per frame. Videos: per clip, Init + sampling + Decode only.
        public var readDecode: Benchmark.Timing
        /// Rawframes: per frame, from memory. Videos: per frame, reading a video on in order (decode + RGB), one frame a call.
        public var memoryDecode: Benchmark.Timing
        public var videos = false
        /// Videos: packets decoded per clip (from each seek's keyframe to the frame wanted), and frames per video.
        public var packetsPerClip = 0.0
        public var framesPerVideo = 0.0
        public var clipsPerSecond: Double { Double(clip.clean.count) / clip.clean.reduce(0, +) }
        public var readDecodeFramesPerSecond: Double {
            Double(readDecode.clean.count) / readDecode.clean.reduce(0, +) * Double(videos ? framesPerClip : 1)
        }
        public var memoryDecodeFramesPerSecond: Double { Double(memoryDecode.clean.count) / memoryDecode.clean.reduce(0, +) }
        /// Clips/s if a clip cost only reading and decoding its frames: the bound the pipeline is measured against
        /// (Reel issues 15 and 17).
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

        if dataset.kind == .videos { return try videoDecode(dataset, clip: clip, frames: frames, decodeShare: decodeShare, seed: seed) }
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

    /// The decode figures of a video dataset: each clip's Init + sampler + Decode steps alone (the same draws as the
    /// whole pipeline), and the decoder's frames/s over the first video decoded in order.
    static func videoDecode(_ dataset: RawframeDataset, clip: Benchmark.Timing, frames: Int, decodeShare: Double, seed: UInt64) throws -> Result {
        let steps = dataset.pipeline.steps
        guard let last = steps.lastIndex(where: { $0 is VideoDecode }) else {
            return Result(clip: clip, framesPerClip: frames, decodeShare: decodeShare, readDecode: clip, memoryDecode: clip, videos: true)
        }
        let decodeOnly = Pipeline(steps: Array(steps[...last]))
        let workspace = PipelineWorkspace()
        var item = 0
        var failure: Error?
        let clipDecode = Benchmark.time(warmup: min(dataset.count, 8), clean: 128, budget: 20) {
            var rng = Philox(seed: seed, stream: UInt64(item))
            do { _ = try decodeOnly.run(dataset.initialSample(item % dataset.count), rng: &rng, workspace: workspace) } catch { failure = error }
            item += 1
        }
        if let failure { throw failure }
        let packetsPerClip = Double(workspace.videoPackets) / Double(max(item, 1))
        let framesPerVideo = try (0..<min(dataset.count, 64)).map { Double(try VideoReader(path: dataset.records[$0].frameDir).frameCount) }
        let reader = try VideoReader(path: dataset.records[0].frameDir)
        reader.skipsUnwanted = false   // frame after frame, one call each
        var k = 0
        let sequential = Benchmark.time(warmup: 4, clean: min(256, reader.frameCount), budget: 20) {
            _ = try? reader.frames([k % reader.frameCount]); k += 1
        }
        return Result(clip: clip, framesPerClip: frames, decodeShare: decodeShare, readDecode: clipDecode, memoryDecode: sequential, videos: true,
                      packetsPerClip: packetsPerClip, framesPerVideo: framesPerVideo.reduce(0, +) / Double(max(framesPerVideo.count, 1)))
    }
}
