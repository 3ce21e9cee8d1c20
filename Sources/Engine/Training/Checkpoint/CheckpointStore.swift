import Config
import Foundation
import EngineCore
import EngineData

/// Saving and loading training state as safetensors files (SEMANTICS.md §2.6–2.7, in Reel's format).
///
/// Layout: the model's state dict under its PyTorch names and nothing else, so that
/// `model.load_state_dict(safetensors.torch.load_file(f))` works strictly on the mmaction2 model of the same config;
/// `CheckpointMetadata` as JSON in `__metadata__["reel"]`; the optimizer state in a sidecar file beside it
/// (`OptimizerSidecar`: `optimizer.state.<index>.<key>` in PyTorch's numbering, param groups in its metadata), named
/// with its SHA-256 in `__metadata__["optimizer_file"]`. Checkpoints of the older layout (optimizer tensors inside
/// the main file) still read. Files are written atomically, the sidecar first; a truncated or corrupt file is a
/// `CheckpointError` naming it.
public enum CheckpointStore {
    /// Keys that were not copied when loading weights (mmcv's load_checkpoint warning).
    public struct LoadReport: Equatable, Sendable {
        public var missing: [String] = []
        public var unexpected: [String] = []
        public var shapeMismatch: [String] = []
        /// Tensors of the right shape but a wrong dtype or an impossible value (a negative `num_batches_tracked`).
        public var invalid: [String] = []
        public var isClean: Bool { missing.isEmpty && unexpected.isEmpty && shapeMismatch.isEmpty && invalid.isEmpty }
    }

    /// The largest int64 counter accepted from a file (2^53: exact as a double, never near overflow).
    static let maxCounter: Int64 = 1 << 53

    public static func save(model: any Module, optimizer: Optimizer?, metadata: CheckpointMetadata,
                            to path: String) throws {
        var tensors: [(name: String, value: SafeTensors.Value)] = []
        for (name, entry) in model.stateDict() {
            switch entry {
            case .parameter(let p): tensors.append((name, .float32(p.value)))
            case .buffer(let b):
                switch b.value {
                case .float32(let t): tensors.append((name, .float32(t)))
                case .int64(let shape, let values): tensors.append((name, .int64(shape: shape, values: values)))
                }
            }
        }
        var meta: [String: String] = ["format": "pt"]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        meta["reel"] = String(decoding: try encoder.encode(metadata), as: UTF8.self)
        if let optimizer {
            let reference = try OptimizerSidecar.write(optimizerState(optimizer, encoder: encoder), besides: path)
            meta["optimizer_file"] = String(decoding: try encoder.encode(reference), as: UTF8.self)
        }
        try SafeTensors.write(SafeTensors.File(tensors: tensors, metadata: meta), to: path)
        // Earlier sidecars of this name go, except one that `latest` (a link to the file just replaced) still names;
        // `updateLatest` removes that one once `latest` moves on.
        let dir = (path as NSString).deletingLastPathComponent, name = (path as NSString).lastPathComponent
        let latest = OptimizerSidecar.sibling(of: path, named: "latest.safetensors")
        OptimizerSidecar.removeSidecars(of: name, in: dir.isEmpty ? "." : dir,
                                        keep: OptimizerSidecar.referenced(by: path).union(OptimizerSidecar.referenced(by: latest)))
    }

    /// The optimizer's per-parameter state and param-group record, as its sidecar file holds them.
    static func optimizerState(_ optimizer: Optimizer, encoder: JSONEncoder) throws -> SafeTensors.File {
        var tensors: [(name: String, value: SafeTensors.Value)] = []
        for (i, (_, p)) in optimizer.orderedParameters.enumerated() {
            guard let s = optimizer.state(for: p) else { continue }
            let prefix = "optimizer.state.\(i)."
            tensors.append((prefix + "step", .int64(shape: [], values: [Int64(s.step)])))
            if let t = s.momentumBuffer { tensors.append((prefix + "momentum_buffer", .float32(t))) }
            if let t = s.expAvg { tensors.append((prefix + "exp_avg", .float32(t))) }
            if let t = s.expAvgSq { tensors.append((prefix + "exp_avg_sq", .float32(t))) }
            if let t = s.maxExpAvgSq { tensors.append((prefix + "max_exp_avg_sq", .float32(t))) }
        }
        let record = String(decoding: try encoder.encode(OptimizerRecord(optimizer)), as: UTF8.self)
        return SafeTensors.File(tensors: tensors, metadata: ["format": "reel-optimizer", "optimizer": record])
    }

