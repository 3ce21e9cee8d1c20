/// An optimizer as read from the config's `optimizer = dict(type=…, lr=…, constructor=…, paramwise_cfg=…)`
/// (Build/OptimizerReader): the kind, the hyper-parameters of every group, and how the groups are formed.
public struct OptimizerSpec {
    /// How parameters are grouped (SEMANTICS.md §4.3, §4.4).
    public enum Grouping: Sendable {
        /// One group of every parameter.
        case single
        /// mmcv's DefaultOptimizerConstructor with a non-empty `paramwise_cfg`: one group per parameter.
        case paramwise(Paramwise)
        /// mmaction2's TSMOptimizerConstructor.
        case tsm(fcLR5: Bool)
    }

    /// `paramwise_cfg` multipliers; `customKeys` sorted longest first (ties alphabetically), as mmcv matches them.
    public struct Paramwise: Sendable {
        public var biasLR = 1.0, biasDecay = 1.0, normDecay = 1.0, dwDecay = 1.0
        public var customKeys: [(key: String, lr: Double, decay: Double)] = []
        public init() {}
    }

    public var kind: Optimizer.Kind
    /// The hyper-parameters every group starts from (no parameters yet).
    public var template: ParamGroup
    public var grouping: Grouping
    /// Whether the config gives `weight_decay` (the decay multipliers apply only then).
    public var hasWeightDecay: Bool

    public init(kind: Optimizer.Kind, template: ParamGroup, grouping: Grouping, hasWeightDecay: Bool) {
        self.kind = kind; self.template = template; self.grouping = grouping; self.hasWeightDecay = hasWeightDecay
    }
}
