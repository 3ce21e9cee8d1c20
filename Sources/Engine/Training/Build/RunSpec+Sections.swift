import Config
import EngineCore
import EngineData

/// The hook sections of a config: `optimizer_config`, `checkpoint_config`, `evaluation`, `log_config`.
extension RunSpec {
    /// The config's `evaluation` section (mmcv's defaults when there is none): `reel test`'s metrics and top-k.
    public static func evaluation(of config: ResolvedConfig) throws -> EvalSpec {
        guard let e = config.root["evaluation"], !e.isNone else { return EvalSpec() }
        return try readEvaluation(try ConfigReader(e, name: "evaluation", files: config.files))
    }

    /// `evaluation.metrics` against the split they evaluate: the accuracies need one label per video, the mean
    /// average precisions a `num_classes` (mmaction2's `label2array`), which a multi_class dataset has.
    static func checkMetrics(_ evaluation: EvalSpec, on data: DataSpec, config: ResolvedConfig) throws {
        let at = config.root["evaluation"]?.dict?["metrics"] ?? config.root["evaluation"]
        let origin = at?.origin ?? Origin(location: nil, source: .file)
        let split = "data.\(data.split.rawValue)"
        for metric in evaluation.metrics {
            if data.dataset.multiClass && Metrics.singleLabel.contains(metric) {
                throw config.files.error("metric '\(metric)' needs one label per video, but \(split) has multi_class=True: use "
                                         + "mean_average_precision or mmit_mean_average_precision"
                                         + (at == nil ? " (evaluation defaults to top_k_accuracy)" : ""), at: origin)
            }
            if !Metrics.singleLabel.contains(metric) && data.dataset.numClasses == nil {
                throw config.files.error("metric '\(metric)' needs num_classes on \(split) (mmaction2 builds the label vectors "
                                         + "from it)", at: origin)
            }
        }
    }

    static func readOptimizerHook(_ r: ConfigReader) throws -> OptimizerHookSpec {
        var spec = OptimizerHookSpec()
        _ = try r.require("type", in: ["OptimizerHook"], default: "OptimizerHook")
        if let clip = try r.sub("grad_clip") {
            let clip = clip.as("grad_clip")
            let maxNorm = try clip.double("max_norm")
            guard maxNorm > 0 else { throw clip.error("max_norm must be positive", key: "max_norm") }
            clip.note("norm_type", .value(.int(2)))
            if let v = clip.value("norm_type"), !v.isNone {
                if let d = v.number { spec.normType = d } else if v.string == "inf" { spec.normType = .infinity } else {
                    throw r.files.error("norm_type must be a number or 'inf'", at: v.origin)
                }
            }
            spec.maxNorm = maxNorm
        }
        spec.detectAnomalousParams = try r.bool("detect_anomalous_params", false)
        return spec
    }

    static func readCheckpoint(_ r: ConfigReader, defaultByEpoch: Bool) throws -> CheckpointSpec {
        var spec = CheckpointSpec()
        spec.interval = try r.int("interval", -1)
        spec.byEpoch = try r.bool("by_epoch", defaultByEpoch)
        spec.saveOptimizer = try r.bool("save_optimizer", true)
        spec.outDir = try r.optionalString("out_dir")
        spec.maxKeep = try r.int("max_keep_ckpts", -1)
        spec.saveLast = try r.bool("save_last", true)
        r.accepts("sync_buffer", as: .inert("Reel trains in one process: there is nothing to synchronise"))
        r.accepts("file_client_args", as: .noted(default: .none, why: "Reel writes checkpoints to local files"))
        r.accepts("filename_tmpl", as: .noted(default: .string("epoch_{}.pth"), why: "Reel names checkpoints epoch_N.safetensors (iter_N by iteration)"))
        r.accepts("create_symlink", as: .noted(default: .bool(true), why: "Reel always keeps latest.safetensors, as a copy"))
        return spec
    }

