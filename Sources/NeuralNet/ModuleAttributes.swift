import TensorRuntime

/// A value a script assigns to a module attribute, classified the way `Module.__setattr__` sees it.
public enum AttributeValue {
    /// An `nn.Parameter` (a `.tensor` whose `isParameter` is set is treated the same).
    case parameter(Tensor)
    /// A plain tensor.
    case tensor(Tensor)
    /// `nn.Buffer(t, persistent=…)`.
    case buffer(Tensor, persistent: Bool)
    case module(Module)
    case none
    /// Any other Python value; `typeName` is `torch.typename(value)` (`int`, `str`, `list` …).
    case other(typeName: String)

    /// `torch.typename(value)` as PyTorch's messages print it.
    public var pythonTypeName: String {
        switch self {
        case .parameter(let t), .tensor(let t), .buffer(let t, _): return t.dtype.legacyTypeName
        case .module(let m): return m.pythonQualifiedName
        case .none: return "NoneType"
        case .other(let name): return name
        }
    }

    /// The tensor if this is an `nn.Parameter`.
    var asParameter: Tensor? {
        switch self {
        case .parameter(let t): return t
        case .tensor(let t) where t.isParameter: return t
        default: return nil
        }
    }
}

/// What `setAttribute` did: registered the value, or left it for the caller to store as a plain
/// attribute (in `instanceAttributes` or the script object's `__dict__`).
public enum SetAttributeOutcome: Equatable {
    case registered
    case plainAttribute
}

/// A registered attribute found by `lookupAttribute` (`__getattr__`). A nil payload is Python's None.
public enum AttributeLookup {
    case parameter(Tensor?)
    case buffer(Tensor?)
    case module(Module?)
}

/// A name argument of `register_parameter`/`register_buffer`/`add_module`: usually a string, but a
/// script may pass anything, which must fail with PyTorch's message at the right point.
public enum RegistrationName: ExpressibleByStringLiteral {
    case string(String)
    /// A non-string argument; `typeName` is its `torch.typename` (`int`).
    case nonString(typeName: String)

    public init(stringLiteral value: String) { self = .string(value) }
}

extension Module {
    // MARK: - __getattr__ / __setattr__ / __delattr__

    /// `__getattr__` after normal lookup failed: parameters, then buffers, then modules.
    public func lookupAttribute(_ name: String) -> AttributeLookup? {
        if let p = ownParameters[name] { return .parameter(p) }
        if let b = ownBuffers[name] { return .buffer(b) }
        if let m = ownModules[name] { return .module(m) }
        return nil
    }

    /// The AttributeError `__getattr__` raises: `'Linear' object has no attribute 'bias'`.
    public func missingAttributeError(_ name: String) -> TorchError {
        TorchError(.attributeError, "'\(typeName)' object has no attribute '\(name)'")
    }

