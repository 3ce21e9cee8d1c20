import Foundation

/// Python's operators and conversions on config values: int/float/bool arithmetic with Python's floor division
/// and modulo, string and sequence concatenation and repetition, comparisons and equality. Errors go through
/// `fail`, which adds the location.
enum Arithmetic {
    typealias Fail = (String) -> ConfigError

    private enum Number { case int(Int), float(Double) }

    private static func number(_ v: ConfigValue) -> Number? {
        switch v.content {
        case .int(let i): return .int(i)
        case .bool(let b): return .int(b ? 1 : 0)
        case .float(let f): return .float(f)
        default: return nil
        }
    }

    static func binary(_ op: String, _ l: ConfigValue, _ r: ConfigValue, at o: Origin,
                       fail: Fail) throws -> ConfigValue {
        if let a = number(l), let b = number(r) {
            return ConfigValue(try numeric(op, a, b, fail: fail), origin: o)
        }
        switch (op, l.content, r.content) {
        case ("+", .string(let a), .string(let b)): return ConfigValue(.string(a + b), origin: o)
        case ("+", .list(let a), .list(let b)): return ConfigValue(.list(a + b), origin: o)
        case ("+", .tuple(let a), .tuple(let b)): return ConfigValue(.tuple(a + b), origin: o)
        case ("*", _, _):
            var seq = l, times = r
            if number(l) != nil { swap(&seq, &times) }
            guard case .int(let n)? = number(times) else { break }
            let count = max(0, n)
            // The evaluator has refused results over the limits already; this guards other callers.
            let length: Int
            switch seq.content {
            case .string(let s): length = s.utf8.count
            case .list(let a), .tuple(let a): length = a.count
            default: length = 0
            }
            let total = length.multipliedReportingOverflow(by: count)
            guard !total.overflow, total.partialValue <= ConfigLimits.stringBytes else {
                throw fail("repeated \(seq.typeName) is too long")
            }
            switch seq.content {
            case .string(let s): return ConfigValue(.string(String(repeating: s, count: count)), origin: o)
            case .list(let a):
                var out: [ConfigValue] = []
                out.reserveCapacity(total.partialValue)
                for _ in 0..<count { out.append(contentsOf: a) }
                return ConfigValue(.list(out), origin: o)
            case .tuple(let a):
                var out: [ConfigValue] = []
                out.reserveCapacity(total.partialValue)
                for _ in 0..<count { out.append(contentsOf: a) }
                return ConfigValue(.tuple(out), origin: o)
            default: break
            }
        case ("%", .string, _):
            throw fail("'%' string formatting is not supported in a config; use an f-string")
        default: break
        }
        throw fail("unsupported operand type(s) for \(op): '\(l.typeName)' and '\(r.typeName)'")
    }

    /// The depth and size of `l op r` when it builds a sequence (`+` joins, `*` repeats), computed before it is
    /// built; nil for numeric results.
    static func resultMetrics(_ op: String, _ l: ConfigValue, _ r: ConfigValue) -> ValueMetrics? {
        let a = l.metrics, b = r.metrics
        switch (op, l.content, r.content) {
        case ("+", .string, .string), ("+", .list, .list), ("+", .tuple, .tuple):
            return ValueMetrics(depth: max(a.depth, b.depth), nodes: a.nodes + b.nodes - 1, text: a.text + b.text)
        case ("*", _, _):
            var seq = l, times = r
            if number(l) != nil { swap(&seq, &times) }
            guard case .int(let n)? = number(times) else { return nil }
            switch seq.content {
            case .string, .list, .tuple: break
            default: return nil
            }
            let k = max(0, n), m = seq.metrics
            func repeated(_ x: Int) -> Int { x == 0 ? 0 : (k > Int.max / x ? Int.max : k * x) }
            let nodes = m.depth == 0 ? 1 : 1 + repeated(m.nodes - 1)
            return ValueMetrics(depth: m.depth, nodes: nodes, text: repeated(m.text))
        default:
            return nil
        }
    }

    private static func numeric(_ op: String, _ a: Number, _ b: Number, fail: Fail) throws -> ConfigValue.Content {
        if case .int(let x) = a, case .int(let y) = b {
            func checked(_ r: (partialValue: Int, overflow: Bool)) throws -> ConfigValue.Content {
                if r.overflow { throw fail("integer overflow") }
                return .int(r.partialValue)
            }
            switch op {
            case "+": return try checked(x.addingReportingOverflow(y))
            case "-": return try checked(x.subtractingReportingOverflow(y))
            case "*": return try checked(x.multipliedReportingOverflow(by: y))
            case "/":
                guard y != 0 else { throw fail("division by zero") }
                return .float(Double(x) / Double(y))
            case "//", "%":
                guard y != 0 else { throw fail("integer division or modulo by zero") }
                guard !(x == Int.min && y == -1) else { throw fail("integer overflow") }
                var q = x / y, m = x % y
                if m != 0 && ((m < 0) != (y < 0)) { q -= 1; m += y }   // Python floors toward -inf
                return .int(op == "//" ? q : m)
            case "**":
                if y < 0 {
                    guard x != 0 else { throw fail("0 cannot be raised to a negative power") }
                    return .float(pow(Double(x), Double(y)))
                }
                var result = 1, base = x, e = y
                while e > 0 {
                    if e & 1 == 1 { result = try checkedInt(result.multipliedReportingOverflow(by: base), fail) }
                    e >>= 1
                    if e > 0 { base = try checkedInt(base.multipliedReportingOverflow(by: base), fail) }
                }
                return .int(result)
            default: throw fail("unsupported operator \(op)")
            }
        }
        let x = double(a), y = double(b)
        switch op {
        case "+": return .float(x + y)
        case "-": return .float(x - y)
        case "*": return .float(x * y)
        case "/":
            guard y != 0 else { throw fail("float division by zero") }
            return .float(x / y)
        case "//", "%":
            guard y != 0 else { throw fail("float divmod by zero") }
            var m = fmod(x, y)
            if m != 0 && ((m < 0) != (y < 0)) { m += y }
            if op == "%" { return .float(m) }
            return .float(((x - m) / y).rounded())
        case "**":
            if x == 0 && y < 0 { throw fail("0.0 cannot be raised to a negative power") }
            if x < 0 && y != y.rounded() { throw fail("negative number raised to a fractional power is complex") }
            let p = pow(x, y)
            // Python raises OverflowError for a finite ** finite that does not fit a float (`10.0 ** 10 ** 10`).
            if p.isInfinite && x.isFinite && y.isFinite {
                throw fail("float overflow: the result of ** is out of range (Python raises OverflowError)")
            }
            return .float(p)
        default: throw fail("unsupported operator \(op)")
        }
    }

