/// The expression grammar, Python's precedence from conditional expressions down to atoms and displays.
extension Parser {
    // MARK: - Expressions (Python precedence, lowest first)

    /// `a, b` at statement level forms a tuple, as in Python (`x = 1, 2`).
    mutating func expressionList() throws -> Expr {
        let first = try expression()
        guard current.isOp(",") else { return first }
        var items = [first]
        while current.isOp(",") {
            _ = try advance()
            if case .newline = current.kind { break }
            if current.isEOF || current.isOp("=") || current.isOp(";") { break }
            items.append(try expression())
        }
        return Expr(kind: .tuple(items), span: first.span.lowerBound..<items.last!.span.upperBound)
    }

    mutating func expression() throws -> Expr {
        try enter(current.span)
        defer { depth -= 1 }
        if current.isName("lambda") { throw error("lambdas are not allowed in a config", current.span) }
        let body = try orTest()
        if current.isName("if") {
            _ = try advance()
            let test = try orTest()
            guard current.isName("else") else {
                throw error("expected 'else' in conditional expression", current.span)
            }
            _ = try advance()
            let orElse = try expression()
            return Expr(kind: .conditional(test: test, body: body, orElse: orElse),
                        span: body.span.lowerBound..<orElse.span.upperBound)
        }
        if current.isOp(":=") { throw error("assignment expressions are not allowed in a config", current.span) }
        return body
    }

    mutating func orTest() throws -> Expr { try boolChain("or") { try $0.andTest() } }
    mutating func andTest() throws -> Expr { try boolChain("and") { try $0.notTest() } }

    mutating func boolChain(_ word: String, _ sub: (inout Parser) throws -> Expr) throws -> Expr {
        let first = try sub(&self)
        guard current.isName(word) else { return first }
        var operands = [first]
        while current.isName(word) {
            _ = try advance()
            operands.append(try sub(&self))
        }
        return Expr(kind: .boolOp(op: word, operands: operands),
                    span: first.span.lowerBound..<operands.last!.span.upperBound)
    }

    mutating func notTest() throws -> Expr {
        if current.isName("not") {
            try enter(current.span)
            defer { depth -= 1 }
            let t = try advance()
            let operand = try notTest()
            return Expr(kind: .unary(op: "not", operand: operand), span: t.span.lowerBound..<operand.span.upperBound)
        }
        return try comparison()
    }

    mutating func comparison() throws -> Expr {
        let first = try bitOr()
        var rest: [(op: String, rhs: Expr)] = []
        while true {
            var op: String? = nil
            if case .op(let o) = current.kind, ["<", ">", "==", ">=", "<=", "!="].contains(o) {
                op = o; _ = try advance()
            } else if current.isName("in") {
                op = "in"; _ = try advance()
            } else if current.isName("not"), (try lookahead(1)).isName("in") {
                op = "not in"; _ = try advance(); _ = try advance()
            } else if current.isName("is") {
                _ = try advance()
                if current.isName("not") { _ = try advance(); op = "is not" } else { op = "is" }
            }
            guard let o = op else { break }
            rest.append((o, try bitOr()))
        }
        if rest.isEmpty { return first }
        return Expr(kind: .compare(first: first, rest: rest), span: first.span.lowerBound..<rest.last!.rhs.span.upperBound)
    }

    mutating func bitOr() throws -> Expr {
        let e = try arith()
        if case .op(let o) = current.kind, ["|", "&", "^", "<<", ">>"].contains(o) {
            throw error("bitwise operator '\(o)' is not supported in a config", current.span)
        }
        return e
    }

    /// `a + b - c …`: one flat chain node, however long, parsed and evaluated in a loop (left to right, as
    /// Python associates them), so 100,000 terms cost no stack.
    mutating func arith() throws -> Expr {
        let first = try term()
        var rest: [(op: String, rhs: Expr)] = []
        while case .op(let o) = current.kind, o == "+" || o == "-" {
            _ = try advance()
            rest.append((o, try term()))
        }
        return chain(first, rest)
    }

    mutating func term() throws -> Expr {
        let first = try factor()
        var rest: [(op: String, rhs: Expr)] = []
        while case .op(let o) = current.kind, ["*", "/", "//", "%", "@"].contains(o) {
            if o == "@" { throw error("matrix multiplication is not supported in a config", current.span) }
            _ = try advance()
            rest.append((o, try factor()))
        }
        return chain(first, rest)
    }

    private func chain(_ first: Expr, _ rest: [(op: String, rhs: Expr)]) -> Expr {
        guard let last = rest.last else { return first }
        if rest.count == 1 {
            return Expr(kind: .binary(op: last.op, lhs: first, rhs: last.rhs), span: first.span.lowerBound..<last.rhs.span.upperBound)
        }
        return Expr(kind: .chain(first: first, rest: rest), span: first.span.lowerBound..<last.rhs.span.upperBound)
    }

    mutating func factor() throws -> Expr {
        if case .op(let o) = current.kind, o == "-" || o == "+" || o == "~" {
            try enter(current.span)
            defer { depth -= 1 }
            let t = try advance()
            if o == "~" { throw error("bitwise operator '~' is not supported in a config", t.span) }
            let operand = try factor()
            return Expr(kind: .unary(op: o, operand: operand), span: t.span.lowerBound..<operand.span.upperBound)
        }
        return try power()
    }

