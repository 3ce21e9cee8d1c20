import ArgumentParser
import Config
import EngineCore
import EngineData
import EngineDistributed
import EngineTraining
import Foundation
import TUI

/// `reel bench`: how fast Reel trains this machine's workload (sgemm, per-layer, train step, eval).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure sgemm, per-layer convolution, train-step and eval speed for a config's model (--pipeline: its data pipeline; --ui: the dashboard).",
        discussion: """
            Uses random input shaped like the config's training batch. Medians and minima count only clean calls (no \
            run-queue wait during the call), as in ../shared/bench; "all calls: median" (JSON *_median_all) counts \
            every call — the figure to compare on a busy machine. Compare with bench/torch_ref.py run in the same \
            time window.

            The convolution fraction ("% of sgemm 1024", JSON conv_fwd_bwd_fraction_of_sgemm) is \(BenchReport.convFractionMeaning).
            """)

    @Option(name: .long, help: "A config with model, optimizer and data.train.pipeline (e.g. configs/bench/tsm_r18w16_small.py).")
    var config: String

    @Option(help: "OpenBLAS and worker threads (default: all cores; with --launcher mpi, the cores divided among the ranks on the machine).")
    var threads: Int?
    @Option(help: "mpi: time the data-parallel train step under `mpirun -np K reel bench … --launcher mpi` (each rank on its own batch, gradients averaged as training does), with the all-reduce's cost and how much of it the backward hides.")
    var launcher: Launcher = .none

    @Option(help: "Clean train steps to time after warm-up.")
    var steps = 20

    @Flag(help: "Measure the data pipeline instead (one thread): clips/s of the train pipeline on the config's own frames, and decode frames/s, as ../shared/bench/pipeline_ref.py does for mmaction2.")
    var pipeline = false

    @Flag(help: "Measure the dashboard instead: milliseconds to render one 200x60 frame of each screen (a long run behind it).")
    var ui = false

    @Option(help: "With --pipeline: the split whose pipeline to run.")
    var split: DataConfig.Split = .train

    @Flag(help: "Measure the train step quiet against beside one busy process (a shell spin loop), alternating blocks of 5 steps, every call counted; prints both medians and their ratio.")
    var busy = false

    @Flag(help: "Skip the per-layer table.")
    var noLayers = false

    @Flag(help: "Print one JSON object instead of tables.")
    var json = false

    func run() throws {
        let group = try launcher.processGroup(threads: threads)
        if ui {
            for r in try RenderBench.run(configPath: config) {
                print(String(format: "render %-12@ median %.3f ms, max %.3f ms per 200x60 frame", r.screen as NSString, r.medianMs, r.maxMs))
            }
            return
        }
        let cfg = try ConfigLoader.load(config)
        if pipeline { return try runPipeline(cfg) }
        let w = try BenchWorkload(config: cfg)
        if busy { return try runBusy(w) }
        if launcher == .mpi { return try runDataParallel(w, group: group) }
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
        let report = BenchReport(config: config, threads: Parallel.workers, openblasCore: GEMM.coreName, inputShape: w.input.shape,
                                 sgemmGFLOPS: gemm.gflops, train: train, trainStepGFLOP: stepGFLOP, losses: losses,
                                 eval: eval, clips: w.clips, layers: layers)
        if json {
            let data = try JSONSerialization.data(withJSONObject: report.jsonObject(), options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            report.textLines().forEach { print($0) }
        }
    }

    func runDataParallel(_ w: BenchWorkload, group: any ProcessGroup) throws {
        let report = DataParallelBench.run(w, group: group, steps: steps)
        guard group.isMain else { return }
        if json {
            var object = report.jsonObject()
            object["config"] = config; object["openblas_core"] = GEMM.coreName; object["reel_isa"] = KernelISA.active.description
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("config         \(config)  (OpenBLAS \(GEMM.coreName) kernels, Reel kernels \(KernelISA.active))")
            report.textLines().forEach { print($0) }
        }
    }

    func runBusy(_ w: BenchWorkload) throws {
        let r = try BusyComparison.run(rounds: max(1, steps / 5), perBlock: 5, startLoad: BusyComparison.startSpinner) { w.trainStep() }
        if json {
            let o: [String: Any] = [
                "config": config, "threads": Parallel.workers, "openblas_core": GEMM.coreName,
                "quiet_train_step_ms_median_all": r.quiet.medianAll * 1000, "busy_train_step_ms_median_all": r.busy.medianAll * 1000,
                "busy_over_quiet": r.ratio, "calls_each": r.quiet.runs,
            ]
            let data = try JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("config        \(config)  (\(Parallel.workers) threads, OpenBLAS \(GEMM.coreName) kernels)")
        print(String(format: "train step    quiet median %.1f ms, beside one busy process %.1f ms: busy/quiet %.2f  (%d calls each, alternating blocks of 5)",
                     r.quiet.medianAll * 1000, r.busy.medianAll * 1000, r.ratio, r.quiet.runs))
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
                "packets_per_clip": r.packetsPerClip, "frames_per_video": r.framesPerVideo,
            ]
            let data = try JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("config        \(config)  (\(split.rawValue) pipeline, one thread, \(dataset.count) videos)")
        print(String(format: "pipeline      %.1f clips/s = %.0f frames/s  (ms/clip median %.3f, min %.3f; %d clean of %d; decode %.0f %%)",
                     r.clipsPerSecond, r.clipsPerSecond * Double(r.framesPerClip), r.clip.median * 1000, r.clip.min * 1000,
                     r.clip.clean.count, r.clip.runs, r.decodeShare * 100))
        if r.videos {
            print(String(format: "decode        %.1f clips/s opening the video and decoding the sampled frames only (ms/clip median %.3f); "
                         + "reading on in order: %.0f frames/s (decode + RGB)", r.decodeBoundClipsPerSecond, r.readDecode.median * 1000,
                         r.memoryDecodeFramesPerSecond))
            print(String(format: "bound         %.1f clips/s (open + decode only, %d frames a clip): the pipeline runs at %.2f of it",
                         r.decodeBoundClipsPerSecond, r.framesPerClip, r.fractionOfDecodeBound))
            print(String(format: "packets       %.0f decoded a clip (each keyframe on to the sampled frames after it; %.0f frames a video)",
                         r.packetsPerClip, r.framesPerVideo))
            return
        }
        print(String(format: "decode        %.0f frames/s read + decode, %.0f frames/s from memory",
                     r.readDecodeFramesPerSecond, r.memoryDecodeFramesPerSecond))
        print(String(format: "bound         %.1f clips/s (read + decode only, %d frames a clip): the pipeline runs at %.2f of it",
                     r.decodeBoundClipsPerSecond, r.framesPerClip, r.fractionOfDecodeBound))
    }
}
