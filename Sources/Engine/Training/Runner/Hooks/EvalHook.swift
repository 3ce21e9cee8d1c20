import Config
import Foundation
import EngineCore
import EngineData

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
    /// The rule inference's key lists (`greater_keys` / `less_keys`; nil: mmcv's defaults).
    public var greaterKeys: [String]?
    public var lessKeys: [String]?
    /// `evaluation.out_dir`: the best checkpoint goes to `out_dir/<work dir name>` (nil: the work dir).
    public var outDir: String?
    public let loader: Loader
    private var initialChecked = false
    private var bestKey: String?
    private var greater = true

    static let greaterKeys = ["acc", "top", "AR@", "auc", "precision", "mAP", "mDice", "mIoU", "mAcc", "aAcc"]
    static let lessKeys = ["loss"]

    public init(loader: Loader) { self.loader = loader }

    public init(spec: EvalSpec, loader: Loader) {
        self.loader = loader
        start = spec.start
        interval = spec.interval
        byEpoch = spec.byEpoch
        saveBest = spec.saveBest
        rule = spec.rule
        metrics = spec.metrics
        topk = spec.topk
        greaterKeys = spec.greaterKeys
        lessKeys = spec.lessKeys
        outDir = spec.outDir
        if let key = saveBest, key != "auto" { bestKey = key; greater = spec.greater ?? true }
    }

    /// Whether a greater `key` is better: `rule` if given, else inferred from the key's name as mmcv 1.7.2 does,
    /// case-insensitively: the key equal to a greater key, to a less key, then containing a greater key, a less
    /// key (nil: cannot tell). `greaterKeys`/`lessKeys` replace the default lists.
    public static func isGreaterBetter(key: String, rule: String?, greaterKeys: [String]? = nil, lessKeys: [String]? = nil) -> Bool? {
        if let rule { return rule == "greater" }
        let lower = key.lowercased()
        let greater = (greaterKeys ?? Self.greaterKeys).map { $0.lowercased() }, less = (lessKeys ?? Self.lessKeys).map { $0.lowercased() }
        if greater.contains(lower) { return true }
        if less.contains(lower) { return false }
        if greater.contains(where: { lower.contains($0) }) { return true }
        if less.contains(where: { lower.contains($0) }) { return false }
        return nil
    }

    /// Where the best checkpoint and `best.json` go: with `evaluation.out_dir`, mmcv's `before_run` (`out_dir`
    /// joined with the work dir's name when it is another directory); without, the run's checkpoint directory.
    public func bestDirectory(_ context: any HookContext) -> String {
        guard let outDir, !outDir.isEmpty else { return context.checkpointDirectory }
        return Self.bestDirectory(outDir: outDir, workDir: context.workDir)
    }

    public static func bestDirectory(outDir: String?, workDir: String) -> String {
        guard let outDir, !outDir.isEmpty, outDir != workDir else { return workDir }
        let trimmed = workDir.hasSuffix("/") && workDir.count > 1 ? String(workDir.dropLast()) : workDir
        return (outDir as NSString).appendingPathComponent((trimmed as NSString).lastPathComponent)
    }

    public func beforeRun(_ context: any HookContext) throws {
        guard let outDir, !outDir.isEmpty, context.parallel?.isMain ?? true else { return }
        let dir = Self.bestDirectory(outDir: outDir, workDir: context.workDir)
        guard dir != context.workDir else { return }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        context.log("The best checkpoint will be saved to \(dir) by HardDiskBackend")
    }

    private func setBestKey(_ key: String) throws {
        bestKey = key
        guard let g = Self.isGreaterBetter(key: key, rule: rule, greaterKeys: greaterKeys, lessKeys: lessKeys) else {
            throw PipelineError(message: "cannot infer the rule for save_best='\(key)': set rule='greater' or rule='less'")
        }
        greater = g
    }

    private func due(_ counter: Int) -> Bool {
        guard let start else { return (counter + 1) % interval == 0 }
        return counter + 1 >= start && (counter + 1 - start) % interval == 0
    }

    public func beforeTrainEpoch(_ context: any HookContext) throws {
        guard byEpoch, !initialChecked else { return }
        initialChecked = true
        // mmcv's "evaluate before training": only with an explicit start the counter has reached.
        if let start, context.epoch >= start, due(context.epoch) { try evaluate(context, trigger: .beforeTraining) }
    }

    public func beforeTrainIter(_ context: any HookContext) throws {
        guard !byEpoch, !initialChecked else { return }
        initialChecked = true
        if let start, context.iter >= start, due(context.iter) { try evaluate(context, trigger: .beforeTraining) }
    }

    public func afterTrainEpoch(_ context: any HookContext) throws {
        if byEpoch && due(context.epoch) { try evaluate(context, trigger: .epoch) }
    }

    public func afterTrainIter(_ context: any HookContext) throws {
        guard !byEpoch && due(context.iter) else { return }
        // As mmcv does (SEMANTICS.md §3.7): the iteration goes out first, so the loggers write its train line
        // before the val line, and their averaging restarts after it.
        context.beginEvaluationInIteration()
        try evaluate(context, trigger: .iteration)
    }

    /// Runs inference on the val loader, updates the best checkpoint and publishes the metrics as an `.evaluated`
    /// event, from which the loggers write their val records (all but the evaluation before training, which mmcv's
    /// log files never see, SEMANTICS.md §2.4; the console and the dashboard still show it). The runner calls it
    /// directly for "evaluate now" (`.manual`).
    public func evaluate(_ context: any HookContext, trigger: EvalRecord.Trigger) throws {
        let wasTraining = context.isTraining
        context.setTraining(false)
        defer { if wasTraining && !byEpoch { context.setTraining(true) } }
        let results = try SplitEvaluation.evaluate(model: context.model, loader: loader, metrics: metrics, topk: topk,
                                                   parallel: context.parallel).results
        for m in metrics {
            context.log("Evaluating \(m) ...")
            for (k, v) in results where m == "top_k_accuracy" ? k.hasPrefix("top") : k == m {
                context.log("\n\(k == "mean_class_accuracy" ? "mean_acc" : k)\t\(String(format: "%.4f", v))")
            }
        }
        var isNewBest = false
        if let key = saveBest, !results.isEmpty {
            if bestKey == nil { try setBestKey(key == "auto" ? results[0].key : key) }
            if let bestKey, let score = results.first(where: { $0.key == bestKey })?.value {
                let previous = context.bestScore ?? (greater ? -.infinity : .infinity)
                if greater ? score > previous : score < previous {
                    isNewBest = true
                    // Every rank keeps the best score (so all agree on the next one); rank 0 writes the file.
                    if context.parallel?.isMain ?? true {
                        try saveBestCheckpoint(context, key: bestKey, score: score)
                    } else {
                        context.setBest(metric: bestKey, score: score, checkpoint: bestPath(context, key: bestKey))
                    }
                }
            }
        }
        let n = byEpoch ? context.epoch + 1 : context.iter + 1
        // Inside an iteration `iter` does not count it yet; between iterations it counts them all.
        context.publish(.evaluated(EvalRecord(epoch: n, iter: context.iter + (trigger == .iteration ? 1 : 0), metrics: results,
                                              bestKey: bestKey, bestScore: context.bestScore, isNewBest: isNewBest, trigger: trigger,
                                              batches: loader.batchesPerEpoch, lr: context.optimizer.groups.first?.lr ?? 0)))
    }

    private func bestPath(_ context: any HookContext, key: String) -> String {
        let n = byEpoch ? context.epoch + 1 : context.iter + 1
        return (bestDirectory(context) as NSString).appendingPathComponent("best_\(key)_\(byEpoch ? "epoch" : "iter")_\(n).safetensors")
    }

    private func saveBestCheckpoint(_ context: any HookContext, key: String, score: Double) throws {
        let dir = bestDirectory(context)
        let unit = byEpoch ? "epoch" : "iter"
        let n = byEpoch ? context.epoch + 1 : context.iter + 1
        let path = bestPath(context, key: key)
        if let old = context.bestCheckpoint, old != path {
            // The name may come from a resumed checkpoint's metadata, which anyone can write: only a regular file
            // with a best-checkpoint name directly in this run's checkpoint directory is removed (OwnedFiles).
            do {
                try CheckpointStore.remove(checkpoint: old, inDirectory: dir, isOwnName: OwnedFiles.isBestCheckpointName)
                context.publish(.checkpointDeleted(path: old))
                context.log("The previous best checkpoint \(old) was removed")
            } catch OwnedFiles.Refusal.missing {
            } catch {
                context.log("The previous best checkpoint \(old) was left in place: \(error)")
            }
        }
        context.setBest(metric: key, score: score, checkpoint: path)
        try context.saveCheckpoint(to: path, epoch: byEpoch ? n : context.epoch, iter: byEpoch ? context.iter : n,
                                  innerIter: 0, withOptimizer: true, includeConfig: false)
        let best: [String: Any] = ["best_score": score, "metric": key, "rule": greater ? "greater" : "less",
                                   "epoch": byEpoch ? n : context.epoch + 1, "iter": byEpoch ? context.iter : n,
                                   "checkpoint": (path as NSString).lastPathComponent]
        let data = try JSONSerialization.data(withJSONObject: best, options: [.sortedKeys, .prettyPrinted])
        try AtomicFile.write(data + Data("\n".utf8), to: (dir as NSString).appendingPathComponent("best.json"))
        context.publish(.checkpointSaved(CheckpointRecord(path: path, kind: .best, epoch: byEpoch ? n : context.epoch, iter: context.iter)))
        context.log("Now best checkpoint is saved as \((path as NSString).lastPathComponent).")
        context.log("Best \(key) is \(String(format: "%.4f", score)) at \(n) \(unit).")
    }
}

/// Inference over a loader: one score row per video (`Recognizer.predict`), in loader order, with the targets.
public enum Inference {
    public static func scores(model: any Recognizer, loader: Loader, progress: ((Int, Int) -> Void)? = nil) throws
        -> (scores: [[Float]], targets: Targets)
    {
        var scores: [[Float]] = [], targets: Targets = loader.dataset.multiClass ? .labelSets([]) : .classes([])
        let batches = loader.epoch(0)
        defer { batches.cancel() }
        var done = 0
        while let batch = try batches.next() {
            let out = model.predict(batch.imgs)
            let k = out.shape[1]
            let flat = out.scalars
            for i in 0..<out.shape[0] { scores.append(Array(flat[(i * k)..<((i + 1) * k)])) }
            targets = targets.appending(batch.targets)
            done += 1
            progress?(done, batches.count)
        }
        return (scores, targets)
    }
}
