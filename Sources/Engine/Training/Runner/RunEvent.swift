import Foundation
import EngineCore
import EngineData

/// Everything a run reports, in order: the one type the loggers, the dashboard and `reel tui --watch` consume.
public enum RunEvent: Sendable {
    case started(RunInfo)
    case iteration(IterationRecord)
    /// A logger's averaged record (mmcv's log line), train or val: derived from the other events by the text
    /// logger (a `RunEventRelay`), never sent by the runner or a hook.
    case logged(LogRecord)
    case evaluated(EvalRecord)
    case checkpointSaved(CheckpointRecord)
    /// A checkpoint file the run removed (`max_keep_ckpts`, a superseded best checkpoint).
    case checkpointDeleted(path: String)
    case epochFinished(epoch: Int, iter: Int)
    /// A `('val', n)` workflow epoch: the pass over the val split in eval mode without gradients (mmcv's
    /// `EpochBasedRunner.val`), with each batch's losses and times, from which the loggers write a val record.
    case valEpoch(ValEpochRecord)
    case paused(iter: Int)
    /// `pausedSeconds`: wall-clock time since the matching `.paused`.
    case resumed(iter: Int, pausedSeconds: Double)
    /// A line of the text log (what mmcv's logger prints), for log tails: from the runner and the hooks, and the
    /// text logger's record lines (derived, like `.logged`).
    case message(String)
    case finished(RunSummary)
    case failed(RunFailure)
}

/// Static facts about a run, sent once at the start.
public struct RunInfo: Sendable, Equatable {
    /// Tells two runs into one work dir apart (`events.jsonl` holds both): start time and a random suffix.
    public var runID: String
    public var workDir: String
    public var configName: String
    /// The resolved config as the run dumped it into the work dir (PrettyText).
    public var configText: String
    public var byEpoch: Bool
    public var maxEpochs: Int
    public var maxIters: Int
    public var itersPerEpoch: Int
    public var startEpoch: Int
    public var startIter: Int
    public var seed: UInt64
    /// Hook names per stage, as mmcv's `get_hook_info()` prints them.
    public var hookOrder: [String]
    /// Processes in the run and this one's index (Reel trains in one process: 1 and 0).
    public var worldSize: Int
    public var rank: Int
    /// `evaluation.save_best` when evaluation is configured ("auto" until the first evaluation names the key).
    public var saveBest: String?
    /// A resumed run's averaging history from the checkpoint (mmcv's log buffer mid-epoch), which the loggers start
    /// from so their averages are the uninterrupted run's; nil when the run starts with nothing to average.
    public var logHistory: LogBuffer.Snapshot?
    public init(runID: String = "", workDir: String, configName: String, configText: String = "", byEpoch: Bool, maxEpochs: Int,
                maxIters: Int, itersPerEpoch: Int, startEpoch: Int, startIter: Int, seed: UInt64, hookOrder: [String],
                worldSize: Int = 1, rank: Int = 0, saveBest: String? = nil, logHistory: LogBuffer.Snapshot? = nil) {
        self.runID = runID; self.workDir = workDir; self.configName = configName; self.configText = configText
        self.byEpoch = byEpoch; self.maxEpochs = maxEpochs
        self.maxIters = maxIters; self.itersPerEpoch = itersPerEpoch; self.startEpoch = startEpoch
        self.startIter = startIter; self.seed = seed; self.hookOrder = hookOrder
        self.worldSize = worldSize; self.rank = rank; self.saveBest = saveBest; self.logHistory = logHistory
    }
}

/// One training iteration: counters are 0-based as in mmcv (`epoch`, `iter` = completed before this one).
public struct IterationRecord: Sendable, Equatable {
    public var epoch: Int
    public var iter: Int
    public var innerIter: Int
    public var lr: Double
    /// The model's log_vars (top1_acc, top5_acc, loss_cls, loss) and grad_norm, in mmcv's order.
    public var values: LogValues
    public var loss: Double
    public var batchSize: Int
    /// Seconds: whole iteration, and the part spent waiting for the batch.
    public var time: Double
    public var dataTime: Double
    /// Peak resident memory in MiB when the iteration ended (what the text logger's train record shows).
    public var memory: Int?
    /// In a data-parallel run, every rank's figures for this iteration, by rank (empty for one process).
    public var ranks: [RankFigures] = []
    public init(epoch: Int, iter: Int, innerIter: Int, lr: Double = 0, values: LogValues = [:], loss: Double = .nan,
                batchSize: Int = 0, time: Double = 0, dataTime: Double = 0, memory: Int? = nil) {
        self.epoch = epoch; self.iter = iter; self.innerIter = innerIter; self.lr = lr; self.values = values
        self.loss = loss; self.batchSize = batchSize; self.time = time; self.dataTime = dataTime; self.memory = memory
    }
}

