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
    var globals = ConfigDict()
    var scopes: [[String: ConfigValue]] = []
    /// Evaluation steps left for this file: `ConfigLimits.extraSteps` plus one per byte, so a file without
    /// comprehensions or repetition always fits and a loop cannot run for minutes.
    var stepsLeft: Int
    /// Recursion depth of `eval`. The parser bounds the syntax tree already; this is the backstop that also
    /// covers f-string fields, which are parsed while evaluating.
    var depth = 0
    static let maxDepth = ConfigLimits.nesting * 8

    init(file: SourceFile, source: Origin.Source, baseDict: ConfigDict?) {
        self.file = file
        self.source = source
        self.baseDict = baseDict
        self.stepsLeft = ConfigLimits.extraSteps + file.bytes.count
    }

    /// The pure builtins a config may call. Everything else is refused.
    static let builtins: Set<String> = [
        "dict", "list", "tuple", "range", "len", "int", "float", "str", "bool", "min", "max", "abs", "round", "sum",
    ]

    func origin(_ span: Range<Int>) -> Origin { Origin(location: file.location(span), source: source) }
    func error(_ message: String, _ span: Range<Int>) -> ConfigError { file.error(message, at: span) }

    /// Runs every statement; returns the collected names in definition order (without `__dunder__` names).
    mutating func run(_ statements: [Statement]) throws -> ConfigDict {
        for s in statements { try execute(s) }
        return collected()
    }

    /// Runs one statement (the loader feeds a file one statement at a time).
    mutating func execute(_ s: Statement) throws {
        switch s.kind {
        case .assign(let targets, let valueExpr):
            let value = try eval(valueExpr)
            for t in targets {
                try assign(t, value)
                try checkTotal(globals, at: s.span)
            }
        case .expression(let e):
            if try executeChangingCall(e) {
                try checkTotal(globals, at: s.span)
            } else {
                _ = try eval(e)
            }
        }
    }

    /// The module-level names in definition order, without `__dunder__` names.
    func collected() -> ConfigDict {
        // Usually no name is private: then the globals are the result, shared rather than copied.
        guard globals.contains(where: { $0.key.stringValue?.hasPrefix("__") ?? false }) else { return globals }
        var collected = ConfigDict()
        for entry in globals where !(entry.key.stringValue?.hasPrefix("__") ?? false) {
            collected.set(entry.key, entry.value, keyOrigin: entry.keyOrigin)
        }
        return collected
    }

    mutating func assign(_ t: Target, _ value: ConfigValue) throws {
        if let parts = t.unpacking {
            // Python's unpacking: any iterable, exactly as many items as names, assigned left to right.
            let items = try iterate(value, t.nameSpan)
            guard items.count == parts.count else {
                throw error(items.count > parts.count ? "too many values to unpack (expected \(parts.count))"
                            : "not enough values to unpack (expected \(parts.count), got \(items.count))", t.nameSpan)
            }
            for (part, item) in zip(parts, items) { try assign(part, item) }
            return
        }
        if t.subscripts.isEmpty {
            globals.set(.string(t.name), value, keyOrigin: origin(t.nameSpan))
            return
        }
        guard var container = globals[t.name] else {
            throw error("name '\(t.name)' is not defined", t.nameSpan)
        }
        var indices: [(Expr, Subscript)] = []
        for s in t.subscripts { indices.append((s, try evalSubscript(s))) }
        try setItem(&container, indices[...], value)
        try checkSize(container, t.nameSpan)
        globals.set(.string(t.name), container)
    }

    mutating func setItem(_ container: inout ConfigValue, _ indices: ArraySlice<(Expr, Subscript)>,
                                  _ value: ConfigValue) throws {
        guard let (indexExpr, subscriptIndex) = indices.first else { container = value; return }
        let rest = indices.dropFirst()
        guard case .key(let index) = subscriptIndex else {
            guard case .slice(let lower, let upper, let step) = subscriptIndex else { return }
            if case .list(var a) = container.content, rest.isEmpty {
                try assignSlice(&a, lower: lower, upper: upper, step: step, value, indexExpr.span)
                container.content = .list(a)
            } else if case .dict = container.content {
                throw error("dict keys must be strings or integers in a config, not slice", indexExpr.span)
            } else if rest.isEmpty {
                throw error("'\(container.typeName)' object does not support item assignment", indexExpr.span)
            } else {
                try setThroughSlice(&container, subscriptIndex, indexExpr.span, rest, value)
            }
            return
        }
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
        case .tuple(var a) where !rest.isEmpty:
            // A tuple's items cannot be replaced, but a list or dict inside one can be changed (`t[0]['k'] = v`).
            let i = try listIndex(index, count: a.count, indexExpr.span)
            try setItem(&a[i], rest, value)
            container.content = .tuple(a)
        default:
            throw error("'\(container.typeName)' object does not support item assignment", indexExpr.span)
        }
    }

    func dictKey(_ v: ConfigValue, _ span: Range<Int>) throws -> ConfigKey {
        switch v.content {
        case .string(let s): return .string(s)
        case .int(let i): return .int(i)
        default: throw error("dict keys must be strings or integers in a config, not \(v.typeName)", span)
        }
    }

    func listIndex(_ v: ConfigValue, count: Int, _ span: Range<Int>) throws -> Int {
        guard case .int(var i) = v.content else { throw error("list indices must be integers, not \(v.typeName)", span) }
        if i < 0 { i += count }
        guard i >= 0, i < count else { throw error("list index out of range", span) }
        return i
    }

    // MARK: - Expressions

    mutating func eval(_ e: Expr) throws -> ConfigValue {
        try charge(1, e.span)
        depth += 1
        defer { depth -= 1 }
        if depth > Self.maxDepth {
            throw error("expression nested too deeply (more than \(Self.maxDepth) levels of evaluation)", e.span)
        }
        let v = try evalNode(e)
        if v.metrics.depth > 0 || v.metrics.text > 0 { try checkSize(v, e.span) }
        return v
    }

    private mutating func evalNode(_ e: Expr) throws -> ConfigValue {
        switch e.kind {
        case .none: return ConfigValue(.none, origin: origin(e.span))
        case .bool(let b): return ConfigValue(.bool(b), origin: origin(e.span))
        case .int(let i): return ConfigValue(.int(i), origin: origin(e.span))
        case .float(let f): return ConfigValue(.float(f), origin: origin(e.span))
        case .string(let lit): return ConfigValue(.string(try stringValue(lit, e.span)), origin: origin(e.span))
        case .name(let n): return try lookup(n, e.span)
        case .list(let items): return ConfigValue(.list(try evalAll(items, e.span)), origin: origin(e.span))
        case .tuple(let items): return ConfigValue(.tuple(try evalAll(items, e.span)), origin: origin(e.span))
        case .dict(let items): return try dictDisplay(items, e.span)
        case .call(let callee, let args): return try call(callee, args, e.span)
        case .unary(let op, let operand): return try unary(op, try eval(operand), e.span)
        case .binary(let op, let lhs, let rhs):
            let l = try eval(lhs), r = try eval(rhs)
            return try binary(op, l, r, e.span)
        case .chain(let first, let rest):
            // Left to right in a loop; each intermediate result is located from the chain's start to the operand
            // just applied, as the nested binary nodes of `a + b + c` would be.
            var acc = try eval(first)
            for (op, rhsExpr) in rest {
                let r = try eval(rhsExpr)
                acc = try binary(op, acc, r, e.span.lowerBound..<rhsExpr.span.upperBound)
            }
            return acc
        case .compare(let first, let rest):
            var lhs = try eval(first)
            for (op, rhsExpr) in rest {
                let rhs = try eval(rhsExpr)
                try chargeBulk(cost(lhs) + cost(rhs), e.span)
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
            let b = try eval(base)
            return try subscriptValue(b, try evalSubscript(index), index.span)
        case .slice:
            throw error("a slice can only stand alone in a subscript (a[i:j:k])", e.span)
        case .attribute(_, let name):
            throw error("attribute access ('.\(name)') is not supported in a config; use x['\(name)']", e.span)
        case .listComprehension(let element, let clauses):
            var out: [ConfigValue] = []
            var size = ValueMetrics(depth: 1, nodes: 1, text: 0)
            try comprehend(clauses[...]) { ev in
                var v = try ev.eval(element)
                v.origin = ev.derivedOrigin(element.span)
                out.append(v)
                // Checked as the list grows, so a huge comprehension stops before it fills memory.
                size = ValueMetrics(depth: max(size.depth, 1 + v.metrics.depth), nodes: size.nodes + v.metrics.nodes,
                                    text: size.text + v.metrics.text)
                try ev.checkSize(size, e.span)
            }
            return ConfigValue(.list(out), origin: origin(e.span))
        case .dictComprehension(let keyExpr, let valueExpr, let clauses):
            var d = ConfigDict()
            try comprehend(clauses[...]) { ev in
                let k = try ev.dictKey(try ev.eval(keyExpr), keyExpr.span)
                var v = try ev.eval(valueExpr)
                v.origin = ev.derivedOrigin(valueExpr.span)
                d.set(k, v, keyOrigin: ev.derivedOrigin(keyExpr.span))
                try ev.checkSize(ValueMetrics(.dict(d)), e.span)
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
        try chargeCreated(items.count, clause.iterable.span)
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

    private mutating func stringValue(_ lit: StringLiteral, _ literalSpan: Range<Int>) throws -> String {
        guard lit.isFormatted else { return lit.plainValue }
        var out = ""
        for piece in lit.pieces {
            switch piece {
            case .text(let t): out += t
            case .expression(let span, let conversion, let spec):
                try chargeBulk(span.count, span)   // parsed on every evaluation (in a comprehension, every round)
                let expr = try Parser.parseFormattedField(file, span: span, depth: depth)
                let v = try eval(expr)
                try chargeBulk(cost(v), span)
                var text: String
                switch conversion {
                case "r"?, "a"?: text = PythonText.repr(v)
                default: text = PythonText.str(v)
                }
                if !spec.isEmpty {
                    guard let formatted = try Arithmetic.format(conversion == nil ? v : ConfigValue(.string(text)),
                                                                spec: spec, fail: { self.error($0, span) })
                    else { throw error("unsupported format spec ':\(spec)' in f-string", span) }
                    text = formatted
                }
                out += text
                try checkSize(ValueMetrics(.string(out)), literalSpan)
            }
        }
        return out
    }
}
