private typealias A = ArgSchema

extension Registry {
    static let optimizerExtras: [ArgSchema] = [
        A("constructor", .choice(["DefaultOptimizerConstructor", "TSMOptimizerConstructor"]), "'DefaultOptimizerConstructor'", "How parameter groups are built."),
        A("paramwise_cfg", .section("paramwise_cfg"), "None", "Per-parameter lr/decay multipliers (any non-empty value makes one group per parameter)."),
    ]

    static let optimizers: [ComponentSchema] = [
        ComponentSchema("SGD", .optimizer, "PyTorch SGD: d = g + wd·p; buf = m·buf + (1−dampening)·d (first step buf = d); p −= lr·buf.", args: [
            A("lr", .float, nil, "Learning rate (the LR schedule's base)."),
            A("momentum", .float, "0", "Momentum factor."),
            A("dampening", .float, "0", "Dampening of the momentum (not applied on the first step)."),
            A("weight_decay", .float, "0", "L2 penalty added to the gradient."),
            A("nesterov", .bool, "False", "Nesterov momentum (needs momentum > 0 and dampening 0)."),
        ] + optimizerExtras, tips: ["The mmaction2 lr values are for 8 GPUs × videos_per_gpu; scale lr linearly with your total batch size.",
                                   "A resumed run keeps the checkpoint's lr: changing optimizer.lr has no effect after resume_from."]),
        ComponentSchema("Adam", .optimizer, "PyTorch Adam (weight decay is coupled L2).", args: [
            A("lr", .float, "0.001", "Learning rate."),
            A("betas", .sequence(.float), "(0.9, 0.999)", "Decay rates of the first and second moment estimates."),
            A("eps", .float, "1e-08", "Added to the denominator."),
            A("weight_decay", .float, "0", "L2 penalty added to the gradient."),
            A("amsgrad", .bool, "False", "Use the maximum of past second moments."),
        ] + optimizerExtras),
        ComponentSchema("AdamW", .optimizer, "PyTorch AdamW (decoupled weight decay: p ← p·(1 − lr·wd) before the Adam step).", args: [
            A("lr", .float, "0.001", "Learning rate."),
            A("betas", .sequence(.float), "(0.9, 0.999)", "Decay rates of the moment estimates."),
            A("eps", .float, "1e-08", "Added to the denominator."),
            A("weight_decay", .float, "0.01", "Decoupled weight decay."),
            A("amsgrad", .bool, "False", "Use the maximum of past second moments."),
        ] + optimizerExtras),
    ] + ["RMSprop", "Adagrad", "Adadelta", "Adamax", "ASGD", "Rprop", "LBFGS", "SparseAdam"].map {
        ComponentSchema($0, .optimizer, "PyTorch optimizer \($0).", support: .unsupported("only SGD, Adam and AdamW are implemented"))
    }

    static let lrCommon: [ArgSchema] = [
        A("by_epoch", .bool, "True", "Step the schedule per epoch (progress = epoch) or per iteration."),
        A("warmup", .optional(.choice(["constant", "linear", "exp"])), "None", "Warm-up shape over the first warmup_iters iterations."),
        A("warmup_iters", .int, "0", "Warm-up length in iterations (in epochs with warmup_by_epoch); must be > 0 with warmup."),
        A("warmup_ratio", .float, "0.1", "LR at the start of warm-up, as a fraction of the regular LR; in (0, 1]."),
        A("warmup_by_epoch", .bool, "False", "Read warmup_iters as epochs (converted with the loader length at the first epoch)."),
    ]
    /// Cyclic and OneCycle: mmcv's hooks default `by_epoch` to False, and refuse True.
    static let lrIterationOnly: [ArgSchema] = lrCommon.map {
        $0.name == "by_epoch" ? A("by_epoch", .bool, "False", "Must stay False: this policy steps per iteration (True is refused).") : $0
    }

    static let minLrArgs: [ArgSchema] = [
        A("min_lr", .optional(.float), "None", "Final LR (exactly one of min_lr and min_lr_ratio)."),
        A("min_lr_ratio", .optional(.float), "None", "Final LR as a fraction of the base LR."),
    ]

