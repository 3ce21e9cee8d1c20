/// Parses config source into statements. A recursive-descent parser for Python's expression grammar, limited to
/// the constructs a config needs; every statement or construct outside that subset (imports, `def`, `if`, `for`,
/// `lambda`, …) is a `ConfigError` at its exact location. Nothing is ever executed.
struct Parser {
    let file: SourceFile
    /// Tokens are pulled from the lexer as the parser goes, so a 100 MB config never holds all its tokens at once.
    private var lexer: Lexer
    /// An f-string field is one logical line: its newlines are dropped.
    private var skipNewlines = false
    /// `buffer[0]` is the current token; one more is read ahead only when `lookahead(1)` asks.
    private var buffer: [Token] = []
    /// Nesting of the expression being parsed: every construct that recurses (brackets, unary operators, `**`,
    /// conditional expressions, chained subscripts and calls) counts, so a hostile file is a located error, not a
    /// stack overflow, and the syntax tree (and the evaluator walking it) is never deeper than this.
    var depth = 0
    static let maxDepth = ConfigLimits.nesting
    /// Tokens of the statement being parsed: its syntax tree is held whole until it is evaluated, so it is bounded.
    private var statementTokens = 0

    init(file: SourceFile, predefined: [String: String] = [:]) throws {
        self.file = file
        self.lexer = Lexer(file: file, predefined: predefined)
        try lexer.checkNoNulByte()
        buffer = [try fetch()]
    }

    /// Parses a fragment (an f-string field) with the same file for locations.
    private init(file: SourceFile, fieldRange: Range<Int>) throws {
        self.file = file
        self.lexer = Lexer(file: file, range: fieldRange)
        self.skipNewlines = true
        buffer = [try fetch()]
    }

    static func parse(_ file: SourceFile, predefined: [String: String] = [:]) throws -> [Statement] {
        var parser = try Parser(file: file, predefined: predefined)
        return try parser.parseFile()
    }

    /// Parses the expression text of an f-string field, located at `span` in `file`. `depth` is the nesting the
    /// field sits in (an f-string inside a field of an f-string …), so that nesting counts too.
    static func parseFormattedField(_ file: SourceFile, span: Range<Int>, depth: Int = 0) throws -> Expr {
        var parser = try Parser(file: file, fieldRange: span)
        parser.depth = depth
        let e = try parser.expression()
        guard parser.current.isEOF else {
            throw file.error("invalid syntax in f-string expression", at: parser.current.span)
        }
        return e
    }

    // MARK: - Token helpers

    private mutating func fetch() throws -> Token {
        var t = try lexer.next()
        while skipNewlines, case .newline = t.kind { t = try lexer.next() }
        return t
    }

    var current: Token { buffer[0] }

    mutating func lookahead(_ k: Int) throws -> Token {
        while buffer.count <= k, !buffer[buffer.count - 1].isEOF { buffer.append(try fetch()) }
        return buffer[min(k, buffer.count - 1)]
    }

    mutating func advance() throws -> Token {
        let t = buffer[0]
        if t.isEOF { return t }
        statementTokens += 1
        if statementTokens > ConfigLimits.statementTokens {
            throw error(ConfigLimits.exceeded("this statement is too long: it", ConfigLimits.statementTokens,
                                              unit: "tokens"), t.span)
        }
        buffer.removeFirst()
        if buffer.isEmpty { buffer.append(try fetch()) }
        return t
    }

    /// Counts one level of nesting at `span`; pair with `depth -= 1` (a `defer`) when the construct is parsed.
    mutating func enter(_ span: Range<Int>) throws {
        depth += 1
        if depth > Self.maxDepth {
            throw error("expression nested too deeply (more than \(Self.maxDepth) levels: brackets, unary operators, "
                        + "'**', conditional expressions and chained subscripts or calls all count)", span)
        }
    }

    func error(_ message: String, _ span: Range<Int>) -> ConfigError { file.error(message, at: span) }

