import Foundation

/// Calls: `dict(...)` and the pure builtins a config may use (range, len, int, float, str, bool, min, max, abs,
/// round, sum, list, tuple). Any other call is refused.
extension Evaluator {
    // MARK: - Calls

    mutating func call(_ callee: Expr, _ args: [Argument], _ span: Range<Int>) throws -> ConfigValue {
        let name: String
        switch callee.kind {
        case .name(let n) where scopes.allSatisfy({ $0[n] == nil }) && globals[n] == nil:
            name = n
        case .name(let n):
            throw error("'\(n)' is not callable", callee.span)
        case .attribute(let base, let method):
            return try methodCall(base, method, args, span)
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
                let items = try iterate(try eval(e), e.span)
                try chargeCreated(items.count, e.span)
                for v in items { positional.append(v); spans.append(e.span) }
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
            try chargeCreated(items.count, span)
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
            // In wide integers: `stop - start` overflows for ranges across the whole Int domain.
            let width = step > 0 ? Int128(stop) - Int128(start) : Int128(start) - Int128(stop)
            let stride = Int128(step).magnitude
            let wide = width <= 0 ? 0 : (UInt128(width) + stride - 1) / stride
            guard wide < ConfigLimits.values else {
                throw error(ConfigLimits.exceeded("range() is too long: it", ConfigLimits.values, unit: "values"), span)
            }
            let count = Int(wide)
            try chargeCreated(count, span)
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
            if let v = positional.first { try chargeBulk(cost(v), span) }
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
            try chargeBulk(items.reduce(items.count) { $0 + cost($1) }, span)
            if name == "sum" {
                var total = positional.count == 2 ? positional[1] : ConfigValue(.int(0), origin: o)
                for v in items { total = try binary("+", total, v, span) }
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
    mutating func dictCall(_ args: [Argument], _ span: Range<Int>) throws -> ConfigValue {
        var d = ConfigDict()
        var positionalSeen = false
        for a in args {
            switch a {
            case .positional(let e):
                guard !positionalSeen else { throw error("dict() takes at most 1 positional argument", e.span) }
                positionalSeen = true
                let v = try eval(e)
                try chargeBulk(cost(v), e.span)
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
                try chargeBulk(src.count, e.span)
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
