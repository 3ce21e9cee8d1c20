/// One token of the config language (the Python subset mm configs use). `span` is its byte range in the file.
struct Token: Equatable {
    enum Kind: Equatable {
        case name(String)
        case int(Int)
        case float(Double)
        case string(StringLiteral)
        /// Operators and punctuation, spelled as in Python (`(`, `**`, `//`, `==`, `=` …).
        case op(String)
        /// `{{ _base_.a.b }}` outside a string: mmcv 1.7.2's reference to a value of the combined base config.
        case baseRef([String])
        /// Leading whitespace at the start of a statement: refused by the parser ("unexpected indent"), which
        /// reports it only if nothing earlier in the file is wrong.
        case indent
        case newline
        case eof
    }
    var kind: Kind
    var span: Range<Int>

    var isEOF: Bool { if case .eof = kind { return true } else { return false } }
    func isOp(_ s: String) -> Bool { if case .op(s) = kind { return true } else { return false } }
    func isName(_ s: String) -> Bool { if case .name(s) = kind { return true } else { return false } }
}

/// A string literal after escape processing. An f-string keeps its pieces so the parser can parse the
/// `{expression}` parts at their own byte offsets.
struct StringLiteral: Equatable {
    enum Piece: Equatable {
        case text(String)
        /// The expression's byte range in the file, an optional `!r`/`!s`/`!a` conversion and a format spec.
        case expression(Range<Int>, conversion: Character?, formatSpec: String)
    }
    var pieces: [Piece]
    var isFormatted: Bool

    /// The value of a plain (non-f) string.
    var plainValue: String {
        pieces.map { if case .text(let t) = $0 { return t } else { return "" } }.joined()
    }
}
