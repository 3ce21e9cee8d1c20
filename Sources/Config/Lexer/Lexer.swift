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
    private let b: [UInt8]
    private let end: Int           // lexing stops here (an f-string field is lexed in place)
    private var i = 0
    private var depth = 0          // bracket nesting: newlines inside brackets are not statement ends
    private var baseDepth = 0      // 1 for an f-string field, which behaves as if inside brackets
    private var openBrackets: [(byte: UInt8, offset: Int)] = []   // for "'[' was never closed" 
    private var atLineStart = true
    private var lineHasTokens = false

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

    private func error(_ message: String, _ range: Range<Int>) -> ConfigError { file.error(message, at: range) }

    private func peek(_ k: Int = 0) -> UInt8 { i + k < end ? b[i + k] : 0 }

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
                if lineHasTokens {
                    lineHasTokens = false
                    return Token(kind: .newline, span: i..<i)
                }
                if depth > baseDepth, let open = openBrackets.last {
                    throw error("'\(Character(Unicode.Scalar(open.byte)))' was never closed", open.offset..<(open.offset + 1))
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

    private static func isIdentStart(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F || c >= 0x80
    }
    private static func isIdentChar(_ c: UInt8) -> Bool { isIdentStart(c) || isDigit(c) }
    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

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
        var j = i + 2
        while j + 1 < end, !(b[j] == UInt8(ascii: "}") && b[j + 1] == UInt8(ascii: "}")), b[j] != 0x0A { j += 1 }
        guard j + 1 < end, b[j] == UInt8(ascii: "}") else { return nil }
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

    private static let multiCharOperators: [[UInt8]] = [
        "**=", "//=", ">>=", "<<=", "...", "**", "//", "==", "!=", "<=", ">=", "->", "+=", "-=", "*=", "/=", "%=",
        "&=", "|=", "^=", "<<", ">>", ":=", "@=",
    ].map { Array($0.utf8) }

    static let predefinedNames: Set<String> = ["fileDirname", "fileBasename", "fileBasenameNoExtension", "fileExtname"]

    private mutating func number() throws -> Token {
        let start = i
        func digits(_ ok: (UInt8) -> Bool) {
            while i < end, ok(b[i]) || (b[i] == UInt8(ascii: "_") && i + 1 < end && ok(b[i + 1])) { i += 1 }
        }
        if b[i] == UInt8(ascii: "0"), i + 1 < end,
           let radix = [UInt8(ascii: "x"): 16, UInt8(ascii: "X"): 16, UInt8(ascii: "o"): 8, UInt8(ascii: "O"): 8,
                        UInt8(ascii: "b"): 2, UInt8(ascii: "B"): 2][b[i + 1]] {
            i += 2
            let digitsStart = i
            digits { c in
                switch radix {
                case 16: return Self.isDigit(c) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x66)
                case 8: return c >= 0x30 && c <= 0x37
                default: return c == 0x30 || c == 0x31
                }
            }
            let text = String(decoding: b[digitsStart..<i], as: UTF8.self).replacingOccurrences(of: "_", with: "")
            guard !text.isEmpty, let v = Int(text, radix: radix) else {
                throw error("invalid or too large integer literal", start..<max(i, start + 2))
            }
            if i < end, Self.isIdentChar(b[i]) { throw error("invalid number literal", start..<(i + 1)) }
            return Token(kind: .int(v), span: start..<i)
        }
        var isFloat = false
        digits(Self.isDigit)
        if i < end, b[i] == UInt8(ascii: ".") {
            isFloat = true
            i += 1
            digits(Self.isDigit)
        }
        if i < end, b[i] | 0x20 == UInt8(ascii: "e") {
            var j = i + 1
            if j < end, b[j] == UInt8(ascii: "+") || b[j] == UInt8(ascii: "-") { j += 1 }
            if j < end, Self.isDigit(b[j]) {
                isFloat = true
                i = j
                digits(Self.isDigit)
            }
        }
        if i < end, b[i] | 0x20 == UInt8(ascii: "j") {
            throw error("complex numbers are not supported in a config", start..<(i + 1))
        }
        if i < end, Self.isIdentChar(b[i]) { throw error("invalid number literal", start..<(i + 1)) }
        var text = String(decoding: b[start..<i], as: UTF8.self).replacingOccurrences(of: "_", with: "")
        if isFloat {
            if text.hasPrefix(".") { text = "0" + text }
            text = text.replacingOccurrences(of: ".e", with: ".0e").replacingOccurrences(of: ".E", with: ".0E")
            if text.hasSuffix(".") { text += "0" }
            guard let v = Double(text) else { throw error("invalid float literal", start..<i) }
            return Token(kind: .float(v), span: start..<i)
        }
        if text.count > 1, text.hasPrefix("0"), text.contains(where: { $0 != "0" }) {
            throw error("leading zeros in a decimal integer are not allowed (Python syntax); use 0o for octal", start..<i)
        }
        guard let v = Int(text) else { throw error("integer literal too large", start..<i) }
        return Token(kind: .int(v), span: start..<i)
    }

    private mutating func string(start: Int, raw: Bool, formatted: Bool) throws -> Token {
        let quote = b[i]
        let triple = peek(1) == quote && peek(2) == quote
        i += triple ? 3 : 1
        var pieces: [StringLiteral.Piece] = []
        var buf: [UInt8] = []
        func flushText() {
            if !buf.isEmpty {
                pieces.append(.text(String(decoding: buf, as: UTF8.self)))
                buf.removeAll()
            }
        }
        while true {
            guard i < end else {
                throw error("unterminated string literal", start..<min(end, start + 1))
            }
            let c = b[i]
            if c == quote {
                if !triple { i += 1; break }
                if peek(1) == quote && peek(2) == quote { i += 3; break }
                buf.append(c); i += 1; continue
            }
            if c == 0x0A && !triple {
                throw error("unterminated string literal (a line ends inside it)", start..<(start + 1))
            }
            if c == UInt8(ascii: "\\") {
                guard i + 1 < end else { throw error("unterminated string literal", start..<(start + 1)) }
                if raw {
                    // Raw strings keep the backslash; it still protects a quote from ending the string.
                    buf.append(c); buf.append(b[i + 1]); i += 2; continue
                }
                try escape(into: &buf)
                continue
            }
            if formatted && (c == UInt8(ascii: "{") || c == UInt8(ascii: "}")) {
                if peek(1) == c { buf.append(c); i += 2; continue }
                if c == UInt8(ascii: "}") { throw error("single '}' is not allowed in an f-string", i..<(i + 1)) }
                flushText()
                pieces.append(try formattedField())
                continue
            }
            buf.append(c)
            i += 1
        }
        flushText()
        if !predefined.isEmpty {
            pieces = pieces.map { piece in
                guard case .text(let t) = piece, t.contains("{{") else { return piece }
                return .text(substitutePredefined(t))
            }
        }
        return Token(kind: .string(StringLiteral(pieces: pieces, isFormatted: formatted)), span: start..<i)
    }

    /// mmcv's regex `\{\{\s*NAME\s*\}\}` for each predefined name.
    func substitutePredefined(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            let after = rest[open.upperBound...]
            if let close = after.range(of: "}}") {
                let inner = after[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
                if let value = predefined[inner], !after[..<close.lowerBound].contains("\n") {
                    out += value
                    rest = after[close.upperBound...]
                    continue
                }
            }
            out += "{{"
            rest = after
        }
        return out + rest
    }

    private mutating func escape(into buf: inout [UInt8]) throws {
        let start = i
        let e = b[i + 1]
        i += 2
        func append(_ scalarValue: UInt32) throws {
            guard let s = Unicode.Scalar(scalarValue) else { throw error("invalid escape value", start..<i) }
            buf.append(contentsOf: Array(String(Character(s)).utf8))
        }
        func hex(_ n: Int) throws -> UInt32 {
            guard i + n <= end, let v = UInt32(String(decoding: b[i..<(i + n)], as: UTF8.self), radix: 16) else {
                throw error("truncated \\\(Character(Unicode.Scalar(e))) escape", start..<min(end, i + n))
            }
            i += n
            return v
        }
        switch e {
        case 0x0A: break                                   // backslash-newline: line continuation inside the string
        case 0x0D: if i < end, b[i] == 0x0A { i += 1 }
        case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): buf.append(e)
        case UInt8(ascii: "n"): buf.append(0x0A)
        case UInt8(ascii: "t"): buf.append(0x09)
        case UInt8(ascii: "r"): buf.append(0x0D)
        case UInt8(ascii: "a"): buf.append(0x07)
        case UInt8(ascii: "b"): buf.append(0x08)
        case UInt8(ascii: "f"): buf.append(0x0C)
        case UInt8(ascii: "v"): buf.append(0x0B)
        case UInt8(ascii: "x"): try append(try hex(2))
        case UInt8(ascii: "u"): try append(try hex(4))
        case UInt8(ascii: "U"): try append(try hex(8))
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            var v = UInt32(e - 0x30)
            var n = 1
            while n < 3, i < end, b[i] >= 0x30, b[i] <= 0x37 { v = v * 8 + UInt32(b[i] - 0x30); i += 1; n += 1 }
            try append(v)
        case UInt8(ascii: "N"): throw error("\\N{...} escapes are not supported in a config", start..<i)
        default: buf.append(UInt8(ascii: "\\")); buf.append(e)   // Python keeps unknown escapes verbatim
        }
    }

    /// Scans `{expr[!c][:spec]}` inside an f-string; `i` is at the `{`.
    private mutating func formattedField() throws -> StringLiteral.Piece {
        let open = i
        i += 1
        let exprStart = i
        var nest = 0
        var quote: UInt8? = nil
        var exprEnd = -1
        var conversion: Character? = nil
        while i < end {
            let c = b[i]
            if let q = quote {
                if c == q { quote = nil }
                i += 1; continue
            }
            if c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") { quote = c; i += 1; continue }
            if c == 0x0A { break }
            if c == UInt8(ascii: "(") || c == UInt8(ascii: "[") || c == UInt8(ascii: "{") { nest += 1 }
            if c == UInt8(ascii: ")") || c == UInt8(ascii: "]") { nest -= 1 }
            if c == UInt8(ascii: "}") {
                if nest == 0 { break }
                nest -= 1
            }
            if nest == 0, c == UInt8(ascii: "!"), peek(1) != UInt8(ascii: "=") {
                exprEnd = i
                guard i + 1 < end else { break }
                conversion = Character(Unicode.Scalar(b[i + 1]))
                guard "rsa".contains(conversion!) else {
                    throw error("f-string conversion must be !r, !s or !a", i..<(i + 2))
                }
                i += 2
                break
            }
            if nest == 0, c == UInt8(ascii: ":") { break }
            i += 1
        }
        if exprEnd < 0 { exprEnd = i }
        var spec = ""
        if i < end, b[i] == UInt8(ascii: ":") {
            i += 1
            let specStart = i
            while i < end, b[i] != UInt8(ascii: "}"), b[i] != 0x0A {
                if b[i] == UInt8(ascii: "{") { throw error("nested fields in an f-string format spec are not supported", i..<(i + 1)) }
                i += 1
            }
            spec = String(decoding: b[specStart..<i], as: UTF8.self)
        }
        guard i < end, b[i] == UInt8(ascii: "}") else {
            throw error("f-string: expecting '}'", open..<(open + 1))
        }
        i += 1
        if String(decoding: b[exprStart..<exprEnd], as: UTF8.self).allSatisfy({ $0 == " " }) {
            throw error("f-string: empty expression not allowed", open..<i)
        }
        return .expression(exprStart..<exprEnd, conversion: conversion, formatSpec: spec)
    }
}
