/// Every config component Reel knows, with its arguments, defaults and one-line docs (from SEMANTICS.md and the
/// seed note, corrected where the note is wrong). A `let` table: the checker, `reel config check` and the
/// dashboard's help pane all read it.
public enum Registry {
    /// All components and sections.
    public static let components: [ComponentSchema] =
        models + necks + heads + optimizers + lrPolicies + hooks + loggerHooks + datasets + pipelineSteps + sections

    private static let byKind: [ComponentKind: [String: ComponentSchema]] = {
        var table: [ComponentKind: [String: ComponentSchema]] = [:]
        for c in components { table[c.kind, default: [:]][c.name] = c }
        return table
    }()

    public static func component(_ kind: ComponentKind, _ type: String) -> ComponentSchema? {
        byKind[kind]?[type]
    }

    /// The sections (`checkpoint_config`, `evaluation`, …) by name.
    public static func section(_ name: String) -> ComponentSchema? { byKind[.section]?[name] }

    /// Supported names of a kind, sorted (for "supported: …" notes and the editor's choices).
    public static func names(_ kind: ComponentKind, includeUnsupported: Bool = false) -> [String] {
        (byKind[kind] ?? [:]).values.filter { includeUnsupported || $0.support == .supported }.map(\.name).sorted()
    }

    /// mmcv's policy → hook-name rule: an all-lowercase policy gets its first letter capitalised
    /// (`'step'` → `Step`), any other spelling is used verbatim (so `'cosineannealing'` is unknown).
    public static func normalisedPolicy(_ policy: String) -> String {
        guard policy == policy.lowercased(), let first = policy.first else { return policy }
        return first.uppercased() + policy.dropFirst()
    }

