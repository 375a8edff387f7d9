import TensorRuntime

/// What a parametrization's `right_inverse` gave: one tensor (stored as `original`) or several
/// (`original0`, `original1` …, as `parametrizations.weight_norm`'s `(g, v)`).
public enum RightInverseResult {
    case tensor(Tensor)
    case tensors([Tensor])
}

/// A parametrization module with a `right_inverse` written in Swift (`_WeightNorm`); script
/// classes answer through `ParametrizationList.scriptRightInverse`.
public protocol RightInvertible: Module {
    func rightInverse(_ value: Tensor) throws -> RightInverseResult
}

/// `torch.nn.utils.parametrize.ParametrizationList`: the modules parametrizing one tensor of a
/// module, in order, and the unconstrained tensor(s) they start from (`original`, or
/// `original0`… when the first module takes several). `value()` is `forward()`: the first module
/// applied to the originals, each next one to the previous result.
public final class ParametrizationList: Module, IndexedModuleContainer {
    /// Whether the originals are one tensor (`original`) rather than a tuple.
    public let isTensor: Bool
    /// How many originals (`ntensors`).
    public let originalCount: Int

    /// `module.right_inverse(value)` of a script parametrization; nil when it has none. The
    /// bindings install it (the interpreter runs script methods).
    nonisolated(unsafe) public static var scriptRightInverse: (Module, Tensor) throws -> RightInverseResult? = { _, _ in nil }

    /// `ParametrizationList(modules, original, unsafe)`: the originals are what the modules'
    /// right inverses (last module first) make of `original`; one tensor is written into
    /// `original` itself (PyTorch's `original.set_(new)`, so the Parameter object is kept).
    public init(_ modules: [Module], original: Tensor, isBuffer: Bool, unsafe: Bool) throws {
        var new = RightInverseResult.tensor(original)
        try GradMode.withNoGrad {
            for m in modules.reversed() {
                guard case .tensor(let t) = new else { break }
                do {
                    if let r = try ParametrizationList.rightInverse(m, t) { new = r }
                } catch let e as TorchError where e.kind == .notImplementedError {
                    // PyTorch takes a right_inverse raising NotImplementedError as the identity here.
                }
            }
        }
        switch new {
        case .tensor: isTensor = true; originalCount = 1
        case .tensors(let ts): isTensor = false; originalCount = ts.count
        }
        super.init()
        for (i, m) in modules.enumerated() { try addModule(String(i), m) }
        switch new {
        case .tensor(let t):
            guard t.dtype == original.dtype else {
                throw TorchError.value("When `right_inverse` outputs one tensor, it may not change the dtype.\noriginal.dtype: \(original.dtype.pythonName)\nright_inverse(original).dtype: \(t.dtype.pythonName)")
            }
            let stored = try GradMode.withNoGrad { try ParametrizationList.write(t, into: original) }
            try register("original", stored, isBuffer: isBuffer)
        case .tensors(let ts):
            for (i, t) in ts.enumerated() {
                let o = t.detach()
                if !isBuffer { try o.markAsParameter(requiresGrad: original.requiresGrad) }
                else if original.requiresGrad { _ = try o.requiresGradInPlace(true) }
                try register("original\(i)", o, isBuffer: isBuffer)
            }
        }
        if !unsafe { try checkConsistency(with: original) }
    }

    override public var pythonModuleName: String { "torch.nn.utils.parametrize" }
    override public var reprCollapsesRepeatedChildren: Bool { true }

    /// The originals, in order.
    public var originals: [Tensor] {
        (isTensor ? ["original"] : (0..<originalCount).map { "original\($0)" }).compactMap { parameter($0) ?? buffer($0) }
    }

    /// `forward()`: the parametrized tensor computed now.
    public func value() throws -> Tensor {
        let modules = items
        guard let first = modules.first else { throw TorchError.value("ParametrizationList requires one or more modules.") }
        var x = try first.call(arguments: originals.map(ModuleValueBridge.wrap))
        for m in modules.dropFirst() { x = try m.call(arguments: [x]) }
        guard let t = ModuleValueBridge.tensor(from: x) else {
            throw TorchError.value("A parametrization must return a tensor.")
        }
        return t
    }

