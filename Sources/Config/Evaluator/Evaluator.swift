import Foundation

/// Evaluates a parsed config file into its module-level names, as mmcv's `Config._file2dict` collects them after
/// executing the file, but by interpreting the safe subset instead of executing anything.
///
/// Every produced value carries an `Origin` pointing at the text that spells it. Names starting with `__` are
/// usable but not collected; `_base_` is collected and removed later by the loader.
struct Evaluator {
    let file: SourceFile
    let source: Origin.Source
    /// The combined base config, for `{{ _base_.a.b }}` references (nil when the file has no `_base_`).
    let baseDict: ConfigDict?
    private(set) var globals = ConfigDict()
    private var scopes: [[String: ConfigValue]] = []

    init(file: SourceFile, source: Origin.Source, baseDict: ConfigDict?) {
        self.file = file
        self.source = source
        self.baseDict = baseDict
    }

    /// The pure builtins a config may call. Everything else is refused.
    static let builtins: Set<String> = [
        "dict", "list", "tuple", "range", "len", "int", "float", "str", "bool", "min", "max", "abs", "round", "sum",
    ]

    private func origin(_ span: Range<Int>) -> Origin { Origin(location: file.location(span), source: source) }
    private func error(_ message: String, _ span: Range<Int>) -> ConfigError { file.error(message, at: span) }

    /// Runs every statement; returns the collected names in definition order (without `__dunder__` names).
    mutating func run(_ statements: [Statement]) throws -> ConfigDict {
        for s in statements {
            switch s.kind {
            case .assign(let targets, let valueExpr):
                let value = try eval(valueExpr)
                for t in targets { try assign(t, value) }
            case .expression(let e):
                _ = try eval(e)
            }
        }
        var collected = ConfigDict()
        for entry in globals where !(entry.key.stringValue?.hasPrefix("__") ?? false) {
            collected.set(entry.key, entry.value, keyOrigin: entry.keyOrigin)
        }
        return collected
    }

    private mutating func assign(_ t: Target, _ value: ConfigValue) throws {
        if t.subscripts.isEmpty {
            globals.set(.string(t.name), value, keyOrigin: origin(t.nameSpan))
            return
        }
        guard var container = globals[t.name] else {
            throw error("name '\(t.name)' is not defined", t.nameSpan)
        }
        let indices = try t.subscripts.map { ($0, try eval($0)) }
        try setItem(&container, indices[...], value)
        globals.set(.string(t.name), container)
    }

    private func setItem(_ container: inout ConfigValue, _ indices: ArraySlice<(Expr, ConfigValue)>,
                         _ value: ConfigValue) throws {
        guard let (indexExpr, index) = indices.first else { container = value; return }
        let rest = indices.dropFirst()
        switch container.content {
        case .dict(var d):
            let key = try dictKey(index, indexExpr.span)
            if rest.isEmpty {
                d.set(key, value, keyOrigin: origin(indexExpr.span))
            } else {
                guard var inner = d[key] else { throw error("key \(PythonText.key(key)) not found", indexExpr.span) }
                try setItem(&inner, rest, value)
                d.set(key, inner)
            }
            container.content = .dict(d)
        case .list(var a):
            let i = try listIndex(index, count: a.count, indexExpr.span)
            try setItem(&a[i], rest, value)
            container.content = .list(a)
        default:
            throw error("'\(container.typeName)' object does not support item assignment", indexExpr.span)
        }
    }

    private func dictKey(_ v: ConfigValue, _ span: Range<Int>) throws -> ConfigKey {
        switch v.content {
        case .string(let s): return .string(s)
        case .int(let i): return .int(i)
        default: throw error("dict keys must be strings or integers in a config, not \(v.typeName)", span)
        }
    }

    private func listIndex(_ v: ConfigValue, count: Int, _ span: Range<Int>) throws -> Int {
        guard case .int(var i) = v.content else { throw error("list indices must be integers, not \(v.typeName)", span) }
        if i < 0 { i += count }
        guard i >= 0, i < count else { throw error("list index out of range", span) }
        return i
    }

    // MARK: - Expressions