    static func readEvaluation(_ r: ConfigReader) throws -> EvalSpec {
        var spec = EvalSpec()
        r.note("start", .value(.none))
        if r.has("start") {
            let s = try r.int("start")
            guard s >= 0 else { throw r.error("evaluation start must not be negative", key: "start") }
            spec.start = s
        }
        spec.interval = try r.int("interval", 1)
        guard spec.interval > 0 else { throw r.error("evaluation interval must be positive", key: "interval") }
        spec.byEpoch = try r.bool("by_epoch", true)
        r.note("save_best", .value(.string("auto")))
        if let v = r.value("save_best") {
            spec.saveBest = v.isNone ? nil : try r.string("save_best")
        }
        r.note("rule", .value(.none))
        if r.has("rule") { spec.rule = try r.require("rule", in: ["greater", "less"], default: "greater") }
        r.note("metrics", .value(.string("top_k_accuracy")))
        if let v = r.value("metrics"), !v.isNone {
            spec.metrics = v.string.map { [$0] } ?? (v.elements ?? []).compactMap(\.string)
            for m in spec.metrics where !Metrics.supported.contains(m) {
                throw r.error("metric '\(m)' is not supported by Reel (supported: \(Metrics.supported.joined(separator: ", ")))", key: "metrics")
            }
        }
        r.note("topk", .value(.tuple([ConfigValue(.int(1)), ConfigValue(.int(5))])))
        var topkValue = r.value("topk")
        if let options = try r.sub("metric_options"), let tk = try options.sub("top_k_accuracy") { topkValue = tk.value("topk") ?? topkValue }
        if let v = topkValue, !v.isNone {
            if case .list = v.content { throw r.files.error("topk must be an int or a tuple (mmaction2 rejects a list)", at: v.origin) }
            spec.topk = v.int.map { [$0] } ?? (v.elements ?? []).compactMap(\.int)
        }
        if let v = r.value("test_fn"), !v.isNone {
            throw r.files.error("test_fn is not supported by Reel (it evaluates with its own single-process inference)", at: v.origin)
        }
        spec.greaterKeys = try readKeyList(r, "greater_keys")
        spec.lessKeys = try readKeyList(r, "less_keys")
        spec.outDir = try r.optionalString("out_dir")
        r.accepts("file_client_args", as: .noted(default: .none, why: "Reel writes the best checkpoint to local files"))
        r.accepts("gpu_collect", "tmpdir", "broadcast_bn_buffer", as: .inert("DistEvalHook options, and Reel trains in one process"))
        if let key = spec.saveBest, key != "auto" {
            // mmcv stops with a KeyError at the first evaluation when no metric gives the key: refused here instead.
            let produced = Metrics.keys(metrics: spec.metrics, topk: spec.topk)
            guard produced.contains(key) else {
                throw r.error("save_best='\(key)' is not a key the configured metrics produce (they give: \(produced.joined(separator: ", ")))",
                              key: "save_best")
            }
            guard let greater = EvalHook.isGreaterBetter(key: key, rule: spec.rule, greaterKeys: spec.greaterKeys, lessKeys: spec.lessKeys) else {
                throw r.error("cannot infer the rule for save_best='\(key)': set rule='greater' or rule='less'", key: "save_best")
            }
            spec.greater = greater
        }
        return spec
    }

    /// `greater_keys` / `less_keys`: None (mmcv's default list), a string or a sequence of strings, which replaces
    /// the default list in the rule inference.
    static func readKeyList(_ r: ConfigReader, _ key: String) throws -> [String]? {
        r.note(key, .value(.none))
        guard let v = r.value(key), !v.isNone else { return nil }
        if let s = v.string { return [s] }
        guard let items = v.elements, let keys = Optional(items.compactMap(\.string)), keys.count == items.count else {
            throw r.files.error("\(key) must be a string or a list of strings, not \(v.typeDescription)", at: v.origin)
        }
        return keys
    }

    static func readLog(_ log: ConfigReader) throws -> LogSpec {
        var spec = LogSpec()
        spec.interval = try log.int("interval", 10)
        for item in log.value("hooks")?.elements ?? [] {
            let r = try log.reader(item, name: "logger hook")
            let type = try r.string("type")
            guard let kind = LoggerHookSpec.Kind(rawValue: type) else {
                throw r.error("logger hook '\(type)' is not supported by Reel (supported: TextLoggerHook, TensorboardLoggerHook)", key: "type")
            }
            let h = r.as(type)
            var hook = LoggerHookSpec(kind: kind)
            if kind == .tensorboard { hook.logDir = try h.optionalString("log_dir") }
            if kind == .text {
                h.accepts("interval_exp_name", as: .inert("mmaction2's run meta has no exp_name, so the line is never printed"))
                hook.outDir = try h.optionalString("out_dir")
                h.note("out_suffix", .value(.tuple([".log.json", ".log", ".py"].map { ConfigValue(.string($0)) })))
                if let v = h.value("out_suffix"), !v.isNone {
                    guard let items = v.string.map({ [$0] }) ?? v.elements?.compactMap(\.string), items.count == (v.elements?.count ?? 1) else {
                        throw h.files.error("out_suffix must be a string or a tuple of strings, not \(v.typeDescription)", at: v.origin)
                    }
                    hook.outSuffix = items
                }
                hook.keepLocal = try h.bool("keep_local", true)
                if hook.outDir == nil, let v = h.value("file_client_args"), !v.isNone {
                    throw h.files.error("file_client_args needs out_dir (mmcv refuses it without one)", at: v.origin)
                }
                h.accepts("file_client_args", as: .noted(default: .none, why: "Reel copies the logs to a local out_dir"))
            }
            h.note("interval", .value(.int(10)))
            hook.interval = h.has("interval") ? try h.int("interval") : nil
            hook.ignoreLast = try h.bool("ignore_last", true)
            // TensorBoard's averages are its own: reset_flag is accepted and has nothing to do there.
            hook.resetFlag = try h.bool("reset_flag", false)
            h.note("by_epoch", .value(.bool(true)))
            hook.byEpoch = h.has("by_epoch") ? try h.bool("by_epoch", true) : nil
            spec.hooks.append(hook)
        }
        return spec
    }
}
