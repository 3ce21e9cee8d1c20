/// Slices (`a[i:j:k]`) on strings, lists and tuples, read and assigned, with Python's results: omitted parts,
/// negative indices and steps, out-of-range bounds clamped, a zero step refused.
extension Evaluator {
    /// A subscript after evaluation: an index or key, or a slice's three parts (nil where left out).
    enum Subscript {
        case key(ConfigValue)
        case slice(lower: Int?, upper: Int?, step: Int?)
    }

    /// The positions a slice selects in a sequence of `count` items, as Python's `slice.indices` gives them.
    struct SlicePositions: Equatable {
        var start: Int, stop: Int, step: Int
        /// How many positions: `start, start + step, …` up to (not including) `stop`.
        var count: Int

        init(lower: Int?, upper: Int?, step: Int?, count length: Int) {
            // A step below -Int.max is clamped as CPython clamps it to -PY_SSIZE_T_MAX, so negating it is safe.
            let step = max(step ?? 1, -Int.max)
            func clamp(_ v: Int?, _ defaultValue: Int) -> Int {
                guard var v else { return defaultValue }
                if v < 0 {
                    v += length
                    if v < 0 { v = step < 0 ? -1 : 0 }
                } else if v >= length {
                    v = step < 0 ? length - 1 : length
                }
                return v
            }
            start = clamp(lower, step < 0 ? length - 1 : 0)
            stop = clamp(upper, step < 0 ? -1 : length)
            self.step = step
            if step < 0 {
                count = stop < start ? (start - stop - 1) / -step + 1 : 0
            } else {
                count = start < stop ? (stop - start - 1) / step + 1 : 0
            }
        }

        var positions: [Int] { (0..<count).map { start + $0 * step } }
    }

    /// Evaluates a subscript expression: a slice's parts (each an int, a bool or None, and a step not zero),
    /// anything else as a value.
    mutating func evalSubscript(_ e: Expr) throws -> Subscript {
        guard case .slice(let lowerExpr, let upperExpr, let stepExpr) = e.kind else { return .key(try eval(e)) }
        func part(_ x: Expr?, _ ev: inout Evaluator) throws -> (Int?, Range<Int>) {
            guard let x else { return (nil, e.span) }
            let v = try ev.eval(x)
            switch v.content {
            case .none: return (nil, x.span)
            case .int(let i): return (i, x.span)
            case .bool(let b): return (b ? 1 : 0, x.span)
            default:
                throw ev.error("slice indices must be integers or None, not \(v.typeName)", x.span)
            }
        }
        let lower = try part(lowerExpr, &self).0
        let upper = try part(upperExpr, &self).0
        let (step, stepSpan) = try part(stepExpr, &self)
        if step == 0 { throw error("slice step cannot be zero", stepSpan) }
        return .slice(lower: lower, upper: upper, step: step)
    }

    /// `base[index]` for an evaluated subscript.
    mutating func subscriptValue(_ base: ConfigValue, _ index: Subscript, _ span: Range<Int>) throws -> ConfigValue {
        guard case .slice(let lower, let upper, let step) = index else {
            guard case .key(let key) = index else { preconditionFailure("unreachable") }
            return try subscriptValue(base, key, span)
        }
        let o = origin(span)
        switch base.content {
        case .list(let a), .tuple(let a):
            let p = SlicePositions(lower: lower, upper: upper, step: step, count: a.count)
            try chargeBulk(p.count, span)
            let items = p.positions.map { a[$0] }
            if case .list = base.content { return ConfigValue(.list(items), origin: o) }
            return ConfigValue(.tuple(items), origin: o)
        case .string(let s):
            try chargeBulk(cost(base), span)
            let scalars = Array(s.unicodeScalars)
            let p = SlicePositions(lower: lower, upper: upper, step: step, count: scalars.count)
            var out = String.UnicodeScalarView()
            for i in p.positions { out.append(scalars[i]) }
            return ConfigValue(.string(String(out)), origin: o)
        case .dict:
            throw error("dict keys must be strings or integers in a config, not slice", span)
        default:
            throw error("'\(base.typeName)' object is not subscriptable", span)
        }
    }

    /// `list[lower:upper:step] = value`: a plain slice (step 1) is replaced by the items of any iterable, of any
    /// length; an extended slice needs exactly as many items as it selects.
    func assignSlice(_ a: inout [ConfigValue], lower: Int?, upper: Int?, step: Int?, _ value: ConfigValue,
                     _ span: Range<Int>) throws {
        let items: [ConfigValue]
        do { items = try iterate(value, span) } catch {
            throw self.error("can only assign an iterable to a slice, not \(value.typeName)", span)
        }
        let p = SlicePositions(lower: lower, upper: upper, step: step, count: a.count)
        if p.step == 1 {
            a.replaceSubrange(p.start..<max(p.start, p.stop), with: items)
            return
        }
        guard items.count == p.count else {
            throw error("attempt to assign sequence of size \(items.count) to extended slice of size \(p.count)",
                        span)
        }
        for (i, item) in zip(p.positions, items) { a[i] = item }
    }

    /// An assignment whose target goes on after a slice (`a[1:][0]['k'] = v`). In Python the slice is a new
    /// sequence holding the same items: assigning to the new sequence itself is lost, but changing a list or dict
    /// inside it changes the original's. So the remaining subscripts are followed back to the original positions.
    mutating func setThroughSlice(_ container: inout ConfigValue, _ slice: Subscript, _ span: Range<Int>,
                                  _ rest: ArraySlice<(Expr, Subscript)>, _ value: ConfigValue) throws {
        let copy = try subscriptValue(container, slice, span)   // the errors of slicing an int, a dict …
        guard case .slice(let lower, let upper, let step) = slice, let items = container.elements else {
            var temporary = copy
            return try setItem(&temporary, rest, value)
        }
        let isTuple = if case .tuple = container.content { true } else { false }
        func sequence(_ a: [ConfigValue]) -> ConfigValue.Content { isTuple ? .tuple(a) : .list(a) }
        var positions = SlicePositions(lower: lower, upper: upper, step: step, count: items.count).positions
        var rest = rest
        while let (expr, next) = rest.first {
            let more = rest.dropFirst()
            if more.isEmpty {
                // The last subscript assigns into the temporary sequence: only its errors remain.
                var temporary = container
                temporary.content = sequence(positions.map { items[$0] })
                return try setItem(&temporary, rest, value)
            }
            switch next {
            case .slice(let l, let u, let s):
                positions = SlicePositions(lower: l, upper: u, step: s, count: positions.count).positions
                    .map { positions[$0] }
                rest = more
            case .key(let index):
                let i = positions[try listIndex(index, count: positions.count, expr.span)]
                var element = items[i]
                try setItem(&element, more, value)
                var changed = items
                changed[i] = element
                container.content = sequence(changed)
                return
            }
        }
    }
}
