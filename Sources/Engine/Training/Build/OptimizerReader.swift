import Config
import EngineCore
import EngineData

/// Reads the config's `optimizer = dict(type=…, lr=…, constructor=…, paramwise_cfg=…)` into an `OptimizerSpec`
/// (SEMANTICS.md §4.1, §4.3, §4.4). Errors are located `ConfigError`s.
public enum OptimizerReader {
    public static func read(_ value: ConfigValue, files: SourceFiles, log: ReadLog? = nil) throws -> OptimizerSpec {
        let reader = try ConfigReader(value, name: "optimizer", files: files, log: log)
        let typeName = try reader.string("type")
        guard let kind = Optimizer.Kind(rawValue: typeName) else {
            throw reader.error("optimizer '\(typeName)' is not supported by Reel (supported: SGD, Adam, AdamW)", key: "type")
        }
        let c = reader.as(typeName)
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
        let wdGiven = c.dict["weight_decay"].map { !$0.isNone } ?? false
        let baseWD = try c.double("weight_decay", kind == .adamW ? 0.01 : 0)
        var template = ParamGroup(parameters: [], lr: lr, weightDecay: baseWD)
        if kind == .sgd {
            template.momentum = try c.double("momentum", 0)
            template.dampening = try c.double("dampening", 0)
            template.nesterov = try c.bool("nesterov", false)
            if template.nesterov && (template.momentum <= 0 || template.dampening != 0) {
                throw c.error("nesterov momentum requires a momentum and zero dampening", key: "nesterov")
            }
        } else {
            let betas = try c.doubles("betas", [0.9, 0.999])
            guard betas.count == 2 else { throw c.error("betas must be two numbers", key: "betas") }
            template.betas = (betas[0], betas[1])
            template.eps = try c.double("eps", 1e-8)
            template.amsgrad = try c.bool("amsgrad", false)
        }

        let constructor = try c.require("constructor", in: ["DefaultOptimizerConstructor", "TSMOptimizerConstructor"],
                                        default: "DefaultOptimizerConstructor")
        let paramwise = try c.sub("paramwise_cfg")?.as("paramwise_cfg")
        let grouping: OptimizerSpec.Grouping
        if constructor == "TSMOptimizerConstructor" {
            guard let paramwise, paramwise.dict["fc_lr5"].map({ !$0.isNone }) ?? false else {
                throw c.error("TSMOptimizerConstructor needs paramwise_cfg=dict(fc_lr5=True|False)")
            }
            grouping = .tsm(fcLR5: try paramwise.bool("fc_lr5", false))
        } else if let paramwise, !paramwise.dict.isEmpty {
            grouping = .paramwise(try readParamwise(paramwise, hasWeightDecay: wdGiven))
        } else {
            grouping = .single
        }
        return OptimizerSpec(kind: kind, template: template, grouping: grouping, hasWeightDecay: wdGiven)
    }

    static func readParamwise(_ cfg: ConfigReader, hasWeightDecay: Bool) throws -> OptimizerSpec.Paramwise {
        var p = OptimizerSpec.Paramwise()
        p.biasLR = try cfg.double("bias_lr_mult", 1)
        p.biasDecay = try cfg.double("bias_decay_mult", 1)
        p.normDecay = try cfg.double("norm_decay_mult", 1)
        p.dwDecay = try cfg.double("dwconv_decay_mult", 1)
        cfg.accepts("dcn_offset_lr_mult", "bypass_duplicate", as: .inert("Reel's models have no deformable convolutions and share no parameters"))
        for key in ["bias_decay_mult", "norm_decay_mult", "dwconv_decay_mult"] where cfg.has(key) && !hasWeightDecay {
            throw cfg.error("\(key) needs weight_decay in the optimizer", key: key)
        }
        if let ck = try cfg.sub("custom_keys") {
            for e in ck.dict {
                let r = try cfg.reader(e.value, name: "custom_keys['\(e.key)']", component: "custom_keys")
                p.customKeys.append((e.key.description, try r.double("lr_mult", 1), try r.double("decay_mult", 1)))
            }
        }
        // Longest key first; ties alphabetically.
        p.customKeys.sort { $0.key.count != $1.key.count ? $0.key.count > $1.key.count : $0.key < $1.key }
        return p
    }
}

extension OptimizerBuilder {
    /// Reads and builds `optimizer` in one go (tools and tests; training reads its spec once in `RunSpec`).
    public static func build(_ value: ConfigValue, model: any Module, files: SourceFiles) throws -> Optimizer {
        try build(try OptimizerReader.read(value, files: files), model: model)
    }
}
