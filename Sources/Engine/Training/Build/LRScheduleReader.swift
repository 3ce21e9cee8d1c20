import Config
import EngineCore
import EngineData

/// Reading `lr_config` into an `LRSchedule` (the schedule itself is a pure function of the iteration).
extension LRSchedule {
    /// Every policy mmcv 1.7.2 registers, by the hook-class stem `policy` resolves to.
    public static let policies = ["Fixed", "Step", "Exp", "Poly", "Inv", "CosineAnnealing", "FlatCosineAnnealing",
                                  "CosineRestart", "Cyclic", "OneCycle", "LinearAnnealing"]
    static let common: Set<String> = ["policy", "by_epoch", "warmup", "warmup_iters", "warmup_ratio", "warmup_by_epoch"]
    static let arguments: [String: Set<String>] = [
        "Fixed": [], "Step": ["step", "gamma", "min_lr"], "Exp": ["gamma"], "Poly": ["power", "min_lr"],
        "Inv": ["gamma", "power"], "CosineAnnealing": ["min_lr", "min_lr_ratio"],
        "FlatCosineAnnealing": ["start_percent", "min_lr", "min_lr_ratio"],
        "CosineRestart": ["periods", "restart_weights", "min_lr", "min_lr_ratio"], "LinearAnnealing": ["min_lr", "min_lr_ratio"],
        "Cyclic": ["target_ratio", "cyclic_times", "step_ratio_up", "anneal_strategy", "gamma"],
        "OneCycle": ["max_lr", "total_steps", "pct_start", "anneal_strategy", "div_factor", "final_div_factor", "three_phase"],
    ]

    /// mmcv's rule: an all-lower-case policy gets its first letter capitalised; anything else is used verbatim
    /// (so 'cosineannealing' does not resolve — SEMANTICS.md §8 trap 6).
    public static func resolve(_ policy: String) -> String {
        policy == policy.lowercased() ? policy.prefix(1).uppercased() + policy.dropFirst() : policy
    }

    /// Reads `lr_config`. `defaultByEpoch` is False under an IterBasedRunner (mmcv's setdefault). Errors are located.
    public init(lrConfig: ConfigValue, files: SourceFiles, defaultByEpoch: Bool = true) throws {
        try self.init(reading: try ConfigReader(lrConfig, name: "lr_config", files: files), defaultByEpoch: defaultByEpoch)
    }

