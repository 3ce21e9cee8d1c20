import Config
import Foundation

extension Runner {
    /// Writes model (+ optimizer) state with the run's metadata: `epoch` completed epochs, `iter` completed
    /// iterations, and — Reel's addition for exact resume — the batches of the current epoch already done.
    ///
    /// A state holding inf or NaN anywhere (parameters, buffers such as BatchNorm's running variance, optimizer
    /// state) is not saved: the run fails with a `RunFailure` that names those tensors and the last good checkpoint.
    public func saveCheckpoint(to path: String, epoch savedEpoch: Int, iter savedIter: Int? = nil, innerIter done: Int = 0, withOptimizer: Bool,
                               includeConfig: Bool = true) throws {
        let bad = CheckpointStore.nonFiniteTensors(model: model, optimizer: withOptimizer ? optimizer : nil)
        guard bad.isEmpty else {
            let shown = bad.prefix(3).joined(separator: ", ") + (bad.count > 3 ? " and \(bad.count - 3) more" : "")
            throw RunFailure(message: "the training state went non-finite (inf or NaN in \(shown)); "
                             + "\((path as NSString).lastPathComponent) was not saved", iter: iter, lastCheckpoint: lastGoodCheckpoint)
        }
        let formatter = DateFormatter()
        formatter.dateFormat = "EEE MMM d HH:mm:ss yyyy"
        formatter.locale = Locale(identifier: "en_US_POSIX")
        let meta = CheckpointMetadata(epoch: savedEpoch, iter: savedIter ?? iter, config: includeConfig ? configText : nil,
                                      configName: configName, workDir: workDir, seed: seed, time: formatter.string(from: Date()),
                                      hookMessages: hookMessages, extra: done > 0 ? ["inner_iter": String(done)] : [:])
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try CheckpointStore.save(model: model, optimizer: withOptimizer ? optimizer : nil, metadata: meta, to: path)
        lastGoodCheckpoint = path
    }

    /// `resume_from`: weights, optimizer state with its param-group hyper-parameters (so a changed `optimizer.lr`
    /// has no effect, as in mmcv), counters and hook messages (best score and file).
    ///
    /// The file is untrusted input: it is fully read and checked — format, metadata fields and their fit with this
    /// run, optimizer state, finiteness — before anything in the runner changes. Throws `CheckpointError`.
    public func resume(from path: String) throws {
        let file = try SafeTensors.read(path)
        guard let meta = try CheckpointStore.metadata(of: file, path: path) else {
            throw CheckpointError(path: path, reason: "it has no Reel metadata (epoch/iter); use load_from for plain weights")
        }
        try meta.validate(byEpoch: byEpoch, maxEpochs: maxEpochs, maxIters: maxIters, batchesPerEpoch: loader.batchesPerEpoch, path: path)
        let bad = CheckpointStore.nonFiniteTensors(in: file)
        guard bad.isEmpty else {
            throw CheckpointError(path: path, field: bad[0], reason: "holds inf or NaN" + (bad.count > 1 ? " (and \(bad.count - 1) more tensors)" : ""))
        }
        try CheckpointStore.restoreOptimizer(optimizer, from: file, path: path, maxStep: meta.iter)
        let report = CheckpointStore.loadWeights(into: model, from: file)
        if !report.isClean { log("resume: \(Self.describe(report))") }
        epoch = meta.epoch
        iter = meta.iter
        resumeInnerIter = Int(meta.extra["inner_iter"] ?? "") ?? 0
        hookMessages = meta.hookMessages
        lastGoodCheckpoint = path
        log("resumed epoch \(epoch), iter \(iter)" + (resumeInnerIter > 0 ? " (batch \(resumeInnerIter) of epoch \(epoch + 1))" : ""))
    }

    /// `load_from`: weights only, counters at 0.
    public func loadWeights(from path: String) throws {
        let file = try SafeTensors.read(path)
        let report = CheckpointStore.loadWeights(into: model, from: file)
        log("load checkpoint from \(path)" + (report.isClean ? "" : ": \(Self.describe(report))"))
    }

    /// Removes what a killed earlier run left half-written in this run's directories (work dir and checkpoint
    /// dir): Reel's own temp files of checkpoints, `best.json` and the config copy, whose writer is gone.
    func removeStaleTempFiles() {
        var dirs = [workDir]
        if let out = hook(CheckpointHook.self)?.outDirectory, !dirs.contains(out) { dirs.append(out) }
        let configName = self.configName
        for dir in dirs {
            let removed = OwnedFiles.removeStaleTempFiles(in: dir) { name in
                OwnedFiles.isCheckpointName(name) || name == "best.json" || (!configName.isEmpty && name == configName)
            }
            if !removed.isEmpty { log("Removed \(removed.count) temp file(s) left by an interrupted run: \(removed.joined(separator: ", "))") }
        }
    }

    static func describe(_ r: CheckpointStore.LoadReport) -> String {
        var parts: [String] = []
        if !r.missing.isEmpty { parts.append("missing keys in source state_dict: \(r.missing.joined(separator: ", "))") }
        if !r.unexpected.isEmpty { parts.append("unexpected key in source state_dict: \(r.unexpected.joined(separator: ", "))") }
        if !r.shapeMismatch.isEmpty { parts.append("size mismatch for \(r.shapeMismatch.joined(separator: ", "))") }
        if !r.invalid.isEmpty { parts.append("wrong dtype or value for \(r.invalid.joined(separator: ", ")) (kept this model's)") }
        return parts.joined(separator: "; ")
    }
}
