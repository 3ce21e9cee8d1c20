import EngineCore
import EngineData
/// `optimizer_config`: gradient clipping and the anomalous-parameter check (SEMANTICS.md §3.4).
public struct OptimizerHookSpec: Sendable, Equatable {
    public var maxNorm: Double?
    public var normType = 2.0
    public var detectAnomalousParams = false
    public init() {}
}

/// `checkpoint_config` (SEMANTICS.md §3.6).
public struct CheckpointSpec: Sendable, Equatable {
    public var interval = -1
    public var byEpoch = true
    public var saveOptimizer = true
    public var outDir: String?
    public var maxKeep = -1
    public var saveLast = true
    public init() {}
}

/// `evaluation` (SEMANTICS.md §3.7); the defaults are mmcv's EvalHook's.
public struct EvalSpec: Sendable, Equatable {
    public var start: Int?
    public var interval = 1
    public var byEpoch = true
    /// The metric key to track ('auto': the first key of the first result); nil: no best checkpoint.
    public var saveBest: String? = "auto"
    public var rule: String?
    /// Whether greater is better for an explicit `saveBest` (inferred from the key when `rule` is not given).
    public var greater: Bool?
    public var metrics = ["top_k_accuracy"]
    public var topk = [1, 5]
    /// mmcv's `greater_keys` / `less_keys`: replace the default lists of the rule inference (nil: the defaults).
    public var greaterKeys: [String]?
    public var lessKeys: [String]?
    /// Where the best checkpoint goes: `out_dir/<work dir name>` (nil: the work dir).
    public var outDir: String?
    public init() {}
}

/// One `log_config.hooks` entry. nil fields take the hook's default (the log interval, the runner's by_epoch,
/// `work_dir/tf_logs`).
public struct LoggerHookSpec: Sendable, Equatable {
    public enum Kind: String, Sendable { case text = "TextLoggerHook", tensorboard = "TensorboardLoggerHook" }
    public var kind: Kind
    public var interval: Int?
    public var ignoreLast = true
    public var resetFlag = false
    public var byEpoch: Bool?
    public var logDir: String?
    /// TextLoggerHook: after the run, files of the work dir ending in `outSuffix` are copied to
    /// `outDir/<work dir name>`, and removed locally unless `keepLocal`.
    public var outDir: String?
    public var outSuffix = [".log.json", ".log", ".py"]
    public var keepLocal = true
    public init(kind: Kind) { self.kind = kind }
}

/// `log_config`: the interval every logger gets and the logger hooks, in order.
public struct LogSpec: Sendable, Equatable {
    public var interval = 10
    public var hooks: [LoggerHookSpec] = []
    public init() {}
}
