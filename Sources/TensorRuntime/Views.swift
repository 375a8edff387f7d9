/// View operations: new `Tensor` objects over the same storage (`base` points at the tensor that
/// owns the data, as PyTorch's `._base`), with PyTorch's errors and grad_fn names.
extension Tensor {
    // MARK: - Helpers

    /// A view of self with new geometry; `base` is the root tensor whose storage this shares.
    func makeView(_ shape: [Int], _ strides: [Int], _ offset: Int) -> Tensor {
        let v = Tensor(storage: storage, shape: shape, strides: strides, storageOffset: offset)
        adoptAsView(v)
        return v
    }

    /// A gradient for an input of `shape`/`dtype` that is zero except the region `region(zeros)`, which gets `g`.
    /// Under `create_graph` it is itself differentiable (the gradient of the region of it, named
    /// after the view's node as PyTorch's: `SelectBackward0` -> `SelectBackwardBackward0`).
    static func embed(_ g: Tensor, into shape: [Int], dtype: DType, viewName: String,
                      _ region: @escaping (Tensor) throws -> Tensor) throws -> Tensor {
        let z = try Tensor.zeros(shape, dtype: dtype)
        let v = try GradMode.withNoGrad { try region(z) }
        try copyElements(from: try g.cast(dtype), to: v)
        let gradName = (viewName.hasSuffix("0") ? String(viewName.dropLast()) : viewName) + "Backward0"
        return z.recordingGrad(gradName, inputs: [g], savesTensors: false) { gz in [try region(gz)] }
    }

    /// Resolves one `-1` in a requested shape against `numel`, with PyTorch's errors.
    func inferShape(_ requested: [Int]) throws -> [Int] {
        var shape = requested
        var inferred: Int? = nil
        var product = 1
        for (i, d) in requested.enumerated() {
            if d == -1 {
                if inferred != nil { throw TorchError.runtime("only one dimension can be inferred") }
                inferred = i
            } else if d < 0 {
                throw TorchError.runtime("invalid shape dimension \(d) at index \(i) of shape \(shapeDescription(requested))")
            } else {
                let (p, o) = product.multipliedReportingOverflow(by: d)
                if o { throw TorchError.runtime("shape '\(shapeDescription(requested))' is invalid for input of size \(numel)") }
                product = p
            }
        }
        let n = numel
        if let i = inferred {
            if product == 0 && n == 0 {
                throw TorchError.runtime("cannot reshape tensor of 0 elements into shape \(shapeDescription(requested)) because the unspecified dimension size -1 can be any value and is ambiguous")
            }
            guard product > 0, n % product == 0 else {
                throw TorchError.runtime("shape '\(shapeDescription(requested))' is invalid for input of size \(n)")
            }
            shape[i] = n / product
        } else if product != n {
            throw TorchError.runtime("shape '\(shapeDescription(requested))' is invalid for input of size \(n)")
        }
        return shape
    }

