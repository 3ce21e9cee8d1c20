import Config
import Foundation

/// mmcv's `CheckpointHook` (`checkpoint_config`, SEMANTICS.md §3.6): `epoch_N.safetensors` / `iter_N.safetensors`
/// every `interval` (and the last one with `save_last`), `latest.safetensors` refreshed, old files removed on the
/// interval grid with `max_keep_ckpts`.
public final class CheckpointHook: Hook {
    public var name: String { "CheckpointHook" }
    public var priority: HookPriority { .normal }
    public var interval = -1
    public var byEpoch = true
    public var saveOptimizer = true
    public var outDir: String?
    public var maxKeep = -1
    public var saveLast = true
    /// The directory files go to (set at before_run).
    public private(set) var outDirectory: String?

    public init(interval: Int = -1, byEpoch: Bool = true) { self.interval = interval; self.byEpoch = byEpoch }

    public init(config: ConfigValue, files: SourceFiles, defaultByEpoch: Bool) throws {
        let r = try ConfigReader(config, name: "checkpoint_config", files: files)
        interval = try r.int("interval", -1)
        byEpoch = try r.bool("by_epoch", defaultByEpoch)
        saveOptimizer = try r.bool("save_optimizer", true)
        outDir = try r.optionalString("out_dir")
        maxKeep = try r.int("max_keep_ckpts", -1)
        saveLast = try r.bool("save_last", true)
    }

    public func beforeRun(_ runner: Runner) throws {
        if let outDir {
            outDirectory = (outDir as NSString).appendingPathComponent((runner.workDir as NSString).lastPathComponent)
        } else {
            outDirectory = runner.workDir
        }
        try FileManager.default.createDirectory(atPath: outDirectory!, withIntermediateDirectories: true)
    }

    public func afterTrainEpoch(_ runner: Runner) throws {
        guard byEpoch else { return }
        let n = runner.epoch + 1
        if (interval > 0 && n % interval == 0) || (saveLast && n == runner.maxEpochs) {
            runner.log("Saving checkpoint at \(n) epochs")
            try save(runner, name: "epoch_\(n)", number: n, prefix: "epoch_", savedEpoch: n)
        }
    }

    public func afterTrainIter(_ runner: Runner) throws {
        guard !byEpoch else { return }
        let n = runner.iter + 1
        if (interval > 0 && n % interval == 0) || (saveLast && n == runner.maxIters) {
            runner.log("Saving checkpoint at \(n) iterations")
            // The runner's `iter` is still n − 1 here: the file records n completed iterations, and the batches of
            // the current epoch done so far (mmcv would record epoch + 1 and skip the rest of the epoch on resume).
            try save(runner, name: "iter_\(n)", number: n, prefix: "iter_", savedEpoch: runner.epoch, iter: n,
                     innerIter: runner.innerIter + 1)
        }
    }

    private func save(_ runner: Runner, name: String, number n: Int, prefix: String, savedEpoch: Int, iter: Int? = nil,
                      innerIter: Int = 0) throws {
        let dir = outDirectory ?? runner.workDir
        let path = (dir as NSString).appendingPathComponent(name + ".safetensors")
        try runner.saveCheckpoint(to: path, epoch: savedEpoch, iter: iter, innerIter: innerIter, withOptimizer: saveOptimizer)
        try CheckpointStore.updateLatest(in: dir, to: path)
        // Set after writing, so each file names the previous checkpoint as last_ckpt (as mmcv).
        runner.hookMessages.lastCheckpoint = path
        runner.emit(.checkpointSaved(CheckpointRecord(path: path, kind: .regular, epoch: savedEpoch, iter: iter ?? runner.iter)))
        if maxKeep > 0 && interval > 0 {
            var old = n - maxKeep * interval
            while old > 0 {
                let file = (dir as NSString).appendingPathComponent("\(prefix)\(old).safetensors")
                // Only a regular file of that name goes (never a directory or what a symlink points to).
                do {
                    try CheckpointStore.remove(checkpoint: file, inDirectory: dir, isOwnName: OwnedFiles.isCheckpointName)
                    runner.emit(.checkpointDeleted(path: file))
                }
                catch OwnedFiles.Refusal.missing { break }
                catch { runner.log("Old checkpoint \(file) was left in place: \(error)") }
                old -= interval
            }
        }
    }
}
