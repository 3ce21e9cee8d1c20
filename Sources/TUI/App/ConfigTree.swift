import Config

/// One visible row of the Config screen's tree.
public struct TreeRow: Equatable, Sendable {
    public var path: [String]
    public var depth: Int
    public var key: String
    /// The value as Python text for scalars, a summary for dicts and lists.
    public var value: String
    public var isContainer: Bool
    public var isExpanded: Bool
    /// `base.py:12`, or nil for values Reel made.
    public var origin: String?
    public var fromBase: Bool
}

/// Flattens a resolved config into rows, descending into the expanded dicts and lists.
public enum ConfigTree {
    public static func rows(_ root: ConfigDict, expanded: Set<[String]>) -> [TreeRow] {
        var out: [TreeRow] = []
        func visit(_ v: ConfigValue, key: String, path: [String], depth: Int) {
            let open = expanded.contains(path)
            var row = TreeRow(path: path, depth: depth, key: key, value: "", isContainer: false, isExpanded: open,
                              origin: v.origin.location == nil && v.origin.source != .cfgOptions ? nil : v.origin.shortDescription,
                              fromBase: v.origin.source == .base)
            switch v.content {
            case .dict(let d):
                row.isContainer = true
                let type = d["type"]?.string ?? d["policy"]?.string
                row.value = (type.map { "\($0) " } ?? "") + "{\(d.count) key\(d.count == 1 ? "" : "s")}"
                out.append(row)
                if open { for e in d { visit(e.value, key: e.key.description, path: path + [e.key.description], depth: depth + 1) } }
            case .list(let items), .tuple(let items):
                let scalar = items.allSatisfy { !$0.isContainerValue }
                if scalar && PrettyText.inline(v).count <= 60 {
                    row.value = PrettyText.inline(v)
                    out.append(row)
                } else {
                    row.isContainer = true
                    row.value = "[\(items.count) item\(items.count == 1 ? "" : "s")]"
                    out.append(row)
                    if open {
                        for (i, item) in items.enumerated() {
                            let label = item.dictValue?["type"]?.string.map { "\(i): \($0)" } ?? "\(i)"
                            visit(item, key: label, path: path + [String(i)], depth: depth + 1)
                        }
                    }
                }
            default:
                row.value = PrettyText.inline(v)
                out.append(row)
            }
        }
        for e in root { visit(e.value, key: e.key.description, path: [e.key.description], depth: 0) }
        return out
    }
}

extension ConfigValue {
    var isContainerValue: Bool {
        switch content { case .dict, .list, .tuple: true; default: false }
    }
    var dictValue: ConfigDict? { if case .dict(let d) = content { d } else { nil } }
}