/// One rank's share of a data-parallel iteration: its whole time, its wait for the batch, and its wait for the
/// gradient all-reduce after the backward (the communication the backward did not hide), in seconds.
public struct RankFigures: Sendable, Equatable {
    public var time: Double
    public var dataTime: Double
    public var allreduceWait: Double
    public init(time: Double, dataTime: Double, allreduceWait: Double) {
        self.time = time; self.dataTime = dataTime; self.allreduceWait = allreduceWait
    }
}

/// One val-workflow epoch (`workflow=[('train', n), ('val', m)]`): counters as mmcv has them during it.
public struct ValEpochRecord: Sendable, Equatable {
    /// Train epochs completed (mmcv's `runner.epoch`, which its logger writes as a val record's epoch).
    public var epoch: Int
    /// Train iterations completed (the val pass does not change it).
    public var iter: Int
    /// The learning rate during the pass (the record's `lr`).
    public var lr: Double
    /// The val batches in order: `innerIter`, the model's log variables, batch size, times, memory.
    public var iterations: [IterationRecord]
    public init(epoch: Int, iter: Int, lr: Double, iterations: [IterationRecord]) {
        self.epoch = epoch; self.iter = iter; self.lr = lr; self.iterations = iterations
    }
}

/// An mmcv logger record: `mode`, 1-based `epoch`, `iter`, `lr`, then the averaged values in order.
public struct LogRecord: Sendable, Equatable {
    public var mode: String
    public var epoch: Int
    public var iter: Int
    public var lr: Double
    public var memory: Int?
    public var values: [(key: String, value: Double)]
    /// TensorBoard's global step (iter+1).
    public var step: Int
    public init(mode: String, epoch: Int, iter: Int, lr: Double, memory: Int?, values: [(key: String, value: Double)], step: Int) {
        self.mode = mode; self.epoch = epoch; self.iter = iter; self.lr = lr; self.memory = memory; self.values = values
        self.step = step
    }
    public static func == (a: LogRecord, b: LogRecord) -> Bool {
        a.mode == b.mode && a.epoch == b.epoch && a.iter == b.iter && a.lr == b.lr && a.memory == b.memory && a.step == b.step
            && a.values.map(\.key) == b.values.map(\.key) && a.values.map(\.value) == b.values.map(\.value)
    }
    public func value(_ key: String) -> Double? { values.first { $0.key == key }?.value }
}

/// The metrics of one evaluation, in the dataset's key order, and the best so far.
public struct EvalRecord: Sendable, Equatable {
    /// What started an evaluation. The loggers need it: mmcv's log files drop the evaluation before training, and
    /// TensorBoard's step differs between an evaluation inside an iteration and one after it.
    public enum Trigger: String, Sendable {
        /// `evaluation.by_epoch=True`, after an epoch (`after_train_epoch`).
        case epoch
        /// `evaluation.by_epoch=False`, inside the iteration that completed the interval (`after_train_iter`).
        case iteration
        /// mmcv's "evaluate before training" (`evaluation.start` ≤ the starting counter): shown, not logged.
        case beforeTraining = "before_training"
        /// Asked for while training (the dashboard's `e`), between iterations.
        case manual
    }
    /// 1-based epoch (or iteration) the evaluation belongs to.
    public var epoch: Int
    /// Global iterations completed (the iteration an `.iteration` evaluation sits in included).
    public var iter: Int
    public var metrics: [(key: String, value: Double)]
    public var bestKey: String?
    public var bestScore: Double?
    public var isNewBest: Bool
    public var trigger: Trigger
    /// Batches of the val split evaluated (mmcv logs it as the val record's `iter`); nil in older records.
    public var batches: Int?
    /// The learning rate when it ran (the val record's `lr`); nil in older records.
    public var lr: Double?
    public init(epoch: Int, iter: Int, metrics: [(key: String, value: Double)], bestKey: String?, bestScore: Double?, isNewBest: Bool,
                trigger: Trigger = .epoch, batches: Int? = nil, lr: Double? = nil) {
        self.epoch = epoch; self.iter = iter; self.metrics = metrics; self.bestKey = bestKey; self.bestScore = bestScore
        self.isNewBest = isNewBest; self.trigger = trigger; self.batches = batches; self.lr = lr
    }
    /// mmcv's TensorBoard step for the evaluation, `runner.iter + 1` when it ran: inside an iteration `iter`
    /// already counts that iteration, after one the runner has moved on.
    public var step: Int { trigger == .iteration ? iter : iter + 1 }
    public static func == (a: EvalRecord, b: EvalRecord) -> Bool {
        a.epoch == b.epoch && a.iter == b.iter && a.metrics.map(\.key) == b.metrics.map(\.key)
            && a.metrics.map(\.value) == b.metrics.map(\.value) && a.bestKey == b.bestKey && a.bestScore == b.bestScore
            && a.isNewBest == b.isNewBest && a.trigger == b.trigger && a.batches == b.batches
            && a.lr == b.lr
    }
}

