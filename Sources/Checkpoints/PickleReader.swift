import Foundation
import TensorRuntime

/// A bounded pickle virtual machine that only builds data, like PyTorch's `weights_only=True`
/// unpickler: containers, numbers, strings, and tensors rebuilt through the handful of
/// `torch._utils` functions PyTorch writes. Any other global is refused at its GLOBAL opcode and
/// nothing from the file is ever executed. Every length and count is checked against the input
/// left, so a lying file costs an error, not a crash or a huge allocation.
///
/// With `allowsObjects` (`torch.load(weights_only=False)`) it also accepts what `torch.save(model)`
/// writes: `NEWOBJ` + `BUILD` of the classes `isAllowedObjectClass` names (`torch.nn.modules.*`,
/// `torchvision.models.*`, `__main__.*`), kept as `CheckpointObject`s (class name and `__dict__`,
/// nothing constructed or run here), and `set`.
///
/// The program can be fed in chunks as it is decompressed (`init(declaredSize:)` + `feed`): a
/// bad program (a zip bomb of zeros, say) is refused at its first bad opcode, before the rest
/// is inflated, and the bytes already run are dropped.
struct PickleReader {
    /// Loads the storage a persistent id names: (key, element type, element count); called once per key.
    typealias StorageLoader = (_ key: String, _ type: FileElementType, _ count: Int) throws -> Storage

    /// Thrown by the readers when an opcode's operands are not all fed yet; the opcode is rerun.
    private struct NeedMoreInput: Error {}

    /// Input fed and not yet dropped; `pos` indexes it, `dropped` bytes came before it.
    private var bytes: [UInt8]
    private var pos = 0
    private var dropped = 0
    /// The program's full length, as its container declares it.
    private let declaredSize: Int
    private var result: CheckpointValue?
    private var stack: [PValue] = []
    private var metastack: [[PValue]] = []
    private var memo: [Int: PValue] = [:]
    /// Storages already loaded, by key: tensors naming one key share one `Storage`.
    private var storages: [String: (Storage, FileElementType)] = [:]
    private let loadStorage: StorageLoader
    /// Whether whole objects of allowed classes may be loaded (`weights_only=False`).
    private let allowsObjects: Bool

    /// A reader of the whole program `bytes`.
    init(_ bytes: [UInt8], allowsObjects: Bool = false, loadStorage: @escaping StorageLoader) {
        self.bytes = bytes
        self.declaredSize = bytes.count
        self.allowsObjects = allowsObjects
        self.loadStorage = loadStorage
    }

    /// A reader fed in chunks (`feed`) of a program of `declaredSize` bytes.
    init(declaredSize: Int, allowsObjects: Bool = false, loadStorage: @escaping StorageLoader) {
        self.bytes = []
        self.declaredSize = declaredSize
        self.allowsObjects = allowsObjects
        self.loadStorage = loadStorage
    }

    /// Runs the program to STOP and returns the value it built.
    mutating func load() throws -> CheckpointValue {
        guard let value = try run() else { throw truncated() }
        return value
    }

    /// Adds the next chunk of the program and runs every opcode it completes; bytes after STOP
    /// are ignored, as Python's unpickler does.
    mutating func feed(_ chunk: Data) throws {
        guard result == nil else { return }
        bytes.append(contentsOf: chunk)
        result = try run()
        if pos >= 1 << 20 { // drop what has been run
            bytes.removeFirst(pos)
            dropped += pos
            pos = 0
        }
    }

    /// The value built, once every chunk is fed.
    mutating func finish() throws -> CheckpointValue {
        guard let value = result else { throw truncated() }
        return value
    }

    /// Runs opcodes to STOP (the value) or to the end of the input fed so far (nil).
    private mutating func run() throws -> CheckpointValue? {
        while true {
            let start = pos
            do {
                let op = try readByte()
                if op == Op.stop {
                    let result = try pop()
                    var converter = PValueConverter()
                    return try converter.convert(result)
                }
                try execute(op)
            } catch is NeedMoreInput {
                // Every opcode reads all its operands before it changes the VM: rerun it later.
                pos = start
                return nil
            }
        }
    }

    // MARK: - Opcodes

