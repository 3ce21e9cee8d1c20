import EngineCore
import EngineData

/// The run as a hook sees it: read-only counters (0-based as in mmcv: `epoch` and `iter` count what is completed
/// before the current one) and the services hooks legitimately need. The runner hands one to every stage call;
/// nothing in it leads to the runner, the other hooks or the loggers.
public protocol HookContext: AnyObject {
    var epoch: Int { get }
    var iter: Int { get }
    var innerIter: Int { get }
    var maxEpochs: Int { get }
    var maxIters: Int { get }
    var itersPerEpoch: Int { get }
    /// Epoch-based (mmaction2's runner) or iteration-based.
    var byEpoch: Bool { get }
    var workDir: String { get }
    /// Where checkpoints go: the work dir, or `checkpoint_config.out_dir` joined with the work dir's name.
    var checkpointDirectory: String { get }
    /// The data-parallel job (nil: one process): evaluation shards its loader and gathers the scores; only rank 0
    /// writes files.
    var parallel: DataParallel? { get }

    /// The model and optimizer: LR updates, the optimizer step, inference.
    var model: any Recognizer { get }
    var optimizer: Optimizer { get }
    var isTraining: Bool { get }
    /// Switches the model between train and eval mode.
    func setTraining(_ training: Bool)

    /// Adds to the current iteration's record (published as its `.iteration` event after the iteration's hooks):
    /// the wait for the batch, the whole iteration's time, a named value such as `grad_norm`.
    func recordDataTime(_ seconds: Double)
    func recordTime(_ seconds: Double)
    func recordValue(_ key: String, _ value: Double)
    /// Publishes the current iteration's record now, before the rest of the iteration's hooks: a hook that
    /// evaluates inside the iteration calls it first, so the iteration precedes the evaluation in the stream (and
    /// in the logs, as in mmcv) and the loggers' averaging restarts after it (SEMANTICS.md §3.7).
    func beginEvaluationInIteration()

    /// Sends an event to the run's sinks.
    func publish(_ event: RunEvent)
    /// A line for the text log and log tails (a `.message`).
    func log(_ message: String)

    /// Writes the model (+ optimizer) state with the run's metadata (`Runner.saveCheckpoint`). Throws a
    /// `RunFailure` for a non-finite state.
    func saveCheckpoint(to path: String, epoch: Int, iter: Int?, innerIter: Int, withOptimizer: Bool, includeConfig: Bool) throws
    /// The newest regular checkpoint, kept in every later checkpoint's metadata (mmcv's `last_ckpt`).
    func setLastCheckpoint(_ path: String)
    /// The best score so far and its checkpoint (from this run, or the resumed checkpoint's metadata).
    var bestScore: Double? { get }
    var bestCheckpoint: String? { get }
    /// Records a new best: kept in checkpoints' metadata and in the run's summary.
    func setBest(metric: String, score: Double, checkpoint: String)
}