    mutating func eval(_ e: Expr) throws -> ConfigValue {
        switch e.kind {
        case .none: return ConfigValue(.none, origin: origin(e.span))
        case .bool(let b): return ConfigValue(.bool(b), origin: origin(e.span))
        case .int(let i): return ConfigValue(.int(i), origin: origin(e.span))
        case .float(let f): return ConfigValue(.float(f), origin: origin(e.span))
        case .string(let lit): return ConfigValue(.string(try stringValue(lit)), origin: origin(e.span))
        case .name(let n): return try lookup(n, e.span)
        case .list(let items): return ConfigValue(.list(try items.map { try eval($0) }), origin: origin(e.span))
        case .tuple(let items): return ConfigValue(.tuple(try items.map { try eval($0) }), origin: origin(e.span))
        case .dict(let items): return try dictDisplay(items, e.span)
        case .call(let callee, let args): return try call(callee, args, e.span)
        case .unary(let op, let operand): return try unary(op, try eval(operand), e.span)
        case .binary(let op, let lhs, let rhs):
            let l = try eval(lhs), r = try eval(rhs)
            return try Arithmetic.binary(op, l, r, at: origin(e.span)) { self.error($0, e.span) }
        case .compare(let first, let rest):
            var lhs = try eval(first)
            for (op, rhsExpr) in rest {
                let rhs = try eval(rhsExpr)
                guard try Arithmetic.compare(op, lhs, rhs, fail: { self.error($0, e.span) }) else {
                    return ConfigValue(.bool(false), origin: origin(e.span))
                }
                lhs = rhs
            }
            return ConfigValue(.bool(true), origin: origin(e.span))
        case .boolOp(let op, let operands):
            var last = try eval(operands[0])
            for o in operands.dropFirst() {
                if op == "and" ? !last.isTruthy : last.isTruthy { return last }
                last = try eval(o)
            }
            return last
        case .conditional(let test, let body, let orElse):
            return try eval(test).isTruthy ? try eval(body) : try eval(orElse)
        case .item(let base, let index):
            return try subscriptValue(try eval(base), try eval(index), index.span)
        case .attribute(_, let name):
            throw error("attribute access ('.\(name)') is not supported in a config; use x['\(name)']", e.span)
        case .listComprehension(let element, let clauses):
            var out: [ConfigValue] = []
            try comprehend(clauses[...]) { ev in
                var v = try ev.eval(element)
                v.origin = ev.derivedOrigin(element.span)
                out.append(v)
            }
            return ConfigValue(.list(out), origin: origin(e.span))
        case .dictComprehension(let keyExpr, let valueExpr, let clauses):
            var d = ConfigDict()
            try comprehend(clauses[...]) { ev in
                let k = try ev.dictKey(try ev.eval(keyExpr), keyExpr.span)
                var v = try ev.eval(valueExpr)
                v.origin = ev.derivedOrigin(valueExpr.span)
                d.set(k, v, keyOrigin: ev.derivedOrigin(keyExpr.span))
            }
            return ConfigValue(.dict(d), origin: origin(e.span))
        case .baseRef(let path):
            guard let base = baseDict else {
                throw error("'{{_base_.…}}' needs a _base_ in this file", e.span)
            }
            var node = ConfigValue(.dict(base))
            for (k, segment) in path.enumerated() {
                guard case .dict(let d) = node.content, let next = d[segment] else {
                    let at = (["_base_"] + path.prefix(k)).joined(separator: ".")
                    throw error("the base config has no key '\(segment)' under '\(at)'", e.span)
                }
                node = next
            }
            return node
        }
    }

    fileprivate func derivedOrigin(_ span: Range<Int>) -> Origin {
        Origin(location: file.location(span), source: source, isDerived: true)
    }

    private mutating func comprehend(_ clauses: ArraySlice<ComprehensionClause>,
                                     _ body: (inout Evaluator) throws -> Void) throws {
        guard let clause = clauses.first else { return try body(&self) }
        let items = try iterate(try eval(clause.iterable), clause.iterable.span)
        scopes.append([:])
        defer { scopes.removeLast() }
        for item in items {
            if clause.target.count == 1 {
                scopes[scopes.count - 1][clause.target[0]] = item
            } else {
                guard let parts = item.elements, parts.count == clause.target.count else {
                    throw error("cannot unpack \(item.typeName) into \(clause.target.count) names", clause.targetSpan)
                }
                for (n, v) in zip(clause.target, parts) { scopes[scopes.count - 1][n] = v }
            }
            var keep = true
            for c in clause.conditions where !(try eval(c).isTruthy) { keep = false; break }
            if keep { try comprehend(clauses.dropFirst(), body) }
        }
    }

