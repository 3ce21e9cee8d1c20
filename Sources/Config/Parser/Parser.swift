/// Parses config source into statements. A recursive-descent parser for Python's expression grammar, limited to
/// the constructs a config needs; every statement or construct outside that subset (imports, `def`, `if`, `for`,
/// `lambda`, …) is a `ConfigError` at its exact location. Nothing is ever executed.
struct Parser {
    let file: SourceFile
    var tokens: [Token]
    var p = 0
    /// Nesting depth of `expression()`: bounded so a hostile file is an error, not a stack overflow.
    var depth = 0
    static let maxDepth = 200

    init(file: SourceFile, predefined: [String: String] = [:]) throws {
        self.file = file
        var lexer = Lexer(file: file, predefined: predefined)
        self.tokens = try lexer.tokenize()
    }

    /// Parses a fragment (an f-string field) with the same file for locations.
    private init(file: SourceFile, tokens: [Token]) {
        self.file = file
        self.tokens = tokens
    }

    static func parse(_ file: SourceFile, predefined: [String: String] = [:]) throws -> [Statement] {
        var parser = try Parser(file: file, predefined: predefined)
        return try parser.parseFile()
    }

    /// Parses the expression text of an f-string field, located at `span` in `file`.
    static func parseFormattedField(_ file: SourceFile, span: Range<Int>) throws -> Expr {
        var lexer = Lexer(file: file, range: span)
        let tokens = try lexer.tokenize().filter { $0.kind != .newline }
        var parser = Parser(file: file, tokens: tokens)
        let e = try parser.expression()
        guard parser.current.isEOF else {
            throw file.error("invalid syntax in f-string expression", at: parser.current.span)
        }
        return e
    }

    // MARK: - Token helpers

    var current: Token { tokens[p] }
    func lookahead(_ k: Int) -> Token { tokens[min(p + k, tokens.count - 1)] }
    mutating func advance() -> Token { let t = tokens[p]; if p < tokens.count - 1 { p += 1 }; return t }

    func error(_ message: String, _ span: Range<Int>) -> ConfigError { file.error(message, at: span) }

    mutating func expectOp(_ op: String, _ context: String) throws -> Token {
        guard current.isOp(op) else {
            throw error("expected '\(op)' \(context), found \(describe(current))", current.span)
        }
        return advance()
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
        while !current.isEOF {
            if case .newline = current.kind { _ = advance(); continue }
            statements.append(try statement())
            while current.isOp(";") {
                _ = advance()
                if case .newline = current.kind { break }
                if current.isEOF { break }
                statements.append(try statement())
            }
            if case .newline = current.kind { _ = advance() } else if !current.isEOF {
                throw error("expected end of line after the statement, found \(describe(current))", current.span)
            }
        }
        return statements
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
        let first = try expression()
        if current.isOp("=") {
            var targets: [Target] = [try target(from: first)]
            var value: Expr
            repeat {
                _ = advance()
                value = try expressionList()
                if current.isOp("=") { targets.append(try target(from: value)) }
            } while current.isOp("=")
            return Statement(kind: .assign(targets: targets, value: value), span: start..<value.span.upperBound)
        }
        if case .op(let o) = current.kind, o.count >= 2, o.hasSuffix("="), !["==", "!=", "<=", ">="].contains(o) {
            throw error("augmented assignment '\(o)' is not supported in a config; write 'x = x \(o.dropLast()) …'",
                        current.span)
        }
        if current.isOp(",") { throw error("tuple assignment is not supported in a config", current.span) }
        if current.isOp(":") { throw error("annotations are not supported in a config", current.span) }
        return Statement(kind: .expression(first), span: start..<first.span.upperBound)
    }

    private func target(from e: Expr) throws -> Target {
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
            case .tuple:
                throw error("tuple assignment is not supported in a config", e.span)
            default:
                throw error("cannot assign to this expression", e.span)
            }
        }
    }

}
