import Config
import Foundation
import EngineCore
import EngineData

/// Saving and loading training state as safetensors files (SEMANTICS.md §2.6–2.7, in Reel's format).
///
/// Layout: the model's state dict under its PyTorch names (so `safetensors.torch.load_file` + `load_state_dict`
/// work unchanged), the optimizer's per-parameter state as `optimizer.state.<index>.<key>` (PyTorch's numbering:
/// parameters in group order), its param groups (type, lr, initial_lr, momentum, …) as JSON in
/// `__metadata__["optimizer"]`, and `CheckpointMetadata` as JSON in `__metadata__["reel"]`.
/// Files are written atomically; a truncated or corrupt file is a `SafeTensors.FormatError` naming it.
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
            for (i, (_, p)) in optimizer.orderedParameters.enumerated() {
                guard let s = optimizer.state(for: p) else { continue }
                let prefix = "optimizer.state.\(i)."
                tensors.append((prefix + "step", .int64(shape: [], values: [Int64(s.step)])))
                if let t = s.momentumBuffer { tensors.append((prefix + "momentum_buffer", .float32(t))) }
                if let t = s.expAvg { tensors.append((prefix + "exp_avg", .float32(t))) }
                if let t = s.expAvgSq { tensors.append((prefix + "exp_avg_sq", .float32(t))) }
                if let t = s.maxExpAvgSq { tensors.append((prefix + "max_exp_avg_sq", .float32(t))) }
            }
            meta["optimizer"] = String(decoding: try encoder.encode(OptimizerRecord(optimizer)), as: UTF8.self)
        }
        try SafeTensors.write(SafeTensors.File(tensors: tensors, metadata: meta), to: path)
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
    }
}

