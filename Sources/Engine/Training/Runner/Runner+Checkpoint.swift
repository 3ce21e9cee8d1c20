import Config
import Foundation
import EngineCore
import EngineData

extension Runner {
    /// Writes model (+ optimizer) state with the run's metadata: `epoch` completed epochs, `iter` completed
    /// iterations, and — Reel's additions for an exact resume — the batches of the current epoch already done, the
    /// model's random streams (dropout) and, where the resumed run will not start with an empty log buffer
    /// (mid-epoch, or an iteration-based run), the averaging history's last `logWindow` entries.
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
                                      configName: configName, workDir: workDir, seed: seed, rngState: model.randomStreams.flatMap(\.state),
                                      time: formatter.string(from: Date()), hookMessages: hookMessages,
                                      extra: (done > 0 ? ["inner_iter": String(done)] : [:])
                                          .merging(["videos_per_step": String(videosPerStep)]) { a, _ in a },
                                      logBuffer: done > 0 || !byEpoch ? averagingSnapshot() : nil,
                                      threads: Parallel.workers)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try CheckpointStore.save(model: model, optimizer: withOptimizer ? optimizer : nil, metadata: meta, to: path)
        lastGoodCheckpoint = path
    }

    /// `resume_from`: weights, optimizer state with its param-group hyper-parameters (so a changed `optimizer.lr`
    /// has no effect, as in mmcv), counters and hook messages (best score and file); and, beyond mmcv, the position
    /// in the epoch, the model's random streams and the log history, so the run continues bit for bit as it would
    /// have without the interruption (given the same seed, which `TrainingSession` takes from the checkpoint).
    ///
    /// The file is untrusted input: it is fully read and checked — format, metadata fields and their fit with this
    /// run, optimizer state, finiteness — before anything in the runner changes. Throws `CheckpointError`.
    public func resume(from path: String) throws { try resume(from: path, file: try CheckpointFile.read(path)) }

    /// `resume(from:)` with the file already read (`TrainingSession` reads it first for its seed).
    public func resume(from path: String, file: SafeTensors.File) throws {
        guard var meta = try CheckpointStore.metadata(of: file, path: path) else {
            throw CheckpointError(path: path, reason: "it has no Reel metadata (epoch/iter); use load_from for plain weights")
        }
        let savedIter = meta.iter
        let rescaleNote = rescalePosition(&meta)
        try meta.validate(byEpoch: byEpoch, maxEpochs: maxEpochs, maxIters: maxIters, batchesPerEpoch: loader.batchesPerEpoch, path: path)
        let bad = CheckpointStore.nonFiniteTensors(in: file)
        guard bad.isEmpty else {
            throw CheckpointError(path: path, field: bad[0], reason: "holds inf or NaN" + (bad.count > 1 ? " (and \(bad.count - 1) more tensors)" : ""))
        }
        try CheckpointStore.restoreOptimizer(optimizer, from: file, path: path, maxStep: optimizerSteps(after: savedIter))
        let report = CheckpointStore.loadWeights(into: model, from: file)
        if !report.isClean { log("resume: \(Self.describe(report))") }
        epoch = meta.epoch
        iter = meta.iter
        resumeInnerIter = Int(meta.extra["inner_iter"] ?? "") ?? 0
        hookMessages = meta.hookMessages
        restoreRandomStreams(meta.rngState ?? [])
        if let saved = meta.threads, saved != Parallel.workers {
            log("resume: the checkpoint was trained with \(saved) compute threads, this run uses \(Parallel.workers); sums split "
                + "by thread count round differently, so the continuation is not bit for bit the uninterrupted run's "
                + "(--threads \(saved) makes it so)")
        }
        resumedLog = meta.logBuffer
        if let rescaleNote { log(rescaleNote) }
        lastGoodCheckpoint = path
        log("resumed epoch \(epoch), iter \(iter)" + (resumeInnerIter > 0 ? " (batch \(resumeInnerIter) of epoch \(epoch + 1))" : ""))
    }

    /// Videos one training step takes: the batch on every rank.
    var videosPerStep: Int { loader.batchSize * (parallel?.world ?? 1) }

    /// A checkpoint saved with another step size (another world size or batch): an epoch-based run's position is
    /// the videos of the epoch done, so it resumes at the batch that starts there (exact when the new step size
    /// divides them; mid-epoch otherwise, a few videos are seen twice) and its iteration count is re-counted in this
    /// run's steps. Iteration-based runs keep their count. Returns the note the run logs, or nil when nothing moved.
    private func rescalePosition(_ meta: inout CheckpointMetadata) -> String? {
        guard let saved = Int(meta.extra["videos_per_step"] ?? ""), saved > 0, saved != videosPerStep else { return nil }
        let inner = Int(meta.extra["inner_iter"] ?? "") ?? 0
        guard byEpoch else {
            return "resume: the checkpoint took \(saved) videos a step, this run takes \(videosPerStep); iteration-based, "
                + "so its \(meta.iter) iterations count as this run's"
        }
        let done = inner * saved, newInner = done / videosPerStep
        meta.extra["inner_iter"] = newInner > 0 ? String(newInner) : nil
        meta.iter = meta.epoch * loader.batchesPerEpoch + newInner
        return "resume: the checkpoint took \(saved) videos a step, this run takes \(videosPerStep) (\(parallel?.world ?? 1) rank(s)): "
            + "epoch \(meta.epoch + 1) resumes at batch \(newInner) (\(done) videos done"
            + (done % videosPerStep == 0 ? ")" : "; \(done - newInner * videosPerStep) of them are seen again)")
            + ", iteration \(meta.iter)"
    }

    /// Puts the checkpoint's generators into the model. One that does not fit (a checkpoint from before Reel saved
    /// them, or a config whose dropout changed) leaves the model's fresh streams, and says the run is not exact.
    private func restoreRandomStreams(_ words: [UInt64]) {
        let streams = stride(from: 0, to: words.count, by: 8).map { Philox(state: Array(words[$0..<$0 + 8])) }
        guard streams.count == model.randomStreams.count else {
            log("resume: the checkpoint has \(streams.count) random stream(s) (dropout), this model \(model.randomStreams.count); "
                + "the model's fresh streams are used, so the continuation differs from an uninterrupted run")
            return
        }
        model.randomStreams = streams
    }

    /// Clears the averaging history for a new epoch (mmcv's loggers clear their buffer there), or after a resume
    /// puts back the history the checkpoint kept (the loggers get it in `RunInfo.logHistory`).
    func startLogBuffer() {
        averagingHistory.clear()
        if let saved = resumedLog { averagingHistory.restore(saved) }
        resumedLog = nil
    }

    /// `load_from`: weights only, counters at 0.
    public func loadWeights(from path: String) throws {
        let file = try CheckpointFile.read(path)
        let report = CheckpointStore.loadWeights(into: model, from: file)
        log("load checkpoint from \(path)" + (report.isClean ? "" : ": \(Self.describe(report))"))
    }

    /// Removes what a killed earlier run left half-written in this run's directories (work dir and checkpoint
    /// dir): Reel's own temp files of checkpoints, `best.json` and the config copy, whose writer is gone, and
    /// optimizer sidecars written just before a kill that no checkpoint names.
    func removeStaleTempFiles() {
        var dirs = [workDir]
        if !dirs.contains(checkpointDirectory) { dirs.append(checkpointDirectory) }
        let configName = self.configName
        for dir in dirs {
            var removed = OwnedFiles.removeStaleTempFiles(in: dir) { name in
                OwnedFiles.isCheckpointName(name) || OptimizerSidecar.checkpointName(ofSidecar: name) != nil
                    || name == "best.json" || (!configName.isEmpty && name == configName)
            }
            removed += OptimizerSidecar.removeOrphans(in: dir)
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