    private enum Op {
        static let proto: UInt8 = 0x80, frame: UInt8 = 0x95, stop: UInt8 = 0x2e /* . */
        static let mark: UInt8 = 0x28 /* ( */, pop: UInt8 = 0x30 /* 0 */, popMark: UInt8 = 0x31 /* 1 */, dup: UInt8 = 0x32 /* 2 */
        static let none: UInt8 = 0x4e /* N */, newTrue: UInt8 = 0x88, newFalse: UInt8 = 0x89
        static let binInt: UInt8 = 0x4a /* J */, binInt1: UInt8 = 0x4b /* K */, binInt2: UInt8 = 0x4d /* M */
        static let long1: UInt8 = 0x8a, long4: UInt8 = 0x8b, binFloat: UInt8 = 0x47 /* G */
        static let binUnicode: UInt8 = 0x58 /* X */, shortBinUnicode: UInt8 = 0x8c, binUnicode8: UInt8 = 0x8d
        static let binString: UInt8 = 0x54 /* T */, shortBinString: UInt8 = 0x55 /* U */
        static let binBytes: UInt8 = 0x42 /* B */, shortBinBytes: UInt8 = 0x43 /* C */, binBytes8: UInt8 = 0x8e
        static let emptyTuple: UInt8 = 0x29 /* ) */, tuple: UInt8 = 0x74 /* t */
        static let tuple1: UInt8 = 0x85, tuple2: UInt8 = 0x86, tuple3: UInt8 = 0x87
        static let emptyList: UInt8 = 0x5d /* ] */, list: UInt8 = 0x6c /* l */, append: UInt8 = 0x61 /* a */, appends: UInt8 = 0x65 /* e */
        static let emptyDict: UInt8 = 0x7d /* } */, dict: UInt8 = 0x64 /* d */, setItem: UInt8 = 0x73 /* s */, setItems: UInt8 = 0x75 /* u */
        static let binPut: UInt8 = 0x71 /* q */, longBinPut: UInt8 = 0x72 /* r */, memoize: UInt8 = 0x94
        static let binGet: UInt8 = 0x68 /* h */, longBinGet: UInt8 = 0x6a /* j */
        static let global: UInt8 = 0x63 /* c */, stackGlobal: UInt8 = 0x93
        static let reduce: UInt8 = 0x52 /* R */, build: UInt8 = 0x62 /* b */, binPersId: UInt8 = 0x51 /* Q */
        static let newObj: UInt8 = 0x81
    }

