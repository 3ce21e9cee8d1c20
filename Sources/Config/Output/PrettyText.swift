/// Renders a config as mm-style Python text, like mmcv's `Config.pretty_text`: one `key = value` line per
/// top-level key, dicts as `dict(k=v, …)` (or `dict({'k': v})` when a key is not an identifier), calls and
/// displays broken one item per line when they would pass 79 columns.
///
/// The layout is Reel's own (mmcv re-flows its text with yapf; SEMANTICS.md §1.9 calls the layout
/// non-normative). What matters, and what the tests check, is that the text parses back to an equal config.
/// Strings are escaped properly (mmcv does not escape embedded quotes; see docs/differences.md).
public enum PrettyText {
    public static let width = 79
    static let indentUnit = "    "

    public static func render(_ root: ConfigDict) -> String {
        var out = ""
        for entry in root {
            let key = entry.key.description
            out += key + " = " + format(entry.value, indent: 0, used: key.count + 3) + "\n"
        }
        return out
    }

    /// One value as a Python expression on one line.
    public static func inline(_ v: ConfigValue) -> String {
        switch v.content {
        case .none, .bool, .int, .string: return PythonText.repr(v)
        case .float(let f):
            if f.isNaN { return "float('nan')" }
            if f.isInfinite { return f < 0 ? "float('-inf')" : "float('inf')" }
            return PythonText.float(f)
        case .list(let a): return "[" + a.map(inline).joined(separator: ", ") + "]"
        case .tuple(let a): return a.count == 1 ? "(\(inline(a[0])),)" : "(" + a.map(inline).joined(separator: ", ") + ")"
        case .dict(let d):
            if usesKeywords(d) {
                return "dict(" + d.entries.map { "\($0.key)=\(inline($0.value))" }.joined(separator: ", ") + ")"
            }
            return "dict({" + d.entries.map { "\(PythonText.key($0.key)): \(inline($0.value))" }
                .joined(separator: ", ") + "})"
        }
    }

    /// A dict can be written `dict(k=v)` when every key is a string that is a Python identifier.
    static func usesKeywords(_ d: ConfigDict) -> Bool {
        d.entries.allSatisfy { $0.key.stringValue.map(PythonText.isIdentifier) ?? false }
    }

    /// `used` is how many columns the current line already holds before the value starts.
    static func format(_ v: ConfigValue, indent: Int, used: Int) -> String {
        // Every value prints at least one character, so one with more values than the line has room for cannot
        // fit: skip building its one-line text (which would make printing a big config quadratic).
        let flat = v.metrics.nodes > width ? nil : inline(v)
        if let flat, used + flat.count <= width { return flat }
        let inner = String(repeating: indentUnit, count: indent + 1)
        let closeIndent = String(repeating: indentUnit, count: indent)
        func items(_ parts: [(prefix: String, value: ConfigValue)]) -> String {
            parts.map { p in
                inner + p.prefix + format(p.value, indent: indent + 1, used: inner.count + p.prefix.count + 1) + ","
            }.joined(separator: "\n")
        }
        switch v.content {
        case .list(let a) where !a.isEmpty:
            return "[\n" + items(a.map { ("", $0) }) + "\n" + closeIndent + "]"
        case .tuple(let a) where !a.isEmpty:
            return "(\n" + items(a.map { ("", $0) }) + "\n" + closeIndent + ")"
        case .dict(let d) where !d.isEmpty:
            if usesKeywords(d) {
                return "dict(\n" + items(d.entries.map { ("\($0.key)=", $0.value) }) + "\n" + closeIndent + ")"
            }
            return "dict({\n" + items(d.entries.map { (PythonText.key($0.key) + ": ", $0.value) }) + "\n"
                + closeIndent + "})"
        default:
            return flat ?? inline(v)   // a long string or number: nothing to break
        }
    }
}
