import TensorRuntime

/// How much `torch.nn.utils.prune` removes: a count, or a fraction of the candidates.
public enum PruningAmount {
    case count(Int)
    case fraction(Double)

    /// `_validate_pruning_amount_init`.
    public func validated() throws -> PruningAmount {
        let valid: Bool
        switch self {
        case .count(let n): valid = n >= 0
        case .fraction(let f): valid = (0...1).contains(f)
        }
        guard valid else {
            throw TorchError(.valueError, "amount=\(description) should either be a float in the range [0, 1] or a non-negative integer")
        }
        return self
    }

    var description: String {
        switch self {
        case .count(let n): return String(n)
        case .fraction(let f): return pythonFloatRepr(f)
        }
    }

    /// `_compute_nparams_toprune` (Python's round: halves to even) and `_validate_pruning_amount`.
    func count(of size: Int) throws -> Int {
        switch self {
        case .count(let n):
            guard n <= size else {
                throw TorchError(.valueError, "amount=\(n) should be smaller than the number of parameters to prune=\(size)")
            }
            return n
        case .fraction(let f): return Int((f * Double(size)).rounded(.toNearestOrEven))
        }
    }
}

/// One of `torch.nn.utils.prune`'s methods: how it picks the entries to zero given importance
/// scores `t` and the mask so far (`compute_mask`), and which part of an already pruned tensor it
/// looks at when applied again (`PRUNING_TYPE`, PruningContainer's `_combine_masks`).
public enum PruningMethod {
    case identity
    case l1Unstructured(PruningAmount)
    case randomUnstructured(PruningAmount)
    /// Channels along `dim` with the smallest `n`-norms.
    case lnStructured(PruningAmount, n: Double, dim: Int)
    /// Channels along `dim` chosen at random (one U(0, 1) draw per channel, the lowest pruned).
    case randomStructured(PruningAmount, dim: Int)
    case customFromMask(Tensor)

    /// `compute_mask(t, default_mask)`.
    func computeMask(_ t: Tensor, _ defaultMask: Tensor) throws -> Tensor {
        switch self {
        case .identity: return defaultMask
        case .customFromMask(let mask): return try defaultMask.mul(try mask.converted(to: defaultMask.dtype))
        case .l1Unstructured(let amount), .randomUnstructured(let amount):
            let k = try amount.count(of: t.numel)
            var mask = defaultMask.toDoubles()
            if k != 0 {
                let scores: Tensor
                if case .l1Unstructured = self { scores = try t.abs() } else { scores = try Tensor.rand(t.shape, dtype: t.dtype) }
                let largest: Bool
                if case .l1Unstructured = self { largest = false } else { largest = true }
                let picked = try scores.reshape([-1]).topk(k, largest: largest).indices.toDoubles()
                for i in picked { mask[Int(i)] = 0 }
            }
            return try Tensor(doubles: mask, shape: t.shape, dtype: defaultMask.dtype)
        case .lnStructured(let amount, let n, let dim):
            let d = try t.normalizeDim(dim)
            let size = t.shape[d], k = try amount.count(of: size)
            guard k != 0 else { return defaultMask }
            let norms = try t.norm(p: n, dims: (0..<t.dim).filter { $0 != d })
            let kept = Set(try norms.topk(size - k, largest: true).indices.toDoubles().map { Int($0) })
            let inner = t.shape[(d + 1)...].reduce(1, *)
            var mask = defaultMask.toDoubles()
            for i in 0..<mask.count where !kept.contains((i / inner) % size) { mask[i] = 0 }
            return try Tensor(doubles: mask, shape: t.shape, dtype: t.dtype)
        case .randomStructured(let amount, let dim):
            let d = try t.normalizeDim(dim)
            let size = t.shape[d], k = try amount.count(of: size)
            guard k != 0 else { return defaultMask }
            // `prob > kthvalue(prob, k)` keeps a channel.
            let prob = try Tensor.rand([size]).toDoubles()
            let threshold = prob.sorted()[k - 1]
            let inner = t.shape[(d + 1)...].reduce(1, *)
            var mask = defaultMask.toDoubles()
            for i in 0..<mask.count where !(prob[(i / inner) % size] > threshold) { mask[i] = 0 }
            return try Tensor(doubles: mask, shape: t.shape, dtype: t.dtype)
        }
    }

