/// Parenthesised expressions and tuples, list and dict displays, and comprehension clauses.
extension Parser {
    mutating func parenthesised() throws -> Expr {
        let open = try advance()
        if current.isOp(")") {
            let close = try advance()
            return Expr(kind: .tuple([]), span: open.span.lowerBound..<close.span.upperBound)
        }
        let first = try expression()
        if current.isName("for") { throw error("generator expressions are not supported in a config", current.span) }
        if current.isOp(")") {
            let close = try advance()
            // Parentheses only group: keep the inner node's kind but widen its span to the brackets, so an edit
            // of the value replaces `(…)` whole.
            return Expr(kind: first.kind, span: open.span.lowerBound..<close.span.upperBound)
        }
        var items = [first]
        while current.isOp(",") {
            _ = try advance()
            if current.isOp(")") { break }
            items.append(try expression())
        }
        let close = try expectOp(")", "to close the tuple")
        return Expr(kind: .tuple(items), span: open.span.lowerBound..<close.span.upperBound)
    }

    mutating func listDisplay() throws -> Expr {
        let open = try advance()
        var items: [Expr] = []
        while !current.isOp("]") {
            if current.isOp("*") { throw error("starred items are not supported in a config", current.span) }
            let e = try expression()
            if current.isName("for"), items.isEmpty {
                let clauses = try comprehensionClauses()
                let close = try expectOp("]", "to close the list comprehension")
                return Expr(kind: .listComprehension(element: e, clauses: clauses),
                            span: open.span.lowerBound..<close.span.upperBound)
            }
            items.append(e)
            if current.isOp(",") { _ = try advance() } else { break }
        }
        let close = try expectOp("]", "to close the list")
        return Expr(kind: .list(items), span: open.span.lowerBound..<close.span.upperBound)
    }

    mutating func dictDisplay() throws -> Expr {
        let open = try advance()
        var items: [DictItem] = []
        while !current.isOp("}") {
            if current.isOp("**") {
                // Parsed below expression level, so it counts its own nesting (`{**{**{…}}}`).
                try enter(current.span)
                defer { depth -= 1 }
                _ = try advance()
                items.append(.unpack(try bitOr()))
            } else {
                let key = try expression()
                guard current.isOp(":") else {
                    if current.isOp(",") || current.isOp("}") || current.isName("for") {
                        throw error("sets are not supported in a config", key.span)
                    }
                    throw error("expected ':' after the dict key, found \(describe(current))", current.span)
                }
                _ = try advance()
                let value = try expression()
                if current.isName("for"), items.isEmpty {
                    let clauses = try comprehensionClauses()
                    let close = try expectOp("}", "to close the dict comprehension")
                    return Expr(kind: .dictComprehension(key: key, value: value, clauses: clauses),
                                span: open.span.lowerBound..<close.span.upperBound)
                }
                items.append(.pair(key: key, value: value))
            }
            if current.isOp(",") { _ = try advance() } else { break }
        }
        let close = try expectOp("}", "to close the dict")
        return Expr(kind: .dict(items), span: open.span.lowerBound..<close.span.upperBound)
    }

    mutating func comprehensionClauses() throws -> [ComprehensionClause] {
        var clauses: [ComprehensionClause] = []
        // The evaluator loops one clause inside the other: each clause is a level of nesting.
        let outer = depth
        defer { depth = outer }
        while current.isName("for") {
            try enter(current.span)
            _ = try advance()
            var names: [String] = []
            let targetStart = current.span.lowerBound
            var targetEnd = targetStart
            repeat {
                if current.isOp(",") { _ = try advance() }
                guard case .name(let n) = current.kind, !Lexer.keywords.contains(n) else {
                    throw error("expected a loop variable name", current.span)
                }
                targetEnd = try advance().span.upperBound
                names.append(n)
            } while current.isOp(",")
            guard current.isName("in") else { throw error("expected 'in' in the comprehension", current.span) }
            _ = try advance()
            let iterable = try orTest()
            var conditions: [Expr] = []
            while current.isName("if") {
                _ = try advance()
                conditions.append(try orTest())
            }
            clauses.append(ComprehensionClause(target: names, targetSpan: targetStart..<targetEnd,
                                               iterable: iterable, conditions: conditions))
        }
        return clauses
    }
}
