import EngineCore
import EngineData
import EngineTraining
import Foundation

/// Seeds that are easier to make than to commit: small JPEGs of several shapes, a checkpoint shaped like the ones
/// Reel writes (tensors, Reel's metadata, an optimizer record) and tiny videos in each container and codec Reel
/// encodes, all small enough for libFuzzer's `max_len`.
enum FuzzSeeds {
    static func write(to directory: String) throws {
        let jpegDir = directory + "/jpeg", ckptDir = directory + "/safetensors"
        for dir in [jpegDir, ckptDir] { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        for (w, h) in [(1, 1), (8, 8), (17, 9), (64, 48)] {
            let pixels = (0..<(w * h * 3)).map { UInt8(truncatingIfNeeded: $0 &* 37) }
            let data = try JPEGDecoder.encode(Frame(width: w, height: h, pixels: pixels), quality: 75)
            try data.write(to: URL(fileURLWithPath: "\(jpegDir)/frame_\(w)x\(h).jpg"))
        }
        // A real checkpoint of the tiny model after one SGD step (weights, buffers, momentum, Reel's metadata).
        let (model, optimizer) = try TinyModel.make()
        optimizer.zeroGradients()
        let clip = Tensor(shape: [2, 2, 3, 16, 16], values: (0..<3072).map { Float($0 % 17) / 17 - 0.5 })
        _ = model.trainStep(clip, labels: [0, 2])
        optimizer.step()
        let meta = CheckpointMetadata(epoch: 1, iter: 1, config: TinyModel.config, configName: "tiny.py",
                                      workDir: "work_dirs/tiny", seed: 7, time: "Thu Dec  3 08:00:00 2026",
                                      hookMessages: .init(lastCheckpoint: "work_dirs/tiny/epoch_1.safetensors",
                                                          bestScore: 0.5, bestCheckpoint: "work_dirs/tiny/best_top1_acc_epoch_1.safetensors",
                                                          bestMetric: "top1_acc"),
                                      extra: ["inner_iter": "0"])
        try CheckpointStore.save(model: model, optimizer: optimizer, metadata: meta, to: "\(ckptDir)/tiny.safetensors")
        // The same weights as a `.pth` (Reel's writer: torch.save's zip layout) for the pth target.
        let pthDir = directory + "/pth"
        try FileManager.default.createDirectory(atPath: pthDir, withIntermediateDirectories: true)
        let weights = try SafeTensors.read("\(ckptDir)/tiny.safetensors")
        try TorchCheckpoint.encode(weights, path: "tiny.pth").write(to: URL(fileURLWithPath: "\(pthDir)/tiny.pth"))
        try writeVideos(to: directory + "/video")
    }

    /// h264 with B-frames in mp4 and mkv, mpeg4 in avi, 16×16 (odd-sized in mkv), 10 frames, keyframes every 4.
    static func writeVideos(to dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, codec, w, h, format) in [("b.mp4", "h264", 16, 16, "yuv420p"), ("odd.mkv", "h264", 15, 9, "yuv444p"),
                                            ("m.avi", "mpeg4", 16, 16, "yuv420p")] {
            var s = VideoEncoder.Settings()
            s.codec = codec; s.keyframeInterval = 4; s.bFrames = 2; s.pixelFormat = format; s.quality = codec == "h264" ? 30 : 8
            let e = try VideoEncoder(path: "\(dir)/\(name)", width: w, height: h, settings: s)
            for t in 0..<10 { try e.append(Frame(width: w, height: h, pixels: (0..<(w * h * 3)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ t &* 29) })) }
            try e.finish()
        }
    }
}
