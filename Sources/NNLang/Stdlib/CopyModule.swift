import TensorRuntime
import NeuralNet

/// Python's `copy` module: `copy.copy` (shallow) and `copy.deepcopy` (with a memo, so objects
/// shared inside the copied value stay shared in the copy and cycles end).
enum CopyModule {
    static func module() -> Namespace {
        let m = Namespace("copy")
        m["copy"] = .object(NativeFunction("copy", "x", doc: "A shallow copy of x: a new container holding the same items.") { b, ev in
            try shallowCopy(b[0], ev)
        })
        m["deepcopy"] = .object(NativeFunction("deepcopy", "x, memo=None, _nil=[]",
                                               doc: "A deep copy of x: containers, instances, tensors and modules copied all the way down.") { b, ev in
            try DeepCopier(ev).copy(b[0])
        })
        return m
    }

    /// `copy.copy`: lists, dicts and sets get a new container; instances a new object sharing the
    /// attribute values; immutable values and everything else are returned as they are.
    static func shallowCopy(_ v: Value, _ ev: Evaluator) throws -> Value {
        guard case .object(let o) = v else { return v }
        switch o {
        case let l as PyList: return .object(PyList(l.items))
        case let d as PyDict:
            let out = try PyDict(d.items)
            out.flavor = d.flavor
            return .object(out)
        case let s as PySet where !s.frozen: return .object(try PySet(copying: s, frozen: false))
        case let i as PyInstance where type(of: i) == PyInstance.self:
            let out = PyInstance(cls: i.cls)
            out.dict = i.dict
            return .object(out)
        case let d as DerivedValueInstance:
            let out = DerivedValueInstance(cls: d.cls, native: try shallowCopy(d.native, ev))
            out.dict = d.dict
            return .object(out)
        default: return v
        }
    }
}

/// One `copy.deepcopy` call: copies values recursively, remembering each object it copied.
///
/// Tensors copy as PyTorch's `Tensor.__deepcopy__`: graph leaves only (a non-leaf raises PyTorch's
/// RuntimeError), keeping dtype, `requires_grad`, Parameter-ness and (for plain tensors) a copy of `.grad`. Modules are
/// rebuilt from their constructor call with random fills off (`Module.rebuild`; containers and
/// script classes start empty), then take copies of this module's parameters, buffers, children,
/// hyperparameters, training flag and attributes, so the copy computes exactly what the original does.
final class DeepCopier {
    private let ev: Evaluator
    private var memo: [ObjectIdentifier: Value] = [:]
    /// The originals, kept alive so no ObjectIdentifier in `memo` is reused during the call.
    private var originals: [AnyObject] = []

    init(_ ev: Evaluator) { self.ev = ev }

    func copy(_ v: Value) throws -> Value {
        switch v {
        case .none, .bool, .int, .float, .str: return v
        case .tensor(let t): return .tensor(try copyTensor(t))
        case .module(let m): return .module(try copyModule(m))
        case .object(let o):
            if let done = memo[ObjectIdentifier(o)] { return done }
            // Nested containers recurse natively: as deep as CPython's limit, then its RecursionError.
            return try recursionGuarded(ev, " while calling a Python object") { try copyObject(o, v) }
        }
    }

    /// The deep copy of the container or instance `o` (`v` is `.object(o)`), not yet in `memo`.
    private func copyObject(_ o: PyObject, _ v: Value) throws -> Value {
        switch o {
        case let l as PyList:
            let out = PyList()
            remember(o, .object(out))
            out.items = try l.items.map(copy)
            return .object(out)
        case let t as PyTuple:
            let items = try t.items.map(copy)
            let out: Value = zip(items, t.items).allSatisfy({ same($0, $1) }) ? v : .object(PyTuple(items))
            remember(o, out)
            return out
        case let d as PyDict:
            let out = PyDict()
            out.flavor = try copyFlavor(d.flavor)
            remember(o, .object(out))
            for (k, x) in d.items { try out.set(try copy(k), try copy(x)) }
            return .object(out)
        case let s as PySet:
            let out: Value = .object(try PySet(try s.items.map(copy), frozen: s.frozen))
            remember(o, out)
            return out
        case let i as PyInstance where type(of: i) == PyInstance.self:
            let out = PyInstance(cls: i.cls)
            remember(o, .object(out))
            for (k, x) in i.dict.items { out.dict[k] = try copy(x) }
            return .object(out)
        case let d as DerivedValueInstance:
            let out = DerivedValueInstance(cls: d.cls, native: .none)
            remember(o, .object(out))
            out.native = try copy(d.native)
            for (k, x) in d.dict.items { out.dict[k] = try copy(x) }
            return .object(out)
        default:
            // Functions, classes, modules' namespaces and host objects are shared, as Python
            // shares functions and classes.
            return v
        }
    }