public struct CheckpointRecord: Sendable, Equatable {
    public enum Kind: String, Sendable { case regular, best, manual }
    public var path: String
    public var kind: Kind
    public var epoch: Int
    public var iter: Int
    public init(path: String, kind: Kind, epoch: Int, iter: Int) {
        self.path = path; self.kind = kind; self.epoch = epoch; self.iter = iter
    }
}

public struct RunSummary: Sendable, Equatable {
    /// Why the run ended: it reached max epochs/iters, or was stopped by a command or a signal.
    public enum Ending: String, Sendable { case completed, stopped }
    public var ending: Ending
    public var epoch: Int
    public var iter: Int
    public var seconds: Double
    public var bestKey: String?
    public var bestScore: Double?
    /// Why it ended, in words ("reached max_epochs=2", "stop command at iteration 37").
    public var reason: String?
    public init(ending: Ending, epoch: Int, iter: Int, seconds: Double, bestKey: String?, bestScore: Double?, reason: String? = nil) {
        self.ending = ending; self.epoch = epoch; self.iter = iter; self.seconds = seconds; self.bestKey = bestKey
        self.bestScore = bestScore; self.reason = reason
    }
}

public struct RunFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var iter: Int?
    /// The newest checkpoint written before the failure (untouched by it).
    public var lastCheckpoint: String?
    /// The error that ended the run, when it was not the runner's own (a data error, a failed write): `reel` picks
    /// the exit status by it (refused input or a run-time failure).
    public var cause: (any Error)?
    public init(message: String, iter: Int? = nil, lastCheckpoint: String? = nil, cause: (any Error)? = nil) {
        self.message = message; self.iter = iter; self.lastCheckpoint = lastCheckpoint; self.cause = cause
    }
    /// The data file the user supplied that stopped the run (annotation list, frame or video directory), if any.
    public var inputFile: String? { (cause as? any DataInputError)?.file }
    public var description: String {
        message + (lastCheckpoint.map { " (last good checkpoint: \($0))" } ?? "")
    }
    /// Equal when they read the same (the cause is not compared: errors are not Equatable).
    public static func == (a: RunFailure, b: RunFailure) -> Bool {
        a.message == b.message && a.iter == b.iter && a.lastCheckpoint == b.lastCheckpoint
    }
}

/// A consumer of run events. Called on the engine thread: keep it cheap (the dashboard's sink only appends).
public protocol RunEventSink: AnyObject {
    func receive(_ event: RunEvent)
}

/// A sink whose reading of the stream yields events of its own — the text logger's records (`.logged`) and their
/// text lines (`.message`) — which the stream delivers to every sink after the event they came from (`Runner.emit`).
/// That is the only way back: a relay never reaches the runner or the hooks.
public protocol RunEventRelay: RunEventSink {
    /// Consumes `event` and returns what it reports in turn.
    func relay(_ event: RunEvent) -> [RunEvent]
}

extension RunEventRelay {
    /// Fed on its own (a replay, a test), a relay consumes the event and its derived events go nowhere.
    public func receive(_ event: RunEvent) { _ = relay(event) }
}