    /// PruningContainer's `_combine_masks`: this method applied on top of `mask`, looking only at
    /// the entries still unpruned (unstructured), the channels with an unpruned entry (structured),
    /// or everything (custom masks).
    func combined(_ t: Tensor, _ mask: Tensor) throws -> Tensor {
        var newMask = try mask.converted(to: t.dtype).toDoubles()
        let scores = t.toDoubles(), old = mask.toDoubles()
        let positions: [Int]
        let subShape: [Int]
        switch self {
        case .identity, .l1Unstructured, .randomUnstructured:
            positions = old.indices.filter { old[$0] == 1 }
            subShape = [positions.count]
        case .lnStructured(_, _, let dim), .randomStructured(_, let dim):
            let d = try t.normalizeDim(dim)
            let size = t.shape[d], inner = t.shape[(d + 1)...].reduce(1, *)
            var live = [Bool](repeating: false, count: size)
            for i in old.indices where old[i] != 0 { live[(i / inner) % size] = true }
            positions = old.indices.filter { live[($0 / inner) % size] }
            subShape = t.shape.enumerated().map { $0.offset == d ? live.filter { $0 }.count : $0.element }
        case .customFromMask:
            positions = Array(old.indices)
            subShape = t.shape
        }
        let part = try computeMask(try Tensor(doubles: positions.map { scores[$0] }, shape: subShape, dtype: t.dtype),
                                   try Tensor(doubles: positions.map { old[$0] }, shape: subShape, dtype: mask.dtype)).toDoubles()
        for (k, i) in positions.enumerated() { newMask[i] = part[k] }
        return try Tensor(doubles: newMask, shape: t.shape, dtype: t.dtype)
    }
}

extension Module {
    /// The pruning of parameter `name`, if any.
    func pruning(of name: String) -> Reparametrization? {
        reparametrizations.first { $0.name == name && $0.isPruning }
    }

    /// `prune.<method>(module, name, …, importance_scores=None)` (`BasePruningMethod.apply`):
    /// the first time, `name` becomes `name_orig` (the same parameter) and `name_mask`; again,
    /// the new method prunes what the mask left.
    public func applyPruning(_ name: String, _ method: PruningMethod, importanceScores: Tensor? = nil) throws {
        let existing = pruning(of: name)
        guard let current = parameter(name) else {
            throw TorchError(.attributeError, "'\(typeName)' object has no attribute '\(name)'")
        }
        let scores = importanceScores ?? current
        guard scores.shape == current.shape else {
            throw TorchError(.assertionError, "importance_scores should have the same shape as parameter \(name) of \(reprString()), got \(sizeRepr(scores.shape)) vs \(sizeRepr(current.shape))")
        }
        let mask: Tensor
        let methods: [PruningMethod]
        if let existing, case .pruning(let before) = existing.kind {
            let old = try buffer(name + "_mask").map { try $0.detach().cloned() } ?? Tensor.fullLike(current, value: .int(1))
            mask = try GradMode.withNoGrad { try method.combined(scores, old) }
            methods = before + [method]
            dropReparametrization(existing)
        } else {
            do {
                mask = try GradMode.withNoGrad { try method.computeMask(scores, try Tensor.fullLike(current, value: .int(1))) }
            }
            try registerParameter(name + "_orig", current)
            removeParameterEntry(name)
            methods = [method]
        }
        try registerBuffer(name + "_mask", mask)
        let r = addReparametrization(name: name, kind: .pruning(methods: methods))
        setPlainTensor(name, try r.compute(self, powerIteration: false))
    }

    /// `prune.remove(module, name)`: the pruned values written into the original parameter, which
    /// becomes `name` again.
    public func removePruning(_ name: String) throws {
        guard let r = pruning(of: name), let orig = ownParameters[name + "_orig"] ?? nil else {
            throw TorchError(.valueError, "Parameter '\(name)' of module \(reprString()) has to be pruned before pruning can be removed")
        }
        let weight = try r.compute(self, powerIteration: false)
        dropReparametrization(r)
        instanceAttributes.removeValue(forKey: name)
        try GradMode.withNoGrad { _ = try orig.copyInPlace(from: weight) }
        removeParameterEntry(name + "_orig")
        removeBufferEntry(name + "_mask")
        try registerParameter(name, orig)
    }

    /// `prune.is_pruned(module)`: whether this module or one inside it has a pruned parameter.
    public var isPruned: Bool { modules().contains { m in m.reparametrizations.contains { $0.isPruning } } }

    /// `prune.global_unstructured(parameters, pruning_method, importance_scores=None, amount=…)`:
    /// one mask over all the tensors together, applied to each as `custom_from_mask`.
    public static func globalPruning(_ targets: [(Module, String)], _ method: PruningMethod,
                                     importanceScores: [Tensor?]) throws {
        var scores: [Tensor] = [], masks: [Tensor] = []
        for (k, (m, name)) in targets.enumerated() {
            guard let current = m.parameter(name) else {
                throw TorchError(.attributeError, "'\(m.typeName)' object has no attribute '\(name)'")
            }
            let given = importanceScores.indices.contains(k) ? importanceScores[k] : nil
            scores.append(try (given ?? current).reshape([-1]))
            masks.append(try (m.buffer(name + "_mask") ?? Tensor.fullLike(current, value: .int(1))).reshape([-1]))
        }
        let all = try GradMode.withNoGrad { try method.combined(try Tensor.cat(scores, dim: 0), try Tensor.cat(masks, dim: 0)) }
        var start = 0
        for ((m, name), s) in zip(targets, scores) {
            let shape = try m.parameter(name).map(\.shape) ?? [s.numel]
            try m.applyPruning(name, .customFromMask(try all.narrow(dim: 0, start: start, length: s.numel).reshape(shape)))
            start += s.numel
        }
    }
}