    /// `Module.__setattr__(name, value)`: the reference's table, first matching row wins.
    /// Returns `.plainAttribute` when the caller must store the value as an ordinary attribute.
    @discardableResult
    public func setAttribute(_ name: String, _ value: AttributeValue) throws -> SetAttributeOutcome {
        if let param = value.asParameter {
            guard isInitialised else {
                throw TorchError(.attributeError, "cannot assign parameters before Module.__init__() call")
            }
            removePlainAttribute(name)
            ownBuffers.removeValue(forKey: name)
            ownModules.removeValue(forKey: name)
            nonPersistentBuffers.remove(name)
            try registerParameter(.string(name), .parameter(param))
            return .registered
        }
        if ownParameters.contains(name) {
            guard case .none = value else {
                throw TorchError.type("cannot assign '\(value.pythonTypeName)' as parameter '\(name)' (torch.nn.Parameter or None expected)")
            }
            ownParameters[name] = .some(nil)
            return .registered
        }
        if case .module(let module) = value {
            guard isInitialised else {
                throw TorchError(.attributeError, "cannot assign module before Module.__init__() call")
            }
            try checkNoCycle(adding: module)
            try noteNesting(of: module)
            removePlainAttribute(name)
            ownParameters.removeValue(forKey: name)
            ownBuffers.removeValue(forKey: name)
            nonPersistentBuffers.remove(name)
            ownModules[name] = .some(module)
            return .registered
        }
        if ownModules.contains(name) {
            guard case .none = value else {
                throw TorchError.type("cannot assign '\(value.pythonTypeName)' as child module '\(name)' (torch.nn.Module or None expected)")
            }
            ownModules[name] = .some(nil)
            return .registered
        }
        var isBufferObject = false
        if case .buffer = value { isBufferObject = true }
        if isBufferObject || ownBuffers.contains(name) {
            let tensor: Tensor?
            let persistent: Bool
            switch value {
            case .buffer(let t, let p): tensor = t; persistent = p
            case .tensor(let t): tensor = t; persistent = !nonPersistentBuffers.contains(name)
            case .none: tensor = nil; persistent = !nonPersistentBuffers.contains(name)
            default:
                throw TorchError.type("cannot assign '\(value.pythonTypeName)' as buffer '\(name)' (torch.nn.Buffer, torch.Tensor or None expected)")
            }
            try registerBuffer(.string(name), tensor.map { .tensor($0) } ?? .none, persistent: persistent)
            return .registered
        }
        return .plainAttribute
    }

    /// `__delattr__`: removes a parameter, else a buffer, else a child module, else an instance
    /// attribute; AttributeError when there is none.
    public func deleteAttribute(_ name: String) throws {
        if ownParameters.removeValue(forKey: name) != nil { return }
        if ownBuffers.removeValue(forKey: name) != nil {
            nonPersistentBuffers.remove(name)
            return
        }
        if ownModules.removeValue(forKey: name) != nil { return }
        if removePlainAttribute(name) { return }
        throw missingAttributeError(name)
    }

    // MARK: - Registration

    /// `register_parameter(name, param)` with PyTorch's checks, in PyTorch's order.
    public func registerParameter(_ name: RegistrationName, _ value: AttributeValue) throws {
        guard isInitialised else {
            throw TorchError(.attributeError, "cannot assign parameter before Module.__init__() call")
        }
        let key = try checkedName(name, kind: "parameter")
        if hasAttribute(key) && !ownParameters.contains(key) {
            throw TorchError(.keyError, "attribute '\(key)' already exists")
        }
        if case .none = value {
            ownParameters[key] = .some(nil)
            return
        }
        guard let param = value.asParameter else {
            throw TorchError.type("cannot assign '\(value.pythonTypeName)' object to parameter '\(key)' (torch.nn.Parameter or None required)")
        }
        if param.gradFn != nil {
            throw TorchError.value("Cannot assign non-leaf Tensor to parameter '\(key)'. Model parameters must be created explicitly. To express '\(key)' as a function of another Tensor, compute the value in the forward() method.")
        }
        ownParameters[key] = .some(param)
    }

    /// Swift convenience: `registerParameter("weight", t)` (nil registers None).
    public func registerParameter(_ name: String, _ tensor: Tensor?) throws {
        try registerParameter(.string(name), tensor.map { .parameter($0) } ?? .none)
    }

    /// `register_buffer(name, tensor, persistent=True)` with PyTorch's checks, in PyTorch's order.
    public func registerBuffer(_ name: RegistrationName, _ value: AttributeValue, persistent: Bool = true) throws {
        guard isInitialised else {
            throw TorchError(.attributeError, "cannot assign buffer before Module.__init__() call")
        }
        let key = try checkedName(name, kind: "buffer")
        if hasAttribute(key) && !ownBuffers.contains(key) {
            throw TorchError(.keyError, "attribute '\(key)' already exists")
        }
        let tensor: Tensor?
        switch value {
        case .none: tensor = nil
        case .tensor(let t), .parameter(let t), .buffer(let t, _): tensor = t
        default:
            throw TorchError.type("cannot assign '\(value.pythonTypeName)' object to buffer '\(key)' (torch Tensor or None required)")
        }
        ownBuffers[key] = .some(tensor)
        if persistent { nonPersistentBuffers.remove(key) } else { nonPersistentBuffers.insert(key) }
    }

