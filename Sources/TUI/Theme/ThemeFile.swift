/// The TOML subset theme files use: `[table]` headers, `key = "string" | true | false | integer`, `#` comments.
/// Colours: `"default"`, `"#rrggbb"`, `"color123"` (xterm index) or an ANSI name (`"red"`, `"brightblue"`).
public enum ThemeFile {
    static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    public static func parse(_ text: String, name: String, file: String) throws -> Theme {
        var styles: [String: Style] = [:]
        var table: String?
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = stripComment(String(raw)).trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            func fail(_ m: String) -> ThemeError { ThemeError(file: file, line: n + 1, message: m) }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw fail("unclosed table header") }
                let t = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                guard Theme.keys.contains(t) else { throw fail("unknown style '\(t)' (styles: \(Theme.keys.joined(separator: ", ")))") }
                table = t
                styles[t] = styles[t] ?? Style()
                continue
            }
            guard let eq = line.firstIndex(of: "=") else { throw fail("expected key = value") }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard let t = table else { throw fail("'\(key)' is outside a [style] table") }
            var s = styles[t]!
            switch key {
            case "fg", "bg":
                guard value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 else { throw fail("\(t).\(key) must be a quoted colour") }
                guard let c = color(String(value.dropFirst().dropLast())) else {
                    throw fail("\(t).\(key): '\(value.dropFirst().dropLast())' is not a colour (#rrggbb, colorN, a name or default)")
                }
                if key == "fg" { s.fg = c } else { s.bg = c }
            case "bold", "dim", "underline", "reverse":
                guard value == "true" || value == "false" else { throw fail("\(t).\(key) must be true or false") }
                let b = value == "true"
                switch key { case "bold": s.bold = b; case "dim": s.dim = b; case "underline": s.underline = b; default: s.reverse = b }
            default: throw fail("unknown key '\(t).\(key)' (keys: fg, bg, bold, dim, underline, reverse)")
            }
            styles[t] = s
        }
        for k in Theme.keys where styles[k] == nil { styles[k] = Theme.fallback[k] }
        return Theme(name: name, styles: styles)
    }

    static func stripComment(_ s: String) -> String {
        var inString = false
        for (i, c) in s.enumerated() {
            if c == "\"" { inString.toggle() }
            if c == "#" && !inString { return String(s.prefix(i)) }
        }
        return s
    }

    public static func color(_ s: String) -> Color? {
        let v = s.lowercased()
        if v == "default" { return .default }
        if v.hasPrefix("#"), v.count == 7, let n = UInt32(v.dropFirst(), radix: 16) {
            return .rgb(UInt8(n >> 16), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF))
        }
        if v.hasPrefix("color"), let i = UInt8(v.dropFirst(5)) { return .indexed(i) }
        if let i = names.firstIndex(of: v) { return .indexed(UInt8(i)) }
        if v.hasPrefix("bright"), let i = names.firstIndex(of: String(v.dropFirst(6))) { return .indexed(UInt8(i + 8)) }
        return nil
    }
}
