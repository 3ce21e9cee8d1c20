import Config
import Foundation

/// mmaction2's `EvalHook` (`evaluation=dict(...)`, registered by `--validate`; SEMANTICS.md §3.7): evaluates on
/// the val split every `interval` epochs (or iterations) from `start`, logs the metrics, and keeps the best
/// checkpoint `best_{key}_epoch_N.safetensors` plus `best.json`.
///
/// Deliberate differences (docs/differences.md): a best score of exactly 0 is saved like any other, and the model
/// goes back to train mode after a by-iteration evaluation.
public final class EvalHook: Hook {
    public var name: String { "EvalHook" }
    public var priority: HookPriority { .low }
    public var start: Int?
    public var interval = 1
    public var byEpoch = true
    /// The metric key to track ('auto': the first key of the first result); nil: no best checkpoint.
    public var saveBest: String? = "auto"
    public var rule: String?
    public var metrics = ["top_k_accuracy"]
    public var topk = [1, 5]
    public let loader: Loader
    private var initialChecked = false
    private var bestKey: String?
    private var greater = true

    static let greaterKeys = ["acc", "top", "AR@", "auc", "precision", "mAP", "mDice", "mIoU", "mAcc", "aAcc"]
    static let lessKeys = ["loss"]

    public init(loader: Loader) { self.loader = loader }

    public init(config: ConfigValue?, files: SourceFiles, loader: Loader) throws {
        self.loader = loader
        guard let config, !config.isNone else { return }
        let r = try ConfigReader(config, name: "evaluation", files: files)
        if r.has("start") {
            let s = try r.int("start")
            guard s >= 0 else { throw r.error("evaluation start must not be negative", key: "start") }
            start = s
        }
        interval = try r.int("interval", 1)
        guard interval > 0 else { throw r.error("evaluation interval must be positive", key: "interval") }
        byEpoch = try r.bool("by_epoch", true)
        if let v = r.value("save_best") {
            saveBest = v.isNone ? nil : try r.string("save_best")
        }
        if r.has("rule") { rule = try r.require("rule", in: ["greater", "less"], default: "greater") }
        if let v = r.value("metrics"), !v.isNone {
            metrics = v.string.map { [$0] } ?? (v.elements ?? []).compactMap(\.string)
            for m in metrics where !Metrics.supported.contains(m) {
                throw r.error("metric '\(m)' is not supported by Reel (supported: \(Metrics.supported.joined(separator: ", ")))", key: "metrics")
            }
        }
        var topkValue = r.value("topk")
        if let options = try r.sub("metric_options"), let tk = try options.sub("top_k_accuracy") { topkValue = tk.value("topk") ?? topkValue }
        if let v = topkValue, !v.isNone {
            if case .list = v.content { throw files.error("topk must be an int or a tuple (mmaction2 rejects a list)", at: v.origin) }
            topk = v.int.map { [$0] } ?? (v.elements ?? []).compactMap(\.int)
        }
        if let key = saveBest, key != "auto" { try setBestKey(key, r: r) }
    }

    private func setBestKey(_ key: String, r: ConfigReader? = nil) throws {
        bestKey = key
        if let rule { greater = rule == "greater"; return }
        let lower = key.lowercased()
        if Self.greaterKeys.contains(where: { lower.contains($0.lowercased()) }) { greater = true }
        else if Self.lessKeys.contains(where: { lower.contains($0) }) { greater = false }
        else {
            let message = "cannot infer the rule for save_best='\(key)': set rule='greater' or rule='less'"
            throw r?.error(message, key: "save_best") ?? PipelineError(message: message)
        }
    }

    private func due(_ counter: Int) -> Bool {
        guard let start else { return (counter + 1) % interval == 0 }
        return counter + 1 >= start && (counter + 1 - start) % interval == 0
    }

    public func beforeTrainEpoch(_ runner: Runner) throws {
        guard byEpoch, !initialChecked else { return }
        initialChecked = true
        // mmcv's "evaluate before training": only with an explicit start the counter has reached.
        if let start, runner.epoch >= start, due(runner.epoch) { try evaluate(runner, trigger: .beforeTraining) }
    }

    public func beforeTrainIter(_ runner: Runner) throws {
        guard !byEpoch, !initialChecked else { return }
        initialChecked = true
        if let start, runner.iter >= start, due(runner.iter) { try evaluate(runner, trigger: .beforeTraining) }
    }

    public func afterTrainEpoch(_ runner: Runner) throws {
        if byEpoch && due(runner.epoch) { try evaluate(runner, trigger: .epoch) }
    }

    public func afterTrainIter(_ runner: Runner) throws {
        guard !byEpoch && due(runner.iter) else { return }
        // As mmcv does (SEMANTICS.md §3.7): the loggers write this iteration's record first, and the log buffer is
        // cleared, so their averaging cannot overwrite the metrics and the train line comes before the val line.
        try runner.flushLogsBeforeEvaluation()
        try evaluate(runner, trigger: .iteration)
    }

