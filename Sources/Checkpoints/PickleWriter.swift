import TensorRuntime

/// Writes a `CheckpointValue` as the pickle (protocol 2) that `torch.save` puts in `data.pkl`,
/// using only opcodes and globals PyTorch's `weights_only=True` loader accepts. Tensors become
/// `torch._utils._rebuild_tensor_v2(persistent storage id, offset, size, stride, requires_grad,
/// OrderedDict())`; each distinct `Storage` gets a key ("0", "1", … in order of first use) and is
/// listed in `storages` for the caller to write as `data/<key>`. Whole objects (`.object`, a saved
/// module) are written as pickle writes them, by reference to their class (which only
/// `weights_only=False` loads).
struct PickleWriter {
    private(set) var output: [UInt8] = [0x80, 2] // PROTO 2
    /// Storages to write, in key order.
    private(set) var storages: [Storage] = []
    private var storageKeys: [ObjectIdentifier: Int] = [:]
    private var memo: [MemoKey: Int] = [:]
    private var tensorMemo: [ObjectIdentifier: Int] = [:]
    private var objectMemo: [ObjectIdentifier: Int] = [:]
    private var nextMemo = 0

    private enum MemoKey: Hashable {
        case string(String), global(String, String)
    }

    /// Pickles `value` and finishes with STOP.
    mutating func write(_ value: CheckpointValue) throws {
        try save(value, depth: 0)
        output.append(0x2e) // STOP
    }

