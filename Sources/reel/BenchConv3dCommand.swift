import ArgumentParser
import EngineCore
import EngineTraining
import Foundation

/// `reel bench-conv3d`: per-layer forward/backward speed of the 3-D convolutions of a small SlowOnly-R18 / I3D and of
/// CSN's and X3D's channel-wise convs, the counterpart of scripts/bench_conv3d_torch.py.
struct BenchConv3dCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-conv3d",
        abstract: "Time 3-D convolutions of a small SlowOnly-R18/I3D/CSN/X3D layer by layer (compare with scripts/bench_conv3d_torch.py).")

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(help: "Clips per batch.")
    var batch = 8

    @Option(help: "Clean calls to time per layer and direction.")
    var calls = 7

    @Option(help: "Convolution algorithm: auto, im2col, winograd, winograd4 (always 4×4 tiles) or direct.")
    var algorithm = "auto"

    func run() throws {
        if let threads { Parallel.workers = threads }
        guard let algo = ConvAlgorithm(rawValue: algorithm) else {
            throw ValidationError("unknown --algorithm '\(algorithm)' (auto, im2col, winograd, winograd4, direct)")
        }
        print("threads \(Parallel.workers), batch \(batch), medians and minima of clean calls (ms; backward = forward+backward − forward median)")
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        print(pad("layer", 17) + pad("input (CxNxTxHxW)", 22) + pad("path", 14) + " fwd ms  fwd GF/s   bwd ms  bwd GF/s  fwd min  bwd min")
        for r in Conv3dBench.run(batch: batch, clean: calls, algorithm: algo) {
            let shape = r.shape.map(String.init).joined(separator: "x")
            print(pad(r.layer.name, 17) + pad(shape, 22) + pad(r.algorithm, 14)
                  + String(format: "%7.2f %9.1f %8.2f %9.1f %8.2f %8.2f", r.forward.median * 1000, r.forwardGFLOP / r.forward.median,
                           r.backward.median * 1000, r.backwardGFLOP / r.backward.median, r.forward.min * 1000,
                           r.backward.min * 1000))
        }
    }
}
