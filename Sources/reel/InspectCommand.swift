import ArgumentParser
import Config
import EngineCore
import EngineData
import EngineTraining
import Foundation

/// `reel inspect`: what a config will do, computed from the config alone — the same functions the dashboard's
/// previews call.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Preview frame sampling, the data pipeline and the LR schedule of a config; run its model on saved inputs; read a video.",
        subcommands: [Frames.self, PipelineRun.self, LR.self, ModelRun.self, VideoRun.self, World.self])

    struct Frames: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The frame indices a split's sampler takes from a video of T frames (start_index included).")

        @OptionGroup var source: ConfigCommand.Source
        @Option(help: "train, val or test.") var split: DataConfig.Split = .train
        @Option(name: .customLong("total-frames"), help: "Frames in the video.") var totalFrames: Int
        @Option(help: "Seed of the random draws (train mode).") var seed: UInt64 = 0
        @Flag(help: "Print {\"frame_inds\": [...], \"clip_len\": c, \"frame_interval\": i, \"num_clips\": n}.") var json = false

        func validate() throws {
            guard totalFrames > 0 else { throw ValidationError("--total-frames must be at least 1") }
        }

        func run() throws {
            let spec = try DataConfig(try source.load()).spec(split)
            guard let sampler = spec.dataset.pipeline.sampler else {
                throw ValidationError("data.\(split.rawValue).pipeline has no SampleFrames step")
            }
            var rng = Philox(seed: seed)
            let start = spec.dataset.startIndex
            let inds = sampler.indices(totalFrames: totalFrames, startIndex: start, rng: &rng)
            if json {
                let o: [String: Any] = ["frame_inds": inds, "clip_len": sampler.clipLen, "frame_interval": sampler.frameInterval,
                                        "num_clips": sampler.numClips]
                let d = try JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])
                print(String(decoding: d, as: UTF8.self))
                return
            }
            print(FrameTimeline.render(indices: inds, clipLen: sampler.clipLen, totalFrames: totalFrames, startIndex: start,
                                       width: TerminalSize.columns))
        }
    }

    struct PipelineRun: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pipeline",
            abstract: "Run a split's dataset and pipeline on one item and show (or save) the result.")

        @OptionGroup var source: ConfigCommand.Source
        @Option(help: "train, val or test.") var split: DataConfig.Split = .train
        @Option(help: "Item of the dataset (0-based, annotation order).") var index: Int = 0
        @Option(help: "Seed of the random draws.") var seed: UInt64 = 0
        @Option(name: .customLong("save-npy"), help: "Write the final imgs (float32) as a NumPy .npy file.") var saveNpy: String?
        @Flag(help: "Print {\"shape\": [...], \"label\": L, \"frame_inds\": [...]}.") var json = false

        func run() throws {
            let dataset = try DataConfig(try source.load()).spec(split).makeDataset()
            guard (0..<dataset.count).contains(index) else {
                throw ValidationError("--index \(index) is outside the \(dataset.count) items of data.\(split.rawValue)")
            }
            var rng = Philox(seed: seed, stream: UInt64(index))
            let trace = try dataset.pipeline.trace(dataset.initialSample(index), rng: &rng, workspace: PipelineWorkspace())
            let out = trace.output
            let shape = out.imgs?.shape ?? []
            if let path = saveNpy { try NumpyFile.write(out.imgs!, to: path) }
            if json {
                let o: [String: Any] = ["shape": shape, "label": out.labels.count == 1 ? out.labels[0] : out.labels,
                                        "frame_inds": out.frameIndices]
                let d = try JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])
                print(String(decoding: d, as: UTF8.self))
                return
            }
            if saveNpy != nil { print("wrote \(saveNpy!) (float32 \(shape))"); return }
            print("item \(index) of data.\(split.rawValue): \(dataset.records[index].frameDir), label \(out.labels), frames \(out.frameIndices)")
            for (name, s) in trace.after {
                print("\(name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(PipelinePreview.describe(s))")
            }
            print(PipelinePreview.render(trace: trace.after.map { ($0.step, $0.sample) }, width: TerminalSize.columns))
            print("output imgs \(shape)")
        }
    }
}

extension DataConfig.Split: ExpressibleByArgument {}

enum TerminalSize {
    static var columns: Int {
        var w = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &w) == 0, w.ws_col > 20 { return Int(w.ws_col) }
        return Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 100
    }
}

extension InspectCommand {
    /// `reel inspect lr FILE --iters-per-epoch N`: the LR of every training iteration, from the config alone.
    struct LR: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lr",
            abstract: "The learning rate every training iteration will use (param group 0), from the config alone.")

        @OptionGroup var source: ConfigCommand.Source
        @Option(name: .customLong("iters-per-epoch"), help: "Batches per epoch (len(train loader)).") var itersPerEpoch: Int
        @Flag(help: "Print {\"lr\": [...]}.") var json = false

        func validate() throws {
            guard itersPerEpoch > 0 else { throw ValidationError("--iters-per-epoch must be at least 1") }
        }

        func run() throws {
            let config = try source.load()
            let plan = try LRPlan(config: config, itersPerEpoch: itersPerEpoch)
            if json {
                let d = try JSONSerialization.data(withJSONObject: ["lr": plan.values])
                print(String(decoding: d, as: UTF8.self))
                return
            }
            print(plan.summary)
            print(LRChart.render(plan.values, itersPerEpoch: itersPerEpoch, width: min(TerminalSize.columns, 120), height: 12))
        }
    }
}
