import Config
import Foundation

/// The safetensors file format (huggingface/safetensors): an 8-byte little-endian header length, a JSON header
/// `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}` padded with spaces to a
/// multiple of 8, then the raw little-endian tensor bytes. Reel writes F32 and I64 tensors (the state-dict dtypes of
/// its models) and reads F32, I64, F16 and BF16 (converted to float32).
///
/// Reading validates everything (header size, JSON, dtypes, shapes, offsets inside the data and contiguous) and
/// throws `SafeTensors.FormatError` naming the file: a truncated or corrupt file is an error, never a crash.
public enum SafeTensors {
    /// One tensor of a file.
    public enum Value: Equatable, Sendable {
        case float32(Tensor)
        case int64(shape: [Int], values: [Int64])

        public var shape: [Int] {
            switch self {
            case .float32(let t): return t.shape
            case .int64(let s, _): return s
            }
        }
    }

    /// A whole file: tensors in file (data-offset) order, and the string metadata.
    public struct File: Sendable {
        public var tensors: [(name: String, value: Value)]
        public var metadata: [String: String]
        public init(tensors: [(name: String, value: Value)], metadata: [String: String]) {
            self.tensors = tensors
            self.metadata = metadata
        }
        public subscript(name: String) -> Value? { tensors.first { $0.name == name }?.value }
    }

    public struct FormatError: Error, CustomStringConvertible, Equatable {
        public var path: String
        public var reason: String
        public var description: String { "\(path): not a valid safetensors checkpoint: \(reason)" }
    }

    // MARK: - Writing

    /// The encoded bytes of `file`.
    public static func encode(_ file: File) -> Data {
        var header = "{"
        var offset = 0
        var parts: [String] = []
        for (name, value) in file.tensors {
            let (dtype, bytes): (String, Int)
            switch value {
            case .float32(let t): (dtype, bytes) = ("F32", t.count * 4)
            case .int64(let shape, _): (dtype, bytes) = ("I64", shape.reduce(1, *) * 8)
            }
            let shape = "[" + value.shape.map(String.init).joined(separator: ",") + "]"
            parts.append("\(JSONText.string(name)):{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        if !file.metadata.isEmpty {
            let meta = file.metadata.sorted { $0.key < $1.key }.map { "\(JSONText.string($0.key)):\(JSONText.string($0.value))" }
            parts.insert("\"__metadata__\":{" + meta.joined(separator: ",") + "}", at: 0)
        }
        header += parts.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var data = Data(capacity: 8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: headerBytes)
        for (_, value) in file.tensors {
            switch value {
            case .float32(let t):
                t.withData { data.append(UnsafeBufferPointer(start: $0, count: t.count)) }   // x86/ARM: little-endian
            case .int64(_, let values):
                values.map(\.littleEndian).withUnsafeBufferPointer { data.append($0) }
            }
        }
        return data
    }

    /// Writes `file` atomically (temp file, fsync, rename).
    public static func write(_ file: File, to path: String) throws {
        try AtomicFile.write(encode(file), to: path)
    }

    // MARK: - Reading

    public static func read(_ path: String) throws -> File {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe) } catch {
            throw FormatError(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read it" : "no such file")
        }
        return try decode(data, path: path)
    }

    public static func decode(_ data: Data, path: String) throws -> File {
        func fail(_ reason: String) -> FormatError { FormatError(path: path, reason: reason) }
        guard data.count >= 8 else { throw fail("the file is \(data.count) bytes, shorter than the 8-byte header length") }
        let headerLength = data.prefix(8).withUnsafeBytes { raw in UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= 100_000_000, Int(headerLength) <= data.count - 8 else {
            throw fail("header length \(headerLength) does not fit in the \(data.count)-byte file (truncated?)")
        }
        let headerData = data.subdata(in: 8..<(8 + Int(headerLength)))
        guard let object = try? JSONSerialization.jsonObject(with: headerData), let header = object as? [String: Any] else {
            throw fail("the header is not a JSON object")
        }
        let dataStart = 8 + Int(headerLength)
        let dataLength = data.count - dataStart
        var metadata: [String: String] = [:]
        var entries: [(name: String, begin: Int, end: Int, dtype: String, shape: [Int])] = []
        for (name, raw) in header {
            if name == "__metadata__" {
                guard let m = raw as? [String: Any] else { throw fail("__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw fail("__metadata__['\(k)'] is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let info = raw as? [String: Any], let dtype = info["dtype"] as? String,
                  let shapeAny = info["shape"] as? [Any], let offsets = info["data_offsets"] as? [Any], offsets.count == 2
            else { throw fail("entry '\(name)' lacks dtype, shape or data_offsets") }
            let shape = shapeAny.compactMap { ($0 as? NSNumber)?.intValue }
            let bounds = offsets.compactMap { ($0 as? NSNumber)?.intValue }
            guard shape.count == shapeAny.count, shape.allSatisfy({ $0 >= 0 }), bounds.count == 2 else {
                throw fail("entry '\(name)' has a malformed shape or offsets")
            }
            guard let itemSize = ["F32": 4, "I64": 8, "F16": 2, "BF16": 2][dtype] else {
                throw fail("entry '\(name)' has unsupported dtype \(dtype) (F32, I64, F16, BF16 are read)")
            }
            let (count, overflow) = shape.reduce((1, false)) { acc, d in
                let r = acc.0.multipliedReportingOverflow(by: d); return (r.partialValue, acc.1 || r.overflow)
            }
            guard !overflow, bounds[0] >= 0, bounds[0] <= bounds[1], bounds[1] <= dataLength,
                  bounds[1] - bounds[0] == count * itemSize else {
                throw fail("entry '\(name)' has data_offsets \(bounds) that do not match its shape \(shape) and dtype "
                           + "\(dtype) within \(dataLength) data bytes (truncated?)")
            }
            entries.append((name, bounds[0], bounds[1], dtype, shape))
        }
        entries.sort { $0.begin != $1.begin ? $0.begin < $1.begin : $0.name < $1.name }
        var expected = 0
        for e in entries {
            guard e.begin == expected else { throw fail("tensor data of '\(e.name)' overlaps or leaves a gap") }
            expected = e.end
        }
        guard expected == dataLength else { throw fail("\(dataLength - expected) bytes after the last tensor") }
        var tensors: [(name: String, value: Value)] = []
        data.withUnsafeBytes { raw in
            let base = raw.baseAddress! + dataStart
            for e in entries {
                let count = e.shape.reduce(1, *)
                let src = base + e.begin
                switch e.dtype {
                case "I64":
                    let values = (0..<count).map { Int64(littleEndian: src.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
                    tensors.append((e.name, .int64(shape: e.shape, values: values)))
                default:
                    var t = Tensor(uninitialized: e.shape)
                    t.withMutableData { dst in
                        for i in 0..<count {
                            switch e.dtype {
                            case "F32": dst[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
                            case "F16": dst[i] = Float(Float16(bitPattern: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))))
                            default: dst[i] = Float(bitPattern: UInt32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))) << 16)
                            }
                        }
                    }
                    tensors.append((e.name, .float32(t)))
                }
            }
        }
        return File(tensors: tensors, metadata: metadata)
    }
}
