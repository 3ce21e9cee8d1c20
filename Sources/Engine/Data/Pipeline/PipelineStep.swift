import EngineCore
/// One step of a data pipeline (an entry of `train_pipeline = [dict(type=…), …]`).
///
/// Steps are immutable values built once from the config; everything per-sample lives in the `PipelineSample`,
/// the sample's own random stream and the worker's `PipelineWorkspace`, so one pipeline serves all loader threads.
public protocol PipelineStep: Sendable {
    /// The mmaction2 type name (`SampleFrames`, `Resize`, …).
    var typeName: String { get }
    func apply(_ sample: inout PipelineSample, rng: inout Philox, workspace: PipelineWorkspace) throws
}

/// Per-thread resources of the pipeline: the JPEG decoder (libturbojpeg handles are not shareable), the video an
/// Init step opened for the next Decode step, and counters.
public final class PipelineWorkspace {
    public let decoder = JPEGDecoder()
    /// The video `VideoInit` opened; `VideoDecode` takes it (mmaction2's `results['video_reader']`).
    public var video: VideoReader?
    /// Seconds spent reading and decoding frames, and the number of frames decoded (for `reel bench`).
    public var decodeSeconds = 0.0
    public var decodedFrames = 0
    /// Video packets given to the decoder (`VideoReader.packetsSent`): what reaching the sampled frames cost.
    public var videoPackets = 0
    /// One note per item `skip_broken` replaced since the loader last collected them (it moves them into the batch).
    public var skipped: [String] = []
    public init() {}
}
