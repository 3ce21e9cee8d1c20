import Engine
import Foundation

/// Seeds that are easier to make than to commit: small JPEGs of several shapes and a checkpoint shaped like the
/// ones Reel writes (tensors, Reel's metadata, an optimizer record), all small enough for libFuzzer's `max_len`.
enum FuzzSeeds {
    static func write(to directory: String) throws {
        let jpegDir = directory + "/jpeg", ckptDir = directory + "/safetensors"
        for dir in [jpegDir, ckptDir] { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        for (w, h) in [(1, 1), (8, 8), (17, 9), (64, 48)] {
            let pixels = (0..<(w * h * 3)).map { UInt8(truncatingIfNeeded: $0 &* 37) }
            let data = try JPEGDecoder.encode(Frame(width: w, height: h, pixels: pixels), quality: 75)
            try data.write(to: URL(fileURLWithPath: "\(jpegDir)/frame_\(w)x\(h).jpg"))
        }
        let meta = CheckpointMetadata(epoch: 2, iter: 60, config: "total_epochs = 4\n", configName: "tiny.py",
                                      workDir: "work_dirs/tiny", seed: 7, rngState: [1, 2, 3, 4], time: "Thu Dec  3",
                                      hookMessages: .init(lastCheckpoint: "work_dirs/tiny/epoch_2.safetensors",
                                                          bestScore: 0.5, bestCheckpoint: "work_dirs/tiny/best_top1_acc_epoch_2.safetensors",
                                                          bestMetric: "top1_acc"),
                                      extra: ["inner_iter": "0"])
        let reel = String(decoding: try JSONEncoder().encode(meta), as: UTF8.self)
        let optimizer = #"{"type":"SGD","groups":[{"params":2,"lr":0.01,"initial_lr":0.01,"momentum":0.9,"weight_decay":0.0001,"nesterov":false,"dampening":0}]}"#
        let file = SafeTensors.File(
            tensors: [("conv.weight", .float32(Tensor(shape: [2, 1, 1, 1], values: [0.5, -1]))),
                      ("conv.bias", .float32(Tensor(shape: [2], values: [0, 1]))),
                      ("bn.num_batches_tracked", .int64(shape: [], values: [3])),
                      ("optimizer.state.0.momentum_buffer", .float32(Tensor(shape: [2, 1, 1, 1], values: [0.1, 0.2])))],
            metadata: ["reel": reel, "optimizer": optimizer, "format": "pt"])
        try SafeTensors.encode(file).write(to: URL(fileURLWithPath: "\(ckptDir)/tiny.safetensors"))
    }
}
