/// The families of config components Reel knows (what a `type=` names in each place).
public enum ComponentKind: String, Sendable, CaseIterable {
    case recognizer, backbone, neck, head, loss, blending, optimizer, lrPolicy, hook, loggerHook, dataset, pipelineStep
    /// A dict without `type`, whose keys are fixed (`checkpoint_config`, `evaluation`, `data`, …).
    case section

    /// How a user would call one in a sentence.
    public var noun: String {
        switch self {
        case .recognizer: return "model"
        case .backbone: return "backbone"
        case .neck: return "neck"
        case .head: return "head"
        case .loss: return "loss"
        case .blending: return "blending"
        case .optimizer: return "optimizer"
        case .lrPolicy: return "lr_config policy"
        case .hook: return "hook"
        case .loggerHook: return "logger hook"
        case .dataset: return "dataset"
        case .pipelineStep: return "pipeline step"
        case .section: return "section"
        }
    }
}

/// The values an argument accepts. `float` accepts ints too (as Python does); `int` does not accept bools.
public indirect enum ArgType: Sendable, Equatable {
    case any, bool, int, float, string, none
    case optional(ArgType)
    case oneOf([ArgType])
    case list(ArgType)
    case tuple(ArgType)
    /// A list or a tuple.
    case sequence(ArgType)
    /// One of these strings.
    case choice([String])
    /// Any dict.
    case dict
    /// A dict whose `type` (or `policy`) names a component of this kind.
    case component(ComponentKind)
    /// A list of such dicts.
    case components(ComponentKind)
    /// A dict with the fixed keys of the named section.
    case section(String)

    /// "an int", "a list of ints", "'loop' or 'repeat_last'", … for error messages and help.
    public var phrase: String {
        switch self {
        case .any: return "any value"
        case .bool: return "a bool"
        case .int: return "an int"
        case .float: return "a number"
        case .string: return "a string"
        case .none: return "None"
        case .optional(let t): return t.phrase + " or None"
        case .oneOf(let ts): return ts.map(\.phrase).joined(separator: " or ")
        case .list(let t): return "a list of " + t.plural
        case .tuple(let t): return "a tuple of " + t.plural
        case .sequence(let t): return "a list or tuple of " + t.plural
        case .choice(let options): return "one of " + options.map { "'\($0)'" }.joined(separator: ", ")
        case .dict: return "a dict"
        case .component(let k): return "a \(k.noun) dict(type=…)"
        case .components(let k): return "a list of \(k.noun) dicts"
        case .section(let s): return "a \(s) dict"
        }
    }

    var plural: String {
        switch self {
        case .int: return "ints"
        case .float: return "numbers"
        case .string: return "strings"
        case .bool: return "bools"
        default: return "(\(phrase))"
        }
    }
}

/// One argument of a component: name, accepted values, default (as Python text; nil = required) and a one-line doc.
public struct ArgSchema: Sendable, Equatable {
    public var name: String
    public var type: ArgType
    /// The default as Python source (`'auto'`, `(1, 5)`, `None`); nil when the argument is required.
    public var defaultText: String?
    public var doc: String
    public var isRequired: Bool { defaultText == nil }

    public init(_ name: String, _ type: ArgType, _ defaultText: String?, _ doc: String) {
        self.name = name
        self.type = type
        self.defaultText = defaultText
        self.doc = doc
    }
}

/// What Reel knows of one component (a model part, a hook, a pipeline step, …) or of one top-level section.
public struct ComponentSchema: Sendable, Equatable {
    /// Whether Reel implements it.
    public enum Support: Sendable, Equatable {
        case supported
        /// A known mmaction2/mmcv component Reel does not implement (yet): a warning, not an error.
        case unsupported(String)
    }
    public var name: String
    public var kind: ComponentKind
    public var doc: String
    public var args: [ArgSchema]
    /// Practical advice shown in the dashboard's help pane.
    public var tips: [String]
    public var support: Support
    /// Keys beyond `args` are passed through (e.g. forwarded to another function); not checked.
    public var acceptsExtraArgs: Bool

    public init(_ name: String, _ kind: ComponentKind, _ doc: String, args: [ArgSchema] = [], tips: [String] = [],
                support: Support = .supported, acceptsExtraArgs: Bool = false) {
        self.name = name
        self.kind = kind
        self.doc = doc
        self.args = args
        self.tips = tips
        self.support = support
        self.acceptsExtraArgs = acceptsExtraArgs
    }

    public func arg(_ name: String) -> ArgSchema? { args.first { $0.name == name } }

    /// The key that names the component: `policy` for LR policies, `type` elsewhere.
    public var typeKey: String { kind == .lrPolicy ? "policy" : "type" }
}

/// Help for one field of a config: the component or section it belongs to and, for a key, its argument.
public struct FieldHelp: Sendable, Equatable {
    public var component: ComponentSchema?
    public var arg: ArgSchema?
    /// The type the value at this position must have.
    public var expected: ArgType
}

extension ArgType {
    /// Whether `value` has this type, looking inside lists and tuples (not into component dicts): the editor's
    /// validation as you type.
    public func accepts(_ value: ConfigValue) -> Bool {
        switch (self, value.content) {
        case (.any, _), (.bool, .bool), (.int, .int), (.float, .int), (.float, .float), (.string, .string), (.none, .none),
             (.dict, .dict), (.component, .dict), (.section, .dict):
            return true
        case (.optional(let inner), _): return value.isNone || inner.accepts(value)
        case (.oneOf(let options), _): return options.contains { $0.accepts(value) }
        case (.list(let inner), .list(let items)), (.tuple(let inner), .tuple(let items)), (.sequence(let inner), .list(let items)),
             (.sequence(let inner), .tuple(let items)):
            return items.allSatisfy(inner.accepts)
        case (.components, .list(let items)), (.components, .tuple(let items)):
            return items.allSatisfy { if case .dict = $0.content { true } else { false } }
        case (.choice(let options), .string(let s)): return options.contains(s)
        default: return false
        }
    }

    /// The allowed strings of a choice (also inside an optional).
    public var choices: [String]? {
        switch self {
        case .choice(let c): c
        case .optional(let inner): inner.choices
        default: nil
        }
    }
}