    init(reading reader: ConfigReader, defaultByEpoch: Bool) throws {
        let raw = try reader.string("policy")
        let name = Self.resolve(raw)
        let r = reader.as(name)
        let files = r.files
        guard let allowed = Self.arguments[name] else {
            let hint = Suggestion.closest(to: name, in: Self.policies).map { " (did you mean '\($0)'?)" } ?? ""
            throw r.error("lr_config policy '\(raw)' resolves to \(name)LrUpdaterHook, which does not exist\(hint); "
                          + "policies: \(Self.policies.joined(separator: ", ")) (all-lower-case names get a capital first letter only)",
                          key: "policy")
        }
        for e in r.dict where !Self.common.contains(e.key.description) && !allowed.contains(e.key.description) {
            let hint = Suggestion.closest(to: e.key.description, in: Array(allowed.union(Self.common))).map { " (did you mean '\($0)'?)" } ?? ""
            throw files.error("\(name)LrUpdaterHook has no argument '\(e.key)'\(hint)", at: e.keyOrigin)
        }
        func target() throws -> Target {
            switch (r.has("min_lr"), r.has("min_lr_ratio")) {
            case (true, false): return .absolute(try r.double("min_lr"))
            case (false, true): return .ratio(try r.double("min_lr_ratio"))
            case (true, true): throw r.error("\(name): give only one of min_lr and min_lr_ratio", key: "min_lr_ratio")
            case (false, false): throw r.error("\(name) needs min_lr or min_lr_ratio")
            }
        }
        func anneal() throws -> Bool { try r.require("anneal_strategy", in: ["cos", "linear"], default: "cos") == "cos" }
        let policy: Policy
        switch name {
        case "Fixed": policy = .fixed
        case "Step":
            guard let v = r.value("step"), !v.isNone else { throw r.error("Step needs 'step' (an epoch or a list of epochs)") }
            let steps = try r.ints("step", [])
            // An empty list is valid in mmcv (no decay: the LR stays at its base after warmup), as
            // tsn_r50_1x1x3_75e_ucf101_rgb.py uses it; an int or an entry must be positive.
            guard v.elements != nil || !steps.isEmpty, steps.allSatisfy({ $0 > 0 }) else {
                throw r.error("step values must be positive", key: "step")
            }
            policy = .step(steps: steps, every: v.int, gamma: try r.double("gamma", 0.1), minLR: try r.optionalDouble("min_lr"))
        case "Exp": policy = .exp(gamma: try r.double("gamma"))
        case "Poly": policy = .poly(power: try r.double("power", 1), minLR: try r.double("min_lr", 0))
        case "Inv": policy = .inv(gamma: try r.double("gamma"), power: try r.double("power", 1))
        case "CosineAnnealing": policy = .cosine(try target())
        case "LinearAnnealing": policy = .linear(try target())
        case "FlatCosineAnnealing":
            var start = 0.75
            if let v = r.value("start_percent"), !v.isNone {
                guard case .float(let f) = v.content, (0...1).contains(f) else {
                    throw files.error("start_percent must be a float in [0, 1]", at: v.origin)
                }
                start = f
            }
            policy = .flatCosine(startPercent: start, try target())
        case "CosineRestart":
            let periods = try r.ints("periods", [])
            guard !periods.isEmpty, periods.allSatisfy({ $0 > 0 }) else { throw r.error("CosineRestart needs 'periods' (positive ints)", key: r.has("periods") ? "periods" : nil) }
            let weights = try r.doubles("restart_weights", [1])
            guard weights.count == periods.count else {
                throw r.error("restart_weights needs one weight per period (\(periods.count))", key: r.has("restart_weights") ? "restart_weights" : nil)
            }
            policy = .cosineRestart(periods: periods, weights: weights, try target())
        case "Cyclic":
            var ratios = try r.doubles("target_ratio", [10, 1e-4])
            if ratios.count == 1 { ratios.append(ratios[0] / 1e5) }
            guard ratios.count == 2 else { throw r.error("target_ratio must be a float or a tuple of two floats", key: "target_ratio") }
            let up = try r.double("step_ratio_up", 0.4)
            guard (0..<1).contains(up) else { throw r.error("step_ratio_up must be in [0, 1)", key: "step_ratio_up") }
            let gamma = try r.double("gamma", 1)
            guard gamma > 0 && gamma <= 1 else { throw r.error("gamma must be in (0, 1]", key: "gamma") }
            policy = .cyclic(high: ratios[0], low: ratios[1], times: try r.int("cyclic_times", 1), stepRatioUp: up,
                             cos: try anneal(), gamma: gamma)
        default: // OneCycle
            guard r.has("max_lr") else { throw r.error("OneCycle needs 'max_lr'") }
            let total = r.has("total_steps") ? try r.int("total_steps") : nil
            policy = .oneCycle(maxLR: try r.doubles("max_lr", []), totalSteps: total, pctStart: try r.double("pct_start", 0.3),
                               cos: try anneal(), div: try r.double("div_factor", 25), finalDiv: try r.double("final_div_factor", 1e4),
                               threePhase: try r.bool("three_phase", false))
        }
        // Cyclic and OneCycle are iteration policies: mmcv's hooks default by_epoch to False (whatever the runner)
        // and assert that it stays False (SEMANTICS.md §3.2).
        let iterationOnly = name == "Cyclic" || name == "OneCycle"
        self.init(policy: policy, name: name, byEpoch: try r.bool("by_epoch", iterationOnly ? false : defaultByEpoch))
        if iterationOnly, byEpoch {
            throw r.error("\(name) schedules by iteration only: remove by_epoch=True (mmcv refuses it)", key: "by_epoch")
        }
        if let w = r.value("warmup"), !w.isNone {
            guard let kind = w.string.flatMap(Warmup.init(rawValue:)) else {
                throw files.error("warmup must be 'constant', 'linear' or 'exp' (or None)", at: w.origin)
            }
            warmup = kind
            warmupIters = try r.int("warmup_iters", 0)
            guard warmupIters > 0 else { throw r.error("warmup_iters must be positive when warmup is set", key: r.has("warmup_iters") ? "warmup_iters" : "warmup") }
            warmupRatio = try r.double("warmup_ratio", 0.1)
            guard warmupRatio > 0 && warmupRatio <= 1 else { throw r.error("warmup_ratio must be in (0, 1]", key: "warmup_ratio") }
            warmupByEpoch = try r.bool("warmup_by_epoch", false)
        }
    }
}
