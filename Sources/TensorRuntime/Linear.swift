extension Functional {
    /// `F.linear(x, weight, bias)`: `x @ weightᵀ + bias` for `x` of shape `[*, in]` and a 2-D
    /// `weight` `[out, in]`. One gemm: the output rows are pre-filled with the bias and the
    /// product is added to them (beta = 1); `weightᵀ` goes to BLAS as a transpose flag.
    /// The autograd graph is PyTorch 2.15's decomposition, node for node (`next_functions`
    /// included): `AddmmBackward0(bias, mat1, TBackward0(weight))` for a 2-D input with a bias,
    /// `MmBackward0(mat1, TBackward0(weight))` without; other inputs are first flattened to
    /// `mat1` (`ViewBackward0`, `UnsqueezeBackward0`, or `UnsafeViewBackward0(CloneBackward0)` when
    /// they need a copy) and the result viewed back (`UnsafeViewBackward0`, `SqueezeBackward4`);
    /// an input that needs a copy takes its bias through `AddBackward0`. The data still comes
    /// from one gemm; only the recorded nodes follow PyTorch.
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
        guard x.dim != 0 && weight.dim != 0 else {
            throw TorchError.runtime("both arguments to linear need to be at least 1D, but they are \(x.dim)D and \(weight.dim)D")
        }
        guard weight.dim == 2 else {
            // Rare: a 1-D weight is a dot product per row; matmul covers it (no bias support needed).
            guard bias == nil else { throw TorchError.runtime("linear: a 1-D weight with a bias is not supported") }
            return try x.matmul(weight)
        }
        let inFeatures = weight.shape[1], outFeatures = weight.shape[0]
        let k = x.shape[x.dim - 1]
        let rows = x.shape.dropLast().reduce(1, *)
        // PyTorch 2.15 flattens a contiguous input with a 1-D bias into one addmm (then an
        // unsafe view); other inputs with a bias are a matmul plus an add.
        let viaAddmm = bias.map { x.dim == 2 || (x.isContiguous && $0.dim == 1) } ?? false
        guard k == inFeatures else {
            let message = "mat1 and mat2 shapes cannot be multiplied (\(rows)x\(k) and \(inFeatures)x\(outFeatures))"
            throw TorchError.runtime((viaAddmm ? "addmm: " : "mm: ") + message)
        }
        guard x.dtype == weight.dtype, bias.map({ $0.dtype == x.dtype }) ?? true else {
            let other = x.dtype == weight.dtype ? bias?.dtype ?? weight.dtype : weight.dtype
            throw TorchError.runtime("mat1 and mat2 must have the same dtype, but got \(x.dtype.atenName) and \(other.atenName)")
        }
        guard x.dtype != .bool else { throw notImplemented("addmm_impl_cpu_", .bool) }
        if x.dtype.isReduced {
            // Storage types compute in their compute type; autograd goes through the conversions.
            let ct = x.dtype.computeType
            return try linear(x.converted(to: ct), weight: weight.converted(to: ct), bias: bias?.converted(to: ct)).converted(to: x.dtype)
        }
        if let b = bias {
            let ok = b.numel == 1 && b.dim <= 1 || b.shape == [outFeatures] || (x.dim == 2 && b.shape == [rows, outFeatures])
            guard ok else {
                throw TorchError.runtime("The size of tensor a (\(b.shape.last ?? 1)) must match the size of tensor b (\(outFeatures)) at non-singleton dimension \(max(b.dim - 1, 0))")
            }
        }
        let outShape = Array(x.shape.dropLast()) + [outFeatures]
        let inputs = [x, weight] + (bias.map { [$0] } ?? [])
        let tracked = GradMode.isEnabled && inputs.contains(where: { $0.requiresGrad })
        // x as a [rows, in] matrix: a view when its leading dims merge, else a dense copy. When
        // a graph is recorded, it is PyTorch's mat1 (its flattening recorded as PyTorch does).
        let x2: Tensor
        if tracked && x.dim != 2 {
            x2 = x.dim == 1 ? (bias == nil ? try x.unsqueeze(0) : try x.view([1, k])) : try x.reshape([rows, k])
        } else {
            x2 = try flattenedRows(x, rows: rows)
        }
        let out = try Tensor(shape: outShape, dtype: x.dtype, zeroed: false)
        switch x.dtype {
        case .float32: try linearForward(Float.self, x2, weight, bias, out, rows: rows)
        case .float64: try linearForward(Double.self, x2, weight, bias, out, rows: rows)
        case .int64: try linearForward(Int64.self, x2, weight, bias, out, rows: rows)
        default: throw notImplemented("addmm_impl_cpu_", x.dtype)
        }
        guard tracked else { return out }
        return try recordLinearGraph(out, mat1: x2, weight: weight, bias: bias, xDim: x.dim, viaAddmm: viaAddmm)
    }

    /// Records linear's graph as PyTorch 2.15 does (see `linear`): the product node over
    /// `(bias,) mat1, weightᵀ`, then the view back to the input's leading shape, then the bias
    /// add when it was not part of the product. `out` already holds the result.
    private static func recordLinearGraph(_ out: Tensor, mat1 x2: Tensor, weight: Tensor, bias: Tensor?,
                                          xDim: Int, viaAddmm: Bool) throws -> Tensor {
        let rows = x2.shape[0], outFeatures = weight.shape[0]
        let weightT = try weight.t()
        let biasInProduct = bias != nil && viaAddmm
        let needX = x2.requiresGrad, needW = weight.requiresGrad, needB = biasInProduct && bias?.requiresGrad == true
        // The product node: gradients of (bias,) mat1 and weightᵀ — the latter as the transpose
        // of a contiguous [out, in] buffer, so TBackward0 hands the weight a contiguous gradient.
        let productInputs = (biasInProduct ? bias.map { [$0] } ?? [] : []) + [x2, weightT]
        let product = xDim == 2 ? out : out.aliased(shape: [rows, outFeatures])
        let productNode = product.recordingGrad(biasInProduct ? "AddmmBackward0" : "MmBackward0", inputs: productInputs) { g in
            if GradMode.isEnabled {
                return try RecordedBackward.linearProduct(g, mat1: x2, weightT: weightT, bias: biasInProduct ? bias : nil)
            }
            let g2 = try g.dense()
            let gx: Tensor? = needX ? try Tensor(shape: x2.shape, dtype: x2.dtype, zeroed: false) : nil
            let gw: Tensor? = needW ? try Tensor(shape: weight.shape, dtype: weight.dtype, zeroed: false) : nil
            let gb: Tensor? = needB ? try bias.map { try Tensor(shape: $0.shape, dtype: $0.dtype, zeroed: false) } : nil
            try KernelCancellation.cancellable {
                switch x2.dtype {
                case .float32: linearBackward(Float.self, g2, x2, weight, gx, gw, gb, rows: rows)
                case .float64: linearBackward(Double.self, g2, x2, weight, gx, gw, gb, rows: rows)
                case .int64: linearBackward(Int64.self, g2, x2, weight, gx, gw, gb, rows: rows)
                default: break
                }
            }
            let gwT = try gw.map { try $0.detached().t() }
            return (biasInProduct ? [gb] : []) + [gx, gwT]
        }
        if xDim == 2 && (bias == nil || biasInProduct) { return productNode }
        // Back to the input's leading shape.
        var result = productNode
        if xDim != 2 {
            let viewName = xDim == 1 && bias == nil ? "SqueezeBackward4" : "UnsafeViewBackward0"
            let target = biasInProduct ? out : out.aliased(shape: out.shape)
            result = target.recordingGrad(viewName, inputs: [productNode], savesTensors: false) { g in
                if GradMode.isEnabled { return [try g.reshape([rows, outFeatures])] }   // create_graph: a recorded view
                return [try g.dense().aliased(shape: [rows, outFeatures])]
            }
        }
        guard let bias, !biasInProduct else { return result }
        // A flattened copy of the input takes its bias through an add (the data has it already).
        let tb = GradTarget(bias)
        return out.recordingGrad("AddBackward0", inputs: [result, bias], savesTensors: false) { g in [g, try tb.reduce(g)] }
    }
}

