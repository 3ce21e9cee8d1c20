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

/// An insertion-ordered dictionary of config values (Python 3.7+ dict / mmcv ConfigDict order), with the origin
/// of every key. Lookup is O(1) through an index kept beside the ordered entries once there are more than 8 of
/// them; a small dict (most of a config's) is searched in place, saving a hash table per dict.
public struct ConfigDict: Sendable, Equatable, Sequence {
    public struct Entry: Sendable, Equatable {
        public var key: ConfigKey
        public var value: ConfigValue
        /// Where the key is spelled (`type=` or `'type':`), or where the `**name` that brought it in is.
        public var keyOrigin: Origin

        public init(key: ConfigKey, value: ConfigValue, keyOrigin: Origin) {
            self.key = key
            self.value = value
            self.keyOrigin = keyOrigin
        }
        public static func == (l: Entry, r: Entry) -> Bool { l.key == r.key && l.value == r.value }
    }

    public private(set) var entries: [Entry] = []
    /// Key → position; empty exactly when there are at most `linearLimit` entries.
    private var index: [ConfigKey: Int] = [:]
    private static let linearLimit = 8
    /// Sums over the entries (values plus key text) and the deepest value, for `ValueMetrics` of the dict.
    private(set) var nodeSum = 0, textSum = 0, maxDepth = 0

    public init() {}
    public init(_ entries: [Entry]) {
        for e in entries { set(e.key, e.value, keyOrigin: e.keyOrigin) }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [ConfigKey] { entries.map(\.key) }
    public func makeIterator() -> IndexingIterator<[Entry]> { entries.makeIterator() }

    private func position(of key: ConfigKey) -> Int? {
        if index.isEmpty { return entries.firstIndex { $0.key == key } }
        return index[key]
    }

    public subscript(key: ConfigKey) -> ConfigValue? { position(of: key).map { entries[$0].value } }
    public subscript(key: String) -> ConfigValue? { self[.string(key)] }
    public func entry(_ key: ConfigKey) -> Entry? { position(of: key).map { entries[$0] } }
    public func contains(_ key: ConfigKey) -> Bool { position(of: key) != nil }

    /// Sets a value; an existing key keeps its position (Python dict semantics), a new key goes last.
    public mutating func set(_ key: ConfigKey, _ value: ConfigValue, keyOrigin: Origin? = nil) {
        if let i = position(of: key) {
            let old = entries[i].value.metrics
            entries[i].value = value
            if let keyOrigin { entries[i].keyOrigin = keyOrigin }
            nodeSum += value.metrics.nodes - old.nodes
            textSum += value.metrics.text - old.text
            if value.metrics.depth >= maxDepth { maxDepth = value.metrics.depth } else if old.depth == maxDepth {
                recountDepth()
            }
        } else {
            entries.append(Entry(key: key, value: value, keyOrigin: keyOrigin ?? value.origin))
            if entries.count > Self.linearLimit {
                if index.isEmpty {
                    for (j, e) in entries.enumerated() { index[e.key] = j }
                } else {
                    index[key] = entries.count - 1
                }
            }
            add(key, value.metrics)
        }
    }

    private mutating func add(_ key: ConfigKey, _ m: ValueMetrics) {
        nodeSum += m.nodes
        textSum += m.text + (key.stringValue?.utf8.count ?? 0)
        maxDepth = Swift.max(maxDepth, m.depth)
    }

    private mutating func recountDepth() {
        maxDepth = entries.reduce(0) { Swift.max($0, $1.value.metrics.depth) }
    }

    private mutating func recount() {
        nodeSum = 0; textSum = 0; maxDepth = 0
        for e in entries { add(e.key, e.value.metrics) }
    }

    @discardableResult
    public mutating func remove(_ key: ConfigKey) -> ConfigValue? {
        guard let i = position(of: key) else { return nil }
        let v = entries.remove(at: i).value
        if entries.count <= Self.linearLimit {
            index = [:]
        } else {
            index[key] = nil
            for j in i..<entries.count { index[entries[j].key] = j }
        }
        nodeSum -= v.metrics.nodes
        textSum -= v.metrics.text + (key.stringValue?.utf8.count ?? 0)
        if v.metrics.depth == maxDepth { recountDepth() }
        return v
    }

    mutating func mapEntries(_ body: (inout Entry) -> Void) {
        for i in entries.indices { body(&entries[i]) }
        recount()
    }

    public static func == (l: ConfigDict, r: ConfigDict) -> Bool { l.entries == r.entries }
}

/// A value's nesting depth (0 for a scalar), its logical size in values (every appearance of a shared value counts)
/// and its string text in UTF-8 bytes (dict keys included). Packed in one word, each part saturating far above its
/// limit in `ConfigLimits`, so keeping it on every value costs 8 bytes.
struct ValueMetrics: Sendable, Equatable {
    private var bits: UInt64
    private static let countBits: UInt64 = 28
    private static let countMask: UInt64 = (1 << countBits) - 1
    static let countCap = Int(countMask)

    init(depth: Int, nodes: Int, text: Int) {
        bits = UInt64(min(max(depth, 0), 255)) | UInt64(min(max(nodes, 0), Self.countCap)) << 8
            | UInt64(min(max(text, 0), Self.countCap)) << (8 + Self.countBits)
    }

    var depth: Int { Int(bits & 0xFF) }
    var nodes: Int { Int((bits >> 8) & Self.countMask) }
    var text: Int { Int((bits >> (8 + Self.countBits)) & Self.countMask) }

    init(_ content: ConfigValue.Content) {
        switch content {
        case .none, .bool, .int, .float: self.init(depth: 0, nodes: 1, text: 0)
        case .string(let s): self.init(depth: 0, nodes: 1, text: s.utf8.count)
        case .list(let a), .tuple(let a): self.init(elements: a)
        case .dict(let d): self.init(depth: 1 + d.maxDepth, nodes: 1 + d.nodeSum, text: d.textSum)
        }
    }

    init(elements a: [ConfigValue]) {
        var depth = 0, nodes = 1, text = 0
        for v in a {
            let m = v.metrics
            depth = max(depth, m.depth); nodes += m.nodes; text += m.text
        }
        self.init(depth: depth + 1, nodes: nodes, text: text)
    }
}
