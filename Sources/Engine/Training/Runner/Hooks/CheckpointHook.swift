import Foundation
import EngineCore
import EngineData

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

    public init(interval: Int = -1, byEpoch: Bool = true) { self.interval = interval; self.byEpoch = byEpoch }

    public init(spec: CheckpointSpec) {
        interval = spec.interval
        byEpoch = spec.byEpoch
        saveOptimizer = spec.saveOptimizer
        outDir = spec.outDir
        maxKeep = spec.maxKeep
        saveLast = spec.saveLast
    }

    /// Where this hook's settings put the run's checkpoints (mmcv: `out_dir` joined with the work dir's name, else
    /// the work dir). Whoever builds the run makes it the run's `checkpointDirectory`, which every hook reads.
    public func directory(forWorkDir workDir: String) -> String {
        guard let outDir else { return workDir }
        return (outDir as NSString).appendingPathComponent((workDir as NSString).lastPathComponent)
    }

    public func beforeRun(_ context: any HookContext) throws {
        try FileManager.default.createDirectory(atPath: context.checkpointDirectory, withIntermediateDirectories: true)
    }

    public func afterTrainEpoch(_ context: any HookContext) throws {
        guard byEpoch else { return }
        let n = context.epoch + 1
        if (interval > 0 && n % interval == 0) || (saveLast && n == context.maxEpochs) {
            context.log("Saving checkpoint at \(n) epochs")
            try save(context, name: "epoch_\(n)", number: n, prefix: "epoch_", savedEpoch: n)
        }
    }

    public func afterTrainIter(_ context: any HookContext) throws {
        guard !byEpoch else { return }
        let n = context.iter + 1
        if (interval > 0 && n % interval == 0) || (saveLast && n == context.maxIters) {
            context.log("Saving checkpoint at \(n) iterations")
            // The run's `iter` is still n − 1 here: the file records n completed iterations, and the batches of
            // the current epoch done so far (mmcv would record epoch + 1 and skip the rest of the epoch on resume).
            try save(context, name: "iter_\(n)", number: n, prefix: "iter_", savedEpoch: context.epoch, iter: n,
                     innerIter: context.innerIter + 1)
        }
    }

    private func save(_ context: any HookContext, name: String, number n: Int, prefix: String, savedEpoch: Int, iter: Int? = nil,
                      innerIter: Int = 0) throws {
        let dir = context.checkpointDirectory
        let path = (dir as NSString).appendingPathComponent(name + ".safetensors")
        try context.saveCheckpoint(to: path, epoch: savedEpoch, iter: iter, innerIter: innerIter, withOptimizer: saveOptimizer,
                                   includeConfig: true)
        try CheckpointStore.updateLatest(in: dir, to: path)
        // Set after writing, so each file names the previous checkpoint as last_ckpt (as mmcv).
        context.setLastCheckpoint(path)
        context.publish(.checkpointSaved(CheckpointRecord(path: path, kind: .regular, epoch: savedEpoch, iter: iter ?? context.iter)))
        if maxKeep > 0 && interval > 0 {
            var old = n - maxKeep * interval
            while old > 0 {
                let file = (dir as NSString).appendingPathComponent("\(prefix)\(old).safetensors")
                // Only a regular file of that name goes (never a directory or what a symlink points to).
                do {
                    try CheckpointStore.remove(checkpoint: file, inDirectory: dir, isOwnName: OwnedFiles.isCheckpointName)
                    context.publish(.checkpointDeleted(path: file))
                }
                catch OwnedFiles.Refusal.missing { break }
                catch { context.log("Old checkpoint \(file) was left in place: \(error)") }
                old -= interval
            }
        }
    }
}