/// `x` as a `[rows, in]` matrix: a view when its leading dimensions merge into one of a
/// single stride (size-1 dimensions, whose strides are arbitrary, are skipped), else a dense copy.
func flattenedRows(_ x: Tensor, rows: Int) throws -> Tensor {
    let k = x.shape[x.dim - 1], colStride = x.strides[x.dim - 1]
    if x.dim == 2 { return x }
    if x.dim == 1 { return x.aliased(shape: [1, k], strides: [max(k, 1) * colStride, colStride]) }
    guard let rowStride = mergedStride(shape: x.shape.dropLast(), strides: x.strides.dropLast()) else {
        let dense = try x.dense()
        return dense.aliased(shape: [rows, k], strides: [k, 1])
    }
    return x.aliased(shape: [rows, k], strides: [rows <= 1 ? max(k, 1) : rowStride, colStride])
}

/// The stride of dimensions `shape` read as one flat dimension, or nil when they do not merge;
/// size-1 dimensions are ignored (their stride is never used).
func mergedStride(shape: ArraySlice<Int>, strides: ArraySlice<Int>) -> Int? {
    var innermost: Int? = nil, expected = 0
    for (size, stride) in zip(shape, strides).reversed() where size != 1 {
        if innermost == nil { innermost = stride } else if stride != expected { return nil }
        expected = stride * size
    }
    return innermost ?? 1
}