    static let lrPolicies: [ComponentSchema] = [
        ComponentSchema("Fixed", .lrPolicy, "Constant LR (after any warm-up).", args: lrCommon),
        ComponentSchema("Step", .lrPolicy, "lr = base · gamma^k, k = milestones passed (step=[4, 8]) or progress // step (step=10).", args: lrCommon + [
            A("step", .oneOf([.int, .list(.int)]), nil, "Milestones (epochs or iterations) or a period; all > 0."),
            A("gamma", .float, "0.1", "Decay factor at each milestone."),
            A("min_lr", .optional(.float), "None", "Lower bound of the LR."),
        ], tips: ["In epoch mode the LR for epoch e (0-based) counts milestones ≤ e: step=[40, 80] gives base for epochs 0–39."]),
        ComponentSchema("Exp", .lrPolicy, "lr = base · gamma^progress.", args: lrCommon + [A("gamma", .float, nil, "Decay per epoch/iteration.")]),
        ComponentSchema("Poly", .lrPolicy, "lr = (base − min_lr) · (1 − progress/max)^power + min_lr.", args: lrCommon + [
            A("power", .float, "1.0", "Exponent."), A("min_lr", .float, "0.0", "Final LR."),
        ]),
        ComponentSchema("Inv", .lrPolicy, "lr = base · (1 + gamma·progress)^(−power).", args: lrCommon + [
            A("gamma", .float, nil, "Rate."), A("power", .float, "1.0", "Exponent."),
        ]),
        ComponentSchema("CosineAnnealing", .lrPolicy, "Cosine from base to the target over the run (no restarts).", args: lrCommon + minLrArgs,
                        tips: ["In epoch mode the last epoch never quite reaches min_lr (progress/max < 1).",
                               "Write the policy CamelCase: 'CosineAnnealing' ('cosineannealing' is an error)."]),
        ComponentSchema("FlatCosineAnnealing", .lrPolicy, "Flat at base until start_percent of the run, then cosine to the target.", args: lrCommon + [
            A("start_percent", .float, "0.75", "Fraction of the run (a float in [0, 1]) before annealing starts; rounded half-to-even."),
        ] + minLrArgs),
        ComponentSchema("CosineRestart", .lrPolicy, "Cosine annealing restarted at the end of each period, each restart scaled by its weight.", args: lrCommon + [
            A("periods", .list(.int), nil, "Length of each cycle; their sum must cover the run."),
            A("restart_weights", .list(.float), "[1]", "Weight of each cycle (same length as periods)."),
        ] + minLrArgs, tips: ["A restart with weight w starts at target + w·(base − target) (not w·base) and anneals to the target: periods=[5, 10, 15], restart_weights=[1, 1, 0.5], min_lr_ratio=0.1 restarts the third cycle at 0.55·base."]),
        ComponentSchema("Cyclic", .lrPolicy, "Cyclic LR (by iteration only): up to base·target_ratio[0], down to base·target_ratio[1].", args: lrIterationOnly + [
            A("target_ratio", .oneOf([.float, .tuple(.float)]), "(10, 0.0001)", "Peak and final ratios (a single float r means (r, r/1e5))."),
            A("cyclic_times", .int, "1", "Number of cycles."),
            A("step_ratio_up", .float, "0.4", "Fraction of a cycle spent increasing, in [0, 1)."),
            A("anneal_strategy", .choice(["cos", "linear"]), "'cos'", "Shape of each ramp."),
            A("gamma", .float, "1", "Peak decay per cycle, in (0, 1]."),
        ], tips: ["Schedules by iteration: by_epoch defaults to False here, and True is refused."]),
        ComponentSchema("OneCycle", .lrPolicy, "One-cycle policy (by iteration only): base replaced by max_lr/div_factor.", args: lrIterationOnly + [
            A("max_lr", .oneOf([.float, .list(.float), .dict]), nil, "Peak LR (per group as a list)."),
            A("total_steps", .optional(.int), "None", "Cycle length (≥ max_iters; default max_iters)."),
            A("pct_start", .float, "0.3", "Fraction of the cycle spent increasing."),
            A("anneal_strategy", .choice(["cos", "linear"]), "'cos'", "Shape of the ramps."),
            A("div_factor", .float, "25", "Initial LR = max_lr / div_factor."),
            A("final_div_factor", .float, "10000.0", "Final LR = initial / final_div_factor."),
            A("three_phase", .bool, "False", "Use a symmetric third phase."),
        ], tips: ["Schedules by iteration: by_epoch defaults to False here, and True is refused."]),
        ComponentSchema("LinearAnnealing", .lrPolicy, "Linear from base to the target over the run.", args: lrCommon + minLrArgs),
    ]

    static let hooks: [ComponentSchema] = [
        // Reel registers its own IterTimerHook; custom_hooks are refused by training (RunSpec), so none is supported here.
        ComponentSchema("IterTimerHook", .hook, "Measures data_time and time of every iteration.", args: [A("priority", .any, "'LOW'", "Hook priority.")],
                        support: .unsupported("custom_hooks are not supported by Reel yet (the runner registers its own IterTimerHook)")),
    ] + ["EMAHook", "EmptyCacheHook", "SyncBuffersHook", "OutputHook", "PreciseBNHook", "ClosureHook", "ProfilerHook", "MemoryProfilerHook"].map {
        ComponentSchema($0, .hook, "mmcv hook \($0).", support: .unsupported("not implemented in Reel"))
    }

    static let loggerHookCommon: [ArgSchema] = [
        A("interval", .int, "10", "Log every N iterations (overridden by log_config.interval)."),
        A("ignore_last", .bool, "True", "Skip the last iterations of an epoch when fewer than interval."),
        A("reset_flag", .bool, "False", "Clear the log buffer after logging (the last logger always does)."),
        A("by_epoch", .bool, "True", "Count iterations within the epoch (False: globally). It does not mean 'log once per epoch'."),
    ]

    static let loggerHooks: [ComponentSchema] = [
        ComponentSchema("TextLoggerHook", .loggerHook, "Writes `<timestamp>.log` and `<timestamp>.log.json` in mmcv's format.", args: loggerHookCommon + [
            A("interval_exp_name", .int, "1000", "Print the experiment name every N iterations."),
            A("out_dir", .optional(.string), "None", "Copy logs to this directory."),
            A("out_suffix", .sequence(.string), "('.log.json', '.log', '.py')", "Files copied to out_dir."),
            A("keep_local", .bool, "True", "Keep the local copies when out_dir is set."),
            A("file_client_args", .optional(.dict), "None", "Storage backend."),
        ]),
        ComponentSchema("TensorboardLoggerHook", .loggerHook, "Writes TensorBoard event files (train/loss, learning_rate, val/top1_acc …).", args: loggerHookCommon + [
            A("log_dir", .optional(.string), "None", "Directory of the event files (default work_dir/tf_logs)."),
        ], tips: ["View with `tensorboard --logdir WORK_DIR/tf_logs`."]),
    ] + ["WandbLoggerHook", "MlflowLoggerHook", "PaviLoggerHook", "NeptuneLoggerHook", "DvcliveLoggerHook", "SegmindLoggerHook", "ClearMLLoggerHook"].map {
        ComponentSchema($0, .loggerHook, "mmcv logger \($0).", support: .unsupported("needs a web service; use TextLoggerHook or TensorboardLoggerHook"))
    }
}
