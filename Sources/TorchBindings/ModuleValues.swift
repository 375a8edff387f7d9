import NNLang
import TensorRuntime
import NeuralNet

/// Conversions between script values and the NeuralNet types that describe module attributes:
/// the type-erased values crossing `Module.call` and hooks, layer hyperparameters, and the
/// classification `Module.__setattr__` needs.
enum ModuleValues {
    /// A type-erased value from NeuralNet (a boxed `Value`, a raw `Tensor`/`Module`, a hook
    /// tuple or nil) as a script value.
    static func value(_ any: Any?, _ ev: Evaluator) -> Value {
        switch any {
        case nil: return .none
        case let v as Value: return v
        case let t as Tensor: return .tensor(t)
        case let m as Module: return .module(m)
        case let tuple as HookTuple: return ev.makeTuple(tuple.items.map { value($0, ev) })
        default: return .none
        }
    }

    /// A hyperparameter as a Python value (`(3, 3)` is a tuple).
    static func value(_ h: HyperValue, _ ev: Evaluator) -> Value {
        switch h {
        case .int(let i): return .int(i)
        case .double(let d): return .float(d)
        case .bool(let b): return .bool(b)
        case .string(let s): return .str(s)
        case .none: return .none
        case .tuple(let items): return ev.makeTuple(items.map { value($0, ev) })
        }
    }

    /// A script value as a hyperparameter, or nil when it has no such form (lists become tuples).
    static func hyperValue(_ v: Value, _ ev: Evaluator) -> HyperValue? {
        switch v {
        case .none: return HyperValue.none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d): return .double(d)
        case .str(let s): return .string(s)
        default:
            guard let items = ev.sequenceItems(v) else { return nil }
            var out: [HyperValue] = []
            for item in items {
                guard let h = hyperValue(item, ev) else { return nil }
                out.append(h)
            }
            return .tuple(out)
        }
    }

    /// How `Module.__setattr__` classifies a value (parameters, tensors, `nn.Buffer`, modules …).
    static func attributeValue(_ v: Value) -> AttributeValue {
        switch v {
        case .none: return .none
        case .tensor(let t): return t.isParameter ? .parameter(t) : .tensor(t)
        case .module(let m): return .module(m)
        case .object(let b as BufferValue): return .buffer(b.tensor, persistent: b.persistent)
        default: return .other(typeName: v.typeName)
        }
    }

    /// A registration name (`register_buffer(3, …)` must fail with `Got int`).
    static func registrationName(_ v: Value) -> RegistrationName {
        if case .str(let s) = v { return .string(s) }
        return .nonString(typeName: v.typeName)
    }

    /// `repr(type(v))` as PyTorch's load_state_dict message prints it: `<class 'int'>`.
    static func typeRepr(_ v: Value) -> String {
        switch v {
        case .tensor: return "<class 'torch.Tensor'>"
        default: return "<class '\(v.typeName)'>"
        }
    }
}

/// `nn.Buffer(data, persistent=True)`: a marker that assignment to a module attribute turns
/// into a registered buffer (`self.buf = nn.Buffer(torch.zeros(3))`). Elsewhere it is the tensor.
final class BufferValue: PyObject {
    let tensor: Tensor
    let persistent: Bool

    init(_ tensor: Tensor, persistent: Bool) {
        self.tensor = tensor
        self.persistent = persistent
        super.init()
    }

    override var typeName: String { "Buffer" }
    override func repr(_ ev: Evaluator) throws -> String { try ev.repr(.tensor(tensor)) }
    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        if name == "persistent" { return .bool(persistent) }
        return try ev.getAttribute(.tensor(tensor), name)
    }
}
