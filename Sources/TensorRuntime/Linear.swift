extension Functional {
    /// `F.linear(x, weight, bias)`: `x @ weightᵀ + bias` for `x` of shape `[*, in]` and a 2-D
    /// `weight` `[out, in]`. One gemm: the output rows are pre-filled with the bias and the
    /// product is added to them (beta = 1); `weightᵀ` goes to BLAS as a transpose flag.
    /// grad_fn names follow PyTorch 2.15's decomposition: `AddmmBackward0` (2-D input with bias),
    /// `UnsafeViewBackward0` (other contiguous input with a 1-D bias, or N-D without bias),
    /// `AddBackward0` (other inputs with a bias), `MmBackward0` (2-D, no bias), …
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
        // x as a [rows, in] matrix: a view when its leading dims merge, else a dense copy.
        let x2 = try flattenedRows(x, rows: rows)
        let out = try Tensor(shape: outShape, dtype: x.dtype, zeroed: false)
        switch x.dtype {
        case .float32: try linearForward(Float.self, x2, weight, bias, out, rows: rows)
        case .float64: try linearForward(Double.self, x2, weight, bias, out, rows: rows)
        case .int64: try linearForward(Int64.self, x2, weight, bias, out, rows: rows)
        default: throw notImplemented("addmm_impl_cpu_", x.dtype)
        }
        let inputs = [x, weight] + (bias.map { [$0] } ?? [])
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return out }
        let name: String
        if bias != nil {
            name = x.dim == 2 ? "AddmmBackward0" : viaAddmm ? "UnsafeViewBackward0" : "AddBackward0"
        } else {
            name = x.dim == 2 ? "MmBackward0" : x.dim == 1 ? "SqueezeBackward4" : "UnsafeViewBackward0"
        }
        let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
        return out.recordingGrad(name, inputs: inputs) { g in
            let g2 = try g.dense().aliased(shape: [rows, outFeatures])
            let gx: Tensor? = needX ? try Tensor(shape: x.shape, dtype: x.dtype, zeroed: false) : nil
            let gw: Tensor? = needW ? try Tensor(shape: weight.shape, dtype: weight.dtype, zeroed: false) : nil
            let gb: Tensor? = needB ? try bias.map { try Tensor(shape: $0.shape, dtype: $0.dtype, zeroed: false) } : nil
            switch x.dtype {
            case .float32: linearBackward(Float.self, g2, x2, weight, gx, gw, gb, rows: rows)
            case .float64: linearBackward(Double.self, g2, x2, weight, gx, gw, gb, rows: rows)
            case .int64: linearBackward(Int64.self, g2, x2, weight, gx, gw, gb, rows: rows)
            default: break
            }
            return [gx, gw] + (bias != nil ? [gb] : [])
        }
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
    gemm(matrix(x2, T.self), matrix(w, T.self).transposed, c, beta: bias == nil ? 0 : 1)
}

/// gx = g·W, gW = gᵀ·x, gb = column sums of g (reduced to the bias's shape).
private func linearBackward<T: GemmElement>(_: T.Type, _ g: Tensor, _ x2: Tensor, _ w: Tensor,
                                            _ gx: Tensor?, _ gw: Tensor?, _ gb: Tensor?, rows: Int) {
    let n = w.shape[0], k = w.shape[1]
    let gm = matrix(g, T.self)
    if let gx {
        let c = StridedMatrices(base: gx.elements(T.self), batchStrides: [], rows: rows, cols: k, rowStride: k, colStride: 1)
        gemm(gm, matrix(w, T.self), c, beta: 0)
    }
    if let gw {
        let c = StridedMatrices(base: gw.elements(T.self), batchStrides: [], rows: n, cols: k, rowStride: k, colStride: 1)
        gemm(gm.transposed, matrix(x2, T.self), c, beta: 0)
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
