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

/// A participant in the training loop, called at mmcv's stages in priority order. Every stage has a no-op default;
/// the train/val variants fall back to the generic one as in mmcv.
public protocol Hook: AnyObject {
    var name: String { get }
    var priority: HookPriority { get }
    func beforeRun(_ runner: Runner) throws
    func afterRun(_ runner: Runner) throws
    func beforeTrainEpoch(_ runner: Runner) throws
    func afterTrainEpoch(_ runner: Runner) throws
    func beforeTrainIter(_ runner: Runner) throws
    func afterTrainIter(_ runner: Runner) throws
    func beforeValEpoch(_ runner: Runner) throws
    func afterValEpoch(_ runner: Runner) throws
}

extension Hook {
    public func beforeRun(_ runner: Runner) throws {}
    public func afterRun(_ runner: Runner) throws {}
    public func beforeTrainEpoch(_ runner: Runner) throws {}
    public func afterTrainEpoch(_ runner: Runner) throws {}
    public func beforeTrainIter(_ runner: Runner) throws {}
    public func afterTrainIter(_ runner: Runner) throws {}
    public func beforeValEpoch(_ runner: Runner) throws {}
    public func afterValEpoch(_ runner: Runner) throws {}
}