    /// Runs inference on the val loader, puts the metrics into the log buffer (for the text logger's val record)
    /// and updates the best checkpoint. The evaluation before training is left out of the buffer: mmcv's logger
    /// clears the buffer before the first epoch, so those numbers never reach the log files (SEMANTICS.md §2.4);
    /// the console and the dashboard still show them (the "Evaluating" lines and the `.evaluated` event).
    /// For "evaluate now" (`.manual`) the runner writes the record itself.
    public func evaluate(_ runner: Runner, trigger: EvalRecord.Trigger) throws {
        let wasTraining = runner.isTraining
        runner.setTraining(false)
        defer { if wasTraining && !byEpoch { runner.setTraining(true) } }
        let (scores, labels) = try Inference.scores(model: runner.model, loader: loader)
        let results = try Metrics.evaluate(scores: scores, labels: labels, metrics: metrics, topk: topk)
        for m in metrics {
            runner.log("Evaluating \(m) ...")
            for (k, v) in results where m == "top_k_accuracy" ? k.hasPrefix("top") : k == m {
                runner.log("\n\(k == "mean_class_accuracy" ? "mean_acc" : k)\t\(String(format: "%.4f", v))")
            }
        }
        if trigger != .beforeTraining { runner.logBuffer.setOutput(results + [("eval_iter_num", Double(loader.batchesPerEpoch))]) }
        var isNewBest = false
        if let key = saveBest, !results.isEmpty {
            if bestKey == nil { try setBestKey(key == "auto" ? results[0].key : key) }
            if let bestKey, let score = results.first(where: { $0.key == bestKey })?.value {
                let previous = runner.hookMessages.bestScore ?? (greater ? -.infinity : .infinity)
                if greater ? score > previous : score < previous {
                    isNewBest = true
                    try saveBestCheckpoint(runner, key: bestKey, score: score)
                }
            }
        }
        let n = byEpoch ? runner.epoch + 1 : runner.iter + 1
        // Inside an iteration `runner.iter` does not count it yet; between iterations it counts them all.
        runner.emit(.evaluated(EvalRecord(epoch: n, iter: runner.iter + (trigger == .iteration ? 1 : 0), metrics: results, bestKey: bestKey,
                                          bestScore: runner.hookMessages.bestScore, isNewBest: isNewBest, trigger: trigger)))
    }

    private func saveBestCheckpoint(_ runner: Runner, key: String, score: Double) throws {
        let dir = runner.hook(CheckpointHook.self)?.outDirectory ?? runner.workDir
        let unit = byEpoch ? "epoch" : "iter"
        let n = byEpoch ? runner.epoch + 1 : runner.iter + 1
        let path = (dir as NSString).appendingPathComponent("best_\(key)_\(unit)_\(n).safetensors")
        if let old = runner.hookMessages.bestCheckpoint, old != path {
            // The name may come from a resumed checkpoint's metadata, which anyone can write: only a regular file
            // with a best-checkpoint name directly in this run's checkpoint directory is removed (OwnedFiles).
            do {
                try CheckpointStore.remove(checkpoint: old, inDirectory: dir, isOwnName: OwnedFiles.isBestCheckpointName)
                runner.emit(.checkpointDeleted(path: old))
                runner.log("The previous best checkpoint \(old) was removed")
            } catch OwnedFiles.Refusal.missing {
            } catch {
                runner.log("The previous best checkpoint \(old) was left in place: \(error)")
            }
        }
        runner.hookMessages.bestScore = score
        runner.hookMessages.bestCheckpoint = path
        runner.hookMessages.bestMetric = key
        try runner.saveCheckpoint(to: path, epoch: byEpoch ? n : runner.epoch, iter: byEpoch ? runner.iter : n,
                                  withOptimizer: true, includeConfig: false)
        let best: [String: Any] = ["best_score": score, "metric": key, "rule": greater ? "greater" : "less",
                                   "epoch": byEpoch ? n : runner.epoch + 1, "iter": byEpoch ? runner.iter : n,
                                   "checkpoint": (path as NSString).lastPathComponent]
        let data = try JSONSerialization.data(withJSONObject: best, options: [.sortedKeys, .prettyPrinted])
        try AtomicFile.write(data + Data("\n".utf8), to: (dir as NSString).appendingPathComponent("best.json"))
        runner.emit(.checkpointSaved(CheckpointRecord(path: path, kind: .best, epoch: byEpoch ? n : runner.epoch, iter: runner.iter)))
        runner.log("Now best checkpoint is saved as \((path as NSString).lastPathComponent).")
        runner.log("Best \(key) is \(String(format: "%.4f", score)) at \(n) \(unit).")
    }
}

/// Inference over a loader: one score row per video (`Recognizer2D.predict`), in loader order, with the labels.
public enum Inference {
    public static func scores(model: Recognizer2D, loader: Loader, progress: ((Int, Int) -> Void)? = nil) throws
        -> (scores: [[Float]], labels: [Int])
    {
        var scores: [[Float]] = [], labels: [Int] = []
        let batches = loader.epoch(0)
        defer { batches.cancel() }
        var done = 0
        while let batch = try batches.next() {
            let out = model.predict(batch.imgs)
            let k = out.shape[1]
            let flat = out.scalars
            for i in 0..<out.shape[0] { scores.append(Array(flat[(i * k)..<((i + 1) * k)])) }
            labels += batch.labels
            done += 1
            progress?(done, batches.count)
        }
        return (scores, labels)
    }
}