    static func checkedInt(_ r: (partialValue: Int, overflow: Bool), _ fail: Fail) throws -> Int {
        if r.overflow { throw fail("integer overflow") }
        return r.partialValue
    }

    private static func double(_ n: Number) -> Double {
        switch n {
        case .int(let i): return Double(i)
        case .float(let f): return f
        }
    }

    /// Python `==` (1 == 1.0 == True; a list never equals a tuple; dicts compare without order).
    static func equal(_ l: ConfigValue, _ r: ConfigValue) -> Bool {
        if let a = number(l), let b = number(r) {
            if case .int(let x) = a, case .int(let y) = b { return x == y }
            return double(a) == double(b)
        }
        switch (l.content, r.content) {
        case (.none, .none): return true
        case (.string(let a), .string(let b)): return a == b
        case (.list(let a), .list(let b)), (.tuple(let a), .tuple(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { equal($0, $1) }
        case (.dict(let a), .dict(let b)):
            return a.count == b.count && a.allSatisfy { e in b[e.key].map { equal(e.value, $0) } ?? false }
        default: return false
        }
    }

    /// Python's `sub in s`: code-point substring search, done on UTF-8 bytes (equivalent for valid UTF-8) with
    /// Knuth–Morris–Pratt, so it stays linear for any input.
    static func containsText(_ s: String, _ sub: String) -> Bool {
        let p = Array(sub.utf8)
        if p.isEmpty { return true }
        var fail = [Int](repeating: 0, count: p.count)
        var k = 0
        for i in 1..<max(1, p.count) {
            while k > 0 && p[i] != p[k] { k = fail[k - 1] }
            if p[i] == p[k] { k += 1 }
            fail[i] = k
        }
        k = 0
        for c in s.utf8 {
            while k > 0 && c != p[k] { k = fail[k - 1] }
            if c == p[k] { k += 1 }
            if k == p.count { return true }
        }
        return false
    }

    static func compare(_ op: String, _ l: ConfigValue, _ r: ConfigValue, fail: Fail) throws -> Bool {
        switch op {
        case "==": return equal(l, r)
        case "!=": return !equal(l, r)
        case "in", "not in":
            let found: Bool
            switch r.content {
            case .string(let s):
                guard case .string(let sub) = l.content else {
                    throw fail("'in <string>' requires string as left operand, not \(l.typeName)")
                }
                found = containsText(s, sub)
            case .list(let a), .tuple(let a): found = a.contains { equal(l, $0) }
            case .dict(let d):
                switch l.content {
                case .string(let s): found = d.contains(.string(s))
                case .int(let i): found = d.contains(.int(i))
                default: found = false
                }
            default: throw fail("argument of type '\(r.typeName)' is not iterable")
            }
            return op == "in" ? found : !found
        case "is", "is not":
            let same: Bool
            switch (l.content, r.content) {
            case (.none, .none): same = true
            case (.bool(let a), .bool(let b)): same = a == b
            case (.none, _), (_, .none), (.bool, _), (_, .bool): same = false
            default: throw fail("'\(op)' is only supported with None, True or False in a config")
            }
            return op == "is" ? same : !same
        default:
            let order = try ordering(l, r, op: op, fail: fail)
            switch op {
            case "<": return order < 0
            case "<=": return order <= 0
            case ">": return order > 0
            default: return order >= 0
            }
        }
    }

    private static func ordering(_ l: ConfigValue, _ r: ConfigValue, op: String, fail: Fail) throws -> Int {
        if let a = number(l), let b = number(r) {
            if case .int(let x) = a, case .int(let y) = b { return x < y ? -1 : (x == y ? 0 : 1) }
            let x = double(a), y = double(b)
            return x < y ? -1 : (x == y ? 0 : 1)
        }
        switch (l.content, r.content) {
        case (.string(let a), .string(let b)):
            // Python compares code points.
            let x = Array(a.unicodeScalars.map(\.value)), y = Array(b.unicodeScalars.map(\.value))
            return x.lexicographicallyPrecedes(y) ? -1 : (x == y ? 0 : 1)
        case (.list(let a), .list(let b)), (.tuple(let a), .tuple(let b)):
            for (x, y) in zip(a, b) where !equal(x, y) { return try ordering(x, y, op: op, fail: fail) }
            return a.count < b.count ? -1 : (a.count == b.count ? 0 : 1)
        default:
            throw fail("'\(op)' not supported between instances of '\(l.typeName)' and '\(r.typeName)'")
        }
    }
}