    /// Swift convenience: `registerBuffer("running_mean", t)`.
    public func registerBuffer(_ name: String, _ tensor: Tensor?, persistent: Bool = true) throws {
        try registerBuffer(.string(name), tensor.map { .tensor($0) } ?? .none, persistent: persistent)
    }

    /// `add_module(name, module)` / `register_module`: the type is checked first, and an existing
    /// attribute before the dot check, as in PyTorch. `.none` registers None.
    public func addModule(_ name: RegistrationName, _ value: AttributeValue) throws {
        let module: Module?
        switch value {
        case .module(let m): module = m
        case .none: module = nil
        default: throw TorchError.type("\(value.pythonTypeName) is not a Module subclass")
        }
        guard case .string(let key) = name else {
            if case .nonString(let t) = name { throw TorchError.type("module name should be a string. Got \(t)") }
            return
        }
        guard isInitialised else { throw missingAttributeError("_modules") }
        if hasAttribute(key) && !ownModules.contains(key) {
            throw TorchError(.keyError, "attribute '\(key)' already exists")
        }
        if key.contains(".") { throw TorchError(.keyError, "module name can't contain \".\", got: \(key)") }
        if key.isEmpty { throw TorchError(.keyError, "module name can't be empty string \"\"") }
        try checkNoCycle(adding: module)
        try noteNesting(of: module)
        ownModules[key] = .some(module)
    }

    /// Refuses to make `module` a child of `self` when it is `self` or one of its ancestors.
    /// PyTorch accepts such a cycle and fails later with RecursionError in repr/train/forward;
    /// nnrepl's Swift traversals have no depth limit (a cycle would never end), so the cycle is
    /// rejected up front, with the same exception class.
    func checkNoCycle(adding module: Module?) throws {
        guard let module, module.mayContain(self) else { return }
        throw TorchError(.recursionError, "maximum recursion depth exceeded: a module can't contain itself")
    }

    /// How deep modules may be nested (the root is at depth 0). PyTorch has no such limit of its
    /// own but its recursive repr, `named_modules`, `state_dict`, `train` … raise RecursionError
    /// below a few hundred levels; nnrepl's traversals are iterative and work at any depth, but
    /// a repr or a list of module names grows with depth squared (3 GB of text at depth 40000),
    /// so nesting deeper than this is refused up front with RecursionError.
    public static let maxNestingDepth = 10_000

    /// Records that `child` (and everything below it) now sits below `self`, raising the
    /// `nestingDepth` bounds along the way; RecursionError (and nothing changed) when a module
    /// would end up deeper than `limit`. Only modules whose bound grows are visited, so adding a
    /// fresh module under a deep one costs O(1).
    func noteNesting(of child: Module?, limit: Int = Module.maxNestingDepth) throws {
        guard let child else { return }
        var undo: [(Module, Int)] = []
        var stack: [(Module, Int)] = [(child, nestingDepth + 1)]
        while let (module, depth) = stack.popLast() {
            guard depth > module.nestingDepth else { continue }
            if depth > limit {
                for (m, old) in undo.reversed() { m.nestingDepth = old }
                throw TorchError(.recursionError, "maximum recursion depth exceeded: nnrepl nests modules at most \(limit) deep")
            }
            undo.append((module, module.nestingDepth))
            module.nestingDepth = depth
            for case let grandchild?? in module.ownModules.values { stack.append((grandchild, depth + 1)) }
        }
    }

    /// `noteNesting` for Swift-side construction that cannot fail (no limit).
    func noteNestingUnchecked(of child: Module?) {
        _ = try? noteNesting(of: child, limit: Int.max)
    }

