import Config
import Foundation

/// mmcv's `TensorboardLoggerHook` (SEMANTICS.md §3.10): every logged record as TensorBoard scalars — tags
/// `<mode>/<key>` (except time/data_time), plus `learning_rate` and `momentum` — at global step iter+1, in
/// `work_dir/tf_logs` (or `log_dir`). It writes the records the text logger produced (`.logged` events), so the
/// two always agree.
public final class TensorboardLoggerHook: Hook, RunEventSink {
    public var name: String { "TensorboardLoggerHook" }
    public var priority: HookPriority { .veryLow }
    public let writer: EventFileWriter
    private weak var runner: Runner?

    public init(directory: String) throws {
        writer = try EventFileWriter(directory: directory)
    }

    public func beforeRun(_ runner: Runner) throws { self.runner = runner }

    public func afterRun(_ runner: Runner) throws { writer.close() }

    public func receive(_ event: RunEvent) {
        guard case .logged(let record) = event else { return }
        for (key, value) in record.values where key != "time" && key != "data_time" {
            try? writer.addScalar(tag: "\(record.mode)/\(key)", value: value, step: record.step)
        }
        try? writer.addScalar(tag: "learning_rate", value: record.lr, step: record.step)
        if let group = runner?.optimizer.groups.first {
            let momentum = runner?.optimizer.kind == .sgd ? group.momentum : group.betas.0
            try? writer.addScalar(tag: "momentum", value: momentum, step: record.step)
        }
        writer.flush()
    }
}
