/// The syntax tree of a config file: a flat list of statements over a small expression language.
/// Every node keeps its byte span so values can point back to (and edits can replace) their source text.
struct Expr: Equatable {
    indirect enum Kind: Equatable {
        case name(String)
        case int(Int)
        case float(Double)
        case string(StringLiteral)
        case bool(Bool)
        case none
        case list([Expr])
        case tuple([Expr])
        /// `{k: v, **d}`.
        case dict([DictItem])
        /// `f(args)`: only a few pure builtins are evaluated (`dict`, `range`, `len`, `int` …); others are errors.
        case call(callee: Expr, args: [Argument])
        case unary(op: String, operand: Expr)
        case binary(op: String, lhs: Expr, rhs: Expr)
        /// `a + b - c …` or `a * b / c …` with three or more operands: applied left to right. One flat node, so a
        /// chain of any length is no deeper than its operands.
        case chain(first: Expr, rest: [(op: String, rhs: Expr)])
        /// Chained comparison `a < b <= c`.
        case compare(first: Expr, rest: [(op: String, rhs: Expr)])
        case boolOp(op: String, operands: [Expr])
        case conditional(test: Expr, body: Expr, orElse: Expr)
        case item(base: Expr, index: Expr)
        /// `lower:upper:step` directly inside a subscript (any part may be left out). Not a value of its own: only
        /// `.item` reads it, as Python's slice objects never reach a config's data.
        case slice(lower: Expr?, upper: Expr?, step: Expr?)
        case attribute(base: Expr, name: String)
        case listComprehension(element: Expr, clauses: [ComprehensionClause])
        case dictComprehension(key: Expr, value: Expr, clauses: [ComprehensionClause])
        /// `{{ _base_.a.b }}`.
        case baseRef([String])

        static func == (l: Kind, r: Kind) -> Bool { "\(l)" == "\(r)" }
    }
    var kind: Kind
    var span: Range<Int>
}

enum DictItem: Equatable {
    case pair(key: Expr, value: Expr)
    case unpack(Expr)
}

enum Argument: Equatable {
    case positional(Expr)
    /// `name=value`; `nameSpan` is the keyword's byte range (for "unknown argument" errors and edits).
    case keyword(name: String, nameSpan: Range<Int>, value: Expr)
    case unpack(Expr)        // **expr
    case star(Expr)          // *expr
}

struct ComprehensionClause: Equatable {
    var target: [String]     // `for i in …` or `for k, v in …`
    var targetSpan: Range<Int>
    var iterable: Expr
    var conditions: [Expr]
}

/// One top-level statement.
struct Statement: Equatable {
    enum Kind: Equatable {
        /// `a = b = expr`; each target is a name with zero or more subscripts (`data['test'] = …`).
        case assign(targets: [Target], value: Expr)
        /// A bare expression (a docstring, say): evaluated for errors, its value dropped.
        case expression(Expr)
    }
    var kind: Kind
    var span: Range<Int>
}

struct Target: Equatable {
    var name: String
    var nameSpan: Range<Int>
    var subscripts: [Expr]
    /// `a, b = 1, 2` or `(a, [b, c]) = …`: the value is unpacked into these (name and subscripts are then unused).
    var unpacking: [Target]? = nil
}
