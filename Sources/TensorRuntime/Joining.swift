/// `torch.cat` and `torch.stack` with PyTorch's checks and gradients.
extension Tensor {
    /// `torch.cat(tensors, dim)`: joins along an existing dim (CatBackward0). Dtypes are promoted;
    /// legacy 1-D empty tensors are skipped, as PyTorch does.
    public static func cat(_ tensors: [Tensor], dim d: Int = 0) throws -> Tensor {
        guard !tensors.isEmpty else { throw TorchError.value("torch.cat(): expected a non-empty list of Tensors") }
        for (i, t) in tensors.enumerated() where t.dim == 0 {
            throw TorchError.runtime("zero-dimensional tensor (at position \(i)) cannot be concatenated")
        }
        let parts = tensors.filter { !($0.dim == 1 && $0.shape[0] == 0) }
        var p = TypePromotion()
        for t in tensors { p.add(t) }
        let dt = p.result
        guard let first = parts.first else { return try Tensor.zeros([0], dtype: dt) }
        let nd = try first.normalizeDim(d)
        var outShape = first.shape
        var total = 0
        for (i, t) in parts.enumerated() {
            guard t.dim == first.dim else {
                throw TorchError.runtime("Tensors must have same number of dimensions: got \(first.dim) and \(t.dim)")
            }
            for j in 0..<t.dim where j != nd && t.shape[j] != first.shape[j] {
                let index = tensors.firstIndex { $0 === t } ?? i
                throw TorchError.runtime("Sizes of tensors must match except in dimension \(nd). Expected size \(first.shape[j]) but got size \(t.shape[j]) for tensor number \(index) in the list.")
            }
            total += t.shape[nd]
        }
        outShape[nd] = total
        let out = try Tensor.uninitialized(outShape, dt)
        var offset = 0
        var ranges: [(Int, Int)] = []
        for t in parts {
            let n = t.shape[nd]
            let region = try GradMode.withNoGrad { try out.slice(dim: nd, start: offset, end: offset + n) }
            try copyElements(from: t, to: region)
            ranges.append((offset, offset + n))
            offset += n
        }
        try out.adoptLayout(following: first)
        guard GradMode.isEnabled && parts.contains(where: { $0.requiresGrad }) else { return out }
        let targets = parts.map(GradTarget.init)
        return out.recordingGrad("CatBackward0", inputs: parts, savesTensors: false) { g in
            try zip(targets, ranges).map { t, r in try t.reduce(try g.slice(dim: nd, start: r.0, end: r.1)) }
        }
    }

    /// `torch.stack(tensors, dim)`: joins along a new dim (StackBackward0).
    public static func stack(_ tensors: [Tensor], dim d: Int = 0) throws -> Tensor {
        guard let first = tensors.first else { throw TorchError.runtime("stack expects a non-empty TensorList") }
        for (i, t) in tensors.enumerated() where t.shape != first.shape {
            throw TorchError.runtime("stack expects each tensor to be equal size, but got \(shapeDescription(first.shape)) at entry 0 and \(shapeDescription(t.shape)) at entry \(i)")
        }
        let n = first.dim + 1
        guard d >= -n && d < n else {
            throw TorchError.index("Dimension out of range (expected to be in range of [\(-n), \(n - 1)], but got \(d))")
        }
        let nd = d < 0 ? d + n : d
        let out = try GradMode.withNoGrad { try cat(try tensors.map { try $0.unsqueeze(nd) }, dim: nd) }
        guard GradMode.isEnabled && tensors.contains(where: { $0.requiresGrad }) else { return out }
        let targets = tensors.map(GradTarget.init)
        return out.recordingGrad("StackBackward0", inputs: tensors, savesTensors: false) { g in
            try targets.enumerated().map { i, t in try t.reduce(try g.select(dim: nd, index: i)) }
        }
    }

    /// `torch.hstack` / `vstack` conveniences.
    public static func hstack(_ tensors: [Tensor]) throws -> Tensor {
        try cat(tensors, dim: tensors.allSatisfy { $0.dim == 1 } ? 0 : 1)
    }
    public static func vstack(_ tensors: [Tensor]) throws -> Tensor {
        try cat(try tensors.map { $0.dim == 1 ? try $0.unsqueeze(0) : $0 }, dim: 0)
    }
}
