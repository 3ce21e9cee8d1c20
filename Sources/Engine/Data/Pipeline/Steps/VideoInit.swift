import Foundation
import EngineCore

/// mmaction2's `DecordInit`, `PyAVInit` and `OpenCVInit`: opens the sample's video file and sets `total_frames`.
///
/// All three open the file with FFmpeg (`VideoReader`) and report the exact number of frames it holds, which is
/// decord's count; PyAV (the container's `nb_frames`) and OpenCV (`CAP_PROP_FRAME_COUNT`, estimated from the
/// duration in some containers) can report other numbers (docs/differences.md). The open reader waits in the
/// worker's workspace for the matching `VideoDecode`.
public struct VideoInit: PipelineStep {
    public let typeName: String
    /// Decoding threads (`DecordInit(num_threads=…)`; 1 for the others).
    public let threads: Int

    public init(typeName: String, threads: Int = 1) { self.typeName = typeName; self.threads = threads }

    public func apply(_ sample: inout PipelineSample, rng: inout Philox, workspace: PipelineWorkspace) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let reader = try VideoReader(path: sample.frameDir, threads: threads)
        workspace.video = reader
        sample.totalFrames = reader.frameCount
        workspace.decodeSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

/// mmaction2's `DecordDecode`, `PyAVDecode` and `OpenCVDecode`: decodes the frames `frame_inds` names from the
/// video `VideoInit` opened, RGB, in index order with repeats, then closes the video.
///
/// `mode='accurate'` (and OpenCVDecode, and PyAVDecode's sequential decoding, which give the same frames) decodes
/// exactly the sampled frames. `mode='efficient'` returns, for each index, the keyframe at or before it — what
/// decord's `seek` + `next` and PyAV's backward seek return: faster on long videos, and inexact by design.
public struct VideoDecode: PipelineStep {
    public enum Mode: String, Sendable { case accurate, efficient }
    public let typeName: String
    public let mode: Mode
    /// Decoding threads for this video (`PyAVDecode(multi_thread=True)`: FFmpeg chooses); nil keeps the Init's.
    public let threads: Int?

    public init(typeName: String, mode: Mode = .accurate, threads: Int? = nil) {
        self.typeName = typeName; self.mode = mode; self.threads = threads
    }

    public func apply(_ sample: inout PipelineSample, rng: inout Philox, workspace: PipelineWorkspace) throws {
        guard let reader = workspace.video, reader.path == sample.frameDir else {
            throw VideoError(path: sample.frameDir, reason: "\(typeName) needs the video opened by an Init step before it (e.g. DecordInit)")
        }
        workspace.video = nil
        let start = DispatchTime.now().uptimeNanoseconds
        if let threads { try reader.setThreads(threads) }
        let indices = mode == .accurate ? sample.frameIndices : sample.frameIndices.map { reader.keyframe(atOrBefore: $0) }
        let frames = try reader.frames(indices)
        workspace.decodeSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        workspace.decodedFrames += Set(indices).count
        workspace.videoPackets += reader.packetsSent
        sample.frames = frames
        sample.originalShape = sample.imageShape
    }
}
