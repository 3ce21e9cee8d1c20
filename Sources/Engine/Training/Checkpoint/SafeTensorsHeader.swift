import EngineCore
import EngineData
/// The JSON header of a safetensors file, read by a single forward scan that knows the header's schema.
///
/// Why not `JSONSerialization`: it builds an `NSDictionary` of boxed `NSNumber`s and accepts what the format does
/// not (`2.7` or `true` as a dimension, offsets beyond 2^64 rounded to doubles, duplicate keys, a leading BOM), and a
/// 72 MB header with a million entries took 23 s and 3.9 GB. This scanner is linear, allocates one entry per tensor,
/// and accepts exactly the format's grammar (huggingface/safetensors README "Format"):
/// - the header starts with `{` and is one JSON object, optionally followed by whitespace padding;
/// - `__metadata__` (optional) maps strings to strings (or is `null`);
/// - every other key is a tensor with exactly `dtype` (string), `shape` (array of non-negative integers) and
///   `data_offsets` (two non-negative integers), each once;
/// - no key appears twice; strings are valid UTF-8 with JSON escapes only.
/// Offsets and sizes are checked later (`SafeTensors.decode`), with overflow-checked arithmetic.
struct SafeTensorsHeader {
    struct Entry {
        var name: String
        var dtype: String
        var shape: [Int]
        var begin: Int
        var end: Int
    }

    var entries: [Entry] = []
    var metadata: [String: String] = [:]

    /// Parses `bytes` (the header only, without the 8-byte length); errors name `path` and the byte offset.
    static func parse(_ bytes: UnsafeRawBufferPointer, path: String) throws -> SafeTensorsHeader {
        var scanner = Scanner(bytes: bytes, path: path)
        return try scanner.header()
    }

    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        let path: String
        var i = 0

        init(bytes: UnsafeRawBufferPointer, path: String) { self.bytes = bytes; self.path = path }

        func fail(_ reason: String, field: String? = nil) -> CheckpointError {
            CheckpointError(path: path, field: field, reason: "header byte \(8 + i): \(reason)")
        }

        var atEnd: Bool { i >= bytes.count }
        var current: UInt8 { bytes[i] }

