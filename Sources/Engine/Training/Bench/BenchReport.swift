import EngineCore
import Foundation

/// What `reel bench` measured for a model, and its two renderings (text and JSON) built from the same values, so
/// the two can never disagree.
public struct BenchReport {
    public var config: String
    public var threads: Int
    public var openblasCore: String
    public var inputShape: [Int]
    public var sgemmGFLOPS: Double
    public var train: Benchmark.Timing
    public var trainStepGFLOP: Double
    public var losses: [Double]
    public var eval: Benchmark.Timing
    public var clips: Int
    public var layers: [Benchmark.LayerRow]

    public init(config: String, threads: Int, openblasCore: String, inputShape: [Int], sgemmGFLOPS: Double,
                train: Benchmark.Timing, trainStepGFLOP: Double, losses: [Double], eval: Benchmark.Timing, clips: Int,
                layers: [Benchmark.LayerRow]) {
        self.config = config; self.threads = threads; self.openblasCore = openblasCore; self.inputShape = inputShape
        self.sgemmGFLOPS = sgemmGFLOPS; self.train = train; self.trainStepGFLOP = trainStepGFLOP; self.losses = losses
        self.eval = eval; self.clips = clips; self.layers = layers
    }

    /// The convolutions' combined rate against the sgemm reference — the one value both renderings print.
    public struct ConvSummary: Equatable {
        /// Direct-convolution GFLOP of every conv layer's forward plus backward (see `Benchmark.LayerRow`).
        public var gflop: Double
        /// The sum of those layers' median forward and backward times, each layer timed on its own (s).
        public var seconds: Double
        public var gflops: Double { seconds > 0 ? gflop / seconds : .nan }
        /// `gflops` over sgemm 1024²'s GFLOP/s on the same thread count.
        public var fractionOfSGEMM: Double
    }

    /// What the fraction counts, printed under it and in `reel bench --help`.
    public static let convFractionMeaning =
        "direct-convolution FLOPs (2·MACs of the definition; backward counted 2× forward, 1× for a layer without "
        + "input gradient) of all conv layers, forward + backward, over the sum of their median times (each layer "
        + "timed alone), divided by sgemm 1024²'s GFLOP/s on the same thread count; Winograd layers do fewer "
        + "multiplications, so they can exceed 100 %"

    public var conv: ConvSummary? {
        guard !layers.isEmpty else { return nil }
        let gflop = layers.map { $0.forwardGFLOP + $0.backwardGFLOP }.reduce(0, +)
        let seconds = layers.map { $0.forward.median + $0.backward.median }.reduce(0, +)
        let rate = seconds > 0 ? gflop / seconds : .nan
        return ConvSummary(gflop: gflop, seconds: seconds, fractionOfSGEMM: rate / sgemmGFLOPS)
    }

    /// The fraction as both renderings print it: a whole percentage.
    public static func percent(_ fraction: Double) -> Int { fraction.isFinite ? Int((fraction * 100).rounded()) : 0 }

    public func jsonObject() -> [String: Any] {
        var o: [String: Any] = [
            "config": config, "threads": threads, "openblas_core": openblasCore, "reel_isa": KernelISA.active.description,
            "gemm_backend": GEMM.backend.rawValue, "input_shape": inputShape,
            "sgemm1024_gflops": sgemmGFLOPS,
            "train_step_ms_median": train.median * 1000, "train_step_ms_min": train.min * 1000,
            "train_step_ms_median_all": train.medianAll * 1000,
            "train_clean_n": train.clean.count, "train_runs_n": train.runs,
            "train_step_gflop": trainStepGFLOP, "train_gflops_median": trainStepGFLOP / train.median,
            "loss_first": losses.first ?? .nan, "loss_last": losses.last ?? .nan,
            "eval_clips_per_s_median": Double(clips) / eval.median, "eval_clips_per_s_max": Double(clips) / eval.min,
            "eval_batch_ms_median_all": eval.medianAll * 1000,
        ]
        if let conv {
            o["conv_fwd_bwd_gflop"] = conv.gflop
            o["conv_fwd_bwd_ms"] = conv.seconds * 1000
            o["conv_fwd_bwd_gflops"] = conv.gflops
            o["conv_fwd_bwd_fraction_of_sgemm"] = conv.fractionOfSGEMM
            o["conv_fwd_bwd_percent_of_sgemm"] = Self.percent(conv.fractionOfSGEMM)
            o["conv_fwd_bwd_counts"] = Self.convFractionMeaning
            o["layers"] = layers.map { ["name": $0.name, "shape": $0.shape, "algorithm": $0.algorithm, "fwd_ms": $0.forward.median * 1000,
                                        "bwd_ms": $0.backward.median * 1000, "fwd_gflops": $0.forwardGFLOPS,
                                        "bwd_gflops": $0.backwardGFLOPS] as [String: Any] }
        }
        return o
    }

    public func textLines() -> [String] {
        var lines = [
            "config        \(config)  (input \(inputShape), \(threads) threads, OpenBLAS \(openblasCore) kernels\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != nil ? " (set by OPENBLAS_CORETYPE)" : ""), Reel kernels \(KernelISA.active)\(KernelISA.hasBF16 ? " (AVX512_BF16 present)" : ""), GEMMs by \(GEMM.backend.rawValue))",
            String(format: "sgemm 1024     %.1f GFLOP/s", sgemmGFLOPS),
            String(format: "train step     median %.1f ms, min %.1f ms  (%d clean of %d; all calls: median %.1f ms; %.2f GFLOP → %.1f GFLOP/s)",
                   train.median * 1000, train.min * 1000, train.clean.count, train.runs, train.medianAll * 1000,
                   trainStepGFLOP, trainStepGFLOP / train.median),
            String(format: "loss           %.4f → %.4f over %d steps on the fixed batch", losses.first ?? .nan, losses.last ?? .nan, losses.count),
            String(format: "eval           %.1f clips/s (max %.1f)", Double(clips) / eval.median, Double(clips) / eval.min),
        ]
        if let conv {
            lines.append(String(format: "convolutions   fwd+bwd %.2f GFLOP in %.1f ms = %.1f GFLOP/s = %d %% of sgemm 1024",
                                conv.gflop, conv.seconds * 1000, conv.gflops, Self.percent(conv.fractionOfSGEMM)))
            lines.append("               (\(Self.convFractionMeaning))")
            lines.append("")
            lines += LayerTable.render(layers)
        }
        return lines
    }
}