    private func remember(_ original: AnyObject, _ copy: Value) {
        memo[ObjectIdentifier(original)] = copy
        originals.append(original)
    }

    private func same(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)): return x === y
        case (.tensor(let x), .tensor(let y)): return x === y
        case (.module(let x), .module(let y)): return x === y
        case (.none, .none): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.float(let x), .float(let y)): return x.bitPattern == y.bitPattern
        case (.str(let x), .str(let y)): return codePointsEqual(x, y)
        default: return false
        }
    }

    private func copyFlavor(_ f: PyDict.Flavor) throws -> PyDict.Flavor {
        if case .defaultDict(let factory) = f { return .defaultDict(try copy(factory)) }
        return f
    }

    func copyTensor(_ t: Tensor) throws -> Tensor {
        if let done = memo[ObjectIdentifier(t)], case .tensor(let c) = done { return c }
        guard t.isLeaf else {
            throw PyError(.runtimeError, "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the moment.  "
                          + "If you were attempting to deepcopy a module, this may be because of a torch.nn.utils.weight_norm usage, "
                          + "see https://github.com/pytorch/pytorch/pull/103001")
        }
        let out = try GradMode.withNoGrad { try t.detached().cloned() }
        out.isParameter = t.isParameter
        if t.requiresGrad { try out.setRequiresGrad(true) }
        remember(t, .tensor(out))
        if !t.isParameter, let g = t.grad { out.grad = try copyTensor(g) }   // Parameter.__deepcopy__ leaves .grad out
        return out
    }

    func copyModule(_ m: Module) throws -> Module {
        if let done = memo[ObjectIdentifier(m)], case .module(let c) = done { return c }
        let shell = try emptyCopy(of: m)
        remember(m, .module(shell))
        try fill(shell, from: m)
        return shell
    }

    /// A module of `m`'s class and configuration, before its state is copied in.
    private func emptyCopy(of m: Module) throws -> Module {
        switch m {
        case let s as ScriptModule:
            guard let interp = s.interpreter else { throw PyError(.runtimeError, "deepcopy: the module's interpreter is gone") }
            let out = ScriptModule(cls: s.cls, interpreter: interp)
            out.initialiseModuleState()
            // A built-in layer it derives from is rebuilt as such a layer is; `fill` then copies
            // the registrations into the script module.
            if let base = s.nativeBase { out.adoptNativeBase(try emptyCopy(of: base)) }
            return out
        case is Sequential: return Sequential([])
        case is ModuleList: return ModuleList()
        case is ModuleDict: return try ModuleDict()
        default:
            guard let rebuild = m.rebuild else {
                throw PyError(.typeError, "cannot deepcopy a \(m.typeName): nnrepl does not know how it was constructed")
            }
            let saved = Init.randomFillsDisabled
            Init.randomFillsDisabled = true
            defer { Init.randomFillsDisabled = saved }
            let out = try rebuild()
            out.rebuild = rebuild
            return out
        }
    }

    /// Copies `source`'s state into `target` (a fresh module of the same class): parameters and
    /// buffers by name, children (reusing a fresh rebuilt child of the same name and class), the
    /// training flag, hyperparameters changed after construction, and plain attributes.
    private func fill(_ target: Module, from source: Module) throws {
        for (name, p) in source.ownParameters.items { try target.registerParameter(name, try p.map(copyTensor)) }
        for (name, b) in source.ownBuffers.items {
            try target.registerBuffer(name, try b.map(copyTensor), persistent: !source.nonPersistentBuffers.contains(name))
        }
        for (name, child) in source.ownModules.items {
            guard let child else { try target.addModule(name, nil); continue }
            if let done = memo[ObjectIdentifier(child)], case .module(let c) = done {
                try target.addModule(name, c)
            } else if let rebuilt = target.child(name), rebuilt !== child, type(of: rebuilt) == type(of: child),
                      !(child is ScriptModule) {
                // (A child the constructor was given, like TransformerEncoder's norm=, comes back
                // as the same object from the rebuild: it is copied, never filled in place.)
                remember(child, .module(rebuilt))
                try fill(rebuilt, from: child)
            } else {
                try target.addModule(name, try copyModule(child))
            }
        }
        target.training = source.training
        for (name, value) in source.hyperparameters { _ = try target.setHyperparameter(name, value) }
        for (name, value) in source.instanceAttributes.items {
            target.instanceAttributes[name] = try (value as? Value).map(copy) ?? value
        }
        if let s = source as? ScriptModule, let t = target as? ScriptModule {
            for (k, x) in s.dict.items { t.dict[k] = try copy(x) }
        }
    }
}

/// `copy.deepcopy(v)` for native code (`AveragedModel` copies its model so).
public func deepCopy(_ v: Value, _ ev: Evaluator) throws -> Value { try DeepCopier(ev).copy(v) }
