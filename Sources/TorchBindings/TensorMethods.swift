import NNLang
import TensorRuntime
import NeuralNet

/// The Python-facing attributes and methods of `torch.Tensor`.
enum TensorMethods {
    /// Read-only and read-write properties (`x.shape`, `x.grad` …).
    static func property(_ t: Tensor, _ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "shape": return .object(TorchSize(t.shape))
        case "dtype": return .object(DTypeObject.of(t.dtype))
        case "device": return .object(DeviceObject.cpu)
        case "grad": return t.grad.map { .tensor($0) } ?? Value.none
        case "requires_grad": return .bool(t.requiresGrad)
        case "is_leaf": return .bool(t.isLeaf)
        case "retains_grad": return .bool(t.retainsGrad)
        case "grad_fn": return try t.checkedGradFn().map { .object(GradFnObject($0)) } ?? Value.none
        case "data": return .tensor(t.detached())
        case "ndim": return .int(t.dim)
        case "T": return .tensor(try t.permute(Array((0..<t.dim).reversed())))
        case "mT", "mH": return .tensor(try t.matrixTranspose(name))
        case "H":
            guard t.dim == 2 || t.dim == 0 else {
                throw PyError(.runtimeError, "tensor.H is only supported on matrices (2-D tensors). Got \(t.dim)-D tensor."
                              + (t.dim > 2 ? " For batches of matrices, consider using tensor.mH" : ""))
            }
            return .tensor(try t.matrixTranspose(name))
        case "is_cuda": return .bool(false)
        case "layout": return .str("torch.strided")
        case "itemsize": return .int(t.dtype.itemSize)
        case "nbytes": return .int(t.numel * t.dtype.itemSize)
        case "_version": return .int(t.version)
        case "_base": return t.base.map { .tensor($0) } ?? Value.none
        default: return nil
        }
    }

    static func setProperty(_ t: Tensor, _ name: String, _ value: Value, _ ev: Evaluator) throws {
        switch name {
        case "requires_grad": try t.setRequiresGrad(try ev.truthy(value))
        case "grad":
            switch value {
            case .none: t.grad = nil
            case .tensor(let g):
                guard g.shape == t.shape else {
                    throw PyError(.runtimeError, "assigned grad has data of a different size")
                }
                t.grad = g
            default: throw PyError(.typeError, "assigned grad expected to be a Tensor or None but got grad of type \(value.typeName)")
            }
        case "data":
            let src = try value.asTensor("data")
            try t.setData(src)
        default:
            throw PyError(.attributeError, "'Tensor' object has no attribute '\(name)'")
        }
    }

    /// Every declared tensor op (`TensorOpCatalog`), by method name.
    static let table = TensorOpTable(TensorOpCatalog.all)

    /// Looks up `t.name`: a property, a declared op, or an in-place operator dunder (`__iadd__`).
    static func attribute(_ t: Tensor, _ name: String, _ ev: Evaluator) throws -> Value? {
        if let p = try property(t, name, ev) { return p }
        if let m = table.method(t, name) { return m }
        if name.hasPrefix("__i"), let op = BinaryOperator.allCases.first(where: { "__i\($0.dunderName)__" == name }) {
            return method(name) { a, _ in
                let s = try a.bind(name, ["other"], required: 1)
                return try TensorOperators.inPlace(op, t, s[0]!) ?? .object(NotImplemented.shared)
            }
        }
        return nil
    }

    /// The properties, then every declared method (`dir(x)`, Tab completion).
    static var attributeNames: [String] {
        ["shape", "dtype", "device", "grad", "requires_grad", "is_leaf", "retains_grad", "grad_fn", "data", "ndim", "T", "mT", "mH", "H",
         "is_cuda", "layout", "itemsize", "nbytes"] + table.methods.keys.filter { !$0.hasPrefix("_") }.sorted()
    }

    /// `allclose`: |x - y| <= atol + rtol * |y| everywhere (after broadcasting), NaNs equal only with `equalNaN`.
    static func allclose(_ t: Tensor, _ other: Tensor, rtol: Double, atol: Double, equalNaN: Bool) throws -> Value {
        let shape = try broadcastShapes(t.shape, other.shape)
        let x = try t.expand(shape).toDoubles(), y = try other.expand(shape).toDoubles()
        for (p, q) in zip(x, y) {
            if p.isNaN || q.isNaN { if equalNaN && p.isNaN && q.isNaN { continue } else { return .bool(false) } }
            if p == q { continue }
            if Swift.abs(p - q) > atol + rtol * Swift.abs(q) { return .bool(false) }
        }
        return .bool(true)
    }
}