    /// `right_inverse(value)`, what `module.weight = value` runs: every module's right inverse,
    /// last first, then the result written into the originals.
    public func assign(_ value: Tensor) throws {
        try GradMode.withNoGrad {
            var new = RightInverseResult.tensor(value)
            for m in items.reversed() {
                guard case .tensor(let t) = new, let r = try ParametrizationList.rightInverse(m, t) else {
                    throw TorchError.runtime("parametrization \(m.typeName) does not implement right_inverse.")
                }
                new = r
            }
            switch new {
            case .tensor(let t):
                guard isTensor, let o = originals.first else { throw TorchError.value("'right_inverse' must return a sequence of tensors. Got Tensor.") }
                guard t.dtype == o.dtype else {
                    throw TorchError.value("The tensor returned by right_inverse has dtype \(t.dtype.pythonName) while `original` has dtype \(o.dtype.pythonName)")
                }
                _ = try ParametrizationList.write(t, into: o)
            case .tensors(let ts):
                guard !isTensor, ts.count == originalCount else {
                    throw TorchError.value("'right_inverse' must return a sequence of tensors of length \(originalCount). Got a sequence of length \(ts.count).")
                }
                for (o, t) in zip(originals, ts) { _ = try ParametrizationList.write(t, into: o) }
            }
        }
    }

    /// `unsafe=False`'s checks: the parametrized tensor keeps the original's dtype and shape.
    private func checkConsistency(with original: Tensor) throws {
        let z = try value()
        guard z.dtype == original.dtype else {
            throw TorchError.value("Registering a parametrization may not change the dtype of the tensor, unless `unsafe` flag is enabled.\nunparametrized dtype: \(original.dtype.pythonName)\nparametrized dtype: \(z.dtype.pythonName)")
        }
        guard z.shape == original.shape else {
            throw TorchError.value("Registering a parametrization may not change the shape of the tensor, unless `unsafe` flag is enabled.\nunparametrized shape: \(sizeRepr(original.shape))\nparametrized shape: \(sizeRepr(z.shape))")
        }
    }

    private func register(_ name: String, _ t: Tensor, isBuffer: Bool) throws {
        if isBuffer { try registerBuffer(.string(name), .tensor(t)) } else { try registerParameter(.string(name), .parameter(t)) }
    }

    static func rightInverse(_ m: Module, _ value: Tensor) throws -> RightInverseResult? {
        if let r = m as? RightInvertible { return try r.rightInverse(value) }
        return try scriptRightInverse(m, value)
    }

    /// `_maybe_set(original, new)`: the values written into `original` when the shapes agree
    /// (nnrepl's `set_` subset), else a new tensor of the same kind holding them.
    static func write(_ new: Tensor, into original: Tensor) throws -> Tensor {
        if new === original { return original }
        if new.shape == original.shape {
            _ = try original.copyInPlace(from: new)
            return original
        }
        let t = new.detach()
        if original.isParameter { try t.markAsParameter(requiresGrad: original.requiresGrad) }
        else if original.requiresGrad { _ = try t.requiresGradInPlace(true) }
        return t
    }
}

/// `torch.nn.utils.parametrize.cached()`: while enabled, each parametrized tensor is computed
/// once per module and name, then reused.
public enum ParametrizeCache {
    nonisolated(unsafe) static var depth = 0
    nonisolated(unsafe) static var values: [ObjectIdentifier: [String: Tensor]] = [:]

    /// Runs `body` with caching on (nested calls share the outer cache, dropped at the end).
    public static func enter() { depth += 1 }
    public static func exit() {
        depth = max(0, depth - 1)
        if depth == 0 { values.removeAll() }
    }
}

extension Module {
    /// `module.parametrizations` when it is the ModuleDict `register_parametrization` made.
    public var parametrizationDict: ModuleDict? { child("parametrizations") as? ModuleDict }

    /// `parametrize.is_parametrized(module, tensor_name=None)`.
    public func isParametrized(_ name: String? = nil) -> Bool {
        guard let d = parametrizationDict, d.count > 0 else { return false }
        return name.map { d.contains($0) } ?? true
    }

    /// The class name repr and `type(m).__name__` show: `ParametrizedLinear` while parametrized.
    public var displayTypeName: String { isParametrized() ? "Parametrized" + typeName : typeName }

    /// `getattr(module, name)` for a parametrized name: the list's `forward()` (or the cached
    /// value inside `parametrize.cached()`); nil when `name` is not parametrized.
    public func parametrizedValue(_ name: String) throws -> Tensor? {
        guard let list = try parametrizationDict.flatMap({ try $0.contains(name) ? $0.item(name) : nil }) as? ParametrizationList else { return nil }
        guard ParametrizeCache.depth > 0 else { return try list.value() }
        let key = ObjectIdentifier(self)
        if let t = ParametrizeCache.values[key]?[name] { return t }
        let t = try list.value()
        ParametrizeCache.values[key, default: [:]][name] = t
        return t
    }

