import Config
import Foundation

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
        public var isClean: Bool { missing.isEmpty && unexpected.isEmpty && shapeMismatch.isEmpty }
    }

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

    /// Reads a checkpoint's metadata (nil when the file has none, e.g. a plain weights file).
    public static func metadata(of file: SafeTensors.File) throws -> CheckpointMetadata? {
        guard let json = file.metadata["reel"] else { return nil }
        return try JSONDecoder().decode(CheckpointMetadata.self, from: Data(json.utf8))
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
            case (.buffer(let b), .float32(let t)): b.value = .float32(t)
            case (.buffer(let b), .int64(let shape, let values)): b.value = .int64(shape: shape, values: values)
            default: report.shapeMismatch.append(name)
            }
        }
        report.unexpected = available.keys.filter { !used.contains($0) }.sorted()
        return report
    }

    /// Restores the optimizer state and param-group hyper-parameters (lr, initial_lr, momentum, weight decay …)
    /// saved with `save`. Throws when the checkpoint's optimizer does not fit this one.
    public static func restoreOptimizer(_ optimizer: Optimizer, from file: SafeTensors.File, path: String) throws {
        guard let json = file.metadata["optimizer"] else {
            throw SafeTensors.FormatError(path: path, reason: "it has no optimizer state (saved with save_optimizer=False?)")
        }
        let record = try JSONDecoder().decode(OptimizerRecord.self, from: Data(json.utf8))
        guard record.type == optimizer.kind.rawValue, record.groups.count == optimizer.groups.count,
              zip(record.groups, optimizer.groups).allSatisfy({ $0.params == $1.parameters.count }) else {
            throw SafeTensors.FormatError(path: path, reason: "its optimizer (\(record.type), \(record.groups.count) groups) "
                                          + "does not match this run's (\(optimizer.kind.rawValue), \(optimizer.groups.count) groups)")
        }
        for (i, g) in record.groups.enumerated() { g.apply(to: &optimizer.groups[i]) }
        for (i, (_, p)) in optimizer.orderedParameters.enumerated() {
            let prefix = "optimizer.state.\(i)."
            guard case .int64(_, let step)? = file[prefix + "step"] else { continue }
            var s = Optimizer.State()
            s.step = Int(step.first ?? 0)
            func tensor(_ key: String) -> Tensor? {
                if case .float32(let t)? = file[prefix + key], t.count == p.value.count { return t.reshaped(p.shape) }
                return nil
            }
            s.momentumBuffer = tensor("momentum_buffer")
            s.expAvg = tensor("exp_avg")
            s.expAvgSq = tensor("exp_avg_sq")
            s.maxExpAvgSq = tensor("max_exp_avg_sq")
            optimizer.setState(s, for: p)
        }
    }

    /// Makes `latest.safetensors` in `directory` a copy of `checkpoint` (hard link when possible), atomically.
    public static func updateLatest(in directory: String, to checkpoint: String, name: String = "latest.safetensors") throws {
        let target = (directory as NSString).appendingPathComponent(name)
        let tmp = target + ".tmp-\(getpid())"
        unlink(tmp)
        if link(checkpoint, tmp) != 0 {
            try AtomicFile.write(try Data(contentsOf: URL(fileURLWithPath: checkpoint)), to: tmp)
        }
        guard rename(tmp, target) == 0 else {
            unlink(tmp)
            throw SafeTensors.FormatError(path: target, reason: "cannot replace it: \(String(cString: strerror(errno)))")
        }
    }
}

/// The optimizer's type and param-group hyper-parameters, as saved in checkpoint metadata.
struct OptimizerRecord: Codable {
    struct Group: Codable {
        var lr: Double, initialLR: Double, weightDecay: Double, momentum: Double, dampening: Double
        var nesterov: Bool, betas: [Double], eps: Double, amsgrad: Bool
        /// Number of parameters in the group.
        var params: Int

        func apply(to g: inout ParamGroup) {
            g.lr = lr; g.initialLR = initialLR; g.weightDecay = weightDecay; g.momentum = momentum
            g.dampening = dampening; g.nesterov = nesterov; g.betas = (betas[0], betas[1]); g.eps = eps
            g.amsgrad = amsgrad
        }
    }
    var type: String
    var groups: [Group]

    init(_ o: Optimizer) {
        type = o.kind.rawValue
        groups = o.groups.map {
            Group(lr: $0.lr, initialLR: $0.initialLR, weightDecay: $0.weightDecay, momentum: $0.momentum,
                  dampening: $0.dampening, nesterov: $0.nesterov, betas: [$0.betas.0, $0.betas.1], eps: $0.eps,
                  amsgrad: $0.amsgrad, params: $0.parameters.count)
        }
    }
}
