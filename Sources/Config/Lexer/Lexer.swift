import Foundation

/// Splits config source into tokens: Python's lexical rules for the subset mm configs use.
///
/// Handles comments, implicit line joining inside brackets, backslash continuation, all quote styles and string
/// prefixes (r, u, f and their combinations), numeric literals with underscores, and mmcv's `{{ … }}` placeholders.
/// The predefined placeholders (`{{ fileDirname }}` …) are replaced inside string values, as mmcv replaces them
/// textually before parsing. Throws `ConfigError` with the exact location of the first bad character.
struct Lexer {
    let file: SourceFile
    /// Replacement text for `{{ fileDirname }}`, `{{ fileBasename }}`, … (mmcv 1.7.2 `_substitute_predefined_vars`).
    let predefined: [String: String]
    let b: [UInt8]
    let end: Int           // lexing stops here (an f-string field is lexed in place)
    var i = 0
    private var depth = 0          // bracket nesting: newlines inside brackets are not statement ends
    private var baseDepth = 0      // 1 for an f-string field, which behaves as if inside brackets
    private var openBrackets: [(byte: UInt8, offset: Int)] = []   // for "'[' was never closed" 
    private var atLineStart = true
    private var lineHasTokens = false
    /// The last search for a placeholder's `}}`: where it started and the `}}` found (nil: none before `stop`, the
    /// line end). A later `{{` inside the searched stretch reuses it, so a line of 100,000 `{` is scanned once.
    private var closeSearch: (from: Int, close: Int?, stop: Int) = (-1, nil, -1)

    init(file: SourceFile, predefined: [String: String] = [:]) {
        self.file = file
        self.predefined = predefined
        self.b = file.bytes
        self.end = file.bytes.count
    }

    /// Lexes only `range` of the file (an f-string field), as one logical line.
    init(file: SourceFile, range: Range<Int>) {
        self.file = file
        self.predefined = [:]
        self.b = file.bytes
        self.end = range.upperBound
        self.i = range.lowerBound
        self.atLineStart = false
        self.depth = 1   // a field may span lines like any bracketed expression
        self.baseDepth = 1
    }

    static let keywords: Set<String> = [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
        "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
        "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    ]

    mutating func tokenize() throws -> [Token] {
        var tokens: [Token] = []
        tokens.reserveCapacity((end - i) / 3)
        while true {
            let t = try next()
            tokens.append(t)
            if t.isEOF { return tokens }
        }
    }

    func error(_ message: String, _ range: Range<Int>) -> ConfigError { file.error(message, at: range) }

    func peek(_ k: Int = 0) -> UInt8 { i + k < end ? b[i + k] : 0 }

    mutating func next() throws -> Token {
        while true {
            if atLineStart && depth == 0 {
                // Indentation is only legal on blank or comment-only lines: configs are flat statement lists.
                let start = i
                while i < end, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0C { i += 1 }
                if i < end, b[i] != 0x0A, b[i] != 0x0D, b[i] != UInt8(ascii: "#"), i > start {
                    if !(b[i] == UInt8(ascii: "\\") && (peek(1) == 0x0A || peek(1) == 0x0D)) {
                        atLineStart = false
                        return Token(kind: .indent, span: start..<i)
                    }
                }
                atLineStart = false
            }
            guard i < end else {
                // Before the last line's end: the parser must not see the file end inside an open bracket.
                if depth > baseDepth, let open = openBrackets.last {
                    throw error("'\(Character(Unicode.Scalar(open.byte)))' was never closed", open.offset..<(open.offset + 1))
                }
                if lineHasTokens {
                    lineHasTokens = false
                    return Token(kind: .newline, span: i..<i)
                }
                return Token(kind: .eof, span: i..<i)
            }
            let c = b[i]
            switch c {
            case 0x20, 0x09, 0x0C:
                i += 1
            case 0x0D:
                i += 1
            case 0x0A:
                i += 1
                if depth == 0 {
                    atLineStart = true
                    if lineHasTokens {
                        lineHasTokens = false
                        return Token(kind: .newline, span: (i - 1)..<i)
                    }
                }
            case UInt8(ascii: "#"):
                while i < end, b[i] != 0x0A { i += 1 }
            case UInt8(ascii: "\\"):
                var j = i + 1
                if j < end, b[j] == 0x0D { j += 1 }
                guard j < end, b[j] == 0x0A else {
                    throw error("unexpected character after line continuation '\\'", i..<(i + 1))
                }
                i = j + 1
            default:
                lineHasTokens = true
                return try token()
            }
        }
    }

    static func isIdentStart(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F || c >= 0x80
    }
    static func isIdentChar(_ c: UInt8) -> Bool { isIdentStart(c) || isDigit(c) }
    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    private mutating func token() throws -> Token {
        let start = i
        let c = b[i]
        if Self.isIdentStart(c) {
            while i < end, Self.isIdentChar(b[i]) { i += 1 }
            let word = String(decoding: b[start..<i], as: UTF8.self)
            // String prefixes: r, u, f, b and combinations, directly followed by a quote.
            if i < end, b[i] == UInt8(ascii: "'") || b[i] == UInt8(ascii: "\"") {
                let p = word.lowercased()
                if ["r", "u", "f", "rf", "fr", "b", "rb", "br"].contains(p) {
                    if p.contains("b") { throw error("bytes literals are not supported in a config", start..<i) }
                    return try string(start: start, raw: p.contains("r"), formatted: p.contains("f"))
                }
            }
            return Token(kind: .name(word), span: start..<i)
        }
        if Self.isDigit(c) || (c == UInt8(ascii: ".") && Self.isDigit(peek(1))) {
            return try number()
        }
        if c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") {
            return try string(start: start, raw: false, formatted: false)
        }
        if c == UInt8(ascii: "{"), peek(1) == UInt8(ascii: "{") {
            if let t = try placeholder() { return t }
        }
        // Operators, longest first. Compared byte by byte: this runs for every punctuation token.
        for op in Self.multiCharOperators where i + op.count <= end {
            var match = true
            for k in 0..<op.count where b[i + k] != op[k] { match = false; break }
            if match {
                i += op.count
                return Token(kind: .op(String(decoding: op, as: UTF8.self)), span: start..<i)
            }
        }
        let single = "()[]{},:.;=+-*/%<>~&|^@"
        if let ch = Unicode.Scalar(UInt32(c)), c < 0x80, single.unicodeScalars.contains(ch) {
            i += 1
            switch c {
            case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                openBrackets.append((c, start))
            case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
                if depth == baseDepth { throw error("unmatched '\(Character(ch))'", start..<i) }
                let expected: UInt8 = c == UInt8(ascii: ")") ? UInt8(ascii: "(") : (c == UInt8(ascii: "]") ? UInt8(ascii: "[") : UInt8(ascii: "{"))
                if let open = openBrackets.last, open.byte != expected {
                    throw error("closing '\(Character(ch))' does not match '\(Character(Unicode.Scalar(open.byte)))'", start..<i)
                }
                depth -= 1
                openBrackets.removeLast()
            default: break
            }
            return Token(kind: .op(String(Character(ch))), span: start..<i)
        }
        let scalarEnd = min(end, i + max(1, utf8Length(c)))
        throw error("unexpected character '\(String(decoding: b[i..<scalarEnd], as: UTF8.self))'", i..<scalarEnd)
    }

