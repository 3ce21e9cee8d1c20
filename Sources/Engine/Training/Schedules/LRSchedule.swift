import Foundation
import EngineCore
import EngineData

/// mmcv 1.7.2's learning-rate schedule (`lr_config`, SEMANTICS.md §3.1–3.3) as a pure function of the counters:
/// the LR hook, `reel inspect lr` and the dashboard's preview all call `lr(base:epoch:iter:…)`.
///
/// `epoch` and `iter` are the runner's 0-based counters at the iteration (global `iter`). Epoch-mode policies use
/// `epoch` (so the last epoch never reaches `min_lr`, as in mmcv); warmup covers global iterations 0…W−1.
public struct LRSchedule: Sendable, Equatable {
    public enum Warmup: String, Sendable { case constant, linear, exp }
    /// `min_lr` (absolute) or `min_lr_ratio` (× base).
    public enum Target: Sendable, Equatable {
        case absolute(Double), ratio(Double)
        func value(_ base: Double) -> Double {
            switch self { case .absolute(let v): v; case .ratio(let r): base * r }
        }
    }
    public enum Policy: Sendable, Equatable {
        case fixed
        case step(steps: [Int], every: Int?, gamma: Double, minLR: Double?)
        case exp(gamma: Double)
        case poly(power: Double, minLR: Double)
        case inv(gamma: Double, power: Double)
        case cosine(Target)
        case flatCosine(startPercent: Double, Target)
        case cosineRestart(periods: [Int], weights: [Double], Target)
        case linear(Target)
        case cyclic(high: Double, low: Double, times: Int, stepRatioUp: Double, cos: Bool, gamma: Double)
        case oneCycle(maxLR: [Double], totalSteps: Int?, pctStart: Double, cos: Bool, div: Double, finalDiv: Double, threePhase: Bool)
    }

    /// The hook class stem mmcv resolves (`Step`, `CosineAnnealing`, …).
    public var policyName: String
    public var policy: Policy
    public var byEpoch: Bool
    public var warmup: Warmup?
    public var warmupIters = 0
    public var warmupRatio = 0.1
    public var warmupByEpoch = false

    public init(policy: Policy, name: String, byEpoch: Bool = true) {
        self.policy = policy; self.policyName = name; self.byEpoch = byEpoch
    }

    // MARK: - Evaluation

    /// Global iterations warmed up (W): `warmup_iters`, or that many epochs with `warmup_by_epoch`.
    public func warmupLength(itersPerEpoch: Int) -> Int {
        guard warmup != nil else { return 0 }
        return warmupByEpoch ? warmupIters * itersPerEpoch : warmupIters
    }

    /// For OneCycle the base LR is replaced by `max_lr / div_factor` (it also becomes the group's `initial_lr`).
    public func effectiveBase(_ base: Double, group: Int) -> Double {
        if case .oneCycle(let maxLR, _, _, _, let div, _, _) = policy {
            return (maxLR.count > group ? maxLR[group] : maxLR.last ?? base) / div
        }
        return base
    }

    /// The LR mmcv sets for the training iteration at (`epoch`, global `iter`), for a group with base LR `base`.
    public func lr(base: Double, group: Int = 0, epoch: Int, iter: Int, maxEpochs: Int, maxIters: Int, itersPerEpoch: Int) -> Double {
        let b = effectiveBase(base, group: group)
        let regular = byEpoch ? value(b, progress: epoch, max: maxEpochs, maxIters: maxIters)
                              : value(b, progress: iter, max: maxIters, maxIters: maxIters)
        let w = warmupLength(itersPerEpoch: itersPerEpoch)
        guard let warmup, iter < w else { return regular }
        let f = Double(iter) / Double(w)
        switch warmup {
        case .constant: return regular * warmupRatio
        case .linear: return regular * (1 - (1 - f) * (1 - warmupRatio))
        case .exp: return regular * pow(warmupRatio, 1 - f)
        }
    }

    /// The LR of every training iteration of a run (epoch-based when `maxEpochs > 0`, else `maxIters` iterations).
    public func values(base: Double, maxEpochs: Int, itersPerEpoch: Int, maxIters: Int? = nil) -> [Double] {
        let total = maxIters ?? maxEpochs * itersPerEpoch
        return (0..<total).map { i in
            lr(base: base, epoch: i / max(1, itersPerEpoch), iter: i, maxEpochs: maxEpochs, maxIters: total, itersPerEpoch: itersPerEpoch)
        }
    }

