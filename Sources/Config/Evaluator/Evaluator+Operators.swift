/// Displays (`{…}`), unary operators, subscripts and iteration: the pieces of evaluation below `eval`'s switch.
extension Evaluator {
    mutating func dictDisplay(_ items: [DictItem], _ span: Range<Int>) throws -> ConfigValue {
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
                try chargeBulk(src.count, inner.span)
                for entry in src { d.set(entry.key, entry.value, keyOrigin: entry.keyOrigin) }
            }
        }
        return ConfigValue(.dict(d), origin: origin(span))
    }

    func unary(_ op: String, _ v: ConfigValue, _ span: Range<Int>) throws -> ConfigValue {
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

    mutating func subscriptValue(_ base: ConfigValue, _ index: ConfigValue, _ span: Range<Int>) throws -> ConfigValue {
        switch base.content {
        case .dict(let d):
            let k = try dictKey(index, span)
            guard let v = d[k] else { throw error("key \(PythonText.key(k)) not found", span) }
            return v
        case .list(let a), .tuple(let a):
            return a[try listIndex(index, count: a.count, span)]
        case .string(let s):
            try chargeBulk(cost(base), span)
            let scalars = Array(s.unicodeScalars)
            let i = try listIndex(index, count: scalars.count, span)
            return ConfigValue(.string(String(scalars[i])), origin: base.origin)
        default:
            throw error("'\(base.typeName)' object is not subscriptable", span)
        }
    }

    /// The items a `for` or `list()`/`tuple()`/`dict()` sees: elements, a string's characters, a dict's keys.
    func iterate(_ v: ConfigValue, _ span: Range<Int>) throws -> [ConfigValue] {
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
}