    private func utf8Length(_ lead: UInt8) -> Int {
        if lead < 0x80 { return 1 }
        if lead >> 5 == 0b110 { return 2 }
        if lead >> 4 == 0b1110 { return 3 }
        return 4
    }

    /// `{{ … }}` outside a string. `{{ _base_.a.b }}` becomes a base reference; a predefined placeholder outside a
    /// string is refused (mmcv would paste raw, unquoted text there). Anything else is left to the bracket rules.
    private mutating func placeholder() throws -> Token? {
        let start = i
        guard let j = placeholderClose(from: i + 2) else { return nil }
        // An inner text longer than any real reference cannot be one: skip building it (a line of `{` repeated).
        guard j - (start + 2) <= 4096 else { return nil }
        let inner = String(decoding: b[(start + 2)..<j], as: UTF8.self).trimmingCharacters(in: .whitespaces)
        if inner.hasPrefix("_base_.") {
            let path = inner.dropFirst("_base_.".count).split(separator: ".", omittingEmptySubsequences: false)
                .map(String.init)
            guard !path.isEmpty, path.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } })
            else { throw error("malformed base reference '{{\(inner)}}'", start..<(j + 2)) }
            i = j + 2
            return Token(kind: .baseRef(path), span: start..<i)
        }
        if predefined[inner] != nil || Self.predefinedNames.contains(inner) {
            throw error("placeholder '{{ \(inner) }}' must be inside a string, e.g. '{{ \(inner) }}'", start..<(j + 2))
        }
        return nil
    }

    /// The first `}}` at or after `from` on the same line.
    private mutating func placeholderClose(from: Int) -> Int? {
        let cached = closeSearch
        if cached.from >= 0, cached.from <= from {
            if let close = cached.close, from <= close { return close }
            if cached.close == nil, from <= cached.stop { return nil }
        }
        var j = from
        while j + 1 < end, !(b[j] == UInt8(ascii: "}") && b[j + 1] == UInt8(ascii: "}")), b[j] != 0x0A { j += 1 }
        let found = j + 1 < end && b[j] == UInt8(ascii: "}")
        closeSearch = (from, found ? j : nil, j)
        return found ? j : nil
    }

    /// Python refuses a NUL byte anywhere in source; so does Reel, at the first one.
    func checkNoNulByte() throws {
        if let z = b[i..<end].firstIndex(of: 0) {
            throw error("source code cannot contain null bytes (a NUL byte is here)", z..<(z + 1))
        }
    }

    private static let multiCharOperators: [[UInt8]] = [
        "**=", "//=", ">>=", "<<=", "...", "**", "//", "==", "!=", "<=", ">=", "->", "+=", "-=", "*=", "/=", "%=",
        "&=", "|=", "^=", "<<", ">>", ":=", "@=",
    ].map { Array($0.utf8) }

    static let predefinedNames: Set<String> = ["fileDirname", "fileBasename", "fileBasenameNoExtension", "fileExtname"]

}
