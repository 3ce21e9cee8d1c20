import Config
import EngineCore
import EngineData

/// mmcv's `LrUpdaterHook` family (`lr_config`, SEMANTICS.md §3.1–3.2): before every training iteration each
/// param group's LR is set from `LRSchedule`, a pure function of the group's base LR (`initial_lr`) and the
/// run's counters — so `reel inspect lr`, the dashboard's preview and training agree by construction.
public final class LrUpdaterHook: Hook {
    public var name: String { "\(schedule.policyName)LrUpdaterHook" }
    public var priority: HookPriority { .veryHigh }
    public let schedule: LRSchedule

    public init(schedule: LRSchedule) { self.schedule = schedule }

    /// OneCycle replaces the base LR by max_lr / div_factor, which also becomes `initial_lr` (as mmcv).
    public func beforeRun(_ context: any HookContext) throws {
        for i in context.optimizer.groups.indices {
            context.optimizer.groups[i].initialLR = schedule.effectiveBase(context.optimizer.groups[i].initialLR, group: i)
        }
    }

    public func beforeTrainIter(_ context: any HookContext) throws {
        for i in context.optimizer.groups.indices {
            let g = context.optimizer.groups[i]
            context.optimizer.groups[i].lr = schedule.lr(base: g.initialLR, group: i, epoch: context.epoch, iter: context.iter,
                                                        maxEpochs: context.maxEpochs, maxIters: context.maxIters,
                                                        itersPerEpoch: context.itersPerEpoch)
        }
    }
}
