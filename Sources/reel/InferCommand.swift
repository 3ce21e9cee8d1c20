import ArgumentParser
import Config
import EngineCore
import EngineData
import EngineTraining
import Foundation

/// `reel infer FILE CKPT INPUT`: mmaction2's demo/demo.py — one video file or frame directory through the config's
/// test pipeline and the checkpoint's model, the top classes printed with their scores (names from `--labels`).
/// Runs mmaction2's demo/inference configs (`ann_file=None`), and any other config with a test or val split; a
/// feature extractor (no cls_head, `test_cfg.feature_extraction=True`) gives the video's pooled features instead.
struct InferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Classify one video file or frame directory with a checkpoint (mmaction2's demo.py), or extract its features.")

    @OptionGroup var source: ConfigCommand.Source
    @Argument(help: "A checkpoint (.safetensors, or a PyTorch .pth such as mmaction2's model-zoo weights).") var checkpoint: String
    @Argument(help: "A video file, or a directory of frames named by the dataset's filename_tmpl.") var input: String
    @Option(help: "A label map: class names, one per line (line i names class i).") var labels: String?
    @Option(help: "How many classes to print.") var top = 5
    @Option(help: "The split whose pipeline runs (test, or val).") var split: DataConfig.Split = .test
    @Flag(help: "Print one JSON object (input shape, every class score) instead of the table.") var json = false

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
        guard split != .train else { throw ValidationError("--split must be test or val: inference runs a test-mode pipeline") }
    }

    func run() throws {
        let loaded = try EvaluationModel(source, checkpoint: checkpoint, split: split)
        let names = try labels.map(Self.labelNames)
        let start = Date()
        let result = try VideoInference.run(model: loaded.model, dataset: loaded.spec.data.dataset, input: input)
        if let names, names.count < result.scores.count {
            ExitStatus.printError("warning: \(labels!) names \(names.count) classes; the model has \(result.scores.count)")
        }
        if json {
            let key = loaded.spec.model.head.extractsFeatures ? "features" : "scores"
            let object: [String: Any] = ["input": input, "input_shape": result.inputShape, key: result.scores.map(Double.init)]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            return
        }
        print(String(format: "%@: %d frames, model input %@, %.2f s", input, result.frames, "\(result.inputShape)",
                     Date().timeIntervalSince(start)))
        if loaded.spec.model.head.extractsFeatures {
            let norm = result.scores.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
            print(String(format: "features: %d values (L2 norm %.4f); --json prints them", result.scores.count, norm))
            return
        }
        for (index, score) in result.ranked.prefix(top) {
            let name = names.flatMap { index < $0.count ? $0[index] : nil } ?? "class \(index)"
            print(String(format: "%10.4f  %@", score, name))
        }
    }

    /// mmaction2's label map: one class name per line (blank lines kept as names, as `readlines` does; a final newline
    /// ends the last line).
    static func labelNames(_ path: String) throws -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw VideoInference.InputError(path: path, reason: "cannot read the label map")
        }
        var lines = text.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}