    private func lookup(_ name: String, _ span: Range<Int>) throws -> ConfigValue {
        for scope in scopes.reversed() { if let v = scope[name] { return v } }
        if let v = globals[name] { return v }
        if Self.builtins.contains(name) {
            throw error("'\(name)' is a function; a config value must be data (call it, e.g. \(name)(…))", span)
        }
        if baseDict?[name] != nil {
            throw error("name '\(name)' is not defined: variables of a base file are not visible in the child "
                        + "(mmcv executes each file on its own); use {{_base_.\(name)}} or define it here", span)
        }
        throw error("name '\(name)' is not defined", span)
    }

    private func stringValue(_ lit: StringLiteral) throws -> String {
        guard lit.isFormatted else { return lit.plainValue }
        var out = ""
        for piece in lit.pieces {
            switch piece {
            case .text(let t): out += t
            case .expression(let span, let conversion, let spec):
                let expr = try Parser.parseFormattedField(file, span: span)
                var sub = self
                let v = try sub.eval(expr)
                var text: String
                switch conversion {
                case "r"?, "a"?: text = PythonText.repr(v)
                default: text = PythonText.str(v)
                }
                if !spec.isEmpty {
                    guard let formatted = Arithmetic.format(conversion == nil ? v : ConfigValue(.string(text)), spec: spec)
                    else { throw error("unsupported format spec ':\(spec)' in f-string", span) }
                    text = formatted
                }
                out += text
            }
        }
        return out
    }

    private mutating func dictDisplay(_ items: [DictItem], _ span: Range<Int>) throws -> ConfigValue {
        var d = ConfigDict()
        for item in items {
            switch item {
            case .pair(let keyExpr, let valueExpr):
                let k = try dictKey(try eval(keyExpr), keyExpr.span)
                d.set(k, try eval(valueExpr), keyOrigin: origin(keyExpr.span))
            case .unpack(let inner):
                let v = try eval(inner)
                guard case .dict(let src) = v.content else {
                    throw error("'**' needs a dict, not \(v.typeName)", inner.span)
                }
                for entry in src { d.set(entry.key, entry.value, keyOrigin: entry.keyOrigin) }
            }
        }
        return ConfigValue(.dict(d), origin: origin(span))
    }

    private func unary(_ op: String, _ v: ConfigValue, _ span: Range<Int>) throws -> ConfigValue {
        let o = origin(span)
        switch (op, v.content) {
        case ("not", _): return ConfigValue(.bool(!v.isTruthy), origin: o)
        case ("-", .int(let i)):
            guard i != Int.min else { throw error("integer overflow", span) }
            return ConfigValue(.int(-i), origin: o)
        case ("-", .bool(let b)): return ConfigValue(.int(b ? -1 : 0), origin: o)
        case ("-", .float(let f)): return ConfigValue(.float(-f), origin: o)
        case ("+", .int), ("+", .float): return ConfigValue(v.content, origin: o)
        case ("+", .bool(let b)): return ConfigValue(.int(b ? 1 : 0), origin: o)
        default: throw error("bad operand type for unary \(op): '\(v.typeName)'", span)
        }
    }

    private func subscriptValue(_ base: ConfigValue, _ index: ConfigValue, _ span: Range<Int>) throws -> ConfigValue {
        switch base.content {
        case .dict(let d):
            let k = try dictKey(index, span)
            guard let v = d[k] else { throw error("key \(PythonText.key(k)) not found", span) }
            return v
        case .list(let a), .tuple(let a):
            return a[try listIndex(index, count: a.count, span)]
        case .string(let s):
            let scalars = Array(s.unicodeScalars)
            let i = try listIndex(index, count: scalars.count, span)
            return ConfigValue(.string(String(scalars[i])), origin: base.origin)
        default:
            throw error("'\(base.typeName)' object is not subscriptable", span)
        }
    }

