import Config
import Foundation
import EngineCore
import EngineData

/// The safetensors file format (huggingface/safetensors): an 8-byte little-endian header length, a JSON header
/// `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}` padded with spaces to a
/// multiple of 8, then the raw little-endian tensor bytes. Reel writes F32 and I64 tensors (the state-dict dtypes of
/// its models) and reads F32, I64, F16 and BF16 (converted to float32).
///
/// Reading validates everything (header size, JSON grammar, dtypes, shapes, offsets inside the data and contiguous)
/// and throws `CheckpointError` naming the file and field: a truncated, corrupt or hostile file is an error, never a
/// crash.
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
        public var tensors: [(name: String, value: Value)] { didSet { index = Self.index(tensors) } }
        public var metadata: [String: String]
        /// Name → position, so that looking up every optimizer entry stays linear in the file's size.
        private var index: [String: Int]
        public init(tensors: [(name: String, value: Value)], metadata: [String: String]) {
            self.tensors = tensors
            self.metadata = metadata
            self.index = Self.index(tensors)
        }
        public subscript(name: String) -> Value? { index[name].map { tensors[$0].value } }
        private static func index(_ tensors: [(name: String, value: Value)]) -> [String: Int] {
            var index: [String: Int] = [:]
            index.reserveCapacity(tensors.count)
            for (i, t) in tensors.enumerated() where index[t.name] == nil { index[t.name] = i }
            return index
        }
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

    /// The format's limit on the header (huggingface/safetensors MAX_HEADER_SIZE): about 1.4 million tensor entries.
    public static let maxHeaderBytes = 100_000_000

    /// The item size of each dtype Reel reads.
    static let itemSizes = ["F32": 4, "I64": 8, "F16": 2, "BF16": 2]
    /// The format's other dtypes: valid in a safetensors file, but not in a Reel model's state.
    static let otherDtypes: Set<String> = ["BOOL", "U8", "I8", "I16", "U16", "I32", "U32", "U64", "F64", "C64",
                                           "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2"]

    /// Reads and validates a whole file. Only regular files are read (a FIFO or a device would block or never end).
    public static func read(_ path: String) throws -> File { try decode(try CheckpointFile.contents(of: path), path: path) }

    /// The `__metadata__` of a file, reading only its header (the checkpoint browser, sidecar bookkeeping).
    public static func readMetadata(_ path: String) throws -> [String: String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CheckpointError(path: path, reason: "cannot read it") }
        defer { try? handle.close() }
        let lengthBytes = (try? handle.read(upToCount: 8)) ?? Data()
        guard lengthBytes.count == 8 else { throw CheckpointError(path: path, reason: "shorter than the 8-byte header length") }
        let length = lengthBytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard length <= UInt64(maxHeaderBytes) else { throw CheckpointError(path: path, reason: "header length \(length) is over the format's limit") }
        let header = (try? handle.read(upToCount: Int(length))) ?? Data()
        guard header.count == Int(length) else { throw CheckpointError(path: path, reason: "the header is truncated") }
        return try header.withUnsafeBytes { try SafeTensorsHeader.parse($0, path: path).metadata }
    }

    /// Decodes a file's bytes, following the format strictly: header length within the file and the format's limit,
    /// a header of exactly the format's grammar (`SafeTensorsHeader`), and for each tensor a dtype Reel reads,
    /// `end - begin == element count × item size` (overflow-checked), offsets inside the data, and the tensors
    /// covering the data buffer contiguously (no overlap, no gap, nothing after the last one).
    public static func decode(_ data: Data, path: String) throws -> File {
        try data.withUnsafeBytes { raw in try decode(raw, path: path) }
    }

    static func decode(_ raw: UnsafeRawBufferPointer, path: String) throws -> File {
        func fail(_ reason: String, field: String? = nil) -> CheckpointError { CheckpointError(path: path, field: field, reason: reason) }
        guard raw.count >= 8 else { throw fail("the file is \(raw.count) bytes, shorter than the 8-byte header length") }
        let headerLength = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(maxHeaderBytes) else {
            throw fail("header length \(headerLength) is over the format's limit of \(maxHeaderBytes) bytes"
                       + (headerLength <= UInt64(raw.count - 8) ? "" : " and does not fit in the \(raw.count)-byte file (truncated?)"))
        }
        guard Int(headerLength) <= raw.count - 8 else {
            throw fail("header length \(headerLength) does not fit in the \(raw.count)-byte file (truncated?)")
        }
        let dataStart = 8 + Int(headerLength)
        let header = try SafeTensorsHeader.parse(UnsafeRawBufferPointer(rebasing: raw[8..<dataStart]), path: path)
        let dataLength = raw.count - dataStart
        var entries = header.entries
        for e in entries {
            guard let itemSize = itemSizes[e.dtype] else {
                throw fail(otherDtypes.contains(e.dtype) ? "dtype \(e.dtype) is not supported by Reel (it reads F32, I64, F16, BF16)"
                           : "unknown dtype '\(e.dtype)'", field: "\(e.name).dtype")
            }
            var count = 1, overflow = false
            for d in e.shape {
                let r = count.multipliedReportingOverflow(by: d)
                count = r.partialValue; overflow = overflow || r.overflow
            }
            let bytes = count.multipliedReportingOverflow(by: itemSize)
            guard !overflow, !bytes.overflow else {
                throw fail("shape \(e.shape) of \(e.dtype) needs more than 2^63 bytes", field: "\(e.name).shape")
            }
            guard e.begin <= e.end, e.end <= dataLength else {
                throw fail("data_offsets [\(e.begin), \(e.end)] are not inside the \(dataLength) data bytes (truncated?)",
                           field: "\(e.name).data_offsets")
            }
            guard e.end - e.begin == bytes.partialValue else {
                throw fail("data_offsets [\(e.begin), \(e.end)] hold \(e.end - e.begin) bytes, but shape \(e.shape) of \(e.dtype) "
                           + "needs \(bytes.partialValue)", field: "\(e.name).data_offsets")
            }
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var expected = 0
        for e in entries {
            guard e.begin == expected else {
                throw fail(e.begin < expected ? "tensor data overlaps the previous tensor's (bytes \(e.begin)..<\(expected))"
                           : "a gap of \(e.begin - expected) bytes before this tensor's data", field: "\(e.name).data_offsets")
            }
            expected = e.end
        }
        guard expected == dataLength else { throw fail("\(dataLength - expected) bytes after the last tensor") }

        var tensors: [(name: String, value: Value)] = []
        tensors.reserveCapacity(entries.count)
        let base = raw.baseAddress.map { $0 + dataStart }
        for e in entries {
            let count = (e.end - e.begin) / itemSizes[e.dtype]!
            // An empty file region may have no base address; a zero-length tensor reads nothing from it.
            guard let src = base.map({ $0 + e.begin }), count > 0 else {
                tensors.append((e.name, e.dtype == "I64" ? .int64(shape: e.shape, values: []) : .float32(Tensor(uninitialized: e.shape))))
                continue
            }
            switch e.dtype {
            case "I64":
                let values = (0..<count).map { Int64(littleEndian: src.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
                tensors.append((e.name, .int64(shape: e.shape, values: values)))
            default:
                var t = Tensor(uninitialized: e.shape)
                t.withMutableData { dst in
                    switch e.dtype {
                    case "F32":
                        for i in 0..<count { dst[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))) }
                    case "F16":
                        for i in 0..<count { dst[i] = Float(Float16(bitPattern: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)))) }
                    default:   // BF16: the upper half of a float32
                        for i in 0..<count { dst[i] = Float(bitPattern: UInt32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))) << 16) }
                    }
                }
                tensors.append((e.name, .float32(t)))
            }
        }
        return File(tensors: tensors, metadata: header.metadata)
    }
}
