/// Renders a config as strict JSON in the config's key order: tuples as arrays, None as null, integer keys as
/// strings, floats as Python writes them (`1e-05`). JSON has no inf or nan: they are written as the strings
/// `"Infinity"`, `"-Infinity"` and `"NaN"` (Python's `json.dumps` writes the bare words, which no strict parser
/// reads; see docs/differences.md).
public enum JSONText {
    public static func render(_ v: ConfigValue, indent: Int? = 2) -> String {
        var out = ""
        write(v, level: 0, indent: indent, into: &out)
        return out
    }

    public static func render(_ root: ConfigDict, indent: Int? = 2) -> String {
        render(ConfigValue(.dict(root)), indent: indent)
    }

    private static func write(_ v: ConfigValue, level: Int, indent: Int?, into out: inout String) {
        let newline = indent.map { "\n" + String(repeating: " ", count: $0 * (level + 1)) } ?? ""
        let closing = indent.map { "\n" + String(repeating: " ", count: $0 * level) } ?? ""
        let separator = indent == nil ? ", " : ","
        switch v.content {
        case .none: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .float(let f):
            if f.isNaN { out += "\"NaN\"" } else if f.isInfinite { out += f < 0 ? "\"-Infinity\"" : "\"Infinity\"" }
            else { out += PythonText.float(f) }
        case .string(let s): out += string(s)
        case .list(let a), .tuple(let a):
            if a.isEmpty { out += "[]"; return }
            out += "["
            for (k, item) in a.enumerated() {
                if k > 0 { out += separator }
                out += newline
                write(item, level: level + 1, indent: indent, into: &out)
            }
            out += closing + "]"
        case .dict(let d):
            if d.isEmpty { out += "{}"; return }
            out += "{"
            for (k, e) in d.entries.enumerated() {
                if k > 0 { out += separator }
                out += newline + string(e.key.description) + ": "
                write(e.value, level: level + 1, indent: indent, into: &out)
            }
            out += closing + "}"
        }
    }

    /// A JSON string literal (UTF-8 kept; quotes, backslashes and control characters escaped).
    public static func string(_ s: String) -> String {
        // Most strings need no escape: copy them whole (a 100 MB string is then printed in well under a second).
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            return "\"" + s + "\""
        }
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
