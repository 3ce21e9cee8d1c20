/// `--cfg-options KEY=VALUE …`: mmcv 1.7.2's `DictAction` value parsing and `Config.merge_from_dict` with list
/// indices (SEMANTICS.md §1.8).
///
/// Values: quotes stripped from both ends, every space removed, `(…)` → tuple, `[…]` → list, bare commas → list,
/// else int, float, `true`/`false` (any case), exactly `None`, or the string. Keys: dotted paths; a digit segment
/// indexes into an existing list (but cannot replace a whole element); new paths create dicts.
public enum CfgOptions {
    /// Parses one option value as DictAction does.
    public static func parseValue(_ text: String) throws -> ConfigValue {
        try parseIterable(text, origin: .builtin)
    }

    static func parseIterable(_ raw: String, origin: Origin, depth: Int = 0) throws -> ConfigValue {
        guard depth < ConfigLimits.nesting else {
            throw CfgOptionsProblem(ConfigLimits.exceeded("the value nests too deeply: it", ConfigLimits.nesting,
                                                          unit: "levels of brackets"))
        }
        var val = Substring(raw)
        while let f = val.first, f == "'" || f == "\"" { val.removeFirst() }
        while let l = val.last, l == "'" || l == "\"" { val.removeLast() }
        var s = String(val.filter { $0 != " " })
        var isTuple = false, bracketed = true
        if s.hasPrefix("("), s.hasSuffix(")"), s.count >= 2 {
            isTuple = true
            s = String(s.dropFirst().dropLast())
        } else if s.hasPrefix("["), s.hasSuffix("]"), s.count >= 2 {
            s = String(s.dropFirst().dropLast())
        } else if !s.contains(",") {
            return ConfigValue(scalar(s), origin: origin)
        } else {
            bracketed = false
        }
        try checkBalanced(s)
        var values: [ConfigValue] = []
        var rest = Substring(s)
        while !rest.isEmpty {
            let comma = nextComma(rest)
            let element = String(rest[..<comma])
            if !bracketed, element.utf8.count == s.utf8.count {
                // No list or tuple brackets around it and no comma outside brackets: `x(1,2)`. mmcv parses the same
                // text again, forever (RecursionError); say what is wrong instead.
                throw CfgOptionsProblem("cannot parse '\(s)': its commas are all inside brackets, but the value is "
                                        + "not a list or tuple (write it as [\(s)] or (\(s)), or without commas)")
            }
            values.append(try parseIterable(element, origin: origin, depth: depth + 1))
            rest = comma < rest.endIndex ? rest[rest.index(after: comma)...] : ""
        }
        return ConfigValue(isTuple ? .tuple(values) : .list(values), origin: origin)
    }

