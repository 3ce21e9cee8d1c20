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
