import Foundation
import EngineCore
import EngineData

extension CheckpointStore {
    /// Reads and checks a checkpoint's Reel metadata (nil when the file has none, e.g. a plain weights file).
    public static func metadata(of file: SafeTensors.File, path: String = "checkpoint") throws -> CheckpointMetadata? {
        guard let json = file.metadata["reel"] else { return nil }
        return try CheckpointMetadata.decode(json, path: path)
    }

    /// Restores the optimizer state and param-group hyper-parameters (lr, initial_lr, momentum, weight decay …)
    /// saved with `save`. Everything is checked before anything is changed: the optimizer's type and groups must fit
    /// this one, every hyper-parameter must be finite and in range, every state tensor must have its parameter's
    /// shape, and each `step` must lie in 0...`maxStep` (the optimizer steps of the iterations done: one per iteration,
    /// plus OmniSource's auxiliary ones).
    /// Throws `CheckpointError` naming the file and field.
    /// The state lives in the sidecar the checkpoint names (`OptimizerSidecar`, checked against its size and
    /// SHA-256), or, in checkpoints of the older layout, in the checkpoint itself.
    public static func restoreOptimizer(_ optimizer: Optimizer, from checkpoint: SafeTensors.File, path checkpointPath: String,
                                        maxStep: Int = CheckpointMetadata.maxIter) throws {
        var file = checkpoint, path = checkpointPath
        if let ref = try OptimizerSidecar.reference(in: checkpoint, path: checkpointPath) {
            file = try OptimizerSidecar.read(ref, checkpointPath: checkpointPath)
            path = OptimizerSidecar.sibling(of: checkpointPath, named: ref.file)
            if let extra = file.tensors.first(where: { !$0.name.hasPrefix("optimizer.state.") }) {
                throw CheckpointError(path: path, field: extra.name, reason: "not an optimizer state entry")
            }
            let bad = nonFiniteTensors(in: file)
            guard bad.isEmpty else {
                throw CheckpointError(path: path, field: bad[0], reason: "holds inf or NaN" + (bad.count > 1 ? " (and \(bad.count - 1) more tensors)" : ""))
            }
        }
        guard let json = file.metadata["optimizer"] else {
            throw CheckpointError(path: path, reason: "it has no optimizer state (saved with save_optimizer=False?)")
        }
        let record: OptimizerRecord
        do { record = try JSONDecoder().decode(OptimizerRecord.self, from: Data(json.utf8)) } catch {
            throw CheckpointError(decoding: error, json: json, integerKeys: ["params"], in: "__metadata__.optimizer", path: path)
        }
        guard record.type == optimizer.kind.rawValue, record.groups.count == optimizer.groups.count,
              zip(record.groups, optimizer.groups).allSatisfy({ $0.params == $1.parameters.count }) else {
            throw CheckpointError(path: path, reason: "its optimizer (\(record.type), \(record.groups.count) groups) "
                                  + "does not match this run's (\(optimizer.kind.rawValue), \(optimizer.groups.count) groups)")
        }
        for (i, g) in record.groups.enumerated() { try g.check(field: "__metadata__.optimizer.groups[\(i)]", path: path) }

        let parameters = optimizer.orderedParameters.map(\.1)
        var states: [(Parameter, Optimizer.State)] = []
        var known: Set<String> = []
        for (i, p) in parameters.enumerated() {
            let prefix = "optimizer.state.\(i)."
            let keys = ["step", "momentum_buffer", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]
            known.formUnion(keys.map { prefix + $0 })
            guard let stepValue = file[prefix + "step"] else {
                if let k = keys.first(where: { file[prefix + $0] != nil }) {
                    throw CheckpointError(path: path, field: prefix + k, reason: "state without its \(prefix)step")
                }
                continue
            }
            guard case .int64(let shape, let values) = stepValue, shape.isEmpty, values.count == 1 else {
                throw CheckpointError(path: path, field: prefix + "step", reason: "expected an int64 scalar")
            }
            guard (0...Int64(maxStep)).contains(values[0]) else {
                throw CheckpointError(path: path, field: prefix + "step", reason: "\(values[0]) is outside 0...\(maxStep) (the optimizer steps of the iterations done)")
            }
            var s = Optimizer.State()
            s.step = Int(values[0])
            func tensor(_ key: String) throws -> Tensor? {
                guard let v = file[prefix + key] else { return nil }
                guard case .float32(let t) = v, t.shape == p.shape else {
                    throw CheckpointError(path: path, field: prefix + key,
                                          reason: "expected a float tensor of shape \(p.shape) (its parameter's), found \(v.shape)")
                }
                return t
            }
            s.momentumBuffer = try tensor("momentum_buffer")
            s.expAvg = try tensor("exp_avg")
            s.expAvgSq = try tensor("exp_avg_sq")
            s.maxExpAvgSq = try tensor("max_exp_avg_sq")
            // Adam keeps both moments or neither (it would use a missing one).
            guard (s.expAvg == nil) == (s.expAvgSq == nil) else {
                throw CheckpointError(path: path, field: prefix + (s.expAvg == nil ? "exp_avg" : "exp_avg_sq"),
                                      reason: "missing while its counterpart is present")
            }
            states.append((p, s))
        }
        if let extra = file.tensors.first(where: { $0.name.hasPrefix("optimizer.") && !known.contains($0.name) }) {
            throw CheckpointError(path: path, field: extra.name, reason: "not a state entry of this run's \(parameters.count) parameters")
        }
        for (i, g) in record.groups.enumerated() { g.apply(to: &optimizer.groups[i]) }
        for (p, s) in states { optimizer.setState(s, for: p) }
    }
}

/// The optimizer's type and param-group hyper-parameters, as saved in checkpoint metadata.
struct OptimizerRecord: Codable {
    struct Group: Codable {
        var lr: Double, initialLR: Double, weightDecay: Double, momentum: Double, dampening: Double
        var nesterov: Bool, betas: [Double], eps: Double, amsgrad: Bool
        /// Number of parameters in the group.
        var params: Int

        /// Finite, non-negative hyper-parameters and two betas in [0, 1) (PyTorch's own argument checks).
        func check(field: String, path: String) throws {
            let values = [("lr", lr), ("initialLR", initialLR), ("weightDecay", weightDecay), ("momentum", momentum),
                          ("dampening", dampening), ("eps", eps)]
            for (name, v) in values where !(v.isFinite && v >= 0) {
                throw CheckpointError(path: path, field: "\(field).\(name)", reason: "\(v) is not a finite non-negative number")
            }
            guard betas.count == 2 else {
                throw CheckpointError(path: path, field: "\(field).betas", reason: "expected two numbers, found \(betas.count)")
            }
            for (k, b) in betas.enumerated() where !(b >= 0 && b < 1) {
                throw CheckpointError(path: path, field: "\(field).betas[\(k)]", reason: "\(b) is outside [0, 1)")
            }
        }

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