    /// Swift convenience: `addModule("fc", Linear(…))`.
    public func addModule(_ name: String, _ module: Module?) throws {
        try addModule(.string(name), module.map { .module($0) } ?? .none)
    }

    /// Name checks shared by `register_parameter` and `register_buffer`.
    private func checkedName(_ name: RegistrationName, kind: String) throws -> String {
        switch name {
        case .nonString(let t): throw TorchError.type("\(kind) name should be a string. Got \(t)")
        case .string(let key):
            if key.contains(".") { throw TorchError(.keyError, "\(kind) name can't contain \".\"") }
            if key.isEmpty { throw TorchError(.keyError, "\(kind) name can't be empty string \"\"") }
            return key
        }
    }

    // MARK: - The `_parameters` / `_buffers` / `_modules` dicts

    // Writing an entry of these dicts goes through `registerParameter` / `registerBuffer` /
    // `addModule` (a PyTorch dict takes anything and fails later; nnrepl keeps a name in one
    // map only and values of the right kind). Removing an entry is plain dict deletion.

    /// `del m._parameters[name]`; false when there is no such entry.
    @discardableResult
    public func removeParameterEntry(_ name: String) -> Bool {
        ownParameters.removeValue(forKey: name) != nil
    }

    /// `del m._buffers[name]`; false when there is no such entry. As in PyTorch the name stays
    /// in `_non_persistent_buffers_set` (a buffer stored again under it is non-persistent).
    @discardableResult
    public func removeBufferEntry(_ name: String) -> Bool {
        ownBuffers.removeValue(forKey: name) != nil
    }

    /// `del m._modules[name]`; false when there is no such entry. Containers keep their other
    /// keys (no renumbering), as in PyTorch.
    @discardableResult
    public func removeModuleEntry(_ name: String) -> Bool {
        ownModules.removeValue(forKey: name) != nil
    }

    /// `m._buffers[name] = tensor`: a new name is persistent; an existing one keeps its status.
    public func setBufferEntry(_ name: RegistrationName, _ value: AttributeValue) throws {
        var persistent = true
        if case .string(let key) = name { persistent = !nonPersistentBuffers.contains(key) }
        try registerBuffer(name, value, persistent: persistent)
    }

    // MARK: - Typed accessors for Swift code

    /// The registered parameter `name` (nil if None); with no parameter of that name, a plain
    /// tensor attribute standing in for it (`weight_norm`, `spectral_norm` and pruning store
    /// the recomputed `weight` there, as PyTorch's hooks do with `setattr`).
    public func parameter(_ name: String) -> Tensor? {
        if let p = ownParameters[name] { return p }
        return instanceAttributes[name].flatMap(ModuleValueBridge.tensor(from:))
    }
    /// The registered buffer `name` (nil if absent or None).
    public func buffer(_ name: String) -> Tensor? { ownBuffers[name] ?? nil }
    /// The registered child `name` (nil if absent or None).
    public func child(_ name: String) -> Module? { ownModules[name] ?? nil }

    /// Replaces the child `name` in place (position kept), as `self.name = module` does.
    public func setChild(_ name: String, _ module: Module?) {
        removePlainAttribute(name)
        ownParameters.removeValue(forKey: name)
        ownBuffers.removeValue(forKey: name)
        noteNestingUnchecked(of: module)
        ownModules[name] = .some(module)
    }
}

extension Tensor {
    /// A new `nn.Parameter` (leaf, `requires_grad=True`) of the given shape in the default float type, zero-filled.
    static func newParameter(_ shape: [Int]) throws -> Tensor {
        let t = try Tensor(shape: shape, dtype: DType.defaultFloat)
        try t.markAsParameter()
        return t
    }

    /// Turns a fresh leaf into an `nn.Parameter` requiring grad.
    func markAsParameter(requiresGrad: Bool = true) throws {
        isParameter = true
        try setRequiresGrad(requiresGrad)
    }
}