/// `torch.equal`: same shape and same values.
func tensorsEqual(_ a: Tensor, _ b: Tensor) throws -> Bool {
    guard a.shape == b.shape else { return false }
    let x = a.toDoubles(), y = b.toDoubles()
    return x == y
}

/// A Python number for a tensor element.
func scalarValue(_ s: Scalar) -> Value {
    switch s {
    case .bool(let b): return .bool(b)
    case .int(let i): return .int(Int(i))
    case .double(let d): return .float(d)
    }
}

/// `tolist()`: nested lists of Python numbers.
func toList(_ t: Tensor, _ ev: Evaluator) -> Value {
    let items = t.toScalars().map(scalarValue)
    if t.dim == 0 { return items.first ?? Value.none }
    func build(_ dim: Int, _ offset: Int) -> (Value, Int) {
        if dim == t.dim - 1 {
            let n = t.shape[dim]
            return (ev.makeList(Array(items[offset..<(offset + n)])), offset + n)
        }
        var out: [Value] = []
        var o = offset
        for _ in 0..<t.shape[dim] {
            let (v, next) = build(dim + 1, o)
            out.append(v)
            o = next
        }
        return (ev.makeList(out), o)
    }
    return build(0, 0).0
}

extension Optional where Wrapped == Operand {
    func orThrow() throws -> Operand {
        guard let self else { throw PyError(.typeError, "expected a Tensor or a number") }
        return self
    }
}

/// `x.grad_fn`: prints `<AddBackward0 object at 0x…>`; `name()` and `next_functions` work.
final class GradFnObject: PyObject {
    let node: TensorRuntime.Node
    init(_ node: TensorRuntime.Node) { self.node = node }
    override var typeName: String { node.name }
    override func repr(_ ev: Evaluator) throws -> String {
        "<\(node.name) object at 0x\(String(UInt(bitPattern: ObjectIdentifier(node).hashValue), radix: 16))>"
    }
    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "name":  // PyTorch's C++ name for the leaf node
            let cppNodes: Set<String> = ["AccumulateGrad", "CopySlices", "CopyBackwards"]
            let full = cppNodes.contains(node.name) ? "torch::autograd::" + node.name : node.name
            return method(name) { _, _ in .str(full) }
        case "next_functions":
            return ev.makeTuple(node.nextFunctions.map { n in
                ev.makeTuple([n.map { .object(GradFnObject($0)) } ?? .none, .int(0)])
            })
        default: return nil
        }
    }
    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        if case .object(let o as GradFnObject) = other { return o.node === node }
        return false
    }
}

/// A small named tuple (`torch.return_types.max(values=..., indices=...)`).
final class NamedTupleObject: PyObject {
    let name: String
    let fields: [String]
    let values: [Value]
    init(typeName: String, fields: [String], values: [Value]) {
        self.name = typeName
        self.fields = fields
        self.values = values
    }
    override var typeName: String { String(name.split(separator: ".").last ?? "tuple") }
    override func repr(_ ev: Evaluator) throws -> String {
        let parts = try zip(fields, values).map { "\($0)=\(try ev.repr($1))" }
        return "\(name)(\n" + parts.joined(separator: ",\n") + ")"
    }
    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        fields.firstIndex(of: name).map { values[$0] }
    }
    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? {
        let i = try key.asInt("tuple indices")
        let j = i < 0 ? i + values.count : i
        guard j >= 0 && j < values.count else { throw PyError(.indexError, "tuple index out of range") }
        return values[j]
    }
    override func length(_ ev: Evaluator) throws -> Int? { values.count }
    override func iterate(_ ev: Evaluator) throws -> [Value]? { values }
}
