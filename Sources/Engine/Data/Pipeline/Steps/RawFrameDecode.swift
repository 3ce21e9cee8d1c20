import Foundation
import EngineCore

/// mmaction2's `RawFrameDecode`: reads `frame_dir/filename_tmpl.format(index + offset)` for every sampled index,
/// decoding each distinct file once (a repeated index reuses the earlier image, as mmaction2 does).
///
/// Every `decoding_backend` ('cv2', 'turbojpeg', 'pillow') decodes with libjpeg-turbo to RGB: mmaction2 returns RGB
/// for all three and they sit on the same library. A missing or corrupt frame, or one whose size differs from the
/// clip's other frames, throws `JPEGDecoder.DecodeError` naming the file.
public struct RawFrameDecode: PipelineStep {
    public var typeName: String { "RawFrameDecode" }
    public var decodingBackend = "cv2"

    public init(decodingBackend: String = "cv2") { self.decodingBackend = decodingBackend }

    public func apply(_ sample: inout PipelineSample, rng: inout Philox, workspace: PipelineWorkspace) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        var frames: [Frame] = []
        frames.reserveCapacity(sample.frameIndices.count)
        var seen: [Int: Int] = [:]
        for index in sample.frameIndices {
            if let earlier = seen[index] {
                frames.append(frames[earlier])
                continue
            }
            seen[index] = frames.count
            let path = sample.framePath(index: index)
            let frame = try workspace.decoder.decode(file: path)
            // Every later step cuts and resizes all frames with the first frame's geometry: a smaller frame would
            // be read out of bounds, so a video whose frames differ in size is refused here.
            if let first = frames.first, first.width != frame.width || first.height != frame.height {
                throw JPEGDecoder.DecodeError(path: path, reason: "frame is \(frame.width)x\(frame.height) but the video's other "
                                              + "frames are \(first.width)x\(first.height); all frames of a video must be one size")
            }
            frames.append(frame)
            workspace.decodedFrames += 1
        }
        workspace.decodeSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        sample.frames = frames
        sample.originalShape = sample.imageShape
    }
}