    private mutating func save(_ value: CheckpointValue, depth: Int) throws {
        guard depth < maxCheckpointNesting else {
            throw TorchError(.valueError, "maximum recursion depth exceeded while pickling an object (nesting deeper than \(maxCheckpointNesting))")
        }
        switch value {
        case .none: output.append(0x4e) // NONE
        case .bool(let b): output.append(b ? 0x88 : 0x89) // NEWTRUE / NEWFALSE
        case .int(let i): saveInt(i)
        case .float(let f):
            output.append(0x47) // BINFLOAT, big-endian
            let bits = f.bitPattern
            for shift in stride(from: 56, through: 0, by: -8) { output.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        case .string(let s): saveString(s)
        case .bytes(let b):
            // Protocol 2 has no bytes opcode: Python writes _codecs.encode(latin-1 text, 'latin1').
            saveGlobal("_codecs", "encode")
            saveString(String(String.UnicodeScalarView(b.map { Unicode.Scalar($0) })))
            saveString("latin1")
            output.append(0x86) // TUPLE2
            output.append(0x52) // REDUCE
            putMemo()
        case .list(let items):
            output.append(0x5d) // EMPTY_LIST
            putMemo()
            try saveBatched(items.count, single: 0x61, batch: 0x65) { w, i in try w.save(items[i], depth: depth + 1) }
        case .tuple(let items):
            if items.isEmpty { output.append(0x29); return } // EMPTY_TUPLE
            if items.count > 3 { output.append(0x28) } // MARK
            for item in items { try save(item, depth: depth + 1) }
            output.append(items.count <= 3 ? 0x84 + UInt8(items.count) : 0x74) // TUPLE1-3 / TUPLE
            putMemo()
        case .dict(let pairs):
            output.append(0x7d) // EMPTY_DICT
            putMemo()
            try savePairs(pairs, depth: depth)
        case .orderedDict(let pairs):
            saveGlobal("collections", "OrderedDict")
            output.append(0x29) // EMPTY_TUPLE
            output.append(0x52) // REDUCE
            putMemo()
            try savePairs(pairs, depth: depth)
        case .tensor(let t): try saveTensor(t)
        case .set(let items):
            // Protocol 2 has no set opcodes: Python writes __builtin__.set([items]).
            saveGlobal("__builtin__", "set")
            try save(.list(items), depth: depth + 1)
            output.append(0x85) // TUPLE1
            putMemo()
            output.append(0x52) // REDUCE
            putMemo()
        case .object(let o):
            if let m = objectMemo[ObjectIdentifier(o)] { getMemo(m); return }
            // copyreg.__newobj__: cls.__new__(cls), then BUILD with the __dict__.
            saveGlobal(o.module, o.className)
            output.append(0x29) // EMPTY_TUPLE
            output.append(0x81) // NEWOBJ
            objectMemo[ObjectIdentifier(o)] = putMemo()
            try save(.dict(o.state), depth: depth + 1)
            output.append(0x62) // BUILD
        }
    }

    private mutating func savePairs(_ pairs: [(CheckpointValue, CheckpointValue)], depth: Int) throws {
        try saveBatched(pairs.count, single: 0x73, batch: 0x75) { w, i in
            try w.save(pairs[i].0, depth: depth + 1)
            try w.save(pairs[i].1, depth: depth + 1)
        }
    }

    /// Python's batching: one item → item + `single`; more → MARK items `batch`, 1000 at a time.
    private mutating func saveBatched(_ count: Int, single: UInt8, batch: UInt8,
                                      _ item: (inout PickleWriter, Int) throws -> Void) throws {
        var start = 0
        while start < count {
            let end = min(start + 1000, count)
            if end - start == 1 {
                try item(&self, start)
                output.append(single)
            } else {
                output.append(0x28) // MARK
                for i in start..<end { try item(&self, i) }
                output.append(batch)
            }
            start = end
        }
    }

    private mutating func saveTensor(_ t: Tensor) throws {
        if let m = tensorMemo[ObjectIdentifier(t)] { getMemo(m); return }
        if t.isParameter {
            // nn.Parameter.__reduce_ex__: _rebuild_parameter(data, requires_grad, OrderedDict())
            saveGlobal("torch._utils", "_rebuild_parameter")
            output.append(0x28) // MARK
            saveRebuildTensor(t, requiresGrad: false)
            output.append(t.requiresGrad ? 0x88 : 0x89)
            saveEmptyOrderedDict()
            output.append(0x74) // TUPLE
            output.append(0x52) // REDUCE
        } else {
            saveRebuildTensor(t, requiresGrad: t.requiresGrad)
        }
        tensorMemo[ObjectIdentifier(t)] = putMemo()
    }

    /// `_rebuild_tensor_v2(('storage', torch.XStorage, key, 'cpu', numel), offset, size, stride, requires_grad, OrderedDict())`
    private mutating func saveRebuildTensor(_ t: Tensor, requiresGrad: Bool) {
        saveGlobal("torch._utils", "_rebuild_tensor_v2")
        output.append(0x28) // MARK
        output.append(0x28) // MARK (persistent id tuple)
        saveString("storage")
        saveGlobal("torch", t.dtype.storageClassName)
        saveString(storageKey(t.storage))
        saveString("cpu")
        saveInt(Int64(t.storage.count))
        output.append(0x74) // TUPLE
        putMemo()
        output.append(0x51) // BINPERSID
        saveInt(Int64(t.storageOffset))
        saveIntTuple(t.shape)
        saveIntTuple(t.strides)
        output.append(requiresGrad ? 0x88 : 0x89)
        saveEmptyOrderedDict()
        output.append(0x74) // TUPLE
        putMemo()
        output.append(0x52) // REDUCE
    }

    private mutating func storageKey(_ s: Storage) -> String {
        if let k = storageKeys[ObjectIdentifier(s)] { return String(k) }
        let k = storages.count
        storageKeys[ObjectIdentifier(s)] = k
        storages.append(s)
        return String(k)
    }

    private mutating func saveEmptyOrderedDict() {
        saveGlobal("collections", "OrderedDict")
        output.append(0x29) // EMPTY_TUPLE
        output.append(0x52) // REDUCE
        putMemo()
    }

    private mutating func saveIntTuple(_ values: [Int]) {
        if values.isEmpty { output.append(0x29); return }
        if values.count > 3 { output.append(0x28) }
        for v in values { saveInt(Int64(v)) }
        output.append(values.count <= 3 ? 0x84 + UInt8(values.count) : 0x74)
        putMemo()
    }

    private mutating func saveInt(_ i: Int64) {
        if i >= 0 && i < 256 {
            output += [0x4b, UInt8(i)] // BININT1
        } else if i >= 0 && i < 65536 {
            output += [0x4d, UInt8(i & 0xff), UInt8(i >> 8)] // BININT2
        } else if i >= Int64(Int32.min) && i <= Int64(Int32.max) {
            output.append(0x4a) // BININT
            appendLittleEndian(UInt64(UInt32(bitPattern: Int32(i))), count: 4)
        } else {
            // LONG1: minimal little-endian two's complement, as Python's encode_long.
            var bytes = [UInt8]()
            var v = i
            repeat {
                bytes.append(UInt8(truncatingIfNeeded: v))
                v >>= 8
            } while !((v == 0 && bytes[bytes.count - 1] & 0x80 == 0) || (v == -1 && bytes[bytes.count - 1] & 0x80 != 0))
            output += [0x8a, UInt8(bytes.count)] + bytes
        }
    }

    private mutating func saveString(_ s: String) {
        if let m = memo[.string(s)] { getMemo(m); return }
        let utf8 = Array(s.utf8)
        output.append(0x58) // BINUNICODE
        appendLittleEndian(UInt64(utf8.count), count: 4)
        output += utf8
        memo[.string(s)] = putMemo()
    }

    private mutating func saveGlobal(_ module: String, _ name: String) {
        if let m = memo[.global(module, name)] { getMemo(m); return }
        output.append(0x63) // GLOBAL
        output += Array("\(module)\n\(name)\n".utf8)
        memo[.global(module, name)] = putMemo()
    }

    @discardableResult
    private mutating func putMemo() -> Int {
        let i = nextMemo
        nextMemo += 1
        if i < 256 { output += [0x71, UInt8(i)] } // BINPUT
        else { output.append(0x72); appendLittleEndian(UInt64(i), count: 4) } // LONG_BINPUT
        return i
    }

    private mutating func getMemo(_ i: Int) {
        if i < 256 { output += [0x68, UInt8(i)] } // BINGET
        else { output.append(0x6a); appendLittleEndian(UInt64(i), count: 4) } // LONG_BINGET
    }

    private mutating func appendLittleEndian(_ v: UInt64, count: Int) {
        for k in 0..<count { output.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) }
    }
}