    private mutating func execute(_ op: UInt8) throws {
        switch op {
        case Op.proto:
            let v = try readByte()
            guard v <= 5 else { throw unpickling("unsupported pickle protocol: \(v)") }
        case Op.frame:
            let n = try readUInt64()
            guard n <= UInt64(inputLeft) else { throw truncated() }
        case Op.mark: metastack.append(stack); stack = []
        case Op.pop: _ = try pop()
        case Op.popMark: _ = try popMark()
        case Op.dup: let v = try top(); stack.append(v)
        case Op.none: stack.append(.none)
        case Op.newTrue: stack.append(.bool(true))
        case Op.newFalse: stack.append(.bool(false))
        case Op.binInt: let v = try readUInt32(); stack.append(.int(Int64(Int32(bitPattern: v))))
        case Op.binInt1: let v = try readByte(); stack.append(.int(Int64(v)))
        case Op.binInt2: let v = try readUInt16(); stack.append(.int(Int64(v)))
        case Op.long1:
            let n = try readByte()
            let v = try readLong(count: Int(n))
            stack.append(.int(v))
        case Op.long4:
            let n = Int32(bitPattern: try readUInt32())
            guard n >= 0 else { throw unpickling("LONG pickle has negative byte count") }
            let v = try readLong(count: Int(n))
            stack.append(.int(v))
        case Op.binFloat: let v = try readUInt64BigEndian(); stack.append(.float(Double(bitPattern: v)))
        case Op.binUnicode: let n = try readUInt32(); let s = try readUTF8(count: Int(n)); stack.append(.string(s))
        case Op.shortBinUnicode: let n = try readByte(); let s = try readUTF8(count: Int(n)); stack.append(.string(s))
        case Op.binUnicode8: let raw = try readUInt64(); let n = try boundedCount(raw); let s = try readUTF8(count: n); stack.append(.string(s))
        case Op.binString: let n = try readUInt32(); let b = try readBytes(Int(Int32(bitPattern: n))); stack.append(.string(latin1(b)))
        case Op.shortBinString: let n = try readByte(); let b = try readBytes(Int(n)); stack.append(.string(latin1(b)))
        case Op.binBytes: let n = try readUInt32(); let b = try readBytes(Int(n)); stack.append(.bytes(b))
        case Op.shortBinBytes: let n = try readByte(); let b = try readBytes(Int(n)); stack.append(.bytes(b))
        case Op.binBytes8: let raw = try readUInt64(); let n = try boundedCount(raw); let b = try readBytes(n); stack.append(.bytes(b))
        case Op.emptyTuple: stack.append(.tuple(try PTuple([])))
        case Op.tuple: let items = try popMark(); stack.append(.tuple(try PTuple(items)))
        case Op.tuple1, Op.tuple2, Op.tuple3:
            let n = Int(op - Op.tuple1) + 1
            guard stack.count >= n else { throw underflow() }
            let items = Array(stack.suffix(n))
            stack.removeLast(n)
            stack.append(.tuple(try PTuple(items)))
        case Op.emptyList: stack.append(.list(try PList([])))
        case Op.list: let items = try popMark(); stack.append(.list(try PList(items)))
        case Op.append:
            let v = try pop()
            try appendItems([v])
        case Op.appends: let items = try popMark(); try appendItems(items)
        case Op.emptyDict: stack.append(.dict(PDict(ordered: false)))
        case Op.dict:
            let items = try popMark()
            let d = PDict(ordered: false)
            try d.setPairs(items)
            stack.append(.dict(d))
        case Op.setItem:
            let v = try pop(), k = try pop()
            try setItems([k, v])
        case Op.setItems: let items = try popMark(); try setItems(items)
        case Op.binPut: let i = try readByte(); memo[Int(i)] = try top()
        case Op.longBinPut: let i = try readUInt32(); memo[Int(i)] = try top()
        case Op.memoize: let v = try top(); memo[memo.count] = v
        case Op.binGet: let i = try readByte(); try pushMemo(Int(i))
        case Op.longBinGet: let i = try readUInt32(); try pushMemo(Int(i))
        case Op.global:
            let module = try readLine(), name = try readLine()
            let g = try PickleReader.resolveGlobal(module: module, name: name, allowsObjects: allowsObjects)
            stack.append(g)
        case Op.stackGlobal:
            guard case .string(let name) = try pop(), case .string(let module) = try pop() else {
                throw unpickling("STACK_GLOBAL requires str")
            }
            let g = try PickleReader.resolveGlobal(module: module, name: name, allowsObjects: allowsObjects)
            stack.append(g)
        case Op.newObj:
            let args = try pop(), cls = try pop()
            guard case .global(.objectClass(let module, let name)) = cls else {
                throw unpickling("NEWOBJ class argument isn't a type (\(cls.typeName))")
            }
            guard case .tuple(let argTuple) = args, argTuple.items.isEmpty else {
                throw unpickling("NEWOBJ of \(module).\(name) with arguments is not supported")
            }
            stack.append(.object(PObject(module: module, name: name)))
        case Op.reduce:
            let args = try pop(), function = try pop()
            guard case .tuple(let argTuple) = args else { throw unpickling("REDUCE arguments must be a tuple") }
            guard case .global(let g) = function else { throw unpickling("REDUCE of a value that is not callable (\(function.typeName))") }
            let result = try call(g, argTuple.items)
            stack.append(result)
        case Op.build:
            let state = try pop() // the `_metadata` of a state_dict, a tensor's empty __dict__, an object's __dict__
            if case .object(let o) = try top() {
                try o.build(state)
                return
            }
            guard case .dict = try top() else {
                let target = try top()
                if case .tensor = target { return }
                throw unpickling("BUILD is only supported on dicts and tensors, got \(target.typeName)")
            }
        case Op.binPersId:
            let pid = try pop()
            let storage = try persistentLoad(pid)
            stack.append(storage)
        default:
            throw unpickling("invalid load key, '\\x\(op < 16 ? "0" : "")\(String(op, radix: 16, uppercase: false))'.")
        }
    }

    // MARK: - Globals and calls

    /// The globals a checkpoint may name (a subset of PyTorch's `weights_only` allowlist).
    enum Global: Equatable {
        case rebuildTensorV2, rebuildTensor, rebuildParameter, rebuildParameterWithState
        case orderedDict, size, codecsEncode, bytes
        /// `builtins.set` (only with `allowsObjects`).
        case set
        /// A class whose instances `NEWOBJ` may create (only with `allowsObjects`).
        case objectClass(String, String)
        /// Allowed by PyTorch but without an nnrepl value kind: refused when called.
        case unsupported(String)
        case storageType(FileElementType)
    }