    mutating func expectOp(_ op: String, _ context: String) throws -> Token {
        guard current.isOp(op) else {
            throw error("expected '\(op)' \(context), found \(describe(current))", current.span)
        }
        return try advance()
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .name(let n): return "'\(n)'"
        case .int, .float: return "number \(file.slice(t.span))"
        case .string: return "string"
        case .op(let o): return "'\(o)'"
        case .baseRef: return "base reference"
        case .indent: return "indentation"
        case .newline: return "end of line"
        case .eof: return "end of file"
        }
    }

    // MARK: - Statements

    mutating func parseFile() throws -> [Statement] {
        var statements: [Statement] = []
        while let s = try nextStatement() { statements.append(s) }
        return statements
    }

    /// The next statement of the file, nil at its end. Lets the loader evaluate a file one statement at a time.
    mutating func nextStatement() throws -> Statement? {
        while true {
            if current.isEOF { return nil }
            if case .newline = current.kind { _ = try advance(); continue }
            statementTokens = 0
            let s = try statement()
            try endOfStatement()
            return s
        }
    }

    /// After a statement: `;` and another statement on the same line, or the end of the line.
    private mutating func endOfStatement() throws {
        if current.isOp(";") {
            _ = try advance()
            if case .newline = current.kind { _ = try advance(); return }
            return   // another statement follows on this line
        }
        if case .newline = current.kind { _ = try advance() } else if !current.isEOF {
            throw error("expected end of line after the statement, found \(describe(current))", current.span)
        }
    }

    static let refusedStatements: [String: String] = [
        "import": "imports are not allowed in a config (nothing in a config is executed)",
        "from": "imports are not allowed in a config (nothing in a config is executed)",
        "def": "function definitions are not allowed in a config",
        "class": "class definitions are not allowed in a config",
        "if": "'if' statements are not allowed in a config (use a conditional expression inside a value)",
        "for": "'for' loops are not allowed in a config",
        "while": "'while' loops are not allowed in a config",
        "with": "'with' statements are not allowed in a config",
        "try": "'try' statements are not allowed in a config",
        "del": "'del' is not allowed in a config (use _delete_=True in a dict to replace a base value)",
        "global": "'global' is not allowed in a config", "nonlocal": "'nonlocal' is not allowed in a config",
        "return": "'return' is not allowed in a config", "yield": "'yield' is not allowed in a config",
        "raise": "'raise' is not allowed in a config", "assert": "'assert' is not allowed in a config",
        "async": "'async' is not allowed in a config", "pass": "'pass' is not allowed in a config",
        "lambda": "lambdas are not allowed in a config",
        "break": "'break' is not allowed in a config", "continue": "'continue' is not allowed in a config",
        "elif": "'elif' is not allowed in a config", "else": "'else' is not allowed here",
    ]

    private mutating func statement() throws -> Statement {
        if case .indent = current.kind {
            throw error("unexpected indent (a config is a flat list of assignments)", current.span)
        }
        let start = current.span.lowerBound
        if case .name(let n) = current.kind, let why = Self.refusedStatements[n] {
            throw error(why, current.span)
        }
        if current.isOp("@") { throw error("decorators are not allowed in a config", current.span) }
        let first = try expressionList()
        if current.isOp("=") {
            var targets: [Target] = [try target(from: first)]
            var value: Expr
            repeat {
                _ = try advance()
                value = try expressionList()
                if current.isOp("=") { targets.append(try target(from: value)) }
            } while current.isOp("=")
            return Statement(kind: .assign(targets: targets, value: value), span: start..<value.span.upperBound)
        }
        if case .op(let o) = current.kind, o.count >= 2, o.hasSuffix("="), !["==", "!=", "<=", ">="].contains(o) {
            throw error("augmented assignment '\(o)' is not supported in a config; write 'x = x \(o.dropLast()) …'",
                        current.span)
        }
        if current.isOp(":") { throw error("annotations are not supported in a config", current.span) }
        return Statement(kind: .expression(first), span: start..<first.span.upperBound)
    }

    private func target(from e: Expr) throws -> Target { try Self.target(from: e, file: file) }

    /// The assignment target an expression spells (`a`, `a['k'][0]`, `a, b`), or a located error.
    static func target(from e: Expr, file: SourceFile) throws -> Target {
        func error(_ message: String, _ span: Range<Int>) -> ConfigError { file.error(message, at: span) }
        var subs: [Expr] = []
        var node = e
        while true {
            switch node.kind {
            case .name(let n):
                if n == "True" || n == "False" || n == "None" { throw error("cannot assign to \(n)", node.span) }
                return Target(name: n, nameSpan: node.span, subscripts: subs.reversed())
            case .item(let base, let index):
                subs.append(index)
                node = base
            case .attribute:
                throw error("attribute assignment is not supported; assign the whole dict or use x['key'] = …",
                            e.span)
            case .tuple(let items), .list(let items):
                guard subs.isEmpty else { throw error("cannot assign to this expression", e.span) }
                guard !items.isEmpty else { throw error("cannot assign to an empty tuple or list", e.span) }
                return Target(name: "", nameSpan: node.span, subscripts: [], unpacking: try items.map { try target(from: $0, file: file) })
            default:
                throw error("cannot assign to this expression", e.span)
            }
        }
    }

}
