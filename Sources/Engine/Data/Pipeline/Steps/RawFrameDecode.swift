import Config
import Foundation

/// mmaction2's `RawFrameDecode`: reads `frame_dir/filename_tmpl.format(index + offset)` for every sampled index,
/// decoding each distinct file once (a repeated index reuses the earlier image, as mmaction2 does).
///
/// Every `decoding_backend` ('cv2', 'turbojpeg', 'pillow') decodes with libjpeg-turbo to RGB: mmaction2 returns RGB
/// for all three and they sit on the same library. A missing or corrupt frame throws `JPEGDecoder.DecodeError`
/// naming the file.
public struct RawFrameDecode: PipelineStep {
    public var typeName: String { "RawFrameDecode" }
    public var decodingBackend = "cv2"

    public init(decodingBackend: String = "cv2") { self.decodingBackend = decodingBackend }

    public init(config: ConfigValue, files: SourceFiles) throws {
        let r = try ConfigReader(config, name: "RawFrameDecode", files: files)
        decodingBackend = try r.require("decoding_backend", in: ["cv2", "turbojpeg", "pillow"], default: "cv2")
        _ = try r.require("io_backend", in: ["disk"], default: "disk")
    }

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
            frames.append(try workspace.decoder.decode(file: sample.framePath(index: index)))
            workspace.decodedFrames += 1
        }
        workspace.decodeSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        sample.frames = frames
        sample.originalShape = sample.imageShape
    }
}