        mutating func skipWhitespace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        }

        mutating func expect(_ c: UInt8, _ what: String, field: String? = nil) throws {
            skipWhitespace()
            guard !atEnd, current == c else { throw fail(atEnd ? "expected \(what), found the end of the header" : "expected \(what)", field: field) }
            i += 1
        }

        /// Reads `,` or the closing bracket; true when another element follows.
        mutating func separator(closing: UInt8, field: String?) throws -> Bool {
            skipWhitespace()
            guard !atEnd else { throw fail("unexpected end of the header", field: field) }
            if current == UInt8(ascii: ",") { i += 1; return true }
            if current == closing { i += 1; return false }
            throw fail("expected ',' or '\(Character(Unicode.Scalar(closing)))'", field: field)
        }

        mutating func header() throws -> SafeTensorsHeader {
            // The format: "The header data MUST begin with a { character" (so no BOM, no leading whitespace).
            guard !atEnd, current == UInt8(ascii: "{") else { throw fail("the header does not start with '{'") }
            i += 1
            var result = SafeTensorsHeader()
            var names = Set<String>()
            var sawMetadata = false
            skipWhitespace()
            if !atEnd, current == UInt8(ascii: "}") { i += 1 } else {
                repeat {
                    skipWhitespace()
                    let name = try string(field: nil)
                    try expect(UInt8(ascii: ":"), "':' after the key", field: name)
                    if name == "__metadata__" {
                        guard !sawMetadata else { throw fail("duplicate key", field: name) }
                        sawMetadata = true
                        result.metadata = try metadataObject()
                    } else {
                        guard names.insert(name).inserted else { throw fail("duplicate tensor name", field: name) }
                        result.entries.append(try tensor(name))
                    }
                } while try separator(closing: UInt8(ascii: "}"), field: nil)
            }
            skipWhitespace()
            guard atEnd else { throw fail("unexpected content after the header object") }
            return result
        }

        mutating func metadataObject() throws -> [String: String] {
            skipWhitespace()
            if literal("null") { return [:] }
            try expect(UInt8(ascii: "{"), "an object of strings", field: "__metadata__")
            var m: [String: String] = [:]
            skipWhitespace()
            if !atEnd, current == UInt8(ascii: "}") { i += 1; return m }
            repeat {
                skipWhitespace()
                let key = try string(field: "__metadata__")
                let field = "__metadata__.\(key)"
                try expect(UInt8(ascii: ":"), "':' after the key", field: field)
                skipWhitespace()
                guard !atEnd, current == UInt8(ascii: "\"") else { throw fail("the value is not a string", field: field) }
                let value = try string(field: field)
                guard m.updateValue(value, forKey: key) == nil else { throw fail("duplicate key", field: field) }
            } while try separator(closing: UInt8(ascii: "}"), field: "__metadata__")
            return m
        }

        mutating func tensor(_ name: String) throws -> Entry {
            try expect(UInt8(ascii: "{"), "an object with dtype, shape and data_offsets", field: name)
            var dtype: String?, shape: [Int]?, offsets: [Int]?
            skipWhitespace()
            if !atEnd, current == UInt8(ascii: "}") { throw fail("lacks dtype, shape and data_offsets", field: name) }
            repeat {
                skipWhitespace()
                let key = try string(field: name)
                let field = "\(name).\(key)"
                try expect(UInt8(ascii: ":"), "':' after the key", field: field)
                skipWhitespace()
                switch key {
                case "dtype":
                    guard dtype == nil else { throw fail("duplicate key", field: field) }
                    guard !atEnd, current == UInt8(ascii: "\"") else { throw fail("dtype is not a string", field: field) }
                    dtype = try string(field: field)
                case "shape":
                    guard shape == nil else { throw fail("duplicate key", field: field) }
                    shape = try integers(field: field)
                case "data_offsets":
                    guard offsets == nil else { throw fail("duplicate key", field: field) }
                    let o = try integers(field: field)
                    guard o.count == 2 else { throw fail("data_offsets must be [begin, end], found \(o.count) numbers", field: field) }
                    offsets = o
                default:
                    throw fail("unknown key (a tensor has only dtype, shape and data_offsets)", field: field)
                }
            } while try separator(closing: UInt8(ascii: "}"), field: name)
            guard let dtype, let shape, let offsets else {
                let missing = [dtype == nil ? "dtype" : nil, shape == nil ? "shape" : nil, offsets == nil ? "data_offsets" : nil]
                throw fail("lacks \(missing.compactMap { $0 }.joined(separator: " and "))", field: name)
            }
            return Entry(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
        }

        /// `[n, …]` of non-negative JSON integers that fit in an `Int`.
        mutating func integers(field: String) throws -> [Int] {
            guard !atEnd, current == UInt8(ascii: "[") else { throw fail("expected an array of non-negative integers", field: field) }
            i += 1
            var values: [Int] = []
            skipWhitespace()
            if !atEnd, current == UInt8(ascii: "]") { i += 1; return values }
            repeat {
                skipWhitespace()
                values.append(try integer(field: field))
            } while try separator(closing: UInt8(ascii: "]"), field: field)
            return values
        }

        mutating func integer(field: String) throws -> Int {
            guard !atEnd, current >= 0x30 && current <= 0x39 else {
                throw fail(!atEnd && current == UInt8(ascii: "-") ? "negative number" : "expected a non-negative integer", field: field)
            }
            let start = i
            var value = 0
            while i < bytes.count, bytes[i] >= 0x30 && bytes[i] <= 0x39 {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int(bytes[i] - 0x30))
                guard !o1 && !o2 else { i = start; throw fail("number too large (more than 2^63 - 1)", field: field) }
                value = a
                i += 1
            }
            if i - start > 1 && bytes[start] == 0x30 { i = start; throw fail("a number with a leading zero is not JSON", field: field) }
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                i = start
                throw fail("expected an integer, found a fraction or exponent", field: field)
            }
            return value
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let n = word.utf8CodeUnitCount
            guard bytes.count - i >= n else { return false }
            for k in 0..<n where bytes[i + k] != word.utf8Start[k] { return false }
            i += n
            return true
        }

        /// A JSON string starting at the current `"`: escapes decoded, UTF-8 validated.
        mutating func string(field: String?) throws -> String {
            guard !atEnd else { throw fail("unexpected end of the header", field: field) }
            guard current == UInt8(ascii: "\"") else { throw fail("expected a string", field: field) }
            i += 1
            let start = i
            // Fast path: no escapes (every name Reel and PyTorch write).
            while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\"), bytes[i] >= 0x20 { i += 1 }
            guard i < bytes.count else { throw fail("unterminated string", field: field) }
            if bytes[i] == UInt8(ascii: "\"") {
                guard let s = String(validating: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self) else {
                    throw fail("invalid UTF-8 in a string", field: field)
                }
                i += 1
                return s
            }
            var out = Array(bytes[start..<i])
            while true {
                guard i < bytes.count else { throw fail("unterminated string", field: field) }
                let c = bytes[i]
                if c == UInt8(ascii: "\"") { i += 1; break }
                guard c >= 0x20 else { throw fail("control character in a string", field: field) }
                guard c == UInt8(ascii: "\\") else { out.append(c); i += 1; continue }
                i += 1
                guard i < bytes.count else { throw fail("unterminated string", field: field) }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4(field: field)
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard literal("\\u") else { throw fail("unpaired surrogate in a string", field: field) }
                        let low = try hex4(field: field)
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate in a string", field: field) }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw fail("unpaired surrogate in a string", field: field)
                    }
                    out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
                default: throw fail("invalid escape in a string", field: field)
                }
            }
            guard let s = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8 in a string", field: field) }
            return s
        }

        mutating func hex4(field: String?) throws -> UInt32 {
            guard bytes.count - i >= 4 else { throw fail("invalid \\u escape", field: field) }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[i]
                let d: UInt8
                switch c {
                case 0x30...0x39: d = c - 0x30
                case 0x41...0x46: d = c - 0x41 + 10
                case 0x61...0x66: d = c - 0x61 + 10
                default: throw fail("invalid \\u escape", field: field)
                }
                v = v << 4 | UInt32(d)
                i += 1
            }
            return v
        }
    }
}
