import Foundation
import EngineCore
import EngineData

/// mmcv's `TensorboardLoggerHook` (SEMANTICS.md §3.8, §3.10): every `interval` iterations the averages of the
/// iterations' values as TensorBoard scalars — tags `train/<key>` (time and data_time left out), plus
/// `learning_rate` and `momentum` — at global step iter+1, and each evaluation as `val/<metric>`, in
/// `work_dir/tf_logs` (or `log_dir`).
///
/// A logger of the run's events, on its own, with its own `interval`, `ignore_last` and `by_epoch` and its own
/// averaging (a `LogBuffer` fed from `.iteration` events — seeded from a resumed run's history — and cleared where
/// mmcv clears the shared one: at each epoch's start and before a by-iteration evaluation), so it works without the
/// text logger; with the same interval both write the same numbers. As in mmcv's log files, the evaluation before
/// training is not written.
///
/// Events cannot throw: the first write failure (a full disk) is kept, and the runner throws it at the iteration
/// boundary (`FileRecordingSink`).
public final class TensorboardLoggerHook: RunLogger, FileRecordingSink {
    public var name: String { "TensorboardLoggerHook" }
    public var priority: HookPriority { .veryLow }
    public var interval: Int
    public var ignoreLast = true
    public var byEpoch: Bool
    public let writer: EventFileWriter
    private let buffer = LogBuffer()
    private var itersPerEpoch: Int?
    /// The learning rate of the latest iteration: what mmcv's `current_lr()` reads when an evaluation is logged.
    private var lr: Double?
    /// Where the `momentum` scalar comes from (set by whoever builds the run); without one it is not written.
    public weak var optimizer: Optimizer?
    /// The first write that failed, not yet reported.
    public private(set) var writeFailure: Error?

    public init(directory: String, interval: Int = 10, byEpoch: Bool = true, optimizer: Optimizer? = nil) throws {
        writer = try EventFileWriter(directory: directory)
        self.interval = interval
        self.byEpoch = byEpoch
        self.optimizer = optimizer
    }

    /// Applies a `log_config.hooks` entry's arguments (`log_dir` is the caller's: it names the file to open).
    /// `reset_flag` is accepted and has nothing to do: this hook's averages are its own.
    public func configure(_ spec: LoggerHookSpec) {
        interval = spec.interval ?? interval
        ignoreLast = spec.ignoreLast
        byEpoch = spec.byEpoch ?? byEpoch
    }

    public func takeWriteFailure() -> Error? {
        defer { writeFailure = nil }
        return writeFailure
    }

    public func receive(_ event: RunEvent) {
        switch event {
        case .started(let info):
            itersPerEpoch = info.itersPerEpoch
            buffer.clear()
            if let history = info.logHistory { buffer.restore(history) }
        case .epochFinished:
            buffer.clear()   // mmcv's loggers clear the buffer at every before_train_epoch
        case .iteration(let r):
            lr = r.lr
            buffer.append(r)
            let counter = byEpoch ? r.innerIter : r.iter
            let lastOfEpoch = itersPerEpoch.map { r.innerIter + 1 == $0 } ?? false
            // mmcv's every_n_iters / every_n_inner_iters (never for interval ≤ 0), or the epoch's last with ignore_last=False.
            guard (interval > 0 && (counter + 1) % interval == 0) || (byEpoch && lastOfEpoch && !ignoreLast) else { return }
            buffer.average(interval)
            write(mode: "train", values: buffer.output, lr: r.lr, step: r.iter + 1)
            buffer.clearOutput()
        case .evaluated(let e):
            switch e.trigger {
            case .beforeTraining: return
            case .iteration: buffer.clear()   // mmcv clears the buffer before a by-iteration evaluation
            case .epoch, .manual: break
            }
            write(mode: "val", values: e.metrics, lr: e.lr ?? lr ?? optimizer?.groups.first?.lr ?? 0, step: e.step)
        case .valEpoch(let v):
            // mmcv's after_val_epoch: the pass's average, at step iter+1 (time and data_time are not written).
            buffer.clear()
            for r in v.iterations { buffer.append(r) }
            buffer.average()
            write(mode: "val", values: buffer.output, lr: v.lr, step: v.iter + 1)
            buffer.clear()
        case .finished, .failed:
            writer.close()
        default: break
        }
    }

    private func write(mode: String, values: [(key: String, value: Double)], lr: Double, step: Int) {
        do {
            for (key, value) in values where key != "time" && key != "data_time" {
                try writer.addScalar(tag: "\(mode)/\(key)", value: value, step: step)
            }
            try writer.addScalar(tag: "learning_rate", value: lr, step: step)
            if let group = optimizer?.groups.first {
                try writer.addScalar(tag: "momentum", value: optimizer?.kind == .sgd ? group.momentum : group.betas.0, step: step)
            }
            try writer.flush()
        } catch {
            if writeFailure == nil { writeFailure = error }
        }
    }
}
