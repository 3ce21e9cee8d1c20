import EngineCore
extension SampleFrames: PipelineStep {
    public var typeName: String { dense == nil ? "SampleFrames" : "DenseSampleFrames" }

    /// Writes `frame_inds`, `clip_len`, `frame_interval` and `num_clips` (the configured value, also with
    /// twice_sample), as mmaction2 does.
    public func apply(_ sample: inout PipelineSample, rng: inout Philox, workspace: PipelineWorkspace) throws {
        sample.frameIndices = indices(totalFrames: sample.totalFrames, startIndex: sample.startIndex, rng: &rng)
        sample.clipLen = clipLen
        sample.frameInterval = frameInterval
        sample.numClips = numClips
    }
}
