import Foundation
import EngineCore
import EngineData

extension TorchCheckpoint {
    /// Encodes weights as a `.pth` that `torch.load(path, weights_only=True)` reads: a zip archive of stored entries
    /// laid out as `torch.save` lays them out (`archive/data.pkl`, `archive/data/<k>` aligned to 64 bytes,
    /// `archive/byteorder`, `archive/version`), holding mmcv's layout `{'meta': {…}, 'state_dict': OrderedDict}`.
    /// `meta` holds the file's string metadata (Reel's `reel` JSON among it, so the counters survive a round trip).
    /// Only the tensors go in `state_dict`, float32 as FloatStorage and int64 as LongStorage. Archives over 4 GiB
    /// would need zip64 records, which this writer does not make: it throws instead.
    public static func encode(_ file: SafeTensors.File, path: String) throws -> Data {
        var pickle: [UInt8] = [0x80, 0x02, 0x7D, 0x28]   // PROTO 2, EMPTY_DICT, MARK
        func string(_ s: String) { let u = Array(s.utf8); pickle.append(0x58); pickle += le(UInt32(u.count)); pickle += u }
        func int(_ v: Int) {
            switch v {
            case 0...0xFF: pickle += [0x4B, UInt8(v)]
            case 0...0xFFFF: pickle += [0x4D] + le(UInt16(v))
            case Int(Int32.min)...Int(Int32.max): pickle += [0x4A] + le(UInt32(bitPattern: Int32(v)))
            default: pickle += [0x8A, 8] + le(UInt64(bitPattern: Int64(v)))
            }
        }
        func global(_ module: String, _ name: String) { pickle += [0x63] + Array("\(module)\n\(name)\n".utf8) }
        func tuple(_ xs: [Int]) { pickle.append(0x28); xs.forEach(int); pickle.append(0x74) }

        string("meta")
        pickle += [0x7D, 0x28]
        for (k, v) in file.metadata.sorted(by: { $0.key < $1.key }) where k != "format" && k != "optimizer_file" && k != "optimizer" {
            string(k); string(v)
        }
        pickle.append(0x75)   // SETITEMS
        string("state_dict")
        global("collections", "OrderedDict"); pickle += [0x29, 0x52, 0x28]   // OrderedDict(), MARK
        var storages: [Data] = []
        for (name, value) in file.tensors where !name.hasPrefix("optimizer.") {
            let shape = value.shape
            var strides = [Int](repeating: 1, count: shape.count)
            for d in stride(from: shape.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * shape[d + 1] }
            var bytes = Data()
            let kind: String
            switch value {
            case .float32(let t):
                kind = "FloatStorage"
                t.withData { bytes.append(UnsafeBufferPointer(start: $0, count: t.count)) }
            case .int64(_, let values):
                kind = "LongStorage"
                values.map(\.littleEndian).withUnsafeBufferPointer { bytes.append($0) }
            }
            guard name.utf8.count < 0xFFFF else { throw CheckpointError(path: path, field: String(name.prefix(80)), reason: "name too long", format: format) }
            string(name)
            global("torch._utils", "_rebuild_tensor_v2")
            pickle += [0x28, 0x28]   // MARK (arguments), MARK (persistent id)
            string("storage"); global("torch", kind); string(String(storages.count)); string("cpu"); int(shape.reduce(1, *))
            pickle += [0x74, 0x51]   // TUPLE, BINPERSID
            int(0); tuple(shape); tuple(strides)
            pickle.append(0x89)      // requires_grad=False
            global("collections", "OrderedDict"); pickle += [0x29, 0x52]   // backward_hooks
            pickle += [0x74, 0x52]   // TUPLE, REDUCE
            storages.append(bytes)
        }
        pickle += [0x75, 0x75, 0x2E]   // SETITEMS (state_dict), SETITEMS (top), STOP

        var entries: [(String, Data)] = [("archive/data.pkl", Data(pickle)), ("archive/byteorder", Data("little".utf8))]
        for (k, s) in storages.enumerated() { entries.append(("archive/data/\(k)", s)) }
        entries.append(("archive/version", Data("3\n".utf8)))
        return try zipStored(entries, path: path)
    }

    /// A zip archive of stored entries, each entry's data starting on a 64-byte boundary (as torch aligns them).
    static func zipStored(_ entries: [(String, Data)], path: String) throws -> Data {
        var out = Data(), central = Data()
        guard entries.count < 0xFFFF else {
            throw CheckpointError(path: path, reason: "\(entries.count) entries, more than this writer's zip records hold", format: format)
        }
        for (name, data) in entries {
            let nameBytes = Array(name.utf8)
            guard nameBytes.count < 0xFFFF else { throw CheckpointError(path: path, reason: "a name too long for a zip entry", format: format) }
            let headerEnd = out.count + 30 + nameBytes.count + 4
            let padding = (64 - headerEnd % 64) % 64
            let crc = data.withUnsafeBytes { CRC32.checksum($0) }
            guard out.count + 30 + nameBytes.count + 4 + padding + data.count < Int(UInt32.max) else {
                throw CheckpointError(path: path, reason: "over 4 GiB, more than this writer's zip records hold", format: format)
            }
            let offset = out.count
            // Extra field 0x4246 ("FB", torch's own padding id) of `padding` bytes, so the data is aligned.
            let extra = le(UInt16(0x4246)) + le(UInt16(padding)) + [UInt8](repeating: 0x5A, count: padding)
            out += le(UInt32(0x0403_4b50)) + le(UInt16(20)) + le(UInt16(0)) + le(UInt16(0)) + le(UInt16(0)) + le(UInt16(0x21))
            out += le(crc) + le(UInt32(data.count)) + le(UInt32(data.count)) + le(UInt16(nameBytes.count)) + le(UInt16(extra.count))
            out += nameBytes + extra
            out += data
            central += le(UInt32(0x0201_4b50)) + le(UInt16(20)) + le(UInt16(20)) + le(UInt16(0)) + le(UInt16(0)) + le(UInt16(0))
            central += le(UInt16(0x21)) + le(crc) + le(UInt32(data.count)) + le(UInt32(data.count)) + le(UInt16(nameBytes.count))
            central += le(UInt16(0)) + le(UInt16(0)) + le(UInt16(0)) + le(UInt16(0)) + le(UInt32(0)) + le(UInt32(offset)) + nameBytes
        }
        let cdOffset = out.count
        out += central
        out += le(UInt32(0x0605_4b50)) + le(UInt16(0)) + le(UInt16(0)) + le(UInt16(entries.count)) + le(UInt16(entries.count))
        out += le(UInt32(central.count)) + le(UInt32(cdOffset)) + le(UInt16(0))
        return out
    }

    static func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
}
