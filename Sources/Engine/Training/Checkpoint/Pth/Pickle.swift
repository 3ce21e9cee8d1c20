import EngineCore
import EngineData
/// A value produced by `RestrictedUnpickler`: plain data, or a reference to a compound object in its arena.
enum PickleValue {
    case none
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case object(PickleObject)

    var string: String? { if case .string(let s) = self { s } else { nil } }
    var int: Int64? {
        switch self {
        case .int(let v): v
        case .bool(let b): b ? 1 : 0
        default: nil
        }
    }
    var object: PickleObject? { if case .object(let o) = self { o } else { nil } }
    /// The elements of a tuple or list.
    var elements: [PickleValue]? {
        guard let o = object else { return nil }
        switch o.kind {
        case .tuple, .list: return o.items
        default: return nil
        }
    }
}

/// A compound pickle object. Every one lives in its unpickler's arena, which empties them all when it goes, so a
/// hostile nesting millions deep is never freed recursively (a stack overflow).
final class PickleObject {
    enum Kind {
        case tuple, list, set
        /// `dict` or `collections.OrderedDict`: `items` holds keys and values alternately, in insertion order.
        case dict
        /// An allow-listed global (`module.name`), only ever called through REDUCE.
        case global(String)
        /// A storage from persistent_load: its dtype, element count and where its bytes are.
        case storage(TorchStorage)
        case tensor(TorchTensor)
        case device(String)
    }
    let kind: Kind
    var items: [PickleValue]
    init(_ kind: Kind, _ items: [PickleValue] = []) { self.kind = kind; self.items = items }
}

/// A storage a checkpoint's pickle refers to: the dtype, the element count it declares and its key (the file bytes
/// are looked up by key: in the legacy format they come after the pickle).
struct TorchStorage {
    var dtype: TorchDType
    var count: Int
    var key: String
}

/// A tensor view of a storage, as `torch._utils._rebuild_tensor_v2` would make it.
struct TorchTensor {
    var storage: TorchStorage
    var offset: Int
    var shape: [Int]
    var stride: [Int]
}

/// The element types of torch storages, by their class names (`torch.FloatStorage`, …).
enum TorchDType: String, CaseIterable {
    case float32 = "FloatStorage", float64 = "DoubleStorage", float16 = "HalfStorage", bfloat16 = "BFloat16Storage"
    case int64 = "LongStorage", int32 = "IntStorage", int16 = "ShortStorage", int8 = "CharStorage", uint8 = "ByteStorage"
    case bool = "BoolStorage"

    var itemSize: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16, .int16: 2
        case .int8, .uint8, .bool: 1
        }
    }
    var isFloat: Bool { [.float32, .float64, .float16, .bfloat16].contains(self) }
}

/// The pickle protocol subset PyTorch checkpoints use (protocol 2, as `torch.save` writes, plus the protocol 4
/// framing opcodes), restricted the way `torch.load(weights_only=True)` restricts it: nothing is imported or
/// executed; GLOBAL may name only allow-listed reconstructors (tensor and parameter rebuilding, OrderedDict, storage
/// types, `torch.device`, set, `_codecs.encode`, `torch.Size`), and REDUCE applies those as data transformations.
/// Any other global, opcode or malformed stream is a `CheckpointError` naming the file, the global or opcode and
/// its byte offset.
struct RestrictedUnpickler {
    /// The globals a pickle may name.
    static let allowedGlobals: Set<String> = Set(
        ["torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor", "torch._utils._rebuild_parameter",
         "torch._utils._rebuild_parameter_with_state", "collections.OrderedDict", "torch.device", "torch.Size",
         "builtins.set", "builtins.frozenset", "__builtin__.set", "__builtin__.frozenset", "_codecs.encode"]
        + TorchDType.allCases.map { "torch." + $0.rawValue })

