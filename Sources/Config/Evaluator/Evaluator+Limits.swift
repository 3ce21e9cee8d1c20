/// The evaluator's side of `ConfigLimits`: size checks on every value it builds (before building what `+` and `*`
/// would make), and the step budget that bounds loops and repeated work.
extension Evaluator {
    /// Evaluates a display's items, checking the running size so a huge literal stops early.
    mutating func evalAll(_ items: [Expr], _ span: Range<Int>) throws -> [ConfigValue] {
        var out: [ConfigValue] = []
        out.reserveCapacity(items.count)
        var nodes = 1, text = 0
        for item in items {
            let v = try eval(item)
            nodes += v.metrics.nodes; text += v.metrics.text
            if nodes > ConfigLimits.values || text > ConfigLimits.stringBytes {
                try checkSize(ValueMetrics(depth: 1, nodes: nodes, text: text), span)
            }
            out.append(v)
        }
        return out
    }

    /// `+ - * / // % **` on two values, charging the work of copying sequences and refusing a result over the limits
    /// before it is built.
    mutating func binary(_ op: String, _ l: ConfigValue, _ r: ConfigValue,
                                 _ span: Range<Int>) throws -> ConfigValue {
        if let result = Arithmetic.resultMetrics(op, l, r) {
            try checkSize(result, span)
            try chargeBulk(result.nodes + result.text / 8, span)   // strings are copied at memcpy speed
        }
        return try Arithmetic.binary(op, l, r, at: origin(span)) { self.error($0, span) }
    }

    /// The work of walking a value once (comparing, printing, indexing a string): its values and string bytes.
    func cost(_ v: ConfigValue) -> Int { v.metrics.nodes + v.metrics.text }

    /// Work done in bulk by one operation (copying or walking `elements` values, scanning characters) costs one
    /// step per `bulkPerStep` of them: it is that much cheaper than interpreting one syntax node.
    mutating func chargeBulk(_ elements: Int, _ span: Range<Int>) throws {
        try charge(elements / Self.bulkPerStep, span)
    }

    static var bulkPerStep: Int { 8 }

    /// Making `count` new values (`range`, iterating a string or dict): two to a step.
    mutating func chargeCreated(_ count: Int, _ span: Range<Int>) throws {
        try charge(count / 2, span)
    }

    mutating func charge(_ steps: Int, _ span: Range<Int>) throws {
        stepsLeft -= steps
        if stepsLeft < 0 {
            stepsLeft = Int.min / 2   // stay exhausted however much is charged later
            throw error(ConfigLimits.exceeded("evaluating this file", ConfigLimits.extraSteps, unit: "steps")
                        + " (plus one per byte of the file); a comprehension or repetition here does too much work",
                        span)
        }
    }

    func checkSize(_ v: ConfigValue, _ span: Range<Int>) throws { try checkSize(v.metrics, span) }

    func checkSize(_ m: ValueMetrics, _ span: Range<Int>) throws {
        if m.depth > ConfigLimits.valueDepth {
            throw error(ConfigLimits.exceeded("this value nests too deeply: it", ConfigLimits.valueDepth,
                                              unit: "levels of lists, tuples and dicts"), span)
        }
        if m.nodes > ConfigLimits.values {
            throw error(ConfigLimits.exceeded("this value is too large: it", ConfigLimits.values,
                                              unit: "values (counting every repetition)"), span)
        }
        if m.text > ConfigLimits.stringBytes {
            throw error(ConfigLimits.exceeded("this value's text is too large: it", ConfigLimits.stringBytes,
                                              unit: "bytes of strings (counting every repetition)"), span)
        }
    }

    /// The whole config so far (all names of the file) against the same size limits.
    func checkTotal(_ d: ConfigDict, at span: Range<Int>) throws {
        guard d.nodeSum > ConfigLimits.values || d.textSum > ConfigLimits.stringBytes else { return }
        throw error(ConfigLimits.exceeded("the config is too large: its values", ConfigLimits.values, unit: "values")
                    + " or \(ConfigLimits.grouped(ConfigLimits.stringBytes)) bytes of strings in total", span)
    }
}