    /// Strides that let the current layout be viewed as `newShape`, or nil (PyTorch's `computeStride`).
    func viewStrides(_ newShape: [Int]) -> [Int]? {
        if shape.isEmpty { return [Int](repeating: 1, count: newShape.count) }
        if numel == 0 { return shape == newShape ? strides : Tensor.contiguousStrides(newShape) }
        var newStrides = [Int](repeating: 0, count: newShape.count)
        var viewD = newShape.count - 1
        var chunkBase = strides[strides.count - 1]
        var tensorNumel = 1, viewNumel = 1
        for tensorD in stride(from: shape.count - 1, through: 0, by: -1) {
            tensorNumel *= shape[tensorD]
            if tensorD == 0 || (shape[tensorD - 1] != 1 && strides[tensorD - 1] != tensorNumel * chunkBase) {
                while viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1) {
                    newStrides[viewD] = viewNumel * chunkBase
                    viewNumel *= newShape[viewD]
                    viewD -= 1
                }
                if viewNumel != tensorNumel { return nil }
                if tensorD > 0 {
                    chunkBase = strides[tensorD - 1]
                    tensorNumel = 1
                    viewNumel = 1
                }
            }
        }
        return viewD == -1 ? newStrides : nil
    }

    /// Records `name` on a view whose backward maps `g` back to self's shape with `back`.
    private func recordView(_ v: Tensor, _ name: String, _ back: @escaping (Tensor) throws -> Tensor) -> Tensor {
        guard GradMode.isEnabled && requiresGrad else { return v }
        return v.recordingGrad(name, inputs: [self], savesTensors: false) { g in [try back(g)] }
    }

    // MARK: - view / reshape / flatten

    /// `view(*shape)`: same data, new shape (one -1 allowed); fails when the strides don't allow it.
    /// `gradName` names the backward node when the view stands for what one of PyTorch's fused
    /// kernels returns itself (an LSTM layer's `MkldnnRnnLayerBackward0`), so grad_fn prints as there.
    public func view(_ requested: [Int], gradName: String = "ViewBackward0") throws -> Tensor {
        let newShape = try inferShape(requested)
        guard let st = viewStrides(newShape) else {
            throw TorchError.runtime("view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
        }
        let oldShape = shape
        return recordView(makeView(newShape, st, storageOffset), gradName) { g in try g.reshape(oldShape) }
    }

    /// `reshape(*shape)`: a view when the layout allows it, else a copy (`UnsafeViewBackward0`).
    public func reshape(_ requested: [Int]) throws -> Tensor {
        let newShape = try inferShape(requested)
        if viewStrides(newShape) != nil { return try view(newShape) }
        let copy = try cloned()
        let v = Tensor(storage: copy.storage, shape: newShape, strides: Tensor.contiguousStrides(newShape), storageOffset: 0)
        guard GradMode.isEnabled && copy.requiresGrad else { return v }
        let oldShape = shape
        return v.recordingGrad("UnsafeViewBackward0", inputs: [copy], savesTensors: false) { g in [try g.reshape(oldShape)] }
    }

    /// `flatten(start_dim, end_dim)`.
    public func flatten(startDim: Int = 0, endDim: Int = -1) throws -> Tensor {
        if dim == 0 { return try reshape([1]) }
        let s = try normalizeDim(startDim), e = try normalizeDim(endDim)
        guard s <= e else { throw TorchError.runtime("flatten() has invalid args: start_dim cannot come after end_dim") }
        if s == e { return self }
        let merged = shape[s...e].reduce(1, *)
        return try reshape(Array(shape[..<s]) + [merged] + Array(shape[(e + 1)...]))
    }

    /// `unflatten(dim, sizes)`.
    public func unflatten(dim d: Int, sizes: [Int]) throws -> Tensor {
        let dd = try normalizeDim(d)
        guard !sizes.isEmpty else { throw TorchError.runtime("unflatten: sizes must be non-empty") }
        var known = 1, overflow = false
        for s in sizes where s != -1 {
            let (p, o) = known.multipliedReportingOverflow(by: s)
            (known, overflow) = (p, overflow || o)
        }
        let inferred = sizes.count(where: { $0 == -1 })
        guard inferred > 1 || (!overflow && (inferred == 0 ? known == shape[dd] : known != 0 && shape[dd] % known == 0)) else {
            throw TorchError.runtime("unflatten: Provided sizes \(shapeDescription(sizes)) don't multiply up to the size of dim \(dd) (\(shape[dd])) in the input tensor")
        }
        let inner = try Tensor(storage: storage, shape: [shape[dd]], strides: [1], storageOffset: 0).inferShape(sizes)
        return try view(Array(shape[..<dd]) + inner + Array(shape[(dd + 1)...]))
    }

    // MARK: - transposes

    /// `t()`: transpose of a ≤2-D tensor.
    public func t() throws -> Tensor {
        guard dim <= 2 else { throw TorchError.runtime("t() expects a tensor with <= 2 dimensions, but self is \(dim)D") }
        let v = dim < 2 ? makeView(shape, strides, storageOffset)
                        : makeView([shape[1], shape[0]], [strides[1], strides[0]], storageOffset)
        return recordView(v, "TBackward0") { g in try g.t() }
    }

    /// `transpose(dim0, dim1)`.
    public func transpose(_ d0: Int, _ d1: Int) throws -> Tensor {
        let a = try normalizeDim(d0), b = try normalizeDim(d1)
        var sh = shape, st = strides
        if dim > 0 { sh.swapAt(a, b); st.swapAt(a, b) }
        return recordView(makeView(sh, st, storageOffset), "TransposeBackward0") { g in try g.transpose(a, b) }
    }

    /// `mT` (`mH` and, on matrices, `H` for real tensors): the transpose of the last two dimensions
    /// (TransposeBackward0); a 0-D tensor is returned as is. `property` names the attribute in the error.
    public func matrixTranspose(_ property: String = "mT") throws -> Tensor {
        if dim == 0 { return self }
        guard dim >= 2 else {
            throw TorchError.runtime("tensor.\(property) is only supported on matrices or batches of matrices. Got \(dim)-D tensor.")
        }
        return try transpose(-2, -1)
    }

    /// `permute(*dims)`.
    public func permute(_ dims: [Int]) throws -> Tensor {
        guard dims.count == dim else {
            throw TorchError.runtime("permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = \(dim) is not equal to len(dims) = \(dims.count)")
        }
        var seen = [Bool](repeating: false, count: dim)
        var sh = [Int](), st = [Int]()
        var inverse = [Int](repeating: 0, count: dim)
        for (i, d) in dims.enumerated() {
            let nd = try normalizeDim(d)
            guard !seen[nd] else { throw TorchError.runtime("permute(): duplicate dims are not allowed.") }
            seen[nd] = true
            sh.append(shape[nd]); st.append(strides[nd])
            inverse[nd] = i
        }
        return recordView(makeView(sh, st, storageOffset), "PermuteBackward0") { g in try g.permute(inverse) }
    }

    /// `mT` / `swapaxes`-style convenience: transpose of the last two dims.
    public func transposeLastTwo() throws -> Tensor { try transpose(-2, -1) }

    // MARK: - squeeze / unsqueeze / expand

    /// `squeeze()` (all size-1 dims, SqueezeBackward0) or `squeeze(dim)` (SqueezeBackward1).
    public func squeeze(dim d: Int? = nil) throws -> Tensor {
        let oldShape = shape
        if let d {
            let nd = try normalizeDim(d)
            if dim == 0 || shape[nd] != 1 {
                return recordView(makeView(shape, strides, storageOffset), "SqueezeBackward1") { g in try g.reshape(oldShape) }
            }
            var sh = shape, st = strides
            sh.remove(at: nd); st.remove(at: nd)
            return recordView(makeView(sh, st, storageOffset), "SqueezeBackward1") { g in try g.reshape(oldShape) }
        }
        var sh = [Int](), st = [Int]()
        for i in 0..<dim where shape[i] != 1 { sh.append(shape[i]); st.append(strides[i]) }
        return recordView(makeView(sh, st, storageOffset), "SqueezeBackward0") { g in try g.reshape(oldShape) }
    }

    /// `unsqueeze(dim)`: inserts a size-1 dimension (dim in [-dim-1, dim]).
    public func unsqueeze(_ d: Int) throws -> Tensor {
        let n = dim + 1
        guard d >= -n && d < n else {
            throw TorchError.index("Dimension out of range (expected to be in range of [\(-n), \(n - 1)], but got \(d))")
        }
        let nd = d < 0 ? d + n : d
        var sh = shape, st = strides
        let stride = nd < dim ? shape[nd] * strides[nd] : 1
        sh.insert(1, at: nd); st.insert(stride, at: nd)
        return recordView(makeView(sh, st, storageOffset), "UnsqueezeBackward0") { g in try g.squeeze(dim: nd) }
    }

    /// `expand(*sizes)`: broadcast view with stride 0 (-1 keeps a size).
    public func expand(_ sizes: [Int]) throws -> Tensor {
        guard sizes.count >= dim else {
            throw TorchError.runtime("expand(\(dtype.legacyTypeName){\(shapeDescription(shape))}, size=\(shapeDescription(sizes))): the number of sizes provided (\(sizes.count)) must be greater or equal to the number of dimensions in the tensor (\(dim))")
        }
        let lead = sizes.count - dim
        var sh = [Int](repeating: 0, count: sizes.count), st = [Int](repeating: 0, count: sizes.count)
        for i in (0..<sizes.count).reversed() {   // ATen checks from the last dimension
            let want = sizes[i]
            if i < lead {
                guard want >= 0 else {
                    throw TorchError.runtime("The expanded size of the tensor (\(want)) isn't allowed in a leading, non-existing dimension \(i)")
                }
                sh[i] = want; st[i] = 0
                continue
            }
            let have = shape[i - lead]
            if want == -1 || want == have {
                sh[i] = have; st[i] = strides[i - lead]
            } else if have == 1 && want >= 0 {
                sh[i] = want; st[i] = 0
            } else {
                throw TorchError.runtime("The expanded size of the tensor (\(want)) must match the existing size (\(have)) at non-singleton dimension \(i).  Target sizes: \(shapeDescription(sizes)).  Tensor sizes: \(shapeDescription(shape))")
            }
        }
        _ = try checkedElementCount(sh)
        let oldShape = shape
        return recordView(makeView(sh, st, storageOffset), "ExpandBackward0") { g in try sumToShape(g, oldShape) }
    }

    /// `expand_as(other)`.
    public func expandAs(_ other: Tensor) throws -> Tensor { try expand(other.shape) }

    // MARK: - narrow / slice / select

    /// `narrow(dim, start, length)` (SliceBackward0).
    public func narrow(dim d: Int, start: Int, length: Int) throws -> Tensor {
        guard dim > 0 else { throw TorchError.runtime("narrow() cannot be applied to a 0-dim tensor.") }
        let nd = try normalizeDim(d)
        let size = shape[nd]
        guard start >= -size && start <= size else {
            throw TorchError.index("start out of range (expected to be in range of [\(-size), \(size)], but got \(start))")
        }
        let s = start < 0 ? start + size : start
        guard length >= 0 else { throw TorchError.runtime("narrow(): length must be non-negative.") }
        guard s <= size - length else {
            throw TorchError.runtime("start (\(s)) + length (\(length)) exceeds dimension size (\(size)).")
        }
        return try slice(dim: nd, start: s, end: s + length, step: 1)
    }

    /// `x[start:end:step]` along `dim`, with Python's clamping of out-of-range bounds (SliceBackward0).
    public func slice(dim d: Int, start: Int? = nil, end: Int? = nil, step: Int = 1) throws -> Tensor {
        guard dim > 0 else { throw TorchError.index("slice() cannot be applied to a 0-dim tensor.") }
        guard step > 0 else { throw TorchError.value("step must be greater than zero") }
        let nd = try normalizeDim(d)
        let size = shape[nd]
        func clampIndex(_ i: Int?, _ dflt: Int) -> Int {
            guard var i else { return dflt }
            if i < 0 { i = Swift.max(i + size, 0) }
            return Swift.min(i, size)
        }
        let s = clampIndex(start, 0)
        let e = Swift.max(clampIndex(end, size), s)
        var sh = shape, st = strides
        // Written so a huge step (`x[::2**62]`) can't overflow: the stride is only scaled when
        // the slice keeps two or more elements, and then step < size.
        sh[nd] = e == s ? 0 : (e - s - 1) / step + 1
        st[nd] = sh[nd] > 1 ? strides[nd] * step : strides[nd]
        let v = makeView(sh, st, storageOffset + s * strides[nd])
        let oldShape = shape, dt = dtype
        return recordView(v, "SliceBackward0") { g in
            try Tensor.embed(g, into: oldShape, dtype: dt, viewName: "SliceBackward0") { try $0.slice(dim: nd, start: s, end: e, step: step) }
        }
    }

    /// `select(dim, index)`: removes `dim`, taking one index (SelectBackward0).
    public func select(dim d: Int, index: Int) throws -> Tensor {
        guard dim > 0 else { throw TorchError.index("select() cannot be applied to a 0-dim tensor.") }
        let nd = try normalizeDim(d)
        let size = shape[nd]
        guard index >= -size && index < size else {
            throw TorchError.index("select(): index \(index) out of range for tensor of size \(shapeDescription(shape)) at dimension \(nd)")
        }
        return try selectUnchecked(nd, index < 0 ? index + size : index, name: "SelectBackward0")
    }

    /// select with a normalised dim and index.
    func selectUnchecked(_ nd: Int, _ i: Int, name: String) throws -> Tensor {
        var sh = shape, st = strides
        sh.remove(at: nd); st.remove(at: nd)
        let v = makeView(sh, st, storageOffset + i * strides[nd])
        let oldShape = shape, dt = dtype
        return recordView(v, name) { g in
            try Tensor.embed(g, into: oldShape, dtype: dt, viewName: name) { try $0.selectUnchecked(nd, i, name: name) }
        }
    }

    /// `diagonal(offset=0, dim1=0, dim2=1)`: a view of the `offset`-th diagonal of the planes
    /// spanned by `dim1` and `dim2`, which are removed and replaced by a last dim of the
    /// diagonal's length (DiagonalBackward0), as PyTorch's.
    public func diagonal(offset: Int = 0, dim1: Int = 0, dim2: Int = 1) throws -> Tensor {
        let d1 = try normalizeDim(dim1), d2 = try normalizeDim(dim2)
        guard d1 != d2 else { throw TorchError.runtime("diagonal dimensions cannot be identical \(dim1), \(dim2)") }
        let length = offset >= 0 ? Swift.min(shape[d1], shape[d2] - offset) : Swift.min(shape[d1] + offset, shape[d2])
        let size = Swift.max(length, 0)
        var start = storageOffset
        if size > 0 { start += offset >= 0 ? offset * strides[d2] : -offset * strides[d1] }
        var sh = shape, st = strides
        for d in [Swift.max(d1, d2), Swift.min(d1, d2)] {
            sh.remove(at: d)
            st.remove(at: d)
        }
        sh.append(size)
        st.append(strides[d1] + strides[d2])
        let oldShape = shape, dt = dtype
        return recordView(makeView(sh, st, start), "DiagonalBackward0") { g in
            try Tensor.embed(g, into: oldShape, dtype: dt, viewName: "DiagonalBackward0") { try $0.diagonal(offset: offset, dim1: d1, dim2: d2) }
        }
    }

    // MARK: - unbind / split / chunk

    /// `unbind(dim)`: the slices along `dim` (each records UnbindBackward0).
    public func unbind(dim d: Int = 0) throws -> [Tensor] {
        guard dim > 0 else { throw TorchError.runtime("Dimension specified as 0 but tensor has no dimensions") }
        let nd = try normalizeDim(d)
        return try (0..<shape[nd]).map { i in
            let v = try selectUnchecked(nd, i, name: "UnbindBackward0")
            v.markMultiOutputView(i)
            return v
        }
    }

    /// `split(split_size, dim)`: pieces of `splitSize` (the last may be smaller), SplitBackward0.
    public func split(_ splitSize: Int, dim d: Int = 0) throws -> [Tensor] {
        guard dim > 0 else { throw TorchError.runtime("split expects at least a 1-dimensional tensor") }
        guard splitSize >= 0 else { throw TorchError.runtime("split expects split_size be non-negative, but got split_size=\(splitSize)") }
        let nd = try normalizeDim(d)
        let size = shape[nd]
        if splitSize == 0 {
            guard size == 0 else { throw TorchError.runtime("split_size can only be 0 if dimension size is 0, but got dimension size of \(size)") }
            return [try piece(nd, 0, 0, "SplitBackward0", output: 0)]
        }
        return try stride(from: 0, to: Swift.max(size, 1), by: splitSize).enumerated().map { i, start in
            try piece(nd, start, Swift.min(start + splitSize, size), "SplitBackward0", output: i)
        }
    }

    /// `split([sizes], dim)` (SplitWithSizesBackward0).
    public func split(sizes: [Int], dim d: Int = 0) throws -> [Tensor] {
        guard dim > 0 else { throw TorchError.runtime("split expects at least a 1-dimensional tensor") }
        let nd = try normalizeDim(d)
        guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == shape[nd] else {
            throw TorchError.runtime("split_with_sizes expects split_sizes to sum exactly to \(shape[nd]) (input tensor's size at dimension \(nd)), but got split_sizes=\(shapeDescription(sizes))")
        }
        var start = 0
        return try sizes.enumerated().map { i, n in
            defer { start += n }
            return try piece(nd, start, start + n, "SplitWithSizesBackward0", output: i)
        }
    }

    /// `chunk(chunks, dim)`: split into pieces of ceil(size / chunks).
    public func chunk(_ chunks: Int, dim d: Int = 0) throws -> [Tensor] {
        guard dim > 0 else { throw TorchError.runtime("chunk expects at least a 1-dimensional tensor") }
        guard chunks > 0 else { throw TorchError.runtime("chunk expects `chunks` to be greater than 0, got: \(chunks)") }
        let nd = try normalizeDim(d)
        let size = shape[nd]
        return try split(size / chunks + (size % chunks == 0 ? 0 : 1), dim: nd)
    }

    private func piece(_ nd: Int, _ s: Int, _ e: Int, _ name: String, output: Int) throws -> Tensor {
        var sh = shape
        sh[nd] = e - s
        let v = makeView(sh, strides, storageOffset + s * strides[nd])
        v.markMultiOutputView(output)
        let oldShape = shape, dt = dtype
        return recordView(v, name) { g in
            try Tensor.embed(g, into: oldShape, dtype: dt, viewName: name) { try $0.slice(dim: nd, start: s, end: e) }
        }
    }

    // MARK: - repeat

    /// `repeat(*sizes)`: tiles the tensor (a copy; RepeatBackward0).
    public func repeated(_ sizes: [Int]) throws -> Tensor {
        guard sizes.count >= dim else {
            throw TorchError.runtime("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
        }
        let padded = [Int](repeating: 1, count: sizes.count - dim) + shape
        var interleaved = [Int](), expanded = [Int](), final = [Int]()
        for (r, s) in zip(sizes, padded) {
            let (n, overflow) = r.multipliedReportingOverflow(by: s)
            guard !overflow else { throw TorchError.runtime("numel: integer multiplication overflow") }
            interleaved += [1, s]; expanded += [r, s]; final.append(n)
        }
        // As ATen, a negative count is found in the result's shape ([-2, 6] for repeat(-1, 2) of 2x3).
        if let negative = final.first(where: { $0 < 0 }) {
            throw TorchError.runtime("Trying to create tensor with negative dimension \(negative): \(shapeDescription(final))")
        }
        let out: Tensor = try GradMode.withNoGrad {
            try self.reshape(interleaved).expand(expanded).contiguous().view(final)
        }
        guard GradMode.isEnabled && requiresGrad else { return out }
        let t = GradTarget(self), outerDims = Array(stride(from: 0, to: 2 * sizes.count, by: 2))
        return out.recordingGrad("RepeatBackward0", inputs: [self], savesTensors: false) { g in
            [try t.reduce(try g.reshape(expanded).sum(dims: outerDims).reshape(t.shape))]
        }
    }
}
