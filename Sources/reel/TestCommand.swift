import ArgumentParser
import Config
import EngineCore
import EngineData
import EngineDistributed
import EngineTraining
import Foundation

/// `reel test FILE CKPT`: mmaction2's tools/test.py on the CPU — the test split through `test_pipeline`,
/// views averaged per `test_cfg.average_clips`, metrics printed, scores optionally written.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Evaluate a checkpoint on the test split.")

    @OptionGroup var source: ConfigCommand.Source
    @Argument(help: "A checkpoint (.safetensors, or a PyTorch .pth such as mmaction2's model-zoo weights).") var checkpoint: String
    @Option(name: .customLong("eval"), parsing: .upToNextOption,
            help: "Metrics: top_k_accuracy, mean_class_accuracy, mean_average_precision, mmit_mean_average_precision (default: the config's evaluation.metrics).")
    var metrics: [String] = []
    @Option(help: "Write one class-score list per video, in the test split's order, as JSON.") var out: String?
    @Option(help: "Split to evaluate.") var split: DataConfig.Split = .test
    @Option(help: "Compute threads (default: all cores; with --launcher mpi, the cores divided among the ranks on the machine).")
    var threads: Int?
    @Option(help: "none, or mpi: one rank of `mpirun -np K reel test … --launcher mpi`, each rank testing its shard of the split (rank 0 prints the metrics of the whole split).")
    var launcher: Launcher = .none

    func run() throws {
        let group = try launcher.processGroup(threads: threads)
        let parallel = group.world > 1 ? DataParallel(group: group) : nil
        let isMain = group.isMain
        let loaded = try EvaluationModel(source, checkpoint: checkpoint, split: split, announce: isMain)
        let (evaluation, data, model) = (loaded.spec.evaluation, loaded.spec.data, loaded.model)
        if loaded.spec.model.head.extractsFeatures {
            throw ValidationError("the config's model extracts features (no cls_head): `reel test` scores classes; run "
                                  + "`reel infer CONFIG CKPT VIDEO --json` for a video's features")
        }
        model.applyMode(training: false)
        // The config's evaluation settings, read as training reads them (EvalSpec); --eval picks other metrics.
        let names = metrics.isEmpty ? evaluation.metrics : metrics
        // Before inference: accuracies cannot score a multi_class split's label sets.
        if data.dataset.multiClass, let m = names.first(where: Metrics.singleLabel.contains) {
            throw ValidationError("--eval \(m) needs one label per video, but data.\(split.rawValue) has multi_class=True: use "
                                  + "mean_average_precision or mmit_mean_average_precision")
        }
        let topk = evaluation.topk
        let tty = isatty(STDERR_FILENO) == 1 && isMain
        let start = Date()
        // skip_broken notes: a skipped video changes the numbers, so each is printed (over the progress line).
        let (results, scores, labels) = try SplitEvaluation.run(
            model: model, data: data, metrics: names, topk: topk, parallel: parallel,
            onSkipped: { ExitStatus.printError((tty ? "\r\u{1B}[K" : "") + "warning: \($0)") },
            progress: { done, total in if tty { Console.write("\rtesting \(done)/\(total)\u{1B}[K", to: STDERR_FILENO) } })
        if tty { Console.write("\r\u{1B}[K", to: STDERR_FILENO) }
        guard isMain else { return }
        print(String(format: "tested %d videos of data.%@ in %.1f s", labels.count, split.rawValue, Date().timeIntervalSince(start)))
        for (k, v) in results { print("\(k): \(String(format: "%.4f", v))") }
        if let out {
            let data = try JSONSerialization.data(withJSONObject: scores.map { $0.map(Double.init) })
            try AtomicFile.write(data, to: out)
            print("wrote \(out)")
        }
    }
}
