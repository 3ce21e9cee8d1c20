import Foundation
import EngineCore

/// mmaction2's `ImageDecode` (OmniSource's ImageDataset): decodes the item's one image file (`filename`) as the
/// clip's only frame, in RGB. Every `decoding_backend` decodes with libjpeg-turbo, as RawFrameDecode does; a
/// missing or undecodable image throws `JPEGDecoder.DecodeError` naming the file.
public struct ImageDecode: PipelineStep {
    public var typeName: String { "ImageDecode" }

    public init() {}

    public func apply(_ sample: inout PipelineSample, rng: inout Philox, workspace: PipelineWorkspace) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let frame = try workspace.decoder.decode(file: sample.frameDir)
        workspace.decodedFrames += 1
        workspace.decodeSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        sample.frames = [frame]
        sample.originalShape = sample.imageShape
    }
}

/// mmaction2's `BuildPseudoClip`: one image repeated into a clip of `clip_len` frames (one clip), so a 3-D model
/// can train on web images.
public struct BuildPseudoClip: PipelineStep {
    public var typeName: String { "BuildPseudoClip" }
    public var clipLen: Int

    public init(clipLen: Int) { self.clipLen = clipLen }

    public func apply(_ sample: inout PipelineSample, rng: inout Philox, workspace: PipelineWorkspace) throws {
        guard sample.frames.count == 1 else {
            throw PipelineError(message: "BuildPseudoClip repeats one image, but the sample has \(sample.frames.count) frames")
        }
        sample.frames = Array(repeating: sample.frames[0], count: clipLen)
        sample.clipLen = clipLen
        sample.numClips = 1
    }
}