    /// Unbalanced brackets are an error, as in mmcv. Checked once per list, not once per element (linear).
    private static func checkBalanced(_ s: String) throws {
        var opens = 0, closes = 0, lopens = 0, lcloses = 0
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "("): opens += 1
            case UInt8(ascii: ")"): closes += 1
            case UInt8(ascii: "["): lopens += 1
            case UInt8(ascii: "]"): lcloses += 1
            default: break
            }
        }
        guard opens == closes, lopens == lcloses else { throw CfgOptionsProblem("imbalanced brackets in '\(s)'") }
    }

    /// The first comma outside brackets, or the end.
    private static func nextComma(_ s: Substring) -> Substring.Index {
        var depth = 0
        for i in s.indices {
            switch s[i] {
            case "(", "[": depth += 1
            case ")", "]": depth -= 1
            case "," where depth == 0: return i
            default: break
            }
        }
        return s.endIndex
    }

    /// int, then float, then bool (case-insensitive), then exactly `None`, else the string.
    static func scalar(_ s: String) -> ConfigValue.Content {
        if let i = pythonInt(s) { return .int(i) }
        if let f = pythonFloat(s) { return .float(f) }
        switch s.lowercased() {
        case "true": return .bool(true)
        case "false": return .bool(false)
        default: break
        }
        if s == "None" { return .none }
        return .string(s)
    }

    /// Python `int(str)`: optional sign, decimal digits with single underscores between digits.
    static func pythonInt(_ s: String) -> Int? {
        var t = Substring(s)
        var negative = false
        if let f = t.first, f == "+" || f == "-" { negative = f == "-"; t.removeFirst() }
        guard let first = t.first, first.isASCII, first.isNumber, let last = t.last, last.isASCII, last.isNumber,
              !t.contains("__"), t.allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == "_" })
        else { return nil }
        guard let v = Int(t.filter { $0 != "_" }) else { return nil }
        return negative ? -v : v
    }

    /// Python `float(str)`: decimal or scientific forms (`1.`, `.5`, `1e-3`, underscores between digits), and
    /// `inf`/`infinity`/`nan` in any case with an optional sign.
    static func pythonFloat(_ s: String) -> Double? {
        var t = Substring(s)
        var sign = 1.0
        if let f = t.first, f == "+" || f == "-" { sign = f == "-" ? -1 : 1; t.removeFirst() }
        switch t.lowercased() {
        case "inf", "infinity": return sign * .infinity
        case "nan": return .nan
        default: break
        }
        guard !t.isEmpty, !t.contains("__"), !t.hasPrefix("_"), !t.hasSuffix("_") else { return nil }
        // Underscores only between digits.
        let chars = Array(t)
        for (k, c) in chars.enumerated() where c == "_" {
            guard k > 0, k + 1 < chars.count, chars[k - 1].isNumber, chars[k + 1].isNumber else { return nil }
        }
        var u = String(t.filter { $0 != "_" })
        // Validate the shape: digits [. digits] [e [sign] digits], at least one digit in the mantissa.
        var i = u.startIndex
        var mantissaDigits = 0
        while i < u.endIndex, u[i].isASCII, u[i].isNumber { i = u.index(after: i); mantissaDigits += 1 }
        if i < u.endIndex, u[i] == "." {
            i = u.index(after: i)
            while i < u.endIndex, u[i].isASCII, u[i].isNumber { i = u.index(after: i); mantissaDigits += 1 }
        }
        guard mantissaDigits > 0 else { return nil }
        if i < u.endIndex, u[i] == "e" || u[i] == "E" {
            i = u.index(after: i)
            if i < u.endIndex, u[i] == "+" || u[i] == "-" { i = u.index(after: i) }
            var expDigits = 0
            while i < u.endIndex, u[i].isASCII, u[i].isNumber { i = u.index(after: i); expDigits += 1 }
            guard expDigits > 0 else { return nil }
        }
        guard i == u.endIndex else { return nil }
        if u.hasPrefix(".") { u = "0" + u }
        u = u.replacingOccurrences(of: ".e", with: ".0e").replacingOccurrences(of: ".E", with: ".0E")
        if u.hasSuffix(".") { u += "0" }
        return Double(u).map { sign * $0 }
    }

    /// Applies the options to a loaded config, in order. Throws `ConfigError` located in the option text
    /// (pseudo-file `--cfg-options`, line 1, the tokens joined by spaces).
    public static func apply(_ tokens: [String], to config: inout ResolvedConfig) throws {
        let text = tokens.joined(separator: " ")
        let file = SourceFile(path: SourceFiles.cfgOptionsPath, text: text)
        var files = config.files
        files.add(file)
        config.files = files
        var offset = 0
        var root = ConfigValue(.dict(config.root))
        for token in tokens {
            let tokenRange = offset..<(offset + token.utf8.count)
            defer { offset += token.utf8.count + 1 }
            guard let eq = token.firstIndex(of: "=") else {
                throw file.error("expected KEY=VALUE in --cfg-options, got '\(token)'", at: tokenRange)
            }
            let key = String(token[..<eq])
            let valueText = String(token[token.index(after: eq)...])
            let valueStart = tokenRange.lowerBound + key.utf8.count + 1
            let origin = Origin(location: file.location(valueStart..<tokenRange.upperBound), source: .cfgOptions)
            let keyOrigin = Origin(location: file.location(tokenRange.lowerBound..<(valueStart - 1)), source: .cfgOptions)
            let value: ConfigValue
            do { value = try parseIterable(valueText, origin: origin) } catch let p as CfgOptionsProblem {
                throw file.error(p.message, at: valueStart..<tokenRange.upperBound)
            }
            let path = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            let keyRange = tokenRange.lowerBound..<(valueStart - 1)
            guard path.count <= ConfigLimits.valueDepth else {
                throw file.error(ConfigLimits.exceeded("the key has \(path.count) parts; it", ConfigLimits.valueDepth,
                                                       unit: "levels"), at: keyRange)
            }
            do {
                root = try merge(path: path[...], value: value, keyOrigin: keyOrigin, into: root, fullKey: key)
            } catch let p as CfgOptionsProblem {
                throw file.error("cannot apply '\(key)': \(p.message)", at: keyRange)
            }
            let m = root.metrics
            if m.depth - 1 > ConfigLimits.valueDepth || m.nodes > ConfigLimits.values
                || m.text > ConfigLimits.stringBytes {
                throw file.error("cannot apply '\(key)': " + ConfigLimits.exceeded(
                    "the config would be too large or too deeply nested: it", ConfigLimits.valueDepth,
                    unit: "levels, \(ConfigLimits.grouped(ConfigLimits.values)) values or "
                        + "\(ConfigLimits.grouped(ConfigLimits.stringBytes)) bytes of strings"), at: keyRange)
            }
        }
        if case .dict(let d) = root.content { config.root = d }
    }

    /// `merge_from_dict(allow_list_keys=True)` for one dotted key.
    private static func merge(path: ArraySlice<String>, value: ConfigValue, keyOrigin: Origin,
                              into node: ConfigValue, fullKey: String) throws -> ConfigValue {
        guard let segment = path.first else { return value }
        let rest = path.dropFirst()
        var node = node
        switch node.content {
        case .list(var items) where segment.allSatisfy({ $0.isASCII && $0.isNumber }) && !segment.isEmpty:
            guard let i = Int(segment), i < items.count else {
                throw CfgOptionsProblem("index \(segment) exceeds the length of the list (\(items.count))")
            }
            guard !rest.isEmpty else {
                throw CfgOptionsProblem("a whole list element cannot be replaced (set one of its keys, "
                                        + "e.g. \(fullKey).type=…); mmcv refuses this too")
            }
            items[i] = try merge(path: rest, value: value, keyOrigin: keyOrigin, into: items[i], fullKey: fullKey)
            node.content = .list(items)
            return node
        case .dict(var d):
            let key = ConfigKey.string(segment)
            if rest.isEmpty {
                d.set(key, value, keyOrigin: keyOrigin)
            } else if let existing = d[key] {
                switch existing.content {
                case .dict, .list:
                    d.set(key, try merge(path: rest, value: value, keyOrigin: keyOrigin, into: existing, fullKey: fullKey),
                          keyOrigin: keyOrigin)
                default:
                    throw CfgOptionsProblem("'\(segment)' is \(existing.typeDescription), not a dict or list")
                }
            } else {
                let created = try merge(path: rest, value: value, keyOrigin: keyOrigin,
                                        into: ConfigValue(.dict(ConfigDict()), origin: keyOrigin), fullKey: fullKey)
                d.set(key, created, keyOrigin: keyOrigin)
            }
            node.content = .dict(d)
            return node
        case .list:
            throw CfgOptionsProblem("'\(segment)' is not an index into the list")
        default:
            throw CfgOptionsProblem("\(node.typeDescription) has no key '\(segment)'")
        }
    }
}

/// A `--cfg-options` problem before it is given a location.
struct CfgOptionsProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
