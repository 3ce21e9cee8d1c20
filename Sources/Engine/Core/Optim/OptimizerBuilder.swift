import Config

/// Builds an `Optimizer` from the config's `optimizer = dict(type=…, lr=…, constructor=…, paramwise_cfg=…)`:
/// mmcv's DefaultOptimizerConstructor (with `paramwise_cfg`) or mmaction2's TSMOptimizerConstructor
/// (SEMANTICS.md §4.1, §4.3, §4.4). Errors are located `ConfigError`s.
public enum OptimizerBuilder {
    public static func build(_ value: ConfigValue, model: any Module, files: SourceFiles) throws -> Optimizer {
        let c = try ConfigReader(value, name: "optimizer", files: files)
        let typeName = try c.string("type")
        guard let kind = Optimizer.Kind(rawValue: typeName) else {
            throw c.error("optimizer '\(typeName)' is not supported by Reel (supported: SGD, Adam, AdamW)", key: "type")
        }
        let known: Set<String> = {
            switch kind {
            case .sgd: return ["type", "lr", "momentum", "dampening", "weight_decay", "nesterov", "constructor", "paramwise_cfg"]
            case .adam, .adamW: return ["type", "lr", "betas", "eps", "weight_decay", "amsgrad", "constructor", "paramwise_cfg"]
            }
        }()
        for e in c.dict where !known.contains(e.key.description) {
            throw files.error("\(typeName) has no argument '\(e.key)'", at: e.keyOrigin)
        }
        let lr = kind == .sgd ? try c.double("lr") : try c.double("lr", 1e-3)
        let wdGiven = c.has("weight_decay")
        let baseWD = try c.double("weight_decay", kind == .adamW ? 0.01 : 0)
        var template = ParamGroup(parameters: [], lr: lr, weightDecay: baseWD)
        template.momentum = try c.double("momentum", 0)
        template.dampening = try c.double("dampening", 0)
        template.nesterov = try c.bool("nesterov", false)
        if template.nesterov && (template.momentum <= 0 || template.dampening != 0) {
            throw c.error("nesterov momentum requires a momentum and zero dampening", key: "nesterov")
        }
        let betas = try c.doubles("betas", [0.9, 0.999])
        guard betas.count == 2 else { throw c.error("betas must be two numbers", key: "betas") }
        template.betas = (betas[0], betas[1])
        template.eps = try c.double("eps", 1e-8)
        template.amsgrad = try c.bool("amsgrad", false)

        let constructor = try c.require("constructor", in: ["DefaultOptimizerConstructor", "TSMOptimizerConstructor"],
                                        default: "DefaultOptimizerConstructor")
        let paramwise = try c.sub("paramwise_cfg")
        let groups: [ParamGroup]
        if constructor == "TSMOptimizerConstructor" {
            guard let paramwise, paramwise.has("fc_lr5") else {
                throw c.error("TSMOptimizerConstructor needs paramwise_cfg=dict(fc_lr5=True|False)")
            }
            groups = try ParamGroupBuilder.tsm(model: model, template: template, fcLR5: try paramwise.bool("fc_lr5", false),
                                               reader: c)
        } else if let paramwise, !paramwise.dict.isEmpty {
            groups = try ParamGroupBuilder.paramwise(model: model, template: template, cfg: paramwise, hasWeightDecay: wdGiven)
        } else {
            var g = template
            g.parameters = model.namedParameters().map { (name: $0.0, parameter: $0.1) }
            groups = [g]
        }
        return Optimizer(kind: kind, groups: groups)
    }
}

