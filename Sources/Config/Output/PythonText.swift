/// Python's `repr`/`str` for config values, written from the language's documented rules: floats in the shortest
/// form that reads back exactly (`0.0001`, `1e-05`, `100.0`), strings quoted as Python quotes them.
public enum PythonText {
    public static func repr(_ v: ConfigValue) -> String {
        switch v.content {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .float(let f): return float(f)
        case .string(let s): return string(s)
        case .list(let a): return "[" + a.map(repr).joined(separator: ", ") + "]"
        case .tuple(let a): return a.count == 1 ? "(\(repr(a[0])),)" : "(" + a.map(repr).joined(separator: ", ") + ")"
        case .dict(let d):
            return "{" + d.entries.map { "\(key($0.key)): \(repr($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    /// `str(v)`: strings unquoted, everything else as `repr`.
    public static func str(_ v: ConfigValue) -> String {
        if case .string(let s) = v.content { return s }
        return repr(v)
    }

    public static func key(_ k: ConfigKey) -> String {
        switch k {
        case .string(let s): return string(s)
        case .int(let i): return String(i)
        }
    }

    /// Python 3 `repr(float)`: shortest round-trip digits; scientific notation when the decimal exponent is below
    /// -4 or at least 16; always a `.0` or an exponent so it reads back as a float.
    public static func float(_ f: Double) -> String {
        if f.isNaN { return "nan" }
        if f.isInfinite { return f < 0 ? "-inf" : "inf" }
        if f == 0 { return f.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description also gives the shortest round-trip digits; only the layout differs.
        let (negative, digits, exponent) = decompose(f)
        let sign = negative ? "-" : ""
        // `exponent` is the power of ten of the first digit.
        if exponent < -4 || exponent >= 16 {
            var mantissa = String(digits.first!)
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let e = exponent < 0 ? "-" + pad2(-exponent) : "+" + pad2(exponent)
            return "\(sign)\(mantissa)e\(e)"
        }
        if exponent < 0 {
            return sign + "0." + String(repeating: "0", count: -exponent - 1) + digits
        }
        let intCount = exponent + 1
        if digits.count <= intCount {
            return sign + digits + String(repeating: "0", count: intCount - digits.count) + ".0"
        }
        return sign + String(digits.prefix(intCount)) + "." + String(digits.dropFirst(intCount))
    }

    private static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }

    /// Significant digits (no leading/trailing zeros) and the decimal exponent of the first one.
    private static func decompose(_ f: Double) -> (Bool, String, Int) {
        var text = f.magnitude.description          // e.g. "0.0001", "1e-05", "123.5", "1.2e+16"
        var exp = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exp = Int(text[text.index(after: e)...])!
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0])
        let fracPart = parts.count > 1 ? String(parts[1]) : ""
        var all = intPart + fracPart
        var pointPos = intPart.count                  // digits before the decimal point
        while all.hasPrefix("0") && all.count > 1 { all.removeFirst(); pointPos -= 1 }
        while all.hasSuffix("0") && all.count > 1 { all.removeLast() }
        return (f < 0, all, pointPos - 1 + exp)
    }

    /// Python's `repr(str)`: single quotes unless the text has a single quote and no double quote.
    public static func string(_ s: String) -> String {
        let bytes = s.utf8
        let hasSingle = bytes.contains(UInt8(ascii: "'")), hasDouble = bytes.contains(UInt8(ascii: "\""))
        let quote: Character = hasSingle && !hasDouble ? "\"" : "'"
        // Fast path: nothing to escape (no backslash, control character or the chosen quote): copy it whole.
        if !(hasSingle && hasDouble), !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\\") }) {
            return String(quote) + s + String(quote)
        }
        var out = String(quote)
        for u in s.unicodeScalars {
            switch u {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(u) == quote {
                    out += "\\" + String(quote)
                } else if u.value < 0x20 || u.value == 0x7F {
                    out += "\\x" + (u.value < 0x10 ? "0" : "") + String(u.value, radix: 16)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out.append(quote)
        return out
    }

    /// Whether `s` is a valid Python identifier that is not a keyword (so it can be a `dict(key=…)` keyword).
    public static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first == "_" || first.properties.isXIDStart else { return false }
        guard s.unicodeScalars.dropFirst().allSatisfy({ $0 == "_" || $0.properties.isXIDContinue }) else { return false }
        return !Lexer.keywords.contains(s)
    }
}
