import TensorRuntime

/// A parameter recomputed from others before every forward, as `torch.nn.utils.weight_norm`,
/// `spectral_norm` and `torch.nn.utils.prune` do it: the parameter leaves `_parameters`, its
/// sources are registered instead, and a forward pre-hook stores the recomputed tensor as a plain
/// attribute of the same name (which `Module.parameter(_:)` falls back to, so the layers' kernels
/// read it). Each follows PyTorch's Python code operation by operation.
public final class Reparametrization {
    public enum Kind {
        /// `weight = v * (g / norm_except_dim(v, 2, dim))` from `name_g`, `name_v`.
        case weightNorm(dim: Int)
        /// `weight = weight_orig / σ`, σ from power iteration on buffers `name_u`, `name_v`.
        case spectralNorm(powerIterations: Int, eps: Double, dim: Int)
        /// `weight = weight_orig * weight_mask`; the methods applied so far, oldest first.
        case pruning(methods: [PruningMethod])
    }

    public let name: String
    public internal(set) var kind: Kind
    let hookID: Int

    init(name: String, kind: Kind, hookID: Int) {
        self.name = name
        self.kind = kind
        self.hookID = hookID
    }

    var isPruning: Bool { if case .pruning = kind { return true } else { return false } }
    var isWeightNorm: Bool { if case .weightNorm = kind { return true } else { return false } }
    var isSpectralNorm: Bool { if case .spectralNorm = kind { return true } else { return false } }

    /// The tensor this reparametrisation gives `module.name` now.
    func compute(_ m: Module, powerIteration: Bool) throws -> Tensor {
        switch kind {
        case .weightNorm(let dim):
            return try Reparametrization.weightNorm(try m.source(name + "_v"), try m.source(name + "_g"), dim)
        case .spectralNorm(let iterations, let eps, let dim):
            let weight = try m.source(name + "_orig")
            var u = try m.source(name + "_u", buffer: true), v = try m.source(name + "_v", buffer: true)
            let matrix = try Reparametrization.matrix(weight, dim)
            if powerIteration {
                try GradMode.withNoGrad {
                    for _ in 0..<iterations {
                        try v.copyInPlace(from: try Functional.normalize(try matrix.t().mv(u), dims: [0], eps: eps))
                        try u.copyInPlace(from: try Functional.normalize(try matrix.mv(v), dims: [0], eps: eps))
                    }
                    if iterations > 0 { u = try u.cloned(); v = try v.cloned() }
                }
            }
            return try weight.div(try u.dot(try matrix.mv(v)))
        case .pruning:
            let mask = try m.source(name + "_mask", buffer: true), orig = try m.source(name + "_orig")
            return try mask.converted(to: orig.dtype).mul(orig)
        }
    }

    /// `torch._weight_norm(v, g, dim)`: `v * (g / norm_except_dim(v, 2, dim))`, one
    /// WeightNormInterfaceBackward0 node (gradients: g·(gw − v·⟨gw, v⟩/n²)/n for v, ⟨gw, v⟩/n for g,
    /// the inner products over every dim but `dim`).
    static func weightNorm(_ v: Tensor, _ g: Tensor, _ dim: Int) throws -> Tensor {
        let n = try GradMode.withNoGrad { try normExceptDim(v, dim) }
        let w = try GradMode.withNoGrad { try v.mul(try g.div(n)) }
        return w.recordingGrad("WeightNormInterfaceBackward0", inputs: [v, g]) { gw in
            let product = try gw.mul(v)
            let inner: Tensor
            if dim == -1 { inner = try product.sum() } else {
                let kept = try v.normalizeDim(dim)
                inner = try product.sum(dims: (0..<v.dim).filter { $0 != kept }, keepdim: true)
            }
            let gv = try gw.sub(try v.mul(try inner.div(try n.pow(.int(2))))).mul(try g.div(n))
            return [gv, try inner.div(n)]
        }
    }

    /// `norm_except_dim(v, 2, dim)`: the 2-norm over every dim but `dim`, kept as size-1 dims;
    /// dim -1 means the norm of the whole tensor (PyTorch's convention, whatever v's rank).
    static func normExceptDim(_ v: Tensor, _ dim: Int) throws -> Tensor {
        if dim == -1 { return try v.norm(p: 2) }
        let kept = try v.normalizeDim(dim)
        return try v.norm(p: 2, dims: (0..<v.dim).filter { $0 != kept }, keepdim: true)
    }

    /// `reshape_weight_to_matrix`: `dim` moved first, the rest flattened.
    static func matrix(_ weight: Tensor, _ dim: Int) throws -> Tensor {
        var w = weight
        if dim != 0 {
            let d = try w.normalizeDim(dim)
            w = try w.permute([d] + (0..<w.dim).filter { $0 != d })
        }
        return try w.reshape([w.shape.first ?? 1, -1])
    }
}

extension Module {
    /// A registered parameter (or buffer) a reparametrisation reads.
    fileprivate func source(_ name: String, buffer: Bool = false) throws -> Tensor {
        guard let t = buffer ? self.buffer(name) : ownParameters[name] ?? nil else {
            throw TorchError(.attributeError, "'\(typeName)' object has no attribute '\(name)'")
        }
        return t
    }

    /// `setattr(module, name, tensor)` for a name that is not a parameter: a plain attribute.
    func setPlainTensor(_ name: String, _ t: Tensor) {
        instanceAttributes[name] = ModuleValueBridge.wrap(t)
    }