private func matrix<T>(_ t: Tensor, _: T.Type) -> StridedMatrices<T> {
    StridedMatrices(base: t.elements(T.self), batchStrides: [], rows: t.shape[0], cols: t.shape[1],
                    rowStride: t.strides[0], colStride: t.strides[1])
}

private func linearForward<T: GemmElement>(_: T.Type, _ x2: Tensor, _ w: Tensor, _ bias: Tensor?, _ out: Tensor, rows: Int) throws {
    let n = w.shape[0]
    let o = out.elements(T.self)
    if let b = bias {
        if b.dim == 2 {
            try copyElements(from: b, to: out.aliased(shape: [rows, n]))
        } else {
            let bd = try b.dense(), bp = bd.elements(T.self)
            let step = bd.numel == 1 ? 0 : 1
            for r in 0..<rows {
                let row = o + r * n
                for j in 0..<n { row[j] = bp[j * step] }
            }
        }
    }
    let c = StridedMatrices(base: o, batchStrides: [], rows: rows, cols: n, rowStride: n, colStride: 1)
    try KernelCancellation.cancellable { gemm(matrix(x2, T.self), matrix(w, T.self).transposed, c, beta: bias == nil ? 0 : 1) }
}

/// gx = g·W, gW = gᵀ·x (in OpenBLAS's order, B read in place where BLASOrderGemm applies), gb =
/// column sums of g (reduced to the bias's shape).
private func linearBackward<T: GemmElement>(_: T.Type, _ g: Tensor, _ x2: Tensor, _ w: Tensor,
                                            _ gx: Tensor?, _ gw: Tensor?, _ gb: Tensor?, rows: Int) {
    let n = w.shape[0], k = w.shape[1]
    let gm = matrix(g, T.self)
    if let gx {
        let c = StridedMatrices(base: gx.elements(T.self), batchStrides: [], rows: rows, cols: k, rowStride: k, colStride: 1)
        BLASOrderGemm.gemmInBLASOrder(gm, matrix(w, T.self), c, beta: 0)
    }
    if let gw, rows == 1 {
        // One row: an outer product, written directly so signs of zero are those of each
        // product (a gemm adds the products to +0, turning PyTorch's -0. into 0.).
        let gp = g.elements(T.self), xp = x2.elements(T.self), xs = x2.strides[1], wp = gw.elements(T.self)
        for i in 0..<n {
            for j in 0..<k { wp[i * k + j] = gp[i] * xp[j * xs] }
        }
    } else if let gw {
        let c = StridedMatrices(base: gw.elements(T.self), batchStrides: [], rows: n, cols: k, rowStride: k, colStride: 1)
        BLASOrderGemm.gemmInBLASOrder(gm.transposed, matrix(x2, T.self), c, beta: 0)
    }
    if let gb {
        let gp = g.elements(T.self), bp = gb.elements(T.self)
        if gb.dim == 2 {
            for i in 0..<(rows * n) { bp[i] = gp[i] }
        } else if gb.numel == 1 {
            var s: T = 0
            for i in 0..<(rows * n) { s += gp[i] }
            bp[0] = s
        } else {
            for j in 0..<n { bp[j] = 0 }
            for r in 0..<rows {
                let row = gp + r * n
                for j in 0..<n { bp[j] += row[j] }
            }
        }
    }
}
