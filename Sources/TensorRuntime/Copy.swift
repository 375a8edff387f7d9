/// Strided copies: `contiguous()`, `clone()`, `copy_()`, dtype conversion.
extension Tensor {
    /// Self when already contiguous, else a contiguous copy (autograd-aware).
    public func contiguous() throws -> Tensor {
        if isContiguous { return self }
        return try cloned()
    }

    /// A contiguous copy with its own storage (`clone()`); records `CloneBackward0`.
    public func cloned() throws -> Tensor {
        let out = try Tensor(shape: shape, dtype: dtype, zeroed: false)
        try copyElements(from: self, to: out)
        return out.recordingGrad("CloneBackward0", inputs: [self], savesTensors: false) { g in [g] }
    }

    /// A contiguous copy converted to `dtype` (`to(dtype)`, `float()`, `long()`); self if already that dtype.
    public func converted(to newType: DType) throws -> Tensor {
        if newType == dtype { return self }
        let out = try Tensor(shape: shape, dtype: newType, zeroed: false)
        try copyElements(from: self, to: out)
        if newType.isFloatingPoint && dtype.isFloatingPoint {
            let from = dtype
            out.recordingGrad("ToCopyBackward0", inputs: [self], savesTensors: false) { g in [try g.converted(to: from)] }
        }
        return out
    }

    /// Detached alias sharing storage, with a version counter of its own (`x.data`, internal uses).
    public func detached() -> Tensor {
        let t = Tensor(storage: storage, shape: shape, strides: strides, storageOffset: storageOffset)
        return t
    }

    /// `detach()`: a detached alias that shares the version counter (an in-place change through
    /// either is seen by tensors saved for backward), as PyTorch.
    public func detach() -> Tensor {
        let t = detached()
        let root = base ?? self
        if let shared = root.sharedVersion {
            t.sharedVersion = shared
        } else {
            let shared = SharedVersion(root.versionCounter)
            root.sharedVersion = shared
            t.sharedVersion = shared
        }
        return t
    }

    /// In-place gradient accumulation `self += g` used by AccumulateGrad (no graph, same shape).
    func addInPlaceForGrad(_ g: Tensor) throws {
        try GradMode.withNoGrad { try addInPlace(g) }
    }
}

/// Copies `src` into `dst` element by element (same number of elements in the same logical
/// order; shapes may differ only when both are contiguous), converting dtypes as a cast does.
/// Announces the write to `dst`'s storage (`writeGeneration`; `load_state_dict` copies this way).
public func copyElements(from src: Tensor, to dst: Tensor) throws {
    let n = dst.numel
    guard src.numel == n else {
        throw TorchError.runtime("The size of tensor a (\(dst.numel)) must match the size of tensor b (\(src.numel))")
    }
    if n == 0 { return }
    dst.storage.writeGeneration &+= 1
    if src.dtype == dst.dtype && src.isContiguous && dst.isContiguous {
        let size = src.dtype.itemSize
        (dst.storage.data + dst.storageOffset * size).copyMemory(from: src.storage.data + src.storageOffset * size, byteCount: n * size)
        return
    }
    // Same shape strided copy; contiguous-vs-reshaped falls back to logical order on both sides.
    let srcView = src.shape == dst.shape ? src : try src.contiguous().reshapedView(dst.shape)
    try dispatch(dst.dtype, StridedCopy(src: srcView, dst: dst))
}