    /// `register_parametrization(module, tensor_name, parametrization, unsafe=False)`.
    public func registerParametrization(_ name: String, _ parametrization: Module, unsafe: Bool) throws {
        parametrization.train(training)
        if isParametrized(name), let list = try parametrizationDict?.item(name) as? ParametrizationList {
            try list.addModule(String(list.count), parametrization)
            return
        }
        let isBuffer: Bool
        let original: Tensor
        if let p = ownParameters[name] ?? nil { original = p; isBuffer = false }
        else if let b = ownBuffers[name] ?? nil { original = b; isBuffer = true }
        else {
            throw TorchError.value("Module '\(reprString())' does not have a parameter, a buffer, or a parametrized element with name '\(name)'")
        }
        let list = try ParametrizationList([parametrization], original: original, isBuffer: isBuffer, unsafe: unsafe)
        ownParameters.removeValue(forKey: name)
        ownBuffers.removeValue(forKey: name)
        if parametrizationDict == nil {
            try addModule("parametrizations", try ModuleDict())
            parametrizationHookID = registerForwardPreHook(.positional { m, _ in
                for key in m.parametrizationDict?.keys ?? [] {
                    if let t = try m.parametrizedValue(key) { m.setPlainTensor(key, t) }
                }
                return nil
            }).id
        }
        try parametrizationDict?.setItem(name, list)
    }

    /// `remove_parametrizations(module, tensor_name, leave_parametrized=True)`.
    public func removeParametrizations(_ name: String, leaveParametrized: Bool) throws {
        guard isParametrized(name), let list = try parametrizationDict?.item(name) as? ParametrizationList else {
            throw TorchError.value("Module \(reprString()) does not have a parametrization on \(name)")
        }
        let restored: Tensor
        if list.isTensor, let original = list.originals.first {
            if leaveParametrized {
                let t = try GradMode.withNoGrad { try list.value() }
                restored = try GradMode.withNoGrad { try ParametrizationList.write(t, into: original) }
            } else {
                restored = original
            }
        } else {
            guard leaveParametrized else {
                throw TorchError.value("Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is parametrized in terms of a sequence of tensors.")
            }
            let t = try list.value()
            restored = t.detach()
            if t.requiresGrad { try restored.markAsParameter() }
        }
        try parametrizationDict?.deleteItem(name)
        instanceAttributes.removeValue(forKey: name)
        removePlainAttribute(name)
        if restored.isParameter { try registerParameter(.string(name), .parameter(restored)) }
        else { try registerBuffer(.string(name), .tensor(restored)) }
        if !isParametrized() {
            ownModules.removeValue(forKey: "parametrizations")
            if let id = parametrizationHookID { forwardPreHooks.removeAll { $0.id == id } }
            parametrizationHookID = nil
        }
    }

    /// `module.name = value` for a parametrized name (the right inverses); false when `name` is
    /// not parametrized.
    public func assignParametrized(_ name: String, _ value: Tensor) throws -> Bool {
        guard let list = try parametrizationDict.flatMap({ try $0.contains(name) ? $0.item(name) : nil }) as? ParametrizationList else { return false }
        try list.assign(value)
        return true
    }
}

/// `torch.nn.utils.parametrizations.weight_norm`'s module: `forward(g, v)` is
/// `torch._weight_norm(v, g, dim)`, `right_inverse(w)` is `(norm_except_dim(w, 2, dim), w)`.
public final class WeightNormParametrization: Module, RightInvertible {
    public let dim: Int
    public init(dim: Int?) {
        self.dim = dim ?? -1
        super.init()
    }

    override public var typeName: String { "_WeightNorm" }
    override public var pythonModuleName: String { "torch.nn.utils.parametrizations" }

    override public func forward(arguments: [Any], keywords: [(String, Any)]) throws -> Any {
        guard arguments.count == 2, keywords.isEmpty, let g = ModuleValueBridge.tensor(from: arguments[0]),
              let v = ModuleValueBridge.tensor(from: arguments[1]) else {
            throw TorchError.type("_WeightNorm.forward() takes 3 positional arguments but \(arguments.count + keywords.count + 1) were given")
        }
        return ModuleValueBridge.wrap(try Reparametrization.weightNorm(v, g, dim))
    }

    public func rightInverse(_ value: Tensor) throws -> RightInverseResult {
        .tensors([try Reparametrization.normExceptDim(value, dim), value])
    }
}
