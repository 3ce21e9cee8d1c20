import ArgumentParser
import Config
import EngineCore
import EngineData
import EngineTraining
import Foundation
import TUI

/// `reel bench`: how fast Reel trains this machine's workload (sgemm, per-layer, train step, eval).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure sgemm, per-layer convolution, train-step and eval speed for a config's model (--pipeline: its data pipeline; --ui: the dashboard).",
        discussion: """
            Uses random input shaped like the config's training batch. Only clean calls count (no run-queue wait \
            during the call), as in ../shared/bench. Compare with bench/torch_ref.py run in the same time window.
            """)

    @Option(name: .long, help: "A config with model, optimizer and data.train.pipeline (e.g. configs/bench/tsm_r18w16_small.py).")
    var config: String

    @Option(help: "OpenBLAS and worker threads (default: all cores).")
    var threads: Int?

    @Option(help: "Clean train steps to time after warm-up.")
    var steps = 20

    @Flag(help: "Measure the data pipeline instead (one thread): clips/s of the train pipeline on the config's own frames, and decode frames/s, as ../shared/bench/pipeline_ref.py does for mmaction2.")
    var pipeline = false

    @Flag(help: "Measure the dashboard instead: milliseconds to render one 200x60 frame of each screen (a long run behind it).")
    var ui = false

    @Option(help: "With --pipeline: the split whose pipeline to run.")
    var split: DataConfig.Split = .train

    @Flag(help: "Skip the per-layer table.")
    var noLayers = false

    @Flag(help: "Print one JSON object instead of tables.")
    var json = false

    func run() throws {
        if let threads { Parallel.workers = threads }
        if ui {
            for r in try RenderBench.run(configPath: config) {
                print(String(format: "render %-12@ median %.3f ms, max %.3f ms per 200x60 frame", r.screen as NSString, r.medianMs, r.maxMs))
            }
            return
        }
        let cfg = try ConfigLoader.load(config)
        if pipeline { return try runPipeline(cfg) }
        let w = try BenchWorkload(config: cfg)
        // The sgemm reference uses OpenBLAS's own threads (one per worker); the engine itself runs it single-threaded.
        GEMM.threads = Parallel.workers
        let gemm = Benchmark.sgemm(size: 1024)
        GEMM.threads = 1
        var losses: [Double] = []
        let train = Benchmark.time(warmup: 3, clean: steps, budget: 60) { losses.append(w.trainStep()) }
        let stepGFLOP = w.trainStepGFLOP()
        w.model.applyMode(training: false)
        let eval = Benchmark.time(warmup: 2, clean: steps, budget: 30) { _ = w.model.predict(w.input) }
        w.model.applyMode(training: true)
        let layers = noLayers ? [] : Benchmark.layers(of: w.model)
        let convFLOP = layers.map { $0.forwardGFLOP + $0.backwardGFLOP }.reduce(0, +)
        let convTime = layers.map { $0.forward.median + $0.backward.median }.reduce(0, +)
        let convGFLOPS = convTime > 0 ? convFLOP / convTime : .nan
        if json {
            var o: [String: Any] = [
                "config": config, "threads": Parallel.workers, "openblas_core": GEMM.coreName, "reel_isa": KernelISA.active.description, "input_shape": w.input.shape,
                "sgemm1024_gflops": gemm.gflops,
                "train_step_ms_median": train.median * 1000, "train_step_ms_min": train.min * 1000,
                "train_clean_n": train.clean.count, "train_runs_n": train.runs,
                "train_step_gflop": stepGFLOP, "train_gflops_median": stepGFLOP / train.median,
                "loss_first": losses.first ?? .nan, "loss_last": losses.last ?? .nan,
                "eval_clips_per_s_median": Double(w.clips) / eval.median, "eval_clips_per_s_max": Double(w.clips) / eval.min,
            ]
            if !layers.isEmpty {
                o["conv_fwd_bwd_gflops"] = convGFLOPS
                o["conv_fwd_bwd_fraction_of_sgemm"] = convGFLOPS / gemm.gflops
                o["layers"] = layers.map { ["name": $0.name, "shape": $0.shape, "algorithm": $0.algorithm, "fwd_ms": $0.forward.median * 1000,
                                            "bwd_ms": $0.backward.median * 1000, "fwd_gflops": $0.forwardGFLOPS,
                                            "bwd_gflops": $0.backwardGFLOPS] as [String: Any] }
            }
            let data = try JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("config        \(config)  (input \(w.input.shape), \(Parallel.workers) threads, OpenBLAS \(GEMM.coreName) kernels\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != nil ? " (set by OPENBLAS_CORETYPE)" : ""), Reel kernels \(KernelISA.active)\(KernelISA.hasBF16 ? ", AVX512_BF16 present" : ""))")
        print(String(format: "sgemm 1024     %.1f GFLOP/s", gemm.gflops))
        print(String(format: "train step     median %.1f ms, min %.1f ms  (%d clean of %d; %.2f GFLOP → %.1f GFLOP/s)",
                     train.median * 1000, train.min * 1000, train.clean.count, train.runs, stepGFLOP, stepGFLOP / train.median))
        print(String(format: "loss           %.4f → %.4f over %d steps on the fixed batch", losses.first ?? .nan, losses.last ?? .nan, losses.count))
        print(String(format: "eval           %.1f clips/s (max %.1f)", Double(w.clips) / eval.median, Double(w.clips) / eval.min))
        if !layers.isEmpty {
            print(String(format: "convolutions   fwd+bwd %.1f GFLOP/s = %.0f%% of sgemm", convGFLOPS, 100 * convGFLOPS / gemm.gflops)
                  + "  (direct-convolution FLOPs; Winograd layers do fewer)")
            print("\nlayer                              shape                                       algo      fwd ms  GFLOP/s   bwd ms  GFLOP/s")
            for r in layers {
                print(String(format: "%-34@ %-43@ %-8@ %7.2f %8.1f %8.2f %8.1f", r.name as NSString, r.shape as NSString,
                             r.algorithm as NSString, r.forward.median * 1000, r.forwardGFLOPS, r.backward.median * 1000,
                             r.backwardGFLOPS))
            }
        }
    }

    func runPipeline(_ cfg: ResolvedConfig) throws {
        let dataset = try DataConfig(cfg).spec(split).makeDataset()
        let r = try PipelineBench.run(dataset)
        if json {
            let o: [String: Any] = [
                "config": config, "split": split.rawValue, "clips_per_s": r.clipsPerSecond,
                "frames_per_s": r.clipsPerSecond * Double(r.framesPerClip), "frames_per_clip": r.framesPerClip,
                "ms_per_clip_median": r.clip.median * 1000, "ms_per_clip_min": r.clip.min * 1000,
                "clean_clips": r.clip.clean.count, "all_clips": r.clip.runs, "decode_share": r.decodeShare,
                "read_decode_frames_per_s": r.readDecodeFramesPerSecond,
                "memory_decode_frames_per_s": r.memoryDecodeFramesPerSecond,
                "decode_bound_clips_per_s": r.decodeBoundClipsPerSecond, "fraction_of_decode_bound": r.fractionOfDecodeBound,
            ]
            let data = try JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("config        \(config)  (\(split.rawValue) pipeline, one thread, \(dataset.count) videos)")
        print(String(format: "pipeline      %.1f clips/s = %.0f frames/s  (ms/clip median %.3f, min %.3f; %d clean of %d; decode %.0f %%)",
                     r.clipsPerSecond, r.clipsPerSecond * Double(r.framesPerClip), r.clip.median * 1000, r.clip.min * 1000,
                     r.clip.clean.count, r.clip.runs, r.decodeShare * 100))
        print(String(format: "decode        %.0f frames/s read + decode, %.0f frames/s from memory",
                     r.readDecodeFramesPerSecond, r.memoryDecodeFramesPerSecond))
        print(String(format: "bound         %.1f clips/s (read + decode only, %d frames a clip): the pipeline runs at %.2f of it",
                     r.decodeBoundClipsPerSecond, r.framesPerClip, r.fractionOfDecodeBound))
    }
}
