import NNLang
import TensorRuntime
import NeuralNet

/// `torch.float32` and friends.
final class DTypeObject: PyObject {
    let dtype: DType
    private init(_ dtype: DType) { self.dtype = dtype }

    /// One object per dtype, so `x.dtype is torch.float16` holds.
    private static let all: [DType: DTypeObject] = Dictionary(uniqueKeysWithValues: DType.allCases.map { ($0, DTypeObject($0)) })

    static func of(_ dtype: DType) -> DTypeObject { all[dtype] ?? DTypeObject(dtype) }

    static var float32: DTypeObject { of(.float32) }
    static var float64: DTypeObject { of(.float64) }
    static var int64: DTypeObject { of(.int64) }
    static var bool: DTypeObject { of(.bool) }

    override var typeName: String { "dtype" }
    override func repr(_ ev: Evaluator) throws -> String { dtype.name }
    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "is_floating_point": return .bool(dtype.isFloatingPoint)
        case "is_signed": return .bool(dtype != .bool && dtype != .uint8)
        case "is_complex": return .bool(false)
        case "itemsize": return .int(dtype.itemSize)
        default: return nil
        }
    }
}

/// `torch.device('cpu')`: the only device nnrepl has.
final class DeviceObject: PyObject {
    static let cpu = DeviceObject()
    override var typeName: String { "device" }
    override func repr(_ ev: Evaluator) throws -> String { "device(type='cpu')" }
    override func str(_ ev: Evaluator) throws -> String { "cpu" }
    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "type": return .str("cpu")
        case "index": return Value.none
        default: return nil
        }
    }
    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        if case .str(let s) = other { return s == "cpu" }
        if case .object(let o) = other { return o is DeviceObject }
        return false
    }
}

/// `torch.Size([2, 3])`: a tuple of ints with its own repr.
final class TorchSize: PyObject {
    let dims: [Int]
    init(_ dims: [Int]) { self.dims = dims }

    override var typeName: String { "Size" }
    override func repr(_ ev: Evaluator) throws -> String { sizeRepr(dims) }
    override func length(_ ev: Evaluator) throws -> Int? { dims.count }
    override func iterate(_ ev: Evaluator) throws -> [Value]? { dims.map { .int($0) } }
    override func truthiness(_ ev: Evaluator) throws -> Bool? { !dims.isEmpty }

    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? {
        if let bounds = try ev.sliceBounds(key) {
            let picked = try sliceIndices(count: dims.count, bounds).map { dims[$0] }
            return .object(TorchSize(picked))
        }
        let i = try key.asInt("tuple indices")
        let j = i < 0 ? i + dims.count : i
        guard j >= 0 && j < dims.count else { throw PyError(.indexError, "tuple index out of range") }
        return .int(dims[j])
    }

    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        if case .object(let o) = other, let s = o as? TorchSize { return s.dims == dims }
        guard let items = ev.sequenceItems(other), items.count == dims.count else { return false }
        for (a, b) in zip(dims, items) {
            guard case .int(let v) = b, v == a else { return false }
        }
        return true
    }

    override func contains(_ item: Value, _ ev: Evaluator) throws -> Bool? {
        if case .int(let v) = item { return dims.contains(v) }
        return false
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "numel": return method(name) { _, _ in .int(self.dims.reduce(1, *)) }
        case "index": return method(name) { a, _ in
            let v = try a.bind("index", ["value"], required: 1)[0]!.asInt()
            guard let i = self.dims.firstIndex(of: v) else { throw PyError(.valueError, "tuple.index(x): x not in tuple") }
            return .int(i)
        }
        case "count": return method(name) { a, _ in
            let v = try a.bind("count", ["value"], required: 1)[0]!.asInt()
            return .int(self.dims.filter { $0 == v }.count)
        }
        default: return nil
        }
    }
    override func attributeNames() -> [String] { ["numel", "index", "count"] }
}

/// The indices a Python slice selects from a sequence of `count` items (Python's clamping rules).
func sliceIndices(count: Int, _ b: (start: Int?, stop: Int?, step: Int?)) throws -> [Int] {
    let step = b.step ?? 1
    guard step != 0 else { throw PyError(.valueError, "slice step cannot be zero") }
    func clamp(_ v: Int?, _ dflt: Int, low: Int, high: Int) -> Int {
        guard var x = v else { return dflt }
        if x < 0 { x += count }
        return min(max(x, low), high)
    }
    var out: [Int] = []
    if step > 0 {
        var i = clamp(b.start, 0, low: 0, high: count)
        let stop = clamp(b.stop, count, low: 0, high: count)
        while i < stop { out.append(i); i += step }
    } else {
        var i = clamp(b.start, count - 1, low: -1, high: count - 1)
        let stop = clamp(b.stop, -1, low: -1, high: count - 1)
        while i > stop { out.append(i); i += step }
    }
    return out
}