    /// Whether `module.name` is a class `torch.load(weights_only=False)` may load: `torch.nn`'s
    /// layers, torchvision's models, and the running script's classes (`__main__`).
    static func isAllowedObjectClass(module: String, name: String) -> Bool {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return false }
        return module == "__main__" || module.hasPrefix("torch.nn.modules.") || module.hasPrefix("torchvision.models.")
    }

    static func resolveGlobal(module: String, name: String, allowsObjects: Bool = false) throws -> PValue {
        if allowsObjects {
            if isAllowedObjectClass(module: module, name: name) { return .global(.objectClass(module, name)) }
            if (module == "builtins" || module == "__builtin__") && name == "set" { return .global(.set) }
        }
        switch (module, name) {
        case ("torch._utils", "_rebuild_tensor_v2"): return .global(.rebuildTensorV2)
        case ("torch._utils", "_rebuild_tensor"): return .global(.rebuildTensor)
        case ("torch._utils", "_rebuild_parameter"): return .global(.rebuildParameter)
        case ("torch._utils", "_rebuild_parameter_with_state"): return .global(.rebuildParameterWithState)
        case ("collections", "OrderedDict"): return .global(.orderedDict)
        case ("torch", "Size"): return .global(.size)
        case ("_codecs", "encode"): return .global(.codecsEncode)
        case ("builtins", "bytes"), ("__builtin__", "bytes"): return .global(.bytes)
        case ("builtins", "set"), ("__builtin__", "set"), ("builtins", "frozenset"), ("__builtin__", "frozenset"),
             ("builtins", "complex"), ("__builtin__", "complex"), ("builtins", "bytearray"), ("__builtin__", "bytearray"),
             ("collections", "Counter"), ("torch", "device"):
            return .global(.unsupported("\(module).\(name)"))
        default:
            if module == "torch", let t = FileElementType(storageClassName: name) { return .global(.storageType(t)) }
            if allowsObjects {
                throw TorchError(.unpicklingError, "nnrepl does not load objects of class \(module).\(name): torch.load(weights_only=False) loads only torch.nn layers, torchvision models and the script's own nn.Module classes, and never runs code from a checkpoint")
            }
            if isAllowedObjectClass(module: module, name: name) { throw weightsOnlyRefusal(module, name) }
            throw TorchError(.unpicklingError,
                "Weights only load failed. WeightsUnpickler error: Unsupported global: GLOBAL \(module).\(name) was not an allowed global by default. nnrepl only loads tensors and plain data and never runs code from a checkpoint.")
        }
    }

    /// PyTorch 2.15's error for a whole object under `weights_only=True`.
    static func weightsOnlyRefusal(_ module: String, _ name: String) -> TorchError {
        TorchError(.unpicklingError, """
            Weights only load failed. This file can still be loaded, to do so you have two options, \u{1B}[1mdo those steps only if you trust the source of the checkpoint\u{1B}[0m. 
            \t(1) In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will likely succeed, but it can result in arbitrary code execution. Do it only if you got the file from a trusted source.
            \t(2) Alternatively, to load with `weights_only=True` please check the recommended steps in the following error message.
            \tWeightsUnpickler error: Unsupported global: GLOBAL \(module).\(name) was not an allowed global by default. Please use `torch.serialization.add_safe_globals([\(module).\(name)])` or the `torch.serialization.safe_globals([\(module).\(name)])` context manager to allowlist this global if you trust this class/function.

            Check the documentation of torch.load to learn more about types accepted by default with weights_only https://pytorch.org/docs/stable/generated/torch.load.html.
            """)
    }

    private func call(_ g: Global, _ args: [PValue]) throws -> PValue {
        switch g {
        case .rebuildTensorV2, .rebuildTensor:
            guard args.count >= 4, case .storage(let storage) = args[0] else {
                throw unpickling("_rebuild_tensor_v2 expects (storage, offset, size, stride, …)")
            }
            let offset = try intArg(args[1], "storage_offset")
            let size = try intTuple(args[2], "size"), stride = try intTuple(args[3], "stride")
            let tensor = try Tensor.checkedView(storage: storage, shape: size, strides: stride, storageOffset: offset)
            if g == .rebuildTensorV2, args.count >= 5, case .bool(true) = args[4] { try tensor.setRequiresGrad(true) }
            return .tensor(tensor)
        case .rebuildParameter, .rebuildParameterWithState:
            guard args.count >= 2, case .tensor(let data) = args[0], case .bool(let requiresGrad) = args[1] else {
                throw unpickling("_rebuild_parameter expects (tensor, requires_grad, …)")
            }
            let p = data.detached()
            p.isParameter = true
            try p.setRequiresGrad(requiresGrad)
            return .tensor(p)
        case .orderedDict:
            let d = PDict(ordered: true)
            if let first = args.first {
                guard args.count == 1, case .list(let pairs) = first else { throw unpickling("OrderedDict expects a list of pairs") }
                for pair in pairs.items {
                    guard case .tuple(let kv) = pair, kv.items.count == 2 else { throw unpickling("OrderedDict expects a list of pairs") }
                    try d.set(kv.items[0], kv.items[1])
                }
            }
            return .dict(d)
        case .size:
            guard args.count <= 1 else { throw unpickling("torch.Size expects one tuple") }
            guard let first = args.first else { return .tuple(try PTuple([])) }
            switch first {
            case .tuple: return first
            case .list(let l): return .tuple(try PTuple(l.items))
            default: throw unpickling("torch.Size expects a tuple")
            }
        case .codecsEncode:
            guard args.count == 2, case .string(let text) = args[0], case .string(let encoding) = args[1] else {
                throw unpickling("_codecs.encode expects (str, encoding)")
            }
            switch encoding.lowercased() {
            case "latin1", "latin-1", "iso-8859-1":
                var out = [UInt8]()
                for scalar in text.unicodeScalars {
                    guard scalar.value < 256 else { throw unpickling("'latin-1' codec can't encode character U+\(String(scalar.value, radix: 16))") }
                    out.append(UInt8(scalar.value))
                }
                return .bytes(out)
            case "utf-8", "utf8": return .bytes(Array(text.utf8))
            default: throw unpickling("_codecs.encode: unsupported encoding '\(encoding)'")
            }
        case .bytes:
            guard args.isEmpty else { throw unpickling("bytes() with arguments is not supported") }
            return .bytes([])
        case .storageType(let t):
            throw unpickling("calling torch.\(t.storageClassName) is not supported")
        case .set:
            guard args.count <= 1 else { throw unpickling("set expected at most 1 argument, got \(args.count)") }
            guard let first = args.first else { return .set(try PTuple([])) }
            guard case .list(let l) = first else { throw unpickling("set() of a \(first.typeName) is not supported (only a list)") }
            return .set(try PTuple(l.items))
        case .objectClass(let module, let name):
            throw unpickling("calling \(module).\(name) is not supported (nnrepl only recreates objects pickled with NEWOBJ and BUILD)")
        case .unsupported(let name):
            throw unpickling("\(name) values are not supported in nnrepl checkpoints (only tensors, dict, OrderedDict, list, tuple, str, bytes, int, float, bool and None)")
        }
    }

    /// BINPERSID: PyTorch's ('storage', storage_type, key, location, numel).
    private mutating func persistentLoad(_ pid: PValue) throws -> PValue {
        guard case .tuple(let pidTuple) = pid, case let t = pidTuple.items, t.count == 5, case .string("storage") = t[0] else {
            throw unpickling("Only persistent_load of storage is allowed")
        }
        guard case .global(.storageType(let type)) = t[1] else { throw unpickling("persistent id names an unknown storage type") }
        guard case .string(let key) = t[2] else { throw unpickling("persistent id: storage key must be a str") }
        let count = try intArg(t[4], "storage size")
        guard count >= 0 else { throw unpickling("persistent id: negative storage size \(count)") }
        if let (s, t) = storages[key] {
            guard t == type, s.count == count else {
                throw unpickling("storage data/\(key) is used with two different types or sizes")
            }
            return .storage(s)
        }
        let s = try loadStorage(key, type, count)
        storages[key] = (s, type)
        return .storage(s)
    }

    private func intArg(_ v: PValue, _ what: String) throws -> Int {
        guard case .int(let i) = v else { throw unpickling("\(what) must be an int, got \(v.typeName)") }
        return Int(i)
    }

    private func intTuple(_ v: PValue, _ what: String) throws -> [Int] {
        guard case .tuple(let t) = v else { throw unpickling("\(what) must be a tuple, got \(v.typeName)") }
        return try t.items.map { try intArg($0, what) }
    }

    // MARK: - Stack helpers

    private mutating func pop() throws -> PValue {
        guard let v = stack.popLast() else { throw underflow() }
        return v
    }

    private func top() throws -> PValue {
        guard let v = stack.last else { throw underflow() }
        return v
    }

    private mutating func popMark() throws -> [PValue] {
        guard let below = metastack.popLast() else { throw unpickling("could not find MARK") }
        let items = stack
        stack = below
        return items
    }

    private mutating func pushMemo(_ index: Int) throws {
        guard let v = memo[index] else { throw unpickling("Memo value not found at index \(index)") }
        stack.append(v)
    }

    private func appendItems(_ items: [PValue]) throws {
        guard case .list(let l) = try top() else { throw unpickling("APPEND(S) target is not a list") }
        try l.append(items)
    }

    private func setItems(_ items: [PValue]) throws {
        guard case .dict(let d) = try top() else { throw unpickling("SETITEM(S) target is not a dict") }
        try d.setPairs(items)
    }

    // MARK: - Input

    private func unpickling(_ message: String) -> TorchError { TorchError(.unpicklingError, message) }
    private func underflow() -> TorchError { unpickling("unpickling stack underflow") }
    private func truncated() -> TorchError { unpickling("pickle data was truncated") }

    /// Bytes of the program after `pos`, fed or not.
    private var inputLeft: Int { declaredSize - dropped - pos }

    private mutating func readByte() throws -> UInt8 {
        guard inputLeft >= 1 else { throw truncated() }
        guard pos < bytes.count else { throw NeedMoreInput() }
        defer { pos += 1 }
        return bytes[pos]
    }

    private mutating func readBytes(_ n: Int) throws -> [UInt8] {
        guard n >= 0, n <= inputLeft else { throw truncated() }
        guard n <= bytes.count - pos else { throw NeedMoreInput() }
        defer { pos += n }
        return Array(bytes[pos..<(pos + n)])
    }

    private mutating func readLittleEndian(_ n: Int) throws -> UInt64 {
        let b = try readBytes(n)
        var v: UInt64 = 0
        for (i, byte) in b.enumerated() { v |= UInt64(byte) << (8 * UInt64(i)) }
        return v
    }

    private mutating func readUInt16() throws -> UInt16 { UInt16(truncatingIfNeeded: try readLittleEndian(2)) }
    private mutating func readUInt32() throws -> UInt32 { UInt32(truncatingIfNeeded: try readLittleEndian(4)) }
    private mutating func readUInt64() throws -> UInt64 { try readLittleEndian(8) }

    private mutating func readUInt64BigEndian() throws -> UInt64 {
        try readBytes(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// A 64-bit length, refused when larger than the input left.
    private func boundedCount(_ n: UInt64) throws -> Int {
        guard n <= UInt64(inputLeft) else { throw truncated() }
        return Int(n)
    }

    /// A little-endian two's-complement integer of `count` bytes (LONG1/LONG4); must fit 64 bits.
    private mutating func readLong(count: Int) throws -> Int64 {
        let b = try readBytes(count)
        guard let last = b.last else { return 0 }
        let fill: UInt8 = last & 0x80 != 0 ? 0xff : 0
        guard b.count <= 8 || (b[8...].allSatisfy { $0 == fill } && (b[7] & 0x80) == (fill & 0x80)) else {
            throw TorchError(.overflowError, "Python int too large to convert to a 64-bit integer")
        }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(i < b.count ? b[i] : fill) << (8 * UInt64(i)) }
        return Int64(bitPattern: v)
    }

    private mutating func readUTF8(count: Int) throws -> String {
        let b = try readBytes(count)
        guard let s = String(validating: b, as: UTF8.self) else {
            throw unpickling("'utf-8' codec can't decode pickled string")
        }
        return s
    }

    private func latin1(_ b: [UInt8]) -> String {
        String(String.UnicodeScalarView(b.map { Unicode.Scalar($0) }))
    }

    /// A GLOBAL argument: text up to a newline, at most 256 bytes.
    private mutating func readLine() throws -> String {
        var out = [UInt8]()
        while true {
            let b = try readByte()
            if b == 0x0a { break }
            out.append(b)
            guard out.count <= 256 else { throw unpickling("GLOBAL name too long") }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

// MARK: - Values on the VM stack

/// Containers are filled before they are nested (that is how pickle writes them). Once nested in
/// another container a list or dict is sealed: later appends to it are refused. This keeps the
/// nesting depth exact and bounded (so freeing and converting never recurse too deep) and rules out cycles.
private func nestingDepth(of child: PValue, into parent: AnyObject?) throws -> Int {
    let depth: Int
    switch child {
    case .list(let l):
        guard l !== parent else { throw TorchError(.unpicklingError, "a list containing itself is not supported") }
        l.sealed = true; depth = l.depth
    case .dict(let d):
        guard d !== parent else { throw TorchError(.unpicklingError, "a dict containing itself is not supported") }
        d.sealed = true; depth = d.depth
    case .tuple(let t), .set(let t): depth = t.depth
    case .object(let o):
        guard o !== parent else { throw TorchError(.unpicklingError, "an object containing itself is not supported") }
        o.sealed = true; depth = o.depth
    default: depth = 0
    }
    guard depth < maxCheckpointNesting else {
        throw TorchError(.unpicklingError, "checkpoint nesting is deeper than \(maxCheckpointNesting) levels")
    }
    return depth + 1
}

/// An object created by NEWOBJ; BUILD gives it its `__dict__` once, before it is nested anywhere
/// (so an object can never contain itself).
final class PObject {
    let module: String
    let name: String
    private(set) var state: PDict?
    private(set) var depth = 1
    fileprivate(set) var sealed = false

    init(module: String, name: String) {
        self.module = module
        self.name = name
    }

    func build(_ newState: PValue) throws {
        guard case .dict(let d) = newState, !d.ordered else {
            throw TorchError(.unpicklingError, "BUILD of a \(module).\(name) needs a dict state, got \(newState.typeName)")
        }
        guard state == nil, !sealed else {
            throw TorchError(.unpicklingError, "BUILD of a \(module).\(name) that is already built or nested in another container is not supported")
        }
        depth = try nestingDepth(of: newState, into: self)
        state = d
    }
}

/// An immutable tuple and its nesting depth.
final class PTuple {
    let items: [PValue]
    let depth: Int
    private var cachedKey: PTupleKey?
    init(_ items: [PValue]) throws {
        var d = 1
        for item in items { d = max(d, try nestingDepth(of: item, into: nil)) }
        self.items = items
        self.depth = d
    }

    /// The tuple as a dict key, built once: a memo-shared tuple used as a key many times (or
    /// nested in itself many times over) costs its size once, not once per path to it.
    func key() throws -> PTupleKey {
        if let k = cachedKey { return k }
        let k = PTupleKey(try items.map(PKey.init))
        cachedKey = k
        return k
    }
}

/// A tuple key: its items and their hash, computed once.
final class PTupleKey: Hashable {
    let items: [PKey]
    private let hashValue_: Int
    init(_ items: [PKey]) {
        self.items = items
        var h = Hasher()
        h.combine(items.count)
        for item in items { h.combine(item) }
        hashValue_ = h.finalize()
    }
    func hash(into hasher: inout Hasher) { hasher.combine(hashValue_) }
    static func == (a: PTupleKey, b: PTupleKey) -> Bool {
        a === b || (a.hashValue_ == b.hashValue_ && a.items == b.items)
    }
}

/// A list under construction; a reference so that APPENDS reaches memoised copies too.
final class PList {
    private(set) var items: [PValue] = []
    private(set) var depth = 1
    fileprivate(set) var sealed = false

    init(_ items: [PValue]) throws { try append(items) }

    func append(_ new: [PValue]) throws {
        guard !sealed || new.isEmpty else { throw TorchError(.unpicklingError, "APPEND to a list that is already nested in another container is not supported") }
        for item in new { depth = max(depth, try nestingDepth(of: item, into: self)) }
        items.append(contentsOf: new)
    }
}

/// A dict (or OrderedDict) under construction, in insertion order, with a hash index of its keys
/// (so a dict of many int or tuple keys loads in linear time).
final class PDict {
    private(set) var keys: [PValue] = []
    private(set) var values: [PValue] = []
    private var index: [PKey: Int] = [:]
    private(set) var depth = 1
    fileprivate(set) var sealed = false
    let ordered: Bool
    init(ordered: Bool) { self.ordered = ordered }

    func set(_ key: PValue, _ value: PValue) throws {
        let hashKey = try PKey(key)
        guard !sealed else { throw TorchError(.unpicklingError, "SETITEM on a dict that is already nested in another container is not supported") }
        depth = max(depth, try nestingDepth(of: key, into: self), try nestingDepth(of: value, into: self))
        if let i = index[hashKey] {
            values[i] = value
        } else {
            // Each unpickled NaN is its own float object, equal to no other key (not even a NaN).
            if case .float(let f) = key, f.isNaN {} else { index[hashKey] = keys.count }
            keys.append(key)
            values.append(value)
        }
    }

    /// Sets alternating key, value items (SETITEMS), with Python's error for an odd count.
    func setPairs(_ items: [PValue]) throws {
        guard items.count % 2 == 0 else { throw TorchError(.unpicklingError, "odd number of items for SETITEMS") }
        var i = 0
        while i < items.count { try set(items[i], items[i + 1]); i += 2 }
    }
}

/// A dict key with Python's equality: `1 == 1.0 == True`, tuples compare by items, tensors by
/// identity. Built once per key; lists and dicts (and tuples holding them) are unhashable.
enum PKey: Hashable {
    case none
    /// bool, int and every float equal to an int.
    case integer(Int64)
    /// Any other float, by bit pattern.
    case float(UInt64)
    case string(String)
    case bytes([UInt8])
    case tuple(PTupleKey)
    case identity(ObjectIdentifier)
    case global(String)

    init(_ v: PValue) throws {
        switch v {
        case .none: self = .none
        case .bool(let b): self = .integer(b ? 1 : 0)
        case .int(let i): self = .integer(i)
        case .float(let f):
            if let i = Int64(exactly: f) { self = .integer(i) } else { self = .float(f.bitPattern) }
        case .string(let s): self = .string(s)
        case .bytes(let b): self = .bytes(b)
        case .tuple(let t): self = .tuple(try t.key())
        case .tensor(let t): self = .identity(ObjectIdentifier(t))
        case .storage(let s): self = .identity(ObjectIdentifier(s))
        case .object(let o): self = .identity(ObjectIdentifier(o))
        case .global(let g): self = .global("\(g)")
        case .list, .dict, .set: throw TorchError.type("unhashable type: '\(v.typeName)'")
        }
    }
}

/// A value on the pickle VM's stack: data, plus the intermediate things (globals, storages) that
/// only exist while a tensor is being rebuilt.
enum PValue {
    case none, bool(Bool), int(Int64), float(Double), string(String), bytes([UInt8])
    case tuple(PTuple), list(PList), dict(PDict)
    case tensor(Tensor), storage(Storage)
    case global(PickleReader.Global)
    case set(PTuple), object(PObject)

    var typeName: String {
        switch self {
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict(let d): return d.ordered ? "OrderedDict" : "dict"
        case .tensor: return "Tensor"
        case .storage: return "storage"
        case .global: return "global"
        case .set: return "set"
        case .object(let o): return o.name
        }
    }
}

/// Turns VM values into `CheckpointValue`s. A container referenced twice (through the memo) is
/// converted once and shared, so a file cannot blow up into exponentially many copies.
struct PValueConverter {
    private var done: [ObjectIdentifier: CheckpointValue] = [:]

    mutating func convert(_ v: PValue) throws -> CheckpointValue {
        switch v {
        case .none: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let f): return .float(f)
        case .string(let s): return .string(s)
        case .bytes(let b): return .bytes(b)
        case .tensor(let t): return .tensor(t)
        case .tuple(let t): return try once(t) { c in .tuple(try t.items.map { try c.convert($0) }) }
        case .list(let l): return try once(l) { c in .list(try l.items.map { try c.convert($0) }) }
        case .set(let t): return try once(t) { c in .set(try t.items.map { try c.convert($0) }) }
        case .dict(let d):
            return try once(d) { c in
                var pairs = [(CheckpointValue, CheckpointValue)]()
                pairs.reserveCapacity(d.keys.count)
                for (k, v) in zip(d.keys, d.values) { pairs.append((try c.convert(k), try c.convert(v))) }
                return d.ordered ? .orderedDict(pairs) : .dict(pairs)
            }
        case .object(let o):
            if let c = done[ObjectIdentifier(o)] { return c }
            let object = CheckpointObject(module: o.module, className: o.name, state: [])
            let c = CheckpointValue.object(object)
            done[ObjectIdentifier(o)] = c
            if let d = o.state {
                for (k, v) in zip(d.keys, d.values) { object.state.append((try convert(k), try convert(v))) }
            }
            return c
        case .storage: throw TorchError(.unpicklingError, "a bare storage object is not supported (only tensors)")
        case .global: throw TorchError(.unpicklingError, "a bare global (class or function) is not supported")
        }
    }

    /// Converts a container once; later references to it reuse the first result.
    private mutating func once(_ container: AnyObject, _ make: (inout PValueConverter) throws -> CheckpointValue) throws -> CheckpointValue {
        if let c = done[ObjectIdentifier(container)] { return c }
        let c = try make(&self)
        done[ObjectIdentifier(container)] = c
        return c
    }
}
