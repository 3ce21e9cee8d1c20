import Foundation
import EngineCore
import EngineData

/// A JSON value that keeps the order of object keys, for `events.jsonl` (EventRecord): metric and log keys are
/// shown in the order the run produced them, which Foundation's `JSONSerialization` (a dictionary) loses.
///
/// `text` writes strict JSON on one line (non-finite numbers are the strings "NaN", "Infinity", "-Infinity", see
/// docs/events.md); `parse` reads RFC 8259 JSON and throws `JSONValue.SyntaxError` with the byte offset.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)): return x.map(\.key) == y.map(\.key) && x.map(\.value) == y.map(\.value)
        default: return false
        }
    }

    /// A number that may be non-finite (written as a string, as the schema says).
    public static func double(_ d: Double) -> JSONValue {
        if d.isNaN { return .string("NaN") }
        if d.isInfinite { return .string(d > 0 ? "Infinity" : "-Infinity") }
        return .number(d)
    }

    public static func int(_ i: Int) -> JSONValue { .number(Double(i)) }

    // MARK: - Reading values

    public subscript(key: String) -> JSONValue? {
        guard case .object(let fields) = self else { return nil }
        return fields.first { $0.key == key }?.value
    }

    /// A number, or one of the strings that stand for a non-finite number.
    public var double: Double? {
        switch self {
        case .number(let d): return d
        case .string("NaN"): return .nan
        case .string("Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        default: return nil
        }
    }

    /// An integral number that fits an `Int`.
    public var int: Int? {
        guard case .number(let d) = self, d.rounded() == d, abs(d) < 9.0e15 else { return nil }
        return Int(d)
    }

    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var isNull: Bool { self == .null }
    public var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    public var object: [(key: String, value: JSONValue)]? { if case .object(let o) = self { o } else { nil } }

    // MARK: - Writing

    /// Compact one-line JSON (no spaces), keys in order.
    public var text: String {
        var out = ""
        write(to: &out)
        return out
    }

    func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let d):
            // Integral values print without ".0" (counters); others in Swift's shortest round-trip form, which is
            // valid JSON for finite numbers ("0.01", "1e-05").
            if d.rounded() == d && abs(d) < 1e15 { out += String(Int(d)) } else { out += "\(d)" }
        case .string(let s): out += JSONLine.quote(s)
        case .array(let items):
            out += "["
            for (i, v) in items.enumerated() { if i > 0 { out += "," }; v.write(to: &out) }
            out += "]"
        case .object(let fields):
            out += "{"
            for (i, f) in fields.enumerated() {
                if i > 0 { out += "," }
                out += JSONLine.quote(f.key) + ":"
                f.value.write(to: &out)
            }
            out += "}"
        }
    }

    // MARK: - Parsing

    /// Where and why a text is not JSON.
    public struct SyntaxError: Error, Equatable, CustomStringConvertible {
        public var offset: Int
        public var reason: String
        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    public static func parse(_ text: String) throws -> JSONValue {
        var p = Parser(bytes: Array(text.utf8))
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == p.bytes.count else { throw p.error("unexpected text after the value") }
        return v
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0
        /// Deeper nesting is refused rather than risking the stack on hostile input.
        static let maxDepth = 64

        init(bytes: [UInt8]) { self.bytes = bytes }

        func error(_ reason: String) -> SyntaxError { SyntaxError(offset: i, reason: reason) }

        mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        }

        mutating func expect(_ literal: String) throws {
            let l = Array(literal.utf8)
            guard i + l.count <= bytes.count, Array(bytes[i..<(i + l.count)]) == l else { throw error("expected \(literal)") }
            i += l.count
        }

        mutating func value(depth: Int) throws -> JSONValue {
            guard depth < Self.maxDepth else { throw error("nested too deeply") }
            guard i < bytes.count else { throw error("unexpected end") }
            switch bytes[i] {
            case UInt8(ascii: "n"): try expect("null"); return .null
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "["):
                i += 1
                var items: [JSONValue] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard i < bytes.count else { throw error("unexpected end in an array") }
                    if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                    guard bytes[i] == UInt8(ascii: ",") else { throw error("expected , or ]") }
                    i += 1
                }
            case UInt8(ascii: "{"):
                i += 1
                var fields: [(key: String, value: JSONValue)] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(fields) }
                while true {
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw error("expected a key") }
                    let key = try string()
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected :") }
                    i += 1
                    skipSpace()
                    fields.append((key, try value(depth: depth + 1)))
                    skipSpace()
                    guard i < bytes.count else { throw error("unexpected end in an object") }
                    if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(fields) }
                    guard bytes[i] == UInt8(ascii: ",") else { throw error("expected , or }") }
                    i += 1
                }
            default: return .number(try number())
            }
        }

        mutating func number() throws -> Double {
            let start = i
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
            func digits() -> Int { let s = i; while i < bytes.count, (0x30...0x39).contains(bytes[i]) { i += 1 }; return i - s }
            guard digits() > 0 else { i = start; throw error("expected a value") }
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") { i += 1; guard digits() > 0 else { throw error("expected digits") } }
            if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                guard digits() > 0 else { throw error("expected exponent digits") }
            }
            guard let d = Double(String(decoding: bytes[start..<i], as: UTF8.self)) else { throw error("bad number") }
            return d
        }

        mutating func string() throws -> String {
            i += 1   // the opening quote
            var out = [UInt8]()
            while i < bytes.count {
                let b = bytes[i]
                i += 1
                switch b {
                case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard i < bytes.count else { throw error("unexpected end in a string") }
                    let e = bytes[i]
                    i += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800..<0xDC00).contains(scalar), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                            i += 2
                            let low = try hex4()
                            guard (0xDC00..<0xE000).contains(low) else { throw error("bad surrogate pair") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        out += Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8)
                    default: throw error("bad escape")
                    }
                default:
                    guard b >= 0x20 else { throw error("control character in a string") }
                    out.append(b)
                }
            }
            throw error("unterminated string")
        }

        mutating func hex4() throws -> UInt32 {
            guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16) else {
                throw error("bad \\u escape")
            }
            i += 4
            return v
        }
    }
}