    static func cosAnneal(_ start: Double, _ end: Double, _ f: Double, weight: Double = 1) -> Double {
        end + 0.5 * weight * (start - end) * (1 + cos(Double.pi * f))
    }
    static func linAnneal(_ start: Double, _ end: Double, _ f: Double) -> Double { start + (end - start) * f }

    /// The policy's regular LR at `progress` (epoch or iteration) out of `max`. Past the last CosineRestart period
    /// (an error in mmcv) the LR holds the final value.
    func value(_ b: Double, progress p: Int, max m: Int, maxIters: Int) -> Double {
        let pd = Double(p), md = Double(Swift.max(1, m))
        switch policy {
        case .fixed: return b
        case .step(let steps, let every, let gamma, let minLR):
            let e = every.map { p / $0 } ?? (steps.firstIndex { p < $0 } ?? steps.count)
            let lr = b * pow(gamma, Double(e))
            return minLR.map { Swift.max(lr, $0) } ?? lr
        case .exp(let gamma): return b * pow(gamma, pd)
        case .poly(let power, let minLR): return (b - minLR) * pow(1 - pd / md, power) + minLR
        case .inv(let gamma, let power): return b * pow(1 + gamma * pd, -power)
        case .cosine(let t): return Self.cosAnneal(b, t.value(b), pd / md)
        case .linear(let t): return Self.linAnneal(b, t.value(b), pd / md)
        case .flatCosine(let startPercent, let t):
            let s = Int((Double(m) * startPercent).rounded(.toNearestOrEven))
            return p < s ? b : Self.cosAnneal(b, t.value(b), Double(p - s) / Double(Swift.max(1, m - s)))
        case .cosineRestart(let periods, let weights, let t):
            var start = 0
            for (k, period) in periods.enumerated() {
                if p < start + period {
                    let alpha = Swift.min(Double(p - start) / Double(period), 1)
                    return Self.cosAnneal(b, t.value(b), alpha, weight: weights[k])
                }
                start += period
            }
            return t.value(b)
        case .cyclic(let high, let low, let times, let stepRatioUp, let useCos, let gamma):
            let period = Swift.max(1, maxIters / times)
            let up = Int(stepRatioUp * Double(period))
            let c = p % period, n = p / period
            let s = pow(gamma, Double(n))
            let peak = b * (1 - s + s * high)
            let anneal = useCos ? { Self.cosAnneal($0, $1, $2) } : { Self.linAnneal($0, $1, $2) }
            if c < up { return anneal(b, peak, Double(c) / Double(up)) }
            return anneal(peak, b * low, Double(c - up) / Double(Swift.max(1, period - up)))
        case .oneCycle(_, let totalSteps, let pct, let useCos, let div, let finalDiv, let threePhase):
            let total = Double(totalSteps ?? maxIters)
            let phases: [(end: Double, from: Double, to: Double)] = threePhase
                ? [(pct * total - 1, 1, div), (2 * pct * total - 2, div, 1), (total - 1, 1, 1 / finalDiv)]
                : [(pct * total - 1, 1, div), (total - 1, div, 1 / finalDiv)]
            var start = 0.0
            for (i, phase) in phases.enumerated() {
                if pd <= phase.end || i == phases.count - 1 {
                    let f = (pd - start) / (phase.end - start)
                    return useCos ? Self.cosAnneal(b * phase.from, b * phase.to, f) : Self.linAnneal(b * phase.from, b * phase.to, f)
                }
                start = phase.end
            }
            return b
        }
    }

    /// A problem only visible once the run length is known (mmcv fails mid-run), or nil.
    public func problem(maxEpochs: Int, maxIters: Int) -> String? {
        let max = byEpoch ? maxEpochs : maxIters
        switch policy {
        case .cosineRestart(let periods, _, _) where periods.reduce(0, +) < max:
            return "CosineRestart periods cover \(periods.reduce(0, +)) \(byEpoch ? "epochs" : "iterations") of \(max)"
        case .oneCycle(_, let total?, _, _, _, _, _) where total < maxIters:
            return "OneCycle total_steps (\(total)) is smaller than the run's \(maxIters) iterations"
        default: return nil
        }
    }
}
