import Config
import EngineCore
import EngineData

/// The LR of every training iteration of a config (param group 0), from the config alone: `optimizer.lr`,
/// `lr_config` (none: a fixed LR), the run length (`total_epochs` or `runner`) and the loader length the caller
/// knows. What `reel inspect lr` prints and the dashboard's lr_config preview draws.
public struct LRPlan: Sendable {
    public let values: [Double]
    public let schedule: LRSchedule?
    public let baseLR: Double
    public let maxEpochs: Int
    public let maxIters: Int

    public init(config: ResolvedConfig, itersPerEpoch: Int) throws {
        let top = try ConfigReader(config.value, name: "config", files: config.files)
        guard let opt = try top.sub("optimizer") else { throw top.error("the config has no 'optimizer'") }
        baseLR = try opt.double("lr")
        var byEpoch = true
        var epochs = 0, iters = 0
        if let r = try top.sub("runner") {
            byEpoch = try r.string("type", "EpochBasedRunner") != "IterBasedRunner"
            if byEpoch { epochs = try r.int("max_epochs", top.has("total_epochs") ? try top.int("total_epochs") : nil) }
            else { iters = try r.int("max_iters") }
        } else {
            epochs = try top.int("total_epochs")
        }
        if byEpoch { iters = epochs * itersPerEpoch }
        maxEpochs = epochs; maxIters = iters
        if let lr = top.value("lr_config"), !lr.isNone {
            let s = try LRSchedule(lrConfig: lr, files: config.files, defaultByEpoch: byEpoch)
            if let problem = s.problem(maxEpochs: epochs, maxIters: iters) { throw config.files.error(problem, at: lr.origin) }
            schedule = s
            let base = baseLR
            values = (0..<iters).map { i in
                s.lr(base: base, epoch: i / itersPerEpoch, iter: i, maxEpochs: epochs, maxIters: iters, itersPerEpoch: itersPerEpoch)
            }
        } else {
            schedule = nil
            values = Array(repeating: baseLR, count: iters)
        }
    }

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
