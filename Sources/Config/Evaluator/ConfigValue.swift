/// Where a value of the resolved config came from.
public struct Origin: Hashable, Sendable {
    /// Which kind of input defined the value.
    public enum Source: String, Hashable, Sendable {
        /// The config file that was loaded (the one the user named).
        case file
        /// A file reached through `_base_`.
        case base
        /// A `--cfg-options KEY=VALUE` token (the location points into that token).
        case cfgOptions
        /// Made by Reel itself (a default, an edit not yet written).
        case builtin
    }
    /// The text that produced the value. For a name reference (`pipeline=train_pipeline`) it is the definition
    /// the name refers to, so an edit changes the text where the value is written.
    public var location: SourceLocation?
    public var source: Source
    /// True for values that no single span of source text spells (an element produced by a comprehension or by
    /// `range()`): such a value cannot be edited in place, only the expression that generates it.
    public var isDerived: Bool

    public init(location: SourceLocation?, source: Source, isDerived: Bool = false) {
        self.location = location
        self.source = source
        self.isDerived = isDerived
    }

    public static let builtin = Origin(location: nil, source: .builtin)

    /// `base.py:12` style, for the editor's "from …" marks.
    public var shortDescription: String {
        guard let loc = location else { return source == .cfgOptions ? "--cfg-options" : "reel" }
        let name = loc.file.split(separator: "/").last.map(String.init) ?? loc.file
        return source == .cfgOptions ? "--cfg-options" : "\(name):\(loc.line)"
    }
}

/// A key of a config dict: mm configs use strings, and integers in a few maps (`flip_label_map={2: 4}`).
public enum ConfigKey: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral,
    ExpressibleByIntegerLiteral
{
    case string(String)
    case int(Int)

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }

    public var description: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        }
    }
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
}

/// One value of a resolved config, with the place it was defined.
///
/// The content mirrors what mmcv's `Config` holds after loading: None, bool, int, float, str, list, tuple and
/// ordered dicts. Equality (`==`) compares content only, exactly (an int 1 differs from a float 1.0), and ignores
/// origins.
public struct ConfigValue: Sendable, Equatable, CustomStringConvertible {
    public indirect enum Content: Sendable, Equatable {
        case none
        case bool(Bool)
        case int(Int)
        case float(Double)
        case string(String)
        case list([ConfigValue])
        case tuple([ConfigValue])
        case dict(ConfigDict)
    }
    public var content: Content { didSet { metrics = ValueMetrics(content) } }
    public var origin: Origin
    /// Logical depth and size, kept beside the content so every limit check is O(1) (see `ConfigLimits`).
    private(set) var metrics: ValueMetrics

    public init(_ content: Content, origin: Origin = .builtin) {
        self.content = content
        self.origin = origin
        self.metrics = ValueMetrics(content)
    }

    public static func == (l: ConfigValue, r: ConfigValue) -> Bool {
        switch (l.content, r.content) {
        case (.none, .none): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.float(let a), .float(let b)): return a == b || (a.isNaN && b.isNaN)
        case (.string(let a), .string(let b)): return a == b
        case (.list(let a), .list(let b)), (.tuple(let a), .tuple(let b)): return a == b
        case (.dict(let a), .dict(let b)): return a == b
        default: return false
        }
    }

    /// Python's `repr` of the value (dicts as `{'k': v}`).
    public var description: String { PythonText.repr(self) }

    /// The Python type name, for error messages.
    public var typeName: String {
        switch content {
        case .none: return "None"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        }
    }

    /// The type with an article, for sentences: "an int", "a str", "None".
    public var typeDescription: String {
        switch content {
        case .none: return "None"
        case .int: return "an int"
        default: return "a " + typeName
        }
    }

    public var dict: ConfigDict? { if case .dict(let d) = content { d } else { nil } }
    public var string: String? { if case .string(let s) = content { s } else { nil } }
    public var int: Int? { if case .int(let i) = content { i } else { nil } }
    public var bool: Bool? { if case .bool(let b) = content { b } else { nil } }
    /// A number as a Double (ints and floats; bools are not numbers here).
    public var number: Double? {
        switch content {
        case .int(let i): return Double(i)
        case .float(let f): return f
        default: return nil
        }
    }
    /// Elements of a list or tuple.
    public var elements: [ConfigValue]? {
        switch content {
        case .list(let a), .tuple(let a): return a
        default: return nil
        }
    }
    public var isNone: Bool { if case .none = content { true } else { false } }

    /// The value at a key path (`["data", "train", "pipeline", "0"]`); digit segments index lists and tuples.
    public func value(at path: [String]) -> ConfigValue? {
        var node = self
        for segment in path {
            switch node.content {
            case .dict(let d):
                guard let v = d[segment] ?? Int(segment).flatMap({ d[.int($0)] }) else { return nil }
                node = v
            case .list(let a), .tuple(let a):
                guard let i = Int(segment), i >= 0, i < a.count else { return nil }
                node = a[i]
            default:
                return nil
            }
        }
        return node
    }

    /// Python truthiness.
    var isTruthy: Bool {
        switch content {
        case .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .float(let f): return f != 0
        case .string(let s): return !s.isEmpty
        case .list(let a), .tuple(let a): return !a.isEmpty
        case .dict(let d): return !d.isEmpty
        }
    }

    /// A copy whose origin (and every nested origin) is replaced; used for values made by `--cfg-options`.
    func withOrigin(_ origin: Origin, recursive: Bool) -> ConfigValue {
        var v = self
        v.origin = origin
        guard recursive else { return v }
        switch content {
        case .list(let a): v.content = .list(a.map { $0.withOrigin(origin, recursive: true) })
        case .tuple(let a): v.content = .tuple(a.map { $0.withOrigin(origin, recursive: true) })
        case .dict(var d):
            d.mapEntries { $0.value = $0.value.withOrigin(origin, recursive: true); $0.keyOrigin = origin }
            v.content = .dict(d)
        default: break
        }
        return v
    }
}