    mutating func power() throws -> Expr {
        let base = try postfix()
        if current.isOp("**") {
            try enter(current.span)
            defer { depth -= 1 }
            _ = try advance()
            let exponent = try factor()
            return Expr(kind: .binary(op: "**", lhs: base, rhs: exponent),
                        span: base.span.lowerBound..<exponent.span.upperBound)
        }
        return base
    }

    mutating func postfix() throws -> Expr {
        var e = try atom()
        // Each trailer wraps the value once more (`x[0][0]…` is a chain of item nodes): count them as nesting.
        let outer = depth
        defer { depth = outer }
        while true {
            if current.isOp("(") || current.isOp("[") || current.isOp(".") { try enter(current.span) }
            if current.isOp("(") {
                _ = try advance()
                let args = try arguments()
                let close = try expectOp(")", "to close the call")
                e = Expr(kind: .call(callee: e, args: args), span: e.span.lowerBound..<close.span.upperBound)
            } else if current.isOp("[") {
                _ = try advance()
                if current.isOp("]") { throw error("empty subscript", current.span) }
                var index = try subscriptItem()
                if current.isOp(",") {
                    var items = [index]
                    while current.isOp(",") {
                        _ = try advance()
                        if current.isOp("]") { break }
                        items.append(try subscriptItem())
                    }
                    index = Expr(kind: .tuple(items), span: items[0].span.lowerBound..<items.last!.span.upperBound)
                }
                let close = try expectOp("]", "to close the subscript")
                e = Expr(kind: .item(base: e, index: index), span: e.span.lowerBound..<close.span.upperBound)
            } else if current.isOp(".") {
                _ = try advance()
                guard case .name(let n) = current.kind else {
                    throw error("expected an attribute name after '.'", current.span)
                }
                let t = try advance()
                e = Expr(kind: .attribute(base: e, name: n), span: e.span.lowerBound..<t.span.upperBound)
            } else {
                return e
            }
        }
    }

    /// One item between `[` and `]`: an expression, or a slice `lower:upper:step` with any part left out.
    mutating func subscriptItem() throws -> Expr {
        let start = current.span.lowerBound
        let lower = current.isOp(":") ? nil : try expression()
        guard current.isOp(":") else { return lower! }
        var end = try advance().span.upperBound
        func ends(_ t: Token) -> Bool { t.isOp(":") || t.isOp("]") || t.isOp(",") }
        var upper: Expr?, step: Expr?
        if !ends(current) {
            upper = try expression()
            end = upper!.span.upperBound
        }
        if current.isOp(":") {
            end = try advance().span.upperBound
            if !ends(current) {
                step = try expression()
                end = step!.span.upperBound
            }
        }
        return Expr(kind: .slice(lower: lower, upper: upper, step: step), span: start..<end)
    }

    mutating func arguments() throws -> [Argument] {
        var args: [Argument] = []
        var seenKeywords: Set<String> = []
        var sawKeyword = false
        while !current.isOp(")") {
            if current.isOp("**") {
                _ = try advance()
                args.append(.unpack(try expression()))
            } else if current.isOp("*") {
                _ = try advance()
                args.append(.star(try expression()))
            } else if case .name(let n) = current.kind, (try lookahead(1)).isOp("="), !Lexer.keywords.contains(n) {
                let nameTok = try advance()
                _ = try advance()
                if !seenKeywords.insert(n).inserted {
                    throw error("keyword argument repeated: '\(n)'", nameTok.span)
                }
                args.append(.keyword(name: n, nameSpan: nameTok.span, value: try expression()))
                sawKeyword = true
            } else {
                let e = try expression()
                if current.isName("for") {
                    throw error("generator expressions are not supported in a config", current.span)
                }
                if sawKeyword {
                    throw error("positional argument follows keyword argument", e.span)
                }
                args.append(.positional(e))
            }
            if current.isOp(",") { _ = try advance() } else { break }
        }
        return args
    }

    mutating func atom() throws -> Expr {
        let t = current
        switch t.kind {
        case .name(let n):
            switch n {
            case "True": _ = try advance(); return Expr(kind: .bool(true), span: t.span)
            case "False": _ = try advance(); return Expr(kind: .bool(false), span: t.span)
            case "None": _ = try advance(); return Expr(kind: .none, span: t.span)
            default:
                if let why = Self.refusedStatements[n], n != "else" {
                    throw error(why, t.span)
                }
                if Lexer.keywords.contains(n) { throw error("unexpected keyword '\(n)'", t.span) }
                _ = try advance()
                return Expr(kind: .name(n), span: t.span)
            }
        case .int(let v): _ = try advance(); return Expr(kind: .int(v), span: t.span)
        case .float(let v): _ = try advance(); return Expr(kind: .float(v), span: t.span)
        case .string(var lit):
            _ = try advance()
            var end = t.span.upperBound
            // Adjacent literals concatenate ('a' 'b'), including across lines inside brackets.
            while case .string(let more) = current.kind {
                lit.pieces += more.pieces
                lit.isFormatted = lit.isFormatted || more.isFormatted
                end = try advance().span.upperBound
            }
            return Expr(kind: .string(lit), span: t.span.lowerBound..<end)
        case .baseRef(let path): _ = try advance(); return Expr(kind: .baseRef(path), span: t.span)
        case .op("("): return try parenthesised()
        case .op("["): return try listDisplay()
        case .op("{"): return try dictDisplay()
        case .op("..."): throw error("'...' is not supported in a config", t.span)
        default:
            throw error("expected a value, found \(describe(t))", t.span)
        }
    }
}
