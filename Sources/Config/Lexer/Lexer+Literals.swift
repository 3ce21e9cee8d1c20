import Foundation

/// Numeric and string literals (all quote styles and prefixes, escapes, f-string fields).
extension Lexer {
    mutating func number() throws -> Token {
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
        // Built byte by byte (this runs for every number in the file): underscores dropped, and a bare `.`
        // before an exponent or at the end given a digit, as Swift's parser wants.
        var digitsOnly: [UInt8] = []
        digitsOnly.reserveCapacity(i - start + 2)
        for k in start..<i where b[k] != UInt8(ascii: "_") {
            if b[k] | 0x20 == UInt8(ascii: "e"), digitsOnly.last == UInt8(ascii: ".") { digitsOnly.append(UInt8(ascii: "0")) }
            digitsOnly.append(b[k])
        }
        var text = String(decoding: digitsOnly, as: UTF8.self)
        if isFloat {
            if text.hasPrefix(".") { text = "0" + text }
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

    mutating func string(start: Int, raw: Bool, formatted: Bool) throws -> Token {
        let quote = b[i]
        let triple = peek(1) == quote && peek(2) == quote
        i += triple ? 3 : 1
        var pieces: [StringLiteral.Piece] = []
        var buf: [UInt8] = []
        var hasPlaceholder = false   // a `{{` in the text: only then can a predefined placeholder be in it
        func flushText() {
            if !buf.isEmpty {
                if !hasPlaceholder, !predefined.isEmpty {
                    hasPlaceholder = zip(buf, buf.dropFirst()).contains { $0 == 0x7B && $1 == 0x7B }
                }
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
        if hasPlaceholder {
            pieces = pieces.map { piece in
                guard case .text(let t) = piece, t.contains("{{") else { return piece }
                return .text(substitutePredefined(t))
            }
        }
        return Token(kind: .string(StringLiteral(pieces: pieces, isFormatted: formatted)), span: start..<i)
    }

    /// mmcv's regex `\{\{\s*NAME\s*\}\}` for each predefined name. Each `{{` is matched where it stands and a
    /// name stops at `{`, so a string of 100,000 unmatched braces is scanned once, not once per brace.
    func substitutePredefined(_ text: String) -> String {
        let u = text.unicodeScalars
        var out = String.UnicodeScalarView()
        var copied = u.startIndex, i = u.startIndex
        func isSpace(_ c: Unicode.Scalar) -> Bool { c != "\n" && CharacterSet.whitespaces.contains(c) }
        while i < u.endIndex {
            let n = u.index(after: i)
            guard u[i] == "{", n < u.endIndex, u[n] == "{" else { i = n; continue }
            var j = u.index(after: n)
            while j < u.endIndex, isSpace(u[j]) { j = u.index(after: j) }
            let nameStart = j
            var length = 0
            while j < u.endIndex, length <= 32, !isSpace(u[j]), u[j] != "}", u[j] != "{", u[j] != "\n" {
                j = u.index(after: j); length += 1
            }
            let name = String(u[nameStart..<j])
            while j < u.endIndex, isSpace(u[j]) { j = u.index(after: j) }
            if j < u.endIndex, u[j] == "}", u.index(after: j) < u.endIndex, u[u.index(after: j)] == "}",
               let value = predefined[name] {
                out.append(contentsOf: u[copied..<i])
                out.append(contentsOf: value.unicodeScalars)
                i = u.index(j, offsetBy: 2)
                copied = i
                continue
            }
            i = u.index(after: n)
        }
        out.append(contentsOf: u[copied...])
        return String(out)
    }

    mutating func escape(into buf: inout [UInt8]) throws {
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
    mutating func formattedField() throws -> StringLiteral.Piece {
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
