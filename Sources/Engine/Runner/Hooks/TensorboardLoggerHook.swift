import Config
import Foundation

/// mmcv's `TensorboardLoggerHook` (SEMANTICS.md §3.10): every logged record as TensorBoard scalars — tags
/// `<mode>/<key>` (except time/data_time), plus `learning_rate` and `momentum` — at global step iter+1, in
/// `work_dir/tf_logs` (or `log_dir`). It writes the records the text logger produced (`.logged` events), so the
/// two always agree.
///
/// Records arrive as events, which cannot throw: the first write failure (a full disk) is kept and thrown at the
/// hook's next stage, which stops the run there (`TextLoggerHook` does the same).
public final class TensorboardLoggerHook: Hook, RunEventSink {
    public var name: String { "TensorboardLoggerHook" }
    public var priority: HookPriority { .veryLow }
    public let writer: EventFileWriter
    private weak var runner: Runner?
    /// The first write that failed, not yet reported.
    public private(set) var writeFailure: Error?

    public init(directory: String) throws {
        writer = try EventFileWriter(directory: directory)
    }

    public func beforeRun(_ runner: Runner) throws { self.runner = runner; try reportFailure() }
    public func beforeTrainEpoch(_ runner: Runner) throws { try reportFailure() }
    public func afterTrainIter(_ runner: Runner) throws { try reportFailure() }
    public func afterTrainEpoch(_ runner: Runner) throws { try reportFailure() }

    public func afterRun(_ runner: Runner) throws {
        writer.close()
        try reportFailure()
    }

    /// Throws the pending write failure once.
    func reportFailure() throws {
        guard let failure = writeFailure else { return }
        writeFailure = nil
        throw failure
    }

    public func receive(_ event: RunEvent) {
        guard case .logged(let record) = event else { return }
        do {
            for (key, value) in record.values where key != "time" && key != "data_time" {
                try writer.addScalar(tag: "\(record.mode)/\(key)", value: value, step: record.step)
            }
            try writer.addScalar(tag: "learning_rate", value: record.lr, step: record.step)
            if let group = runner?.optimizer.groups.first {
                let momentum = runner?.optimizer.kind == .sgd ? group.momentum : group.betas.0
                try writer.addScalar(tag: "momentum", value: momentum, step: record.step)
            }
            try writer.flush()
        } catch {
            if writeFailure == nil { writeFailure = error }
        }
    }
}
