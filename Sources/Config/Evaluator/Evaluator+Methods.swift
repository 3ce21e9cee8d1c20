/// Methods configs of the mmcv 1.x era call: the pure ones (`d.copy()`, `d.items()`, `d.get(k)` …) in any
/// expression, and the ones that change a variable (`d.update(…)`, `l.append(x)`, `l.extend(xs)`) as a statement
/// of their own on a name or a subscript of one (`cfg['test'].update(…)`). Nothing else is callable.
extension Evaluator {
    static let pureMethods: [String: Set<String>] = [
        "dict": ["copy", "items", "keys", "values", "get"], "list": ["copy", "index", "count"],
        "tuple": ["index", "count"],
    ]
    static let changingMethods: [String: Set<String>] = ["dict": ["update"], "list": ["append", "extend"]]

    /// `base.method(args)` in an expression.
    mutating func methodCall(_ base: Expr, _ method: String, _ args: [Argument], _ span: Range<Int>) throws
        -> ConfigValue
    {
        let receiver = try eval(base)
        let type = receiver.typeName
        if Self.changingMethods[type]?.contains(method) ?? false {
            throw error("'.\(method)(…)' changes its \(type): in a config it can only be a statement of its own "
                        + "(x.\(method)(…) on a line), not part of a value", span)
        }
        guard Self.pureMethods[type]?.contains(method) ?? false else { throw unknownMethod(type, method, span) }
        let values = try positionalArguments(method, args)
        let o = origin(span)
        func arity(_ range: ClosedRange<Int>) throws {
            guard range.contains(values.count) else {
                throw error("\(type).\(method)() takes \(range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) or \(range.upperBound)") argument(s), \(values.count) given", span)
            }
        }
        switch (receiver.content, method) {
        case (.dict(let d), "copy"), (.dict(let d), "items"), (.dict(let d), "keys"), (.dict(let d), "values"):
            try arity(0...0)
            try chargeBulk(d.count, span)
            if method == "copy" { return ConfigValue(.dict(d), origin: receiver.origin) }
            // Python's views, as lists: iterating, len() and indexing by list() give the same items.
            let keys = try iterate(receiver, span)
            return ConfigValue(.list(zip(keys, d.entries).map { key, entry in
                switch method {
                case "items": return ConfigValue(.tuple([key, entry.value]), origin: o)
                case "keys": return key
                default: return entry.value
                }
            }), origin: o)
        case (.dict(let d), "get"):
            try arity(1...2)
            return d[try dictKey(values[0], span)] ?? (values.count == 2 ? values[1] : ConfigValue(.none, origin: o))
        case (.list(let a), "copy"):
            try arity(0...0)
            return ConfigValue(.list(a), origin: receiver.origin)
        case (.list(let a), "count"), (.tuple(let a), "count"):
            try arity(1...1)
            try chargeBulk(a.count, span)
            return ConfigValue(.int(a.filter { $0 == values[0] }.count), origin: o)
        case (.list(let a), _), (.tuple(let a), _):   // index
            try arity(1...1)
            try chargeBulk(a.count, span)
            guard let i = a.firstIndex(where: { $0 == values[0] }) else {
                throw error("\(PythonText.repr(values[0])) is not in \(type)", span)
            }
            return ConfigValue(.int(i), origin: o)
        default:
            throw unknownMethod(type, method, span)
        }
    }

    /// `x.update(…)`, `x.append(v)`, `x.extend(vs)` as a statement: the new value is assigned back to `x`.
    /// Returns false when the statement is not such a call.
    mutating func executeChangingCall(_ e: Expr) throws -> Bool {
        guard case .call(let callee, let args) = e.kind, case .attribute(let base, let method) = callee.kind,
              Self.changingMethods.values.contains(where: { $0.contains(method) }) else { return false }
        var receiver = try eval(base)
        let type = receiver.typeName
        guard Self.changingMethods[type]?.contains(method) ?? false else { throw unknownMethod(type, method, e.span) }
        guard let target = try? Parser.target(from: base, file: file) else {
            throw error("'.\(method)(…)' here would change a value no name holds: call it on a name or name[…]",
                        e.span)
        }
        switch (receiver.content, method) {
        case (.dict(var d), _):   // update: dict()'s arguments, merged into the dict
            guard case .dict(let new) = try dictCall(args, e.span).content else { return true }
            for entry in new { d.set(entry.key, entry.value, keyOrigin: entry.keyOrigin) }
            receiver.content = .dict(d)
        case (.list(var a), "append"):
            let values = try positionalArguments(method, args)
            guard values.count == 1 else { throw error("list.append() takes exactly one argument", e.span) }
            a.append(values[0])
            receiver.content = .list(a)
        case (.list(var a), _):   // extend
            let values = try positionalArguments(method, args)
            guard values.count == 1 else { throw error("list.extend() takes exactly one argument", e.span) }
            a += try iterate(values[0], e.span)
            receiver.content = .list(a)
        default:
            throw unknownMethod(type, method, e.span)
        }
        try assign(target, receiver)
        return true
    }

    private mutating func positionalArguments(_ method: String, _ args: [Argument]) throws -> [ConfigValue] {
        try args.map { a in
            guard case .positional(let e) = a else {
                throw error("\(method)() takes positional arguments only in a config", argumentSpan(a))
            }
            return try eval(e)
        }
    }

    private func argumentSpan(_ a: Argument) -> Range<Int> {
        switch a {
        case .positional(let e), .unpack(let e), .star(let e): return e.span
        case .keyword(_, let nameSpan, _): return nameSpan
        }
    }

    private func unknownMethod(_ type: String, _ method: String, _ span: Range<Int>) -> ConfigError {
        let known = (Self.pureMethods[type] ?? []).union(Self.changingMethods[type] ?? []).sorted()
        let list = known.isEmpty ? "none" : known.map { ".\($0)()" }.joined(separator: ", ")
        return error("method '.\(method)(…)' of \(type) is not available in a config (\(type) methods a config "
                     + "may call: \(list))", span)
    }
}
