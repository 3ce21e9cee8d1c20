import Foundation

/// `int()`, `float()`, `str()`, `bool()`, `round()` and f-string format specs, as Python defines them.
extension Arithmetic {
    static func convert(_ name: String, _ v: ConfigValue, at o: Origin, fail: Fail) throws -> ConfigValue {
        switch name {
        case "int":
            switch v.content {
            case .int(let i): return ConfigValue(.int(i), origin: o)
            case .bool(let b): return ConfigValue(.int(b ? 1 : 0), origin: o)
            case .float(let f):
                guard f.isFinite, let i = Int(exactly: f.rounded(.towardZero)) else {
                    throw fail("cannot convert float \(PythonText.float(f)) to integer")
                }
                return ConfigValue(.int(i), origin: o)
            case .string(let s):
                let t = s.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "")
                guard let i = Int(t) else { throw fail("invalid literal for int() with base 10: \(PythonText.string(s))") }
                return ConfigValue(.int(i), origin: o)
            default: throw fail("int() argument must be a string or a number, not '\(v.typeName)'")
            }
        case "float":
            switch v.content {
            case .int(let i): return ConfigValue(.float(Double(i)), origin: o)
            case .bool(let b): return ConfigValue(.float(b ? 1 : 0), origin: o)
            case .float(let f): return ConfigValue(.float(f), origin: o)
            case .string(let s):
                let t = s.trimmingCharacters(in: .whitespaces).lowercased()
                let special: [String: Double] = ["inf": .infinity, "+inf": .infinity, "-inf": -.infinity,
                                                 "infinity": .infinity, "-infinity": -.infinity, "nan": .nan]
                guard let f = special[t] ?? Double(t.replacingOccurrences(of: "_", with: "")) else {
                    throw fail("could not convert string to float: \(PythonText.string(s))")
                }
                return ConfigValue(.float(f), origin: o)
            default: throw fail("float() argument must be a string or a number, not '\(v.typeName)'")
            }
        case "str": return ConfigValue(.string(PythonText.str(v)), origin: o)
        default: return ConfigValue(.bool(v.isTruthy), origin: o)
        }
    }

    /// `round(x)` → int with ties to even; `round(x, n)` → same type as x.
    static func round(_ v: ConfigValue, _ digits: ConfigValue?, at o: Origin, fail: Fail) throws -> ConfigValue {
        var n: Int? = nil
        if let digits, !digits.isNone {
            guard case .int(let d) = digits.content else { throw fail("round() ndigits must be an integer") }
            n = d
        }
        switch v.content {
        case .int, .bool:
            let i = v.int ?? (v.bool == true ? 1 : 0)
            guard let n, n < 0 else { return ConfigValue(.int(i), origin: o) }
            return ConfigValue(.int(try roundInt(i, toMultipleOfTenToThe: -n, fail: fail)), origin: o)
        case .float(let f):
            guard let n else {
                guard f.isFinite, let i = Int(exactly: f.rounded(.toNearestOrEven)) else {
                    throw fail("cannot round \(PythonText.float(f)) to an integer")
                }
                return ConfigValue(.int(i), origin: o)
            }
            let p = pow(10, Double(n))
            // Python: digits past a float's precision leave it unchanged; digits above its range make it 0.
            if !p.isFinite { return ConfigValue(.float(f), origin: o) }
            if p == 0 { return ConfigValue(.float(f.isNaN || f.isInfinite ? f : (f.sign == .minus ? -0.0 : 0.0)), origin: o) }
            let scaled = f * p
            guard scaled.isFinite else { return ConfigValue(.float(f), origin: o) }
            return ConfigValue(.float(scaled.rounded(.toNearestOrEven) / p), origin: o)
        default:
            throw fail("type \(v.typeName) doesn't define __round__")
        }
    }

    /// `round(i, -digits)` in exact integer arithmetic, ties to even (Python's result, where it fits an Int).
    private static func roundInt(_ i: Int, toMultipleOfTenToThe digits: Int, fail: Fail) throws -> Int {
        if digits > 19 { return 0 }                           // |i| < 10**19 / 2
        if digits == 19 {
            guard i.magnitude <= 5_000_000_000_000_000_000 else { throw fail("integer overflow") }
            return 0
        }
        var m = 1
        for _ in 0..<digits { m *= 10 }
        var q = i / m, r = i % m
        if r < 0 { q -= 1; r += m }
        if 2 * r > m || (2 * r == m && q % 2 != 0) { q += 1 }
        return try checkedInt(q.multipliedReportingOverflow(by: m), fail)
    }

    /// A small part of Python's format-spec mini-language: `[[fill]align][0][width][.precision][type]` with
    /// types d, s, f, e, g, %. Returns nil for anything else.
    static func format(_ v: ConfigValue, spec: String, fail: Fail) throws -> String? {
        var chars = Array(spec)
        var fill: Character = " ", align: Character? = nil
        if chars.count >= 2, "<>^".contains(chars[1]) { fill = chars[0]; align = chars[1]; chars.removeFirst(2) }
        else if let c = chars.first, "<>^".contains(c) { align = c; chars.removeFirst() }
        var zero = false
        if chars.first == "0" { zero = true; chars.removeFirst() }
        // Width and precision are bounded (a 10**9-wide field would build a gigabyte string).
        func bounded(_ what: String) throws -> Int {
            var n = 0
            while let c = chars.first, c.isASCII, let d = c.wholeNumberValue {
                n = min(n * 10 + d, Int.max / 20)
                chars.removeFirst()
            }
            guard n <= ConfigLimits.formatWidth else {
                throw fail(ConfigLimits.exceeded("format \(what) \(n)", ConfigLimits.formatWidth))
            }
            return n
        }
        let width = try bounded("width")
        var precision: Int? = nil
        if chars.first == "." {
            chars.removeFirst()
            precision = try bounded("precision")
        }
        let type = chars.first
        if chars.count > 1 { return nil }
        var body: String
        switch (type, v.content) {
        case (nil, _), ("s"?, .string): body = PythonText.str(v)
        case ("d"?, .int(let i)): body = String(i)
        case ("f"?, _), ("e"?, _), ("g"?, _), ("%"?, _):
            guard let x = v.number else { return nil }
            let p = precision ?? 6
            switch type! {
            case "f": body = String(format: "%.\(p)f", x)
            case "e": body = String(format: "%.\(p)e", x)
            case "g": body = String(format: "%.\(p)g", x)
            default: body = String(format: "%.\(p)f", x * 100) + "%"
            }
        default: return nil
        }
        if type == nil, let p = precision, case .string = v.content { body = String(body.prefix(p)) }
        guard body.count < width else { return body }
        let padCount = width - body.count
        if zero && align == nil { return (body.hasPrefix("-") ? "-" : "") + String(repeating: "0", count: padCount)
            + (body.hasPrefix("-") ? String(body.dropFirst()) : body) }
        let isNumber = v.number != nil
        switch align ?? (isNumber ? ">" : "<") {
        case "<": return body + String(repeating: fill, count: padCount)
        case "^":
            let left = padCount / 2
            return String(repeating: fill, count: left) + body + String(repeating: fill, count: padCount - left)
        default: return String(repeating: fill, count: padCount) + body
        }
    }
}
