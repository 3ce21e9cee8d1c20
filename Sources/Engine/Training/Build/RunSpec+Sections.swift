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
        // Distributed, storage and naming options: Reel writes `<epoch|iter>_N.safetensors` and a latest copy.
        r.accepts("sync_buffer", "file_client_args", "filename_tmpl", "create_symlink")
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
        // Custom inference, distributed collection and storage options are not Reel's to use.
        r.accepts("test_fn", "greater_keys", "less_keys", "out_dir", "file_client_args", "gpu_collect", "tmpdir", "broadcast_bn_buffer")
        if let key = spec.saveBest, key != "auto" {
            guard let greater = EvalHook.isGreaterBetter(key: key, rule: spec.rule) else {
                throw r.error("cannot infer the rule for save_best='\(key)': set rule='greater' or rule='less'", key: "save_best")
            }
            spec.greater = greater
        }
        return spec
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
            // Copies to another directory and the experiment-name line: not done by Reel.
            if kind == .text { h.accepts("interval_exp_name", "out_dir", "out_suffix", "keep_local", "file_client_args") }
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
