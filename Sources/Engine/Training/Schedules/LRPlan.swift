import EngineCore
import EngineData
/// The LR of every training iteration of a config (param group 0), from the config alone: `optimizer.lr`,
/// `lr_config` (none: a fixed LR), the run length (`total_epochs` or `runner`) and the loader length the caller
/// knows (read by Build/LRPlan+Reading). What `reel inspect lr` prints and the dashboard's lr_config preview draws.
public struct LRPlan: Sendable {
    public let values: [Double]
    public let schedule: LRSchedule?
    public let baseLR: Double
    public let maxEpochs: Int
    public let maxIters: Int

    /// The plan of a run of `length` (an epoch-based run's iterations come from `itersPerEpoch`).
    public init(baseLR: Double, schedule: LRSchedule?, length: RunLengthValues, itersPerEpoch: Int) {
        self.baseLR = baseLR
        self.schedule = schedule
        let epochs = length.maxEpochs, iters = length.byEpoch ? length.maxEpochs * itersPerEpoch : length.maxIters
        maxEpochs = epochs; maxIters = iters
        if let s = schedule {
            values = (0..<iters).map { i in
                s.lr(base: baseLR, epoch: i / itersPerEpoch, iter: i, maxEpochs: epochs, maxIters: iters, itersPerEpoch: itersPerEpoch)
            }
        } else {
            values = Array(repeating: baseLR, count: iters)
        }
    }

    /// A run's length as `LRPlan` needs it.
    public typealias RunLengthValues = (byEpoch: Bool, maxEpochs: Int, maxIters: Int)

    /// One line: policy, warmup, length, range.
    public var summary: String {
        let policy = schedule.map { s in
            s.policyName + (s.byEpoch ? " by epoch" : " by iteration")
                + (s.warmup.map { " + \($0.rawValue) warmup of \(s.warmupIters) \(s.warmupByEpoch ? "epochs" : "iterations") (ratio \(s.warmupRatio))" } ?? "")
        } ?? "fixed (no lr_config)"
        let lo = values.min() ?? baseLR, hi = values.max() ?? baseLR
        return "\(policy): \(maxIters) iterations\(maxEpochs > 0 ? " (\(maxEpochs) epochs)" : ""), lr from \(lo) to \(hi), base \(baseLR)"
    }
}