    /// Adds `r` with its forward pre-hook (recompute `r.name` before every forward).
    func addReparametrization(name: String, kind: Reparametrization.Kind) -> Reparametrization {
        var record: Reparametrization?
        let handle = registerForwardPreHook(.positional { m, _ in
            if let r = record { m.setPlainTensor(r.name, try r.compute(m, powerIteration: m.training)) }
            return nil
        })
        let r = Reparametrization(name: name, kind: kind, hookID: handle.id)
        record = r
        reparametrizations.append(r)
        return r
    }

    /// Drops `r` and its hook.
    func dropReparametrization(_ r: Reparametrization) {
        forwardPreHooks.removeAll { $0.id == r.hookID }
        reparametrizations.removeAll { $0 === r }
    }

    /// The parameter being reparametrised, which must be there.
    fileprivate func parameterToReparametrize(_ name: String) throws -> Tensor {
        guard let t = ownParameters[name] ?? nil else {
            throw TorchError(.attributeError, "'\(typeName)' object has no attribute '\(name)'")
        }
        return t
    }

    /// A new parameter holding `data`'s values (`Parameter(t.data)`: shares its storage).
    fileprivate static func parameter(sharing data: Tensor) throws -> Tensor {
        let p = data.detach()
        try p.markAsParameter()
        return p
    }

    // MARK: weight_norm

    /// `torch.nn.utils.weight_norm(module, name, dim=0)` (dim nil → -1: the whole tensor).
    public func applyWeightNorm(name: String = "weight", dim: Int? = 0) throws {
        if reparametrizations.contains(where: { $0.name == name && $0.isWeightNorm }) {
            throw TorchError.runtime("Cannot register two weight_norm hooks on the same parameter \(name)")
        }
        let weight = try parameterToReparametrize(name), d = dim ?? -1
        removeParameterEntry(name)
        let g = try GradMode.withNoGrad { try Reparametrization.normExceptDim(weight, d) }
        try registerParameter(name + "_g", try Module.parameter(sharing: g))
        try registerParameter(name + "_v", try Module.parameter(sharing: weight))
        let r = addReparametrization(name: name, kind: .weightNorm(dim: d))
        setPlainTensor(name, try r.compute(self, powerIteration: false))
    }

    /// `torch.nn.utils.remove_weight_norm(module, name)`: the current weight as a parameter again.
    public func removeWeightNorm(name: String = "weight") throws {
        guard let r = reparametrizations.first(where: { $0.name == name && $0.isWeightNorm }) else {
            throw TorchError(.valueError, "weight_norm of '\(name)' not found in \(reprString())")
        }
        let weight = try r.compute(self, powerIteration: false)
        dropReparametrization(r)
        instanceAttributes.removeValue(forKey: name)
        removeParameterEntry(name + "_g")
        removeParameterEntry(name + "_v")
        try registerParameter(name, try Module.parameter(sharing: weight))
    }

    // MARK: spectral_norm

    /// `torch.nn.utils.spectral_norm(module, name, n_power_iterations=1, eps=1e-12, dim=None)`
    /// (dim nil: 1 for transposed convolutions, else 0). `u` and `v` start as normalised normal draws.
    public func applySpectralNorm(name: String = "weight", powerIterations: Int = 1, eps: Double = 1e-12, dim: Int? = nil) throws {
        if reparametrizations.contains(where: { $0.name == name && $0.isSpectralNorm }) {
            throw TorchError.runtime("Cannot register two spectral_norm hooks on the same parameter \(name)")
        }
        guard powerIterations > 0 else {
            throw TorchError(.valueError, "Expected n_power_iterations to be positive, but got n_power_iterations=\(powerIterations)")
        }
        let weight = try parameterToReparametrize(name)
        let d = dim ?? (self is ConvTransposeLayer ? 1 : 0)
        let (u, v) = try GradMode.withNoGrad { () -> (Tensor, Tensor) in
            let matrix = try Reparametrization.matrix(weight, d)
            let u = try Functional.normalize(try Tensor.zeros([matrix.shape[0]], dtype: weight.dtype).normalInPlace(), dims: [0], eps: eps)
            let v = try Functional.normalize(try Tensor.zeros([matrix.shape[1]], dtype: weight.dtype).normalInPlace(), dims: [0], eps: eps)
            return (u, v)
        }
        removeParameterEntry(name)
        try registerParameter(name + "_orig", weight)
        setPlainTensor(name, weight.detach())
        try registerBuffer(name + "_u", u)
        try registerBuffer(name + "_v", v)
        _ = addReparametrization(name: name, kind: .spectralNorm(powerIterations: powerIterations, eps: eps, dim: d))
    }

    /// `torch.nn.utils.remove_spectral_norm(module, name)`.
    public func removeSpectralNorm(name: String = "weight") throws {
        guard let r = reparametrizations.first(where: { $0.name == name && $0.isSpectralNorm }) else {
            throw TorchError(.valueError, "spectral_norm of '\(name)' not found in \(reprString())")
        }
        let weight = try GradMode.withNoGrad { try r.compute(self, powerIteration: false) }
        dropReparametrization(r)
        instanceAttributes.removeValue(forKey: name)
        removeBufferEntry(name + "_u")
        removeBufferEntry(name + "_v")
        removeParameterEntry(name + "_orig")
        try registerParameter(name, try Module.parameter(sharing: weight))
    }
}
