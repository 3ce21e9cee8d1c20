import Foundation

extension Runner {
    /// Writes model (+ optimizer) state with the run's metadata: `epoch` completed epochs, `iter` completed
    /// iterations, and — Reel's addition for exact resume — the batches of the current epoch already done.
    public func saveCheckpoint(to path: String, epoch savedEpoch: Int, iter savedIter: Int? = nil, innerIter done: Int = 0, withOptimizer: Bool,
                               includeConfig: Bool = true) throws {
        let formatter = DateFormatter()
        formatter.dateFormat = "EEE MMM d HH:mm:ss yyyy"
        formatter.locale = Locale(identifier: "en_US_POSIX")
        let meta = CheckpointMetadata(epoch: savedEpoch, iter: savedIter ?? iter, config: includeConfig ? configText : nil,
                                      configName: configName, workDir: workDir, seed: seed, time: formatter.string(from: Date()),
                                      hookMessages: hookMessages, extra: done > 0 ? ["inner_iter": String(done)] : [:])
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try CheckpointStore.save(model: model, optimizer: withOptimizer ? optimizer : nil, metadata: meta, to: path)
    }

    /// `resume_from`: weights, optimizer state with its param-group hyper-parameters (so a changed `optimizer.lr`
    /// has no effect, as in mmcv), counters and hook messages (best score and file).
    public func resume(from path: String) throws {
        let file = try SafeTensors.read(path)
        let report = CheckpointStore.loadWeights(into: model, from: file)
        if !report.isClean { log("resume: \(Self.describe(report))") }
        try CheckpointStore.restoreOptimizer(optimizer, from: file, path: path)
        guard let meta = try CheckpointStore.metadata(of: file) else {
            throw SafeTensors.FormatError(path: path, reason: "it has no Reel metadata (epoch/iter); use load_from for plain weights")
        }
        epoch = meta.epoch
        iter = meta.iter
        resumeInnerIter = Int(meta.extra["inner_iter"] ?? "") ?? 0
        hookMessages = meta.hookMessages
        log("resumed epoch \(epoch), iter \(iter)" + (resumeInnerIter > 0 ? " (batch \(resumeInnerIter) of epoch \(epoch + 1))" : ""))
    }

    /// `load_from`: weights only, counters at 0.
    public func loadWeights(from path: String) throws {
        let file = try SafeTensors.read(path)
        let report = CheckpointStore.loadWeights(into: model, from: file)
        log("load checkpoint from \(path)" + (report.isClean ? "" : ": \(Self.describe(report))"))
    }

    static func describe(_ r: CheckpointStore.LoadReport) -> String {
        var parts: [String] = []
        if !r.missing.isEmpty { parts.append("missing keys in source state_dict: \(r.missing.joined(separator: ", "))") }
        if !r.unexpected.isEmpty { parts.append("unexpected key in source state_dict: \(r.unexpected.joined(separator: ", "))") }
        if !r.shapeMismatch.isEmpty { parts.append("size mismatch for \(r.shapeMismatch.joined(separator: ", "))") }
        return parts.joined(separator: "; ")
    }
}
