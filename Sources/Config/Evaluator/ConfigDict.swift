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
