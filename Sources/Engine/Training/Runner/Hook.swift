import EngineCore
import EngineData
/// mmcv's hook priorities (smaller runs first; equal priorities keep registration order).
public enum HookPriority: Int, Sendable, Comparable {
    case highest = 0, veryHigh = 10, high = 30, aboveNormal = 40, normal = 50, belowNormal = 60, low = 70, veryLow = 90,
         lowest = 100
    public static func < (a: HookPriority, b: HookPriority) -> Bool { a.rawValue < b.rawValue }
    /// mmcv's spelling (`VERY_HIGH`), as its hook-order log shows it.
    public var label: String {
        switch self {
        case .highest: "HIGHEST"; case .veryHigh: "VERY_HIGH"; case .high: "HIGH"; case .aboveNormal: "ABOVE_NORMAL"
        case .normal: "NORMAL"; case .belowNormal: "BELOW_NORMAL"; case .low: "LOW"; case .veryLow: "VERY_LOW"; case .lowest: "LOWEST"
        }
    }
}

/// What mmcv's hook table lists: a name at a priority. Hooks and loggers both have one (mmcv's loggers are hooks,
/// and the run's "Hooks will be executed in the following order" table still shows them).
public protocol NamedHook: AnyObject {
    var name: String { get }
    var priority: HookPriority { get }
}

/// A participant in the training loop, called at mmcv's stages in priority order. Every stage has a no-op default;
/// the train/val variants fall back to the generic one as in mmcv.
///
/// A hook sees the run only through the `HookContext` it is handed: the counters and the few services a hook needs.
/// It cannot reach the runner, the other hooks or the loggers; what it reports goes out as `RunEvent`s.
public protocol Hook: NamedHook {
    func beforeRun(_ context: any HookContext) throws
    func afterRun(_ context: any HookContext) throws
    func beforeTrainEpoch(_ context: any HookContext) throws
    func afterTrainEpoch(_ context: any HookContext) throws
    func beforeTrainIter(_ context: any HookContext) throws
    func afterTrainIter(_ context: any HookContext) throws
    func beforeValEpoch(_ context: any HookContext) throws
    func afterValEpoch(_ context: any HookContext) throws
}

extension Hook {
    public func beforeRun(_ context: any HookContext) throws {}
    public func afterRun(_ context: any HookContext) throws {}
    public func beforeTrainEpoch(_ context: any HookContext) throws {}
    public func afterTrainEpoch(_ context: any HookContext) throws {}
    public func beforeTrainIter(_ context: any HookContext) throws {}
    public func afterTrainIter(_ context: any HookContext) throws {}
    public func beforeValEpoch(_ context: any HookContext) throws {}
    public func afterValEpoch(_ context: any HookContext) throws {}
}

/// A logger (mmcv's logger hooks): a sink of the run's events, listed in the hook table at its priority but never
/// called at the loop's stages. It writes its own files from the events alone, so replaying a run's `events.jsonl`
/// into it writes what the live run wrote.
public protocol RunLogger: NamedHook, RunEventSink {}