    let bytes: UnsafeRawBufferPointer
    let path: String
    /// persistent_load: maps a persistent id (a tuple) to a storage object.
    let persistentLoad: (PickleValue) throws -> PickleValue
    /// Every compound object made; emptied when the unpickler is done (see `PickleObject`).
    private(set) var arena: [PickleObject] = []
    /// Where the next opcode is read (after `load`, just past its STOP).
    private(set) var position: Int

    init(_ bytes: UnsafeRawBufferPointer, at start: Int = 0, path: String, persistentLoad: @escaping (PickleValue) throws -> PickleValue) {
        self.bytes = bytes
        self.position = start
        self.path = path
        self.persistentLoad = persistentLoad
    }

    /// Empties every object made, iteratively.
    func release() { for o in arena { o.items.removeAll() } }

    func fail(_ reason: String, at offset: Int? = nil) -> CheckpointError {
        CheckpointError(path: path, field: "data.pkl", reason: reason + " (byte \(offset ?? position))", format: "PyTorch .pth")
    }

    private mutating func make(_ kind: PickleObject.Kind, _ items: [PickleValue] = []) -> PickleValue {
        let o = PickleObject(kind, items)
        arena.append(o)
        return .object(o)
    }

    private mutating func take(_ n: Int) throws -> UnsafeRawBufferPointer {
        guard n >= 0, n <= bytes.count - position else { throw fail("the pickle ends early (truncated?)") }
        defer { position += n }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + n)])
    }
    private mutating func u8() throws -> Int { Int(try take(1)[0]) }
    private mutating func u16() throws -> Int { Int(UInt16(littleEndian: try take(2).loadUnaligned(as: UInt16.self))) }
    private mutating func u32() throws -> Int { Int(UInt32(littleEndian: try take(4).loadUnaligned(as: UInt32.self))) }
    private mutating func u64() throws -> Int {
        let v = UInt64(littleEndian: try take(8).loadUnaligned(as: UInt64.self))
        guard v <= UInt64(Int.max) else { throw fail("a length of \(v) bytes") }
        return Int(v)
    }
    private mutating func line() throws -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0A) else { throw fail("the pickle ends inside a text field (truncated?)") }
        defer { position = end + 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<end]), as: UTF8.self)
    }
    private mutating func utf8(_ n: Int) throws -> String {
        let raw = try take(n)
        guard let s = String(validating: raw, as: UTF8.self) else { throw fail("a string that is not UTF-8") }
        return s
    }

    /// Runs the pickle to its STOP and returns the value it leaves.
    mutating func load() throws -> PickleValue {
        var stack: [PickleValue] = []
        var marks: [Int] = []
        var memo: [Int: PickleValue] = [:]
        func pop() throws -> PickleValue {
            guard stack.count > (marks.last ?? 0), let v = stack.popLast() else { throw fail("the pickle's stack is empty") }
            return v
        }
        func popMark() throws -> [PickleValue] {
            guard let m = marks.popLast() else { throw fail("no MARK for this opcode") }
            defer { stack.removeSubrange(m...) }
            return Array(stack[m...])
        }
        func top() throws -> PickleObject {
            guard stack.count > (marks.last ?? 0), case .object(let o)? = stack.last else { throw fail("expected a container on the stack") }
            return o
        }
        func add(_ values: [PickleValue], to o: PickleObject, dict: Bool) throws {
            switch (o.kind, dict) {
            case (.list, false), (.set, false): o.items += values
            case (.dict, true):
                guard values.count % 2 == 0 else { throw fail("SETITEMS with an odd number of values") }
                o.items += values
            default: throw fail(dict ? "SETITEM on something that is not a dict" : "APPEND on something that is not a list")
            }
        }
        while true {
            let opcodeOffset = position
            let op = try u8()
            switch op {
            case 0x80: // PROTO
                let v = try u8()
                guard v <= 5 else { throw fail("pickle protocol \(v) is unknown", at: opcodeOffset) }
            case 0x95: _ = try take(8) // FRAME: a length hint only
            case 0x2E: // STOP
                guard marks.isEmpty, stack.count == 1 else { throw fail("the pickle stops with \(stack.count) values left", at: opcodeOffset) }
                return stack[0]
            case 0x28: marks.append(stack.count) // MARK
            case 0x30: _ = try pop() // POP
            case 0x31: _ = try popMark() // POP_MARK
            case 0x32: let v = try pop(); stack += [v, v] // DUP
            case 0x4E: stack.append(.none)
            case 0x88: stack.append(.bool(true))
            case 0x89: stack.append(.bool(false))
            case 0x4A: stack.append(.int(Int64(Int32(truncatingIfNeeded: try u32())))) // BININT
            case 0x4B: stack.append(.int(Int64(try u8()))) // BININT1
            case 0x4D: stack.append(.int(Int64(try u16()))) // BININT2
            case 0x49: // INT (text): also Python 2's booleans "00"/"01"
                let text = try line()
                if text == "00" || text == "01" { stack.append(.bool(text == "01")) }
                else if let v = Int64(text) { stack.append(.int(v)) } else { throw fail("INT '\(text.prefix(30))' is not an integer", at: opcodeOffset) }
            case 0x8A, 0x8B: // LONG1, LONG4: little-endian two's complement
                let n = op == 0x8A ? try u8() : try u32()
                guard n <= 8 else { throw fail("an integer of \(n) bytes (more than 64 bits)", at: opcodeOffset) }
                let raw = try take(n)
                var v: UInt64 = 0
                for (k, b) in raw.enumerated() { v |= UInt64(b) << (8 * UInt64(k)) }
                if n > 0 && n < 8 && raw[n - 1] & 0x80 != 0 { v |= ~0 << (8 * UInt64(n)) }
                stack.append(.int(Int64(bitPattern: v)))
            case 0x47: stack.append(.float(Double(bitPattern: UInt64(bigEndian: try take(8).loadUnaligned(as: UInt64.self))))) // BINFLOAT
            case 0x58: stack.append(.string(try utf8(try u32()))) // BINUNICODE
            case 0x8C: stack.append(.string(try utf8(try u8()))) // SHORT_BINUNICODE
            case 0x8D: stack.append(.string(try utf8(try u64()))) // BINUNICODE8
            case 0x54, 0x55: // BINSTRING, SHORT_BINSTRING (Python 2 str): latin-1
                let n = op == 0x55 ? try u8() : try u32()
                stack.append(.string(String(try take(n).map { Character(Unicode.Scalar($0)) })))
            case 0x42, 0x43, 0x8E: // BINBYTES, SHORT_BINBYTES, BINBYTES8
                let n = op == 0x43 ? try u8() : op == 0x42 ? try u32() : try u64()
                stack.append(.bytes(Array(try take(n))))
            case 0x29: stack.append(make(.tuple)) // EMPTY_TUPLE
            case 0x74: stack.append(make(.tuple, try popMark())) // TUPLE
            case 0x85, 0x86, 0x87: // TUPLE1-3
                let n = Int(op) - 0x84
                guard stack.count - (marks.last ?? 0) >= n else { throw fail("TUPLE\(n) with \(stack.count) values on the stack", at: opcodeOffset) }
                let items = Array(stack.suffix(n)); stack.removeLast(n)
                stack.append(make(.tuple, items))
            case 0x5D: stack.append(make(.list)) // EMPTY_LIST
            case 0x6C: stack.append(make(.list, try popMark())) // LIST
            case 0x61: let v = try pop(); try add([v], to: try top(), dict: false) // APPEND
            case 0x65: let vs = try popMark(); try add(vs, to: try top(), dict: false) // APPENDS
            case 0x7D: stack.append(make(.dict)) // EMPTY_DICT
            case 0x64: // DICT
                let vs = try popMark()
                guard vs.count % 2 == 0 else { throw fail("DICT with an odd number of values", at: opcodeOffset) }
                stack.append(make(.dict, vs))
            case 0x73: let v = try pop(), k = try pop(); try add([k, v], to: try top(), dict: true) // SETITEM
            case 0x75: let vs = try popMark(); try add(vs, to: try top(), dict: true) // SETITEMS
            case 0x8F: stack.append(make(.set)) // EMPTY_SET
            case 0x90: let vs = try popMark(); try add(vs, to: try top(), dict: false) // ADDITEMS
            case 0x91: stack.append(make(.set, try popMark())) // FROZENSET
            case 0x63: // GLOBAL "module\nname\n"
                let module = try line(), name = try line()
                stack.append(try global(module, name, at: opcodeOffset))
            case 0x93: // STACK_GLOBAL
                let name = try pop(), module = try pop()
                guard let m = module.string, let n = name.string else { throw fail("STACK_GLOBAL without two strings", at: opcodeOffset) }
                stack.append(try global(m, n, at: opcodeOffset))
            case 0x52: // REDUCE
                let args = try pop(), callable = try pop()
                stack.append(try reduce(callable, args, at: opcodeOffset))
            case 0x62: // BUILD: only the state torch writes for OrderedDict (_metadata) and parameters, then dropped
                let state = try pop()
                let target = try top()
                switch target.kind {
                case .dict, .tensor: break
                default: throw fail("BUILD (setting state) on a \(target.kind) object", at: opcodeOffset)
                }
                _ = state
            case 0x51: // BINPERSID
                let pid = try pop()
                stack.append(try persistentLoad(pid))
            case 0x68, 0x6A: // BINGET, LONG_BINGET
                let k = op == 0x68 ? try u8() : try u32()
                guard let v = memo[k] else { throw fail("memo entry \(k) is read before it is written", at: opcodeOffset) }
                stack.append(v)
            case 0x71, 0x72: // BINPUT, LONG_BINPUT
                let k = op == 0x71 ? try u8() : try u32()
                guard let v = stack.last, stack.count > (marks.last ?? 0) else { throw fail("PUT with an empty stack", at: opcodeOffset) }
                memo[k] = v
            case 0x94: // MEMOIZE
                guard let v = stack.last, stack.count > (marks.last ?? 0) else { throw fail("MEMOIZE with an empty stack", at: opcodeOffset) }
                memo[memo.count] = v
            case 0x81, 0x92: throw fail("NEWOBJ (creating an instance of a class) is not allowed", at: opcodeOffset)
            case 0x69, 0x6F: throw fail("INST/OBJ (creating an instance of a class) is not allowed", at: opcodeOffset)
            default:
                throw fail("pickle opcode 0x\(String(op, radix: 16)) is not one a weights-only checkpoint uses", at: opcodeOffset)
            }
        }
    }

    private mutating func global(_ module: String, _ name: String, at offset: Int) throws -> PickleValue {
        let full = module + "." + name
        guard Self.allowedGlobals.contains(full) else {
            throw CheckpointError(path: path, field: "data.pkl",
                                  reason: "it names the global '\(full.prefix(200))' (byte \(offset)), which a weights-only load does not allow "
                                  + "(only tensors, storages, OrderedDict and plain data are read; nothing is executed)", format: "PyTorch .pth")
        }
        return make(.global(full))
    }

    /// Applies an allow-listed reconstructor to its arguments, as data.
    private mutating func reduce(_ callable: PickleValue, _ args: PickleValue, at offset: Int) throws -> PickleValue {
        guard case .object(let c) = callable, case .global(let name) = c.kind else { throw fail("REDUCE on something that is not a global", at: offset) }
        guard let a = args.object, case .tuple = a.kind else { throw fail("REDUCE of \(name) without an argument tuple", at: offset) }
        let xs = a.items
        func bad() -> CheckpointError { fail("\(name) with arguments it does not take", at: offset) }
        switch name {
        case "collections.OrderedDict":
            guard let pairs = xs.first?.elements else { guard xs.isEmpty else { throw bad() }; return make(.dict) }
            var items: [PickleValue] = []
            for p in pairs {
                guard let kv = p.elements, kv.count == 2 else { throw bad() }
                items += kv
            }
            return make(.dict, items)
        case "builtins.set", "builtins.frozenset", "__builtin__.set", "__builtin__.frozenset":
            guard xs.count <= 1 else { throw bad() }
            guard let elements = xs.first.map({ $0.elements }) else { return make(.set) }
            guard let elements else { throw bad() }
            return make(.set, elements)
        case "_codecs.encode": // protocol 2's spelling of a bytes object: encode(text, 'latin1')
            guard xs.count == 2, let text = xs[0].string, xs[1].string == "latin1" || xs[1].string == "latin-1" else { throw bad() }
            var out: [UInt8] = []
            for s in text.unicodeScalars {
                guard s.value < 256 else { throw bad() }
                out.append(UInt8(s.value))
            }
            return .bytes(out)
        case "torch.Size":
            guard xs.count == 1, let dims = xs[0].elements else { throw bad() }
            return make(.tuple, dims)
        case "torch.device":
            guard (1...2).contains(xs.count), let type = xs[0].string else { throw bad() }
            return make(.device(type + (xs.count == 2 ? ":\(xs[1].int ?? 0)" : "")))
        case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state":
            guard xs.count >= 1, let t = xs[0].object, case .tensor = t.kind else { throw bad() }
            return xs[0]
        case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor":
            guard xs.count >= 4, let s = xs[0].object, case .storage(let storage) = s.kind, let start = xs[1].int,
                  let size = xs[2].elements, let stride = xs[3].elements, size.count == stride.count, size.count <= 16 else { throw bad() }
            let shape = size.compactMap(\.int), strides = stride.compactMap(\.int)
            guard shape.count == size.count, strides.count == stride.count else { throw bad() }
            let tensor = TorchTensor(storage: storage, offset: Int(truncatingIfNeeded: start), shape: shape.map { Int(truncatingIfNeeded: $0) },
                                     stride: strides.map { Int(truncatingIfNeeded: $0) })
            try check(tensor, at: offset)
            return make(.tensor(tensor))
        default:
            throw fail("\(name) cannot be called here", at: offset)
        }
    }

    /// A view must lie inside its storage: non-negative sizes, strides and offset, every element addressed within
    /// the declared element count, and no more elements than the storage holds (so reading it never allocates more
    /// than the file's bytes justify).
    private func check(_ t: TorchTensor, at offset: Int) throws {
        guard t.offset >= 0, t.shape.allSatisfy({ $0 >= 0 }), t.stride.allSatisfy({ $0 >= 0 }) else {
            throw fail("a tensor with a negative size, stride or offset", at: offset)
        }
        var count = 1, last = t.offset
        for (n, s) in zip(t.shape, t.stride) {
            let c = count.multipliedReportingOverflow(by: n)
            guard !c.overflow else { throw fail("a tensor of shape \(t.shape) is too large", at: offset) }
            count = c.partialValue
            if n > 0 {
                let step = (n - 1).multipliedReportingOverflow(by: s)
                let next = last.addingReportingOverflow(step.partialValue)
                guard !step.overflow, !next.overflow else { throw fail("a tensor's strides reach past any storage", at: offset) }
                last = next.partialValue
            }
        }
        guard count == 0 || last < t.storage.count else {
            throw fail("a tensor of shape \(t.shape) (offset \(t.offset), strides \(t.stride)) reaches past its \(t.storage.count)-element storage", at: offset)
        }
        guard count <= max(t.storage.count, 1) else {
            throw fail("a tensor of \(count) elements views a storage of \(t.storage.count)", at: offset)
        }
    }
}