    /// Removes a checkpoint and its optimizer sidecars through `OwnedFiles` (Reel's own names, inside `directory`).
    /// Throws the checkpoint's `OwnedFiles.Refusal`; its sidecars go whenever it went or was already gone.
    public static func remove(checkpoint path: String, inDirectory directory: String, isOwnName: (String) -> Bool) throws {
        let name = (path as NSString).lastPathComponent
        // `latest` may be a link to this very checkpoint (the dashboard deletes any): its sidecar stays for it.
        let keep = OptimizerSidecar.referenced(by: (directory as NSString).appendingPathComponent("latest.safetensors"))
        do { try OwnedFiles.remove(path, inDirectory: directory, isOwnName: isOwnName) } catch OwnedFiles.Refusal.missing {
            OptimizerSidecar.removeSidecars(of: name, in: directory, keep: keep)
            throw OwnedFiles.Refusal.missing
        }
        OptimizerSidecar.removeSidecars(of: name, in: directory, keep: keep)
    }

    /// mmcv's weight loading: strips a leading `module.`, copies every tensor whose name and shape match, reports
    /// the rest (a missing `num_batches_tracked` is not reported), never fails on a mismatch.
    @discardableResult
    public static func loadWeights(into model: any Module, from file: SafeTensors.File) -> LoadReport {
        var available: [String: SafeTensors.Value] = [:]
        for (name, value) in file.tensors where !name.hasPrefix("optimizer.") {
            available[name.hasPrefix("module.") ? String(name.dropFirst(7)) : name] = value
        }
        var report = LoadReport()
        var used: Set<String> = []
        for (name, entry) in model.stateDict() {
            guard let value = available[name] else {
                if !name.hasSuffix("num_batches_tracked") { report.missing.append(name) }
                continue
            }
            used.insert(name)
            guard value.shape == entry.shape else { report.shapeMismatch.append(name); continue }
            switch (entry, value) {
            case (.parameter(let p), .float32(let t)): p.value = t.reshaped(p.shape)
            case (.buffer(let b), .float32(let t)):
                guard case .float32 = b.value else { report.invalid.append(name); continue }
                b.value = .float32(t)
            case (.buffer(let b), .int64(let shape, let values)):
                // Counters only (num_batches_tracked): a value near Int64.max would overflow on the next forward.
                guard case .int64 = b.value, values.allSatisfy({ (0...Self.maxCounter).contains($0) }) else {
                    report.invalid.append(name); continue
                }
                b.value = .int64(shape: shape, values: values)
            default: report.invalid.append(name)
            }
        }
        report.unexpected = available.keys.filter { !used.contains($0) }.sorted()
        return report
    }

    /// Makes `latest.safetensors` in `directory` a copy of `checkpoint` (hard link when possible), atomically.
    /// The new link gets a fresh temp name (`link` never replaces an existing entry) and is renamed over the old
    /// `latest`: whatever `latest` was — a file, or a symlink to something elsewhere — only its directory entry is
    /// replaced; nothing is written through it.
    public static func updateLatest(in directory: String, to checkpoint: String, name: String = "latest.safetensors") throws {
        let target = (directory as NSString).appendingPathComponent(name)
        let tmp = (directory as NSString).appendingPathComponent(AtomicFile.tempName(for: name))
        guard link(checkpoint, tmp) == 0 else {
            // No hard links here (some file systems): a full copy, written the same atomic way.
            try AtomicFile.write(try Data(contentsOf: URL(fileURLWithPath: checkpoint)), to: target)
            return
        }
        guard rename(tmp, target) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw AtomicFile.WriteError(path: target, reason: reason)
        }
        // The sidecar the replaced `latest` protected (see `save`) is no longer named by anything.
        let base = (checkpoint as NSString).lastPathComponent
        OptimizerSidecar.removeSidecars(of: base, in: directory, keep: OptimizerSidecar.referenced(by: checkpoint))
    }
}

