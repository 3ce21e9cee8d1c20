import EngineCore
import EngineData
/// What a checkpoint records besides tensors (stored as JSON under `__metadata__["reel"]`): the counters mmcv keeps
/// in `meta` (epoch = completed epochs, iter = completed iterations), the config text, the seed and RNG state,
/// Reel's version, the hook messages that must survive a resume (best score and checkpoint, last checkpoint) and,
/// for an exact resume, the batches of the epoch done and the log buffer's recent history.
public struct CheckpointMetadata: Codable, Equatable, Sendable {
    public var epoch: Int
    public var iter: Int
    public var config: String?
    public var configName: String?
    public var workDir: String?
    public var seed: UInt64?
    /// The model's random streams (`Recognizer.randomStreams`: the dropout masks' Philox), 8 words each
    /// (`Philox.state`), in the model's order; nil or empty for a model that draws nothing in training.
    public var rngState: [UInt64]?
    public var reelVersion: String
    /// `asctime`-style wall-clock time of saving.
    public var time: String
    public var hookMessages: HookMessages
    /// Anything else a hook wants to keep (LR-hook state, loader position …).
    public var extra: [String: String]
    /// The log buffer's recent history (the last `log_config.interval` entries of every key), kept where the
    /// buffer does not start empty on resume: mid-epoch and iteration-based checkpoints.
    public var logBuffer: LogBuffer.Snapshot?
    /// The compute threads (`--threads`) of the run that saved it: Reel's kernels split sums by thread count, so
    /// a resume is bit-exact only with the same count.
    public var threads: Int?

    /// mmcv's `meta['hook_msgs']`.
    public struct HookMessages: Codable, Equatable, Sendable {
        public var lastCheckpoint: String?
        public var bestScore: Double?
        public var bestCheckpoint: String?
        public var bestMetric: String?
        public init(lastCheckpoint: String? = nil, bestScore: Double? = nil, bestCheckpoint: String? = nil,
                    bestMetric: String? = nil) {
            self.lastCheckpoint = lastCheckpoint
            self.bestScore = bestScore
            self.bestCheckpoint = bestCheckpoint
            self.bestMetric = bestMetric
        }
    }

    public init(epoch: Int, iter: Int, config: String? = nil, configName: String? = nil, workDir: String? = nil,
                seed: UInt64? = nil, rngState: [UInt64]? = nil, reelVersion: String = "0.1.0", time: String = "",
                hookMessages: HookMessages = HookMessages(), extra: [String: String] = [:], logBuffer: LogBuffer.Snapshot? = nil,
                threads: Int? = nil) {
        self.epoch = epoch
        self.iter = iter
        self.config = config
        self.configName = configName
        self.workDir = workDir
        self.seed = seed
        self.rngState = rngState
        self.reelVersion = reelVersion
        self.time = time
        self.hookMessages = hookMessages
        self.extra = extra
        self.logBuffer = logBuffer
        self.threads = threads
    }
}