    /// The top-level keys Reel reads, and the value each must hold. Other top-level keys (helper variables such as
    /// `img_norm_cfg` or `train_pipeline`) are allowed and not checked.
    public static let topLevel: [ArgSchema] = [
        ArgSchema("model", .component(.recognizer), nil, "The recognizer: backbone, head, train_cfg and test_cfg."),
        ArgSchema("optimizer", .component(.optimizer), nil, "The optimizer (a PyTorch optimizer name) and its hyper-parameters."),
        ArgSchema("optimizer_config", .optional(.section("optimizer_config")), "dict()", "The OptimizerHook: gradient clipping."),
        ArgSchema("lr_config", .optional(.component(.lrPolicy)), "None", "The LR schedule (LrUpdaterHook); None keeps the optimizer's lr."),
        ArgSchema("checkpoint_config", .optional(.section("checkpoint_config")), "None", "When and how checkpoints are saved (CheckpointHook)."),
        ArgSchema("log_config", .optional(.section("log_config")), "None", "Logging interval and logger hooks."),
        ArgSchema("evaluation", .optional(.section("evaluation")), "None", "Validation during training (EvalHook) and best-checkpoint tracking."),
        ArgSchema("data", .section("data"), nil, "Batch size, loader workers and the train/val/test datasets."),
        ArgSchema("custom_hooks", .components(.hook), "[]", "Extra hooks, called at mmcv's stages in priority order."),
        ArgSchema("total_epochs", .int, nil, "Number of training epochs (mmaction2 0.24 reads this, not runner.max_epochs)."),
        ArgSchema("runner", .optional(.section("runner")), "None", "Runner type and length; mmaction2 0.24 ignores it, Reel honours it (see docs/differences.md)."),
        ArgSchema("workflow", .list(.tuple(.any)), "[('train', 1)]", "Phases per cycle, e.g. [('train', 1)] or [('train', 1), ('val', 1)]."),
        ArgSchema("work_dir", .string, "'./work_dirs/<config name>'", "Where logs, checkpoints and the config dump go."),
        ArgSchema("load_from", .optional(.string), "None", "Weights to start from (no optimizer state, counters from 0)."),
        ArgSchema("resume_from", .optional(.string), "None", "Checkpoint to resume: weights, optimizer state, epoch/iter; wins over load_from."),
        ArgSchema("dist_params", .dict, "dict(backend='nccl')", "torch.distributed backend settings; Reel's data-parallel training runs on Open MPI (reel train … --launcher mpi under mpirun), so they are unused."),
        ArgSchema("log_level", .choice(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]), "'INFO'", "Logging level."),
        ArgSchema("gpu_ids", .sequence(.int), "range(0, 1)", "Device ids; Reel trains on the CPU and ignores them."),
        ArgSchema("seed", .optional(.int), "None", "Random seed; --seed overrides it."),
        ArgSchema("opencv_num_threads", .int, "0", "OpenCV threads in mmaction2; Reel's decoders ignore it."),
        ArgSchema("mp_start_method", .string, "'fork'", "Worker start method in mmaction2; Reel's loader uses threads."),
        ArgSchema("cudnn_benchmark", .bool, "False", "cuDNN autotuning in mmaction2's train.py (GPU only; no effect on a CPU)."),
        ArgSchema("fp16", .dict, "None", "Mixed precision (Fp16OptimizerHook)."),
        ArgSchema("momentum_config", .dict, "None", "Momentum schedule (MomentumUpdaterHook)."),
        ArgSchema("precise_bn", .dict, "None", "PreciseBNHook: recompute BN statistics before evaluation."),
        ArgSchema("omnisource", .bool, "False", "OmniSource joint training: data.train lists the main dataset and auxiliary ones (web images, other videos); after every train_ratio[0]-th main iteration each auxiliary source trains train_ratio[k] iterations of its own (OmniSourceRunner). The main dataset sets the epoch's length."),
        ArgSchema("module_hooks", .list(.dict), "[]", "mmaction2 module hooks (GPU normalisation)."),
    ]

    /// Top-level keys that name mmaction2 features Reel does not implement yet, with the reason.
    public static let unsupportedTopLevel: [String: String] = [
        "fp16": "CPU mixed precision is planned after the first milestone; training runs in float32",
        "momentum_config": "momentum schedules (MomentumUpdaterHook) are not implemented yet",
        "precise_bn": "PreciseBNHook is not implemented yet",
        "module_hooks": "module hooks are GPU-specific and not implemented",
    ]

    /// Help for the value at `path` of a resolved config: the enclosing component or section and the argument.
    public static func help(at path: [String], in root: ConfigDict) -> FieldHelp? {
        guard let first = path.first else { return nil }
        // A pipeline helper variable (`train_pipeline = [...]`) gets the help of the data.*.pipeline it feeds.
        let helper = first.hasSuffix("_pipeline") && root[first]?.elements != nil
            ? ArgSchema(first, .components(.pipelineStep), nil, "A pipeline: the steps each item goes through, in order.") : nil
        guard let top = helper ?? topLevel.first(where: { $0.name == first }) else { return nil }
        var expected = top.type
        var help = FieldHelp(component: nil, arg: top, expected: top.type)
        var node: ConfigValue? = root[first]
        for segment in path.dropFirst() {
            expected = Self.unwrapOptional(expected, for: node)
            switch expected {
            case .component(let kind), .components(let kind):
                var dict = node?.dict
                if case .components = expected {
                    guard let i = Int(segment), let items = node?.elements, i < items.count else { return nil }
                    node = items[i]
                    help = FieldHelp(component: nil, arg: nil, expected: .component(kind))
                    expected = .component(kind)
                    continue
                }
                let schema = dict.flatMap { d in componentSchema(for: d, kind: kind) }
                dict = nil
                guard let schema, let arg = schema.arg(segment) else {
                    return schema.map { FieldHelp(component: $0, arg: nil, expected: .any) }
                }
                help = FieldHelp(component: schema, arg: arg, expected: arg.type)
                expected = arg.type
                node = node?.dict?[segment]
            case .section(let name):
                guard let schema = section(name) else { return nil }
                guard let arg = schema.arg(segment) else { return FieldHelp(component: schema, arg: nil, expected: .any) }
                help = FieldHelp(component: schema, arg: arg, expected: arg.type)
                expected = arg.type
                node = node?.dict?[segment]
            case .list(let inner), .tuple(let inner), .sequence(let inner):
                expected = inner
                help.expected = inner
                node = Int(segment).flatMap { i in node?.elements.flatMap { i < $0.count ? $0[i] : nil } }
            default:
                return help
            }
        }
        if case .component(let kind) = Self.unwrapOptional(expected, for: node), let d = node?.dict,
           let schema = componentSchema(for: d, kind: kind), help.component == nil || help.arg != nil {
            return FieldHelp(component: schema, arg: help.arg, expected: expected)
        }
        return help
    }

    /// The schema named by a component dict's `type` (or `policy`).
    public static func componentSchema(for dict: ConfigDict, kind: ComponentKind) -> ComponentSchema? {
        let key = kind == .lrPolicy ? "policy" : "type"
        guard let name = dict[key]?.string else { return nil }
        return component(kind, kind == .lrPolicy ? normalisedPolicy(name) : name)
    }

    static func unwrapOptional(_ t: ArgType, for value: ConfigValue?) -> ArgType {
        switch t {
        case .optional(let inner): return unwrapOptional(inner, for: value)
        case .oneOf(let options):
            // Pick the alternative that matches the value's container kind.
            if value?.dict != nil, let d = options.first(where: { if case .component = $0 { true } else if case .section = $0 { true } else { false } }) { return d }
            if value?.elements != nil, let l = options.first(where: {
                switch $0 { case .list, .sequence, .tuple, .components: true; default: false }
            }) { return l }
            return t
        default: return t
        }
    }
}