private struct StridedCopy: ElementKernel {
    let src: Tensor
    let dst: Tensor
    func run<D: TensorElement>(_: D.Type) throws {
        try dispatch(src.dtype, Source<D>(copy: self))
    }
    /// The inner dispatch, over the source's element type.
    private struct Source<D: TensorElement>: ElementKernel {
        let copy: StridedCopy
        func run<S: TensorElement>(_: S.Type) {
            copy.copy(copy.src.storage.pointer(S.self), copy.dst.storage.pointer(D.self))
        }
    }
    private func copy<S: TensorElement, D: TensorElement>(_ s: UnsafeMutablePointer<S>, _ d: UnsafeMutablePointer<D>) {
        forEachStridedPair(shape: dst.shape, aStrides: src.strides, aOffset: src.storageOffset,
                           bStrides: dst.strides, bOffset: dst.storageOffset) { ia, ib, count, sa, sb in
            var ia = ia, ib = ib
            if S.self == D.self {
                let s2 = UnsafeMutableRawPointer(s).assumingMemoryBound(to: D.self)
                for _ in 0..<count { d[ib] = s2[ia]; ia += sa; ib += sb }
            } else if S.self == Int64.self {
                let s2 = UnsafeMutableRawPointer(s).assumingMemoryBound(to: Int64.self)
                for _ in 0..<count { d[ib] = D(int64: s2[ia]); ia += sa; ib += sb }
            } else {
                for _ in 0..<count { d[ib] = D(converting: s[ia].doubleValue); ia += sa; ib += sb }
            }
        }
    }
}

/// Walks two strided layouts of the same shape together. `body(aIndex, bIndex, count, aStride, bStride)`
/// is called once per innermost row, so the per-element loop inside it is a plain strided loop.
@inline(__always)
public func forEachStridedPair(shape: [Int], aStrides: [Int], aOffset: Int, bStrides: [Int], bOffset: Int,
                               _ body: (Int, Int, Int, Int, Int) -> Void) {
    let rank = shape.count
    if rank == 0 { body(aOffset, bOffset, 1, 0, 0); return }
    if shape.contains(0) { return }
    let inner = shape[rank - 1], sa = aStrides[rank - 1], sb = bStrides[rank - 1]
    var rows = 1
    for i in 0..<(rank - 1) { rows *= shape[i] }
    var counter = [Int](repeating: 0, count: rank)
    var ia = aOffset, ib = bOffset
    for _ in 0..<rows {
        body(ia, ib, inner, sa, sb)
        var d = rank - 2
        while d >= 0 {
            counter[d] += 1
            ia += aStrides[d]; ib += bStrides[d]
            if counter[d] < shape[d] { break }
            ia -= aStrides[d] * shape[d]; ib -= bStrides[d] * shape[d]
            counter[d] = 0
            d -= 1
        }
    }
}

extension Tensor {
    /// A view of a contiguous tensor with a new shape of the same element count (no checks on autograd).
    func reshapedView(_ newShape: [Int]) throws -> Tensor {
        guard isContiguous, try checkedElementCount(newShape) == numel else {
            throw TorchError.runtime("shape '\(shapeDescription(newShape))' is invalid for input of size \(numel)")
        }
        return Tensor(storage: storage, shape: newShape, strides: Tensor.contiguousStrides(newShape), storageOffset: storageOffset)
    }

    /// `self + other` for two tensors of the same shape (gradient accumulation in the backward
    /// pass, which records a graph only under create_graph).
    func addingSameShape(_ other: Tensor) throws -> Tensor {
        guard other.shape == shape else {
            throw TorchError.runtime("The size of tensor a must match the size of tensor b: \(shapeDescription(shape)) vs \(shapeDescription(other.shape))")
        }
        return try add(other)
    }
}

extension Tensor {
    /// `x.data = other`: re-points this tensor at `other`'s storage and geometry (no graph).
    public func setData(_ other: Tensor) throws {
        guard other.dtype == dtype || !requiresGrad || other.dtype.isFloatingPoint else {
            throw TorchError.runtime("data set to a tensor that requires gradients must be floating point or complex dtype")
        }
        storage = other.storage
        shape = other.shape
        strides = other.strides
        storageOffset = other.storageOffset
        bumpVersion()
    }

    /// `detach_()`: cuts this tensor out of the graph in place.
    public func detachInPlace() throws {
        if base != nil && gradFn != nil {
            throw TorchError.runtime("Can't detach views in-place. Use detach() instead.")
        }
        gradFn = nil
        leafRequiresGrad = false
    }
}