    /// The items a `for` or `list()`/`tuple()`/`dict()` sees: elements, a string's characters, a dict's keys.
    private func iterate(_ v: ConfigValue, _ span: Range<Int>) throws -> [ConfigValue] {
        switch v.content {
        case .list(let a), .tuple(let a): return a
        case .string(let s): return s.unicodeScalars.map { ConfigValue(.string(String($0)), origin: v.origin) }
        case .dict(let d):
            return d.entries.map { e in
                switch e.key {
                case .string(let s): return ConfigValue(.string(s), origin: e.keyOrigin)
                case .int(let i): return ConfigValue(.int(i), origin: e.keyOrigin)
                }
            }
        default: throw error("'\(v.typeName)' object is not iterable", span)
        }
    }

    // MARK: - Calls

    private mutating func call(_ callee: Expr, _ args: [Argument], _ span: Range<Int>) throws -> ConfigValue {
        let name: String
        switch callee.kind {
        case .name(let n) where scopes.allSatisfy({ $0[n] == nil }) && globals[n] == nil:
            name = n
        case .name(let n):
            throw error("'\(n)' is not callable", callee.span)
        case .attribute(_, let method):
            throw error("method calls ('.\(method)(…)') are not allowed in a config; only dict(…) and a few pure "
                        + "builtins (range, len, int, …)", callee.span)
        default:
            throw error("calls are not allowed in a config (only dict(…) and a few pure builtins)", callee.span)
        }
        guard Self.builtins.contains(name) else {
            throw error("calls are not allowed in a config (only dict(...)): '\(name)' is not evaluated; "
                        + "supported: \(Self.builtins.sorted().joined(separator: ", "))", callee.span)
        }
        let o = origin(span)
        if name == "dict" { return try dictCall(args, span) }

        var positional: [ConfigValue] = []
        var spans: [Range<Int>] = []
        for a in args {
            switch a {
            case .positional(let e):
                positional.append(try eval(e)); spans.append(e.span)
            case .star(let e):
                for v in try iterate(try eval(e), e.span) { positional.append(v); spans.append(e.span) }
            case .keyword(let k, let kSpan, let e):
                // round(x, ndigits=…), sum(x, start=…), int(x, base=…) are the only keywords we could take;
                // accept them as positional in their documented position.
                switch (name, k) {
                case ("round", "ndigits"), ("sum", "start"):
                    positional.append(try eval(e)); spans.append(e.span)
                default:
                    throw error("\(name)() got an unexpected keyword argument '\(k)'", kSpan)
                }
            case .unpack(let e):
                throw error("\(name)() does not take **keyword arguments here", e.span)
            }
        }
        func arity(_ range: ClosedRange<Int>) throws {
            guard range.contains(positional.count) else {
                let want = range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound)–\(range.upperBound)"
                throw error("\(name)() takes \(want) argument(s), \(positional.count) given", span)
            }
        }
        switch name {
        case "list", "tuple":
            try arity(0...1)
            let items = try positional.first.map { try iterate($0, spans[0]) } ?? []
            return ConfigValue(name == "list" ? .list(items) : .tuple(items), origin: o)
        case "range":
            try arity(1...3)
            let ints = try positional.enumerated().map { (k, v) -> Int in
                guard case .int(let i) = v.content else {
                    throw error("range() needs integers, not \(v.typeName)", spans[k])
                }
                return i
            }
            let (start, stop, step) = ints.count == 1 ? (0, ints[0], 1)
                : (ints[0], ints[1], ints.count == 3 ? ints[2] : 1)
            guard step != 0 else { throw error("range() step must not be zero", span) }
            let count = step > 0 ? max(0, (stop - start + step - 1) / step) : max(0, (start - stop - step - 1) / -step)
            guard count <= 10_000_000 else { throw error("range() is too long for a config", span) }
            let d = Origin(location: o.location, source: source, isDerived: true)
            return ConfigValue(.list((0..<count).map { ConfigValue(.int(start + $0 * step), origin: d) }), origin: o)
        case "len":
            try arity(1...1)
            let v = positional[0]
            switch v.content {
            case .string(let s): return ConfigValue(.int(s.unicodeScalars.count), origin: o)
            case .list(let a), .tuple(let a): return ConfigValue(.int(a.count), origin: o)
            case .dict(let d): return ConfigValue(.int(d.count), origin: o)
            default: throw error("object of type '\(v.typeName)' has no len()", spans[0])
            }
        case "int", "float", "str", "bool":
            try arity(0...1)
            guard let v = positional.first else {
                let zero: ConfigValue.Content = ["int": .int(0), "float": .float(0), "str": .string(""),
                                                 "bool": .bool(false)][name]!
                return ConfigValue(zero, origin: o)
            }
            return try Arithmetic.convert(name, v, at: o) { self.error($0, spans[0]) }
        case "abs":
            try arity(1...1)
            switch positional[0].content {
            case .int(let i):
                guard i != Int.min else { throw error("integer overflow", span) }
                return ConfigValue(.int(abs(i)), origin: o)
            case .bool(let b): return ConfigValue(.int(b ? 1 : 0), origin: o)
            case .float(let f): return ConfigValue(.float(abs(f)), origin: o)
            default: throw error("bad operand type for abs(): '\(positional[0].typeName)'", spans[0])
            }
        case "round":
            try arity(1...2)
            return try Arithmetic.round(positional[0], positional.count == 2 ? positional[1] : nil, at: o) {
                self.error($0, span)
            }
        case "min", "max", "sum":
            try arity(name == "sum" ? 1...2 : 1...Int.max)
            var items = positional
            if name == "sum" || positional.count == 1 { items = try iterate(positional[0], spans[0]) }
            if name == "sum" {
                var total = positional.count == 2 ? positional[1] : ConfigValue(.int(0), origin: o)
                for v in items { total = try Arithmetic.binary("+", total, v, at: o) { self.error($0, span) } }
                return ConfigValue(total.content, origin: o)
            }
            guard var best = items.first else { throw error("\(name)() arg is an empty sequence", span) }
            for v in items.dropFirst() {
                let better = try Arithmetic.compare(name == "min" ? "<" : ">", v, best) { self.error($0, span) }
                if better { best = v }
            }
            return best
        default:
            throw error("'\(name)' is not supported", callee.span)
        }
    }

    /// `dict(mapping_or_pairs, k=v, **d)`: keyword order is kept; a key given twice is an error, as in Python.
    private mutating func dictCall(_ args: [Argument], _ span: Range<Int>) throws -> ConfigValue {
        var d = ConfigDict()
        var positionalSeen = false
        for a in args {
            switch a {
            case .positional(let e):
                guard !positionalSeen else { throw error("dict() takes at most 1 positional argument", e.span) }
                positionalSeen = true
                let v = try eval(e)
                if case .dict(let src) = v.content {
                    for entry in src { d.set(entry.key, entry.value, keyOrigin: entry.keyOrigin) }
                } else {
                    for item in try iterate(v, e.span) {
                        guard let pair = item.elements, pair.count == 2 else {
                            throw error("dict() needs a sequence of (key, value) pairs", e.span)
                        }
                        d.set(try dictKey(pair[0], e.span), pair[1], keyOrigin: pair[0].origin)
                    }
                }
            case .keyword(let name, let nameSpan, let valueExpr):
                if d.contains(.string(name)) && !positionalSeen {
                    throw error("dict() got multiple values for keyword argument '\(name)'", nameSpan)
                }
                d.set(.string(name), try eval(valueExpr), keyOrigin: origin(nameSpan))
            case .unpack(let e):
                let v = try eval(e)
                guard case .dict(let src) = v.content else {
                    throw error("argument after ** must be a dict, not \(v.typeName)", e.span)
                }
                for entry in src {
                    guard case .string(let k) = entry.key else {
                        throw error("keywords must be strings (\(PythonText.key(entry.key)) in **)", e.span)
                    }
                    if d.contains(entry.key) {
                        throw error("dict() got multiple values for keyword argument '\(k)'", e.span)
                    }
                    d.set(entry.key, entry.value, keyOrigin: entry.keyOrigin)
                }
            case .star(let e):
                throw error("dict() does not take *arguments", e.span)
            }
        }
        return ConfigValue(.dict(d), origin: origin(span))
    }
}
