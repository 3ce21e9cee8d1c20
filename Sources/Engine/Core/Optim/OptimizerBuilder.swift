/// Builds an `Optimizer` over a model's parameters from its spec (read by Build/OptimizerReader): mmcv's
/// DefaultOptimizerConstructor (with `paramwise_cfg`) or mmaction2's TSMOptimizerConstructor
/// (SEMANTICS.md §4.1, §4.3, §4.4).
public enum OptimizerBuilder {
    public static func build(_ spec: OptimizerSpec, model: any Module) throws -> Optimizer {
        let groups: [ParamGroup]
        switch spec.grouping {
        case .tsm(let fcLR5):
            groups = try ParamGroupBuilder.tsm(model: model, template: spec.template, fcLR5: fcLR5)
        case .paramwise(let cfg):
            groups = ParamGroupBuilder.paramwise(model: model, template: spec.template, cfg: cfg, hasWeightDecay: spec.hasWeightDecay)
        case .single:
            var g = spec.template
            g.parameters = model.namedParameters().map { (name: $0.0, parameter: $0.1) }
            groups = [g]
        }
        return Optimizer(kind: spec.kind, groups: groups)
    }
}

/// A model the TSM constructor cannot group (a parameter in a module of no known kind).
public struct OptimizerBuildError: Error, CustomStringConvertible {
    public var description: String
}
