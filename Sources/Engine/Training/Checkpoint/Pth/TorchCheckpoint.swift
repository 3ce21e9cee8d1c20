import Config
import Foundation
import EngineCore
import EngineData

/// Reading PyTorch `.pth` checkpoints without Python, as `torch.load(weights_only=True)` would, into the same
/// `SafeTensors.File` the safetensors reader gives: the zip format `torch.save` writes since 1.6 (`ZipArchive`,
/// `<archive>/data.pkl` + `<archive>/data/<key>`) and the older one (pickles then raw storages), both through
/// `RestrictedUnpickler`.
///
/// Layouts: mmcv's `{'meta': …, 'state_dict': OrderedDict, 'optimizer': …}` (the state dict is used, as mmcv's
/// `load_checkpoint` does) or a bare state dict; a leading `module.` (DataParallel) is removed from every key, as
/// mmcv's `revise_keys` default. Float tensors of any precision become float32 and integer ones int64; entries of the
/// state dict that are not tensors are left out. `meta` is kept as JSON in `__metadata__["mmcv_meta"]` (and a
/// `reel` string in it, as Reel's `.pth` files carry, in `__metadata__["reel"]`). The optimizer is not read.
public enum TorchCheckpoint {
    static let format = "PyTorch .pth"
    /// The legacy format's first pickle: protocol 2, the magic number 0x1950a86a20f9469cfc6c, STOP.
    static let legacyMagic: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E]

    /// Whether the bytes look like a PyTorch checkpoint (zip or legacy) rather than safetensors.
    public static func isTorchFile(_ raw: UnsafeRawBufferPointer) -> Bool {
        ZipArchive.hasSignature(raw) || (raw.count >= legacyMagic.count && zip(raw, legacyMagic).allSatisfy { $0 == $1 })
    }

    public static func decode(_ data: Data, path: String) throws -> SafeTensors.File {
        try data.withUnsafeBytes { try decode($0, path: path) }
    }

    static func decode(_ raw: UnsafeRawBufferPointer, path: String) throws -> SafeTensors.File {
        func fail(_ reason: String, field: String? = nil) -> CheckpointError {
            CheckpointError(path: path, field: field, reason: reason, format: format)
        }
        var ranges: [String: Range<Int>] = [:]
        var storages: [String: TorchStorage] = [:]
        var verified: Set<String> = []
        /// ('storage', <storage class>, key, location, numel[, view_metadata]) → the storage.
        let persistentLoad: (PickleValue) throws -> PickleValue = { pid in
            guard let t = pid.elements, t.count == 5 || t.count == 6, t[0].string == "storage",
                  case .object(let cls)? = Optional(t[1]), case .global(let name) = cls.kind,
                  let dtype = TorchDType(rawValue: String(name.dropFirst("torch.".count))),
                  let key = t[2].string, let numel = t[4].int, numel >= 0 else {
                throw fail("a persistent id that is not a storage reference", field: "data.pkl")
            }
            if t.count == 6, case .none = t[5] {} else if t.count == 6 {
                throw fail("storage \(key) is a view of another storage (a format older than PyTorch 0.4)")
            }
            if let known = storages[key], known.dtype != dtype || known.count != Int(numel) {
                throw fail("storage \(key) is referenced with two different types or sizes")
            }
            let storage = TorchStorage(dtype: dtype, count: Int(numel), key: key)
            storages[key] = storage
            return .object(PickleObject(.storage(storage)))
        }
        let root: PickleValue
        var unpickler: RestrictedUnpickler
        if ZipArchive.hasSignature(raw) {
            let archive = try ZipArchive(raw, path: path)
            guard let pkl = archive.entries.first(where: { $0.name.hasSuffix("/data.pkl") && $0.name.split(separator: "/").count == 2 }) else {
                throw fail("a zip archive without the <name>/data.pkl of a torch.save checkpoint")
            }
            let prefix = String(pkl.name.dropLast("data.pkl".count))
            if let order = archive[prefix + "byteorder"] {
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: raw[order.range]), as: UTF8.self)
                guard text == "little" else { throw fail("saved with byte order '\(text.prefix(20))'; Reel reads little-endian files") }
            }
            let pklBytes = UnsafeRawBufferPointer(rebasing: raw[pkl.range])
            guard CRC32.checksum(pklBytes) == pkl.crc32 else { throw fail("data.pkl does not match its zip CRC-32 (corrupt)") }
            for e in archive.entries where e.name.hasPrefix(prefix + "data/") { ranges[String(e.name.dropFirst(prefix.count + 5))] = e.range }
            unpickler = RestrictedUnpickler(pklBytes, path: path, persistentLoad: persistentLoad)
            defer { unpickler.release() }
            root = try unpickler.load()
            for (key, s) in storages {
                guard let r = ranges[key] else { throw fail("storage \(key) has no data/\(key) entry in the archive") }
                guard r.count >= s.count * s.dtype.itemSize else {
                    throw fail("storage \(key) declares \(s.count) elements of \(s.dtype.itemSize) bytes but data/\(key) holds \(r.count) bytes")
                }
                if let e = archive[prefix + "data/" + key], CRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[e.range])) != e.crc32 {
                    throw fail("data/\(key) does not match its zip CRC-32 (corrupt)")
                }
                verified.insert(key)
            }
            return try file(from: root, raw: raw, ranges: ranges, path: path)
        }
        guard isTorchFile(raw) else { throw fail("neither a zip archive nor a legacy torch.save file") }
        // Legacy: magic, protocol version, system info, the object, the storage keys, then each storage's bytes.
        var position = legacyMagic.count
        for part in ["protocol version", "system info"] {
            var u = RestrictedUnpickler(raw, at: position, path: path, persistentLoad: { _ in throw fail("a persistent id in the \(part)") })
            defer { u.release() }
            let v = try u.load()
            if part == "protocol version", v.int != 1001 { throw fail("legacy protocol version \(v.int.map(String.init) ?? "?"), expected 1001") }
            position = u.position
        }
        unpickler = RestrictedUnpickler(raw, at: position, path: path, persistentLoad: persistentLoad)
        defer { unpickler.release() }
        root = try unpickler.load()
        var keysUnpickler = RestrictedUnpickler(raw, at: unpickler.position, path: path, persistentLoad: { _ in throw fail("a persistent id in the storage keys") })
        defer { keysUnpickler.release() }
        guard let keys = try keysUnpickler.load().elements?.compactMap(\.string) else { throw fail("no storage key list after the object") }
        position = keysUnpickler.position
        for key in keys {
            guard let s = storages[key] else { throw fail("storage \(key) is stored but never referenced") }
            guard raw.count - position >= 8 else { throw fail("the file ends before storage \(key) (truncated?)") }
            let count = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: UInt64.self))
            guard count == UInt64(s.count) else { throw fail("storage \(key) holds \(count) elements but is referenced with \(s.count)") }
            let bytes = s.count * s.dtype.itemSize
            guard raw.count - position - 8 >= bytes else { throw fail("the file ends inside storage \(key) (truncated?)") }
            ranges[key] = (position + 8)..<(position + 8 + bytes)
            position += 8 + bytes
        }
        return try file(from: root, raw: raw, ranges: ranges, path: path)
    }

    /// The state dict's tensors (converted) and the meta, from the unpickled root object.
    static func file(from root: PickleValue, raw: UnsafeRawBufferPointer, ranges: [String: Range<Int>], path: String) throws -> SafeTensors.File {
        func fail(_ reason: String) -> CheckpointError { CheckpointError(path: path, reason: reason, format: format) }
        guard let top = root.object, case .dict = top.kind else { throw fail("the checkpoint is not a dict (nor a state dict)") }
        var stateDict = top
        var meta: PickleValue?
        if let sd = lookup(top, "state_dict") {
            guard let o = sd.object, case .dict = o.kind else { throw fail("its 'state_dict' is not a dict") }
            stateDict = o
            meta = lookup(top, "meta")
        }
        var tensors: [(name: String, value: SafeTensors.Value)] = []
        var position: [String: Int] = [:]
        // Materialising never takes much more memory than the file's bytes justify, however the views overlap.
        var budget = 4 * raw.count + (1 << 20)
        for k in stride(from: 0, to: stateDict.items.count - 1, by: 2) {
            guard var name = stateDict.items[k].string else { throw fail("a state_dict key that is not a string") }
            guard let o = stateDict.items[k + 1].object, case .tensor(let t) = o.kind else { continue }
            if name.hasPrefix("module.") { name = String(name.dropFirst(7)) }
            guard let range = ranges[t.storage.key] else { throw fail("storage \(t.storage.key) of \(name) has no data") }
            let count = t.shape.reduce(1, *)
            budget -= count * (t.storage.dtype.isFloat ? 4 : 8)
            guard budget >= 0 else { throw fail("its tensors need more memory than a file of \(raw.count) bytes can hold (views repeating one storage)") }
            let value = materialize(t, UnsafeRawBufferPointer(rebasing: raw[range]))
            if let i = position[name] { tensors[i].value = value } else { position[name] = tensors.count; tensors.append((name, value)) }
        }
        var metadata: [String: String] = ["format": "pt"]
        if let meta {
            var nodes = 0
            if let json = try? jsonText(meta, depth: 0, nodes: &nodes) { metadata["mmcv_meta"] = json }
            if let m = meta.object, let reel = lookup(m, "reel")?.string { metadata["reel"] = reel }
        }
        return SafeTensors.File(tensors: tensors, metadata: metadata)
    }

    static func lookup(_ dict: PickleObject, _ key: String) -> PickleValue? {
        var found: PickleValue?
        for k in stride(from: 0, to: dict.items.count - 1, by: 2) where dict.items[k].string == key { found = dict.items[k + 1] }
        return found
    }

    /// The tensor's elements in row-major order, converted (float32 or int64). The view was checked to lie inside
    /// the storage's elements, and the storage's bytes to hold them.
    static func materialize(_ t: TorchTensor, _ bytes: UnsafeRawBufferPointer) -> SafeTensors.Value {
        let count = t.shape.reduce(1, *)
        let dtype = t.storage.dtype
        // Element offsets of the view, odometer-style (contiguous views are the common case, and the same loop).
        var offsets = [Int](repeating: 0, count: count)
        if count > 0 {
            var index = [Int](repeating: 0, count: t.shape.count)
            var offset = t.offset
            for i in 0..<count {
                offsets[i] = offset
                var d = t.shape.count - 1
                while d >= 0 {
                    index[d] += 1
                    offset += t.stride[d]
                    if index[d] < t.shape[d] { break }
                    offset -= t.stride[d] * t.shape[d]
                    index[d] = 0
                    d -= 1
                }
            }
        }
        func load<T: FixedWidthInteger>(_: T.Type, _ o: Int) -> T { T(littleEndian: bytes.loadUnaligned(fromByteOffset: o * MemoryLayout<T>.size, as: T.self)) }
        if dtype.isFloat {
            var out = Tensor(uninitialized: t.shape)
            out.withMutableData { dst in
                for (i, o) in offsets.enumerated() {
                    switch dtype {
                    case .float32: dst[i] = Float(bitPattern: load(UInt32.self, o))
                    case .float64: dst[i] = Float(Double(bitPattern: load(UInt64.self, o)))
                    case .float16: dst[i] = Float(Float16(bitPattern: load(UInt16.self, o)))
                    default: dst[i] = Float(bitPattern: UInt32(load(UInt16.self, o)) << 16)
                    }
                }
            }
            return .float32(out)
        }
        let values: [Int64] = offsets.map { o in
            switch dtype {
            case .int64: load(Int64.self, o)
            case .int32: Int64(load(Int32.self, o))
            case .int16: Int64(load(Int16.self, o))
            case .int8: Int64(load(Int8.self, o))
            default: Int64(load(UInt8.self, o))
            }
        }
        return .int64(shape: t.shape, values: values)
    }

    /// `meta` as JSON: strings, numbers, booleans, None, lists, tuples and string-keyed dicts; depth and size bounded
    /// (a hostile pickle can share one object many times over). Throws for anything else (the meta is then left out).
    static func jsonText(_ v: PickleValue, depth: Int, nodes: inout Int) throws -> String {
        struct Unrepresentable: Error {}
        nodes += 1
        guard depth < 32, nodes < 100_000 else { throw Unrepresentable() }
        switch v {
        case .none: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d): return d.isFinite ? "\(d)" : "null"
        case .string(let s): return JSONText.string(s)
        case .bytes: throw Unrepresentable()
        case .object(let o):
            switch o.kind {
            case .tuple, .list:
                return "[" + (try o.items.map { try jsonText($0, depth: depth + 1, nodes: &nodes) }).joined(separator: ",") + "]"
            case .dict:
                var parts: [String] = []
                for k in stride(from: 0, to: o.items.count - 1, by: 2) {
                    guard let key = o.items[k].string else { throw Unrepresentable() }
                    parts.append(JSONText.string(key) + ":" + (try jsonText(o.items[k + 1], depth: depth + 1, nodes: &nodes)))
                }
                return "{" + parts.joined(separator: ",") + "}"
            default: throw Unrepresentable()
            }
        }
    }
}

