/// `flip(dims)`: a copy with the order of elements reversed along `dims` (FlipBackward0).
extension Tensor {
    /// `flip(dims)`; each dim may appear once (PyTorch's "appears multiple times" error).
    public func flip(_ dims: [Int]) throws -> Tensor {
        var flipped = [Bool](repeating: false, count: Swift.max(dim, 1))
        for d in dims {
            let nd = try normalizeDim(d)
            guard !flipped[nd] else { throw TorchError.runtime("dim \(nd) appears multiple times in the list of dims") }
            flipped[nd] = true
        }
        // A view walking the flipped dims backwards (never escapes: only read below).
        var offset = storageOffset, st = strides
        for i in 0..<dim where flipped[i] && shape[i] > 0 {
            offset += (shape[i] - 1) * strides[i]
            st[i] = -strides[i]
        }
        let source = Tensor(storage: storage, shape: shape, strides: st, storageOffset: offset)
        let out = try Tensor.uninitialized(shape, dtype)
        try dispatch(dtype, GatherCopy(source: source, out: out))
        guard GradMode.isEnabled && requiresGrad else { return out }
        return out.recordingGrad("FlipBackward0", inputs: [self], savesTensors: false) { g in [try g.flip(dims)] }
    }
}

/// Copies `source` (any strides, including negative ones) into the contiguous `out` in logical order.
private struct GatherCopy: ElementKernel {
    let source: Tensor, out: Tensor

    func run<T: TensorElement>(_: T.Type) {
        let src = source.storage.pointer(T.self), dst = out.elements(T.self)
        var k = 0
        source.forEachStorageIndex { s in
            dst[k] = src[s]
            k += 1
        }
    }
}
