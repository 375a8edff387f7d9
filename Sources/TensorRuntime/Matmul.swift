/// Matrix products: `matmul` (`@`), `mm`, `bmm`, `mv`, `dot`. Every case runs on one strided
/// batched-gemm engine (Gemm.swift): transposed views go to BLAS as transpose flags, broadcast
/// batch dimensions are stride-0, and nothing is copied unless BLAS can't read a layout.
extension Tensor {
    /// `torch.matmul(self, other)` / `self @ other`, with PyTorch's 1-D and batch-broadcasting rules.
    public func matmul(_ other: Tensor) throws -> Tensor {
        let plan = try MatmulPlan(self, other)
        return try matrixProduct(self, other, batchShape: plan.batchShape, outShape: plan.outShape, gradName: plan.gradName)
    }

    /// `mm`: 2-D × 2-D.
    public func mm(_ other: Tensor) throws -> Tensor {
        guard dim == 2 else { throw TorchError.runtime("mm: self must be a matrix, got \(dim)-D tensor") }
        guard other.dim == 2 else { throw TorchError.runtime("mm: mat2 must be a matrix, got \(other.dim)-D tensor") }
        try checkMM(shape[0], shape[1], other.shape[0], other.shape[1])
        return try matrixProduct(self, other, batchShape: [], outShape: [shape[0], other.shape[1]], gradName: "MmBackward0")
    }

    /// `bmm`: (b×n×m) × (b×m×p), no broadcasting.
    public func bmm(_ other: Tensor) throws -> Tensor {
        guard dim == 3 else { throw TorchError.runtime("batch1 must be a 3D tensor") }
        guard other.dim == 3 else { throw TorchError.runtime("batch2 must be a 3D tensor") }
        guard other.shape[0] == shape[0] && other.shape[1] == shape[2] else {
            throw TorchError.runtime("Expected size for first two dimensions of batch2 tensor to be: [\(shape[0]), \(shape[2])] but got: [\(other.shape[0]), \(other.shape[1])].")
        }
        return try matrixProduct(self, other, batchShape: [shape[0]], outShape: [shape[0], shape[1], other.shape[2]], gradName: "BmmBackward0")
    }

    /// `mv`: 2-D × 1-D.
    public func mv(_ vec: Tensor) throws -> Tensor {
        guard dim == 2 && vec.dim == 1 else {
            throw TorchError.runtime("vector + matrix @ vector expected, got 1, \(dim), \(vec.dim)")
        }
        try checkMV(shape[0], shape[1], vec.shape[0])
        return try matrixProduct(self, vec, batchShape: [], outShape: [shape[0]], gradName: "MvBackward0")
    }

    /// `dot`: 1-D · 1-D → 0-dim.
    public func dot(_ other: Tensor) throws -> Tensor {
        guard dim == 1 && other.dim == 1 else {
            throw TorchError.runtime("1D tensors expected, but got \(dim)D and \(other.dim)D tensors")
        }
        try checkDot(shape[0], other.shape[0])
        return try matrixProduct(self, other, batchShape: [], outShape: [], gradName: "DotBackward0")
    }
}

private func checkMM(_ r1: Int, _ c1: Int, _ r2: Int, _ c2: Int) throws {
    guard c1 == r2 else {
        throw TorchError.runtime("mm: mat1 and mat2 shapes cannot be multiplied (\(r1)x\(c1) and \(r2)x\(c2))")
    }
}

private func checkMV(_ rows: Int, _ cols: Int, _ len: Int) throws {
    guard cols == len else {
        throw TorchError.runtime("size mismatch, got input (\(rows)), mat (\(rows)x\(cols)), vec (\(len))")
    }
}

private func checkDot(_ n1: Int, _ n2: Int) throws {
    guard n1 == n2 else {
        throw TorchError.runtime("inconsistent tensor size, expected tensor [\(n1)] and src [\(n2)] to have the same number of elements, but got \(n1) and \(n2) elements respectively")
    }
}

/// How `torch.matmul` treats a pair of shapes: the result shape, the broadcast batch shape, the
/// grad_fn name PyTorch's decomposition ends in, and its shape errors.
private struct MatmulPlan {
    var batchShape: [Int] = []
    var outShape: [Int] = []
    var gradName = ""

    init(_ a: Tensor, _ b: Tensor) throws {
        let da = a.dim, db = b.dim
        guard da != 0 && db != 0 else {
            throw TorchError.runtime("both arguments to matmul need to be at least 1D, but they are \(da)D and \(db)D")
        }
        let k = a.shape[da - 1]
        let m2 = db == 1 ? b.shape[0] : b.shape[db - 2]
        let p = db == 1 ? 1 : b.shape[db - 1]
        switch (da, db) {
        case (1, 1):
            try checkDot(k, m2)
            gradName = "DotBackward0"
        case (2, 1):
            try checkMV(a.shape[0], k, m2)
            outShape = [a.shape[0]]
            gradName = "MvBackward0"
        case (1, 2):
            try checkMM(1, k, m2, p)
            outShape = [p]
            gradName = "SqueezeBackward4"
        case (2, 2):
            try checkMM(a.shape[0], k, m2, p)
            outShape = [a.shape[0], p]
            gradName = "MmBackward0"
        default:
            if MatmulPlan.shouldFold(a, b) {
                try foldPlan(a, b)
            } else {
                try batchedPlan(a, b)
            }
        }
    }

    /// PyTorch folds an N-D (N ≥ 3) operand into a matrix and calls mm/mv when the other is 1-D
    /// or 2-D and either the small one requires grad or the fold needs no copy.
    static func shouldFold(_ t1: Tensor, _ t2: Tensor) -> Bool {
        let firstLarger = t1.dim >= t2.dim
        let big = firstLarger ? t1 : t2, small = firstLarger ? t2 : t1
        guard big.dim >= 3 && small.dim <= 2 else { return false }
        if small.requiresGrad { return true }
        if t1.dim == 2 { return false }
        if big.numel == 0 { return true }
        // The big operand (transposed when it is the second) folds without a copy when its
        // leading dimensions are contiguous with each other.
        var shape = big.shape, strides = big.strides
        if !firstLarger {
            shape.swapAt(shape.count - 1, shape.count - 2)
            strides.swapAt(strides.count - 1, strides.count - 2)
        }
        for i in 0..<(big.dim - 2) where strides[i] != strides[i + 1] * shape[i + 1] { return false }
        return true
    }

    private mutating func foldPlan(_ a: Tensor, _ b: Tensor) throws {
        let da = a.dim, db = b.dim
        if db <= da {
            // [..., n, k] folded to [N, k] against a matrix or vector.
            let k = a.shape[da - 1], rowsFolded = a.shape.dropLast().reduce(1, *)
            if db == 2 {
                try checkMM(rowsFolded, k, b.shape[0], b.shape[1])
                outShape = Array(a.shape.dropLast()) + [b.shape[1]]
            } else {
                try checkMV(rowsFolded, k, b.shape[0])
                outShape = Array(a.shape.dropLast())
            }
            batchShape = Array(a.shape.dropLast(2))
            gradName = "UnsafeViewBackward0"
        } else {
            // (b.mT folded) @ a.t(), transposed back.
            let m2 = b.shape[db - 2], p = b.shape[db - 1]
            let rowsFolded = b.shape.dropLast(2).reduce(1, *) * p
            batchShape = Array(b.shape.dropLast(2))
            if da == 2 {
                try checkMM(rowsFolded, m2, a.shape[1], a.shape[0])
                outShape = batchShape + [a.shape[0], p]
                gradName = (a.shape[0] == 1 || p == 1) ? "TransposeBackward0" : "CloneBackward0"
            } else {
                try checkMV(rowsFolded, m2, a.shape[0])
                outShape = batchShape + [p]
                gradName = "UnsafeViewBackward0"
            }
        }
    }

    private mutating func batchedPlan(_ a: Tensor, _ b: Tensor) throws {
        let da = a.dim, db = b.dim
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
        if da == 3 && db == 3 && batchA[0] != batchB[0] {
            // PyTorch squeezes a size-1 batch that requires grad and folds instead.
            if batchA[0] == 1 && a.requiresGrad {
                self = try MatmulPlan(a.aliased(shape: Array(a.shape.dropFirst()), strides: Array(a.strides.dropFirst())), b)
                return
            }
            if batchB[0] == 1 && b.requiresGrad {
                self = try MatmulPlan(a, b.aliased(shape: Array(b.shape.dropFirst()), strides: Array(b.strides.dropFirst())))
                return
            }
        }
        batchShape = try broadcastBatchShapes(batchA, batchB)
        let count = batchShape.reduce(1, *)
        let k = a.shape[da - 1], m2 = db == 1 ? b.shape[0] : b.shape[db - 2]
        guard k == m2 else {
            throw TorchError.runtime("Expected size for first two dimensions of batch2 tensor to be: [\(count), \(k)] but got: [\(count), \(m2)].")
        }
        outShape = batchShape + (da > 1 ? [a.shape[da - 2]] : []) + (db > 1 ? [b.shape[db - 1]] : [])
        gradName = "UnsafeViewBackward0"
    }
}

/// Broadcasts two batch shapes (right-aligned), with PyTorch's error.
private func broadcastBatchShapes(_ a: [Int], _ b: [Int]) throws -> [Int] {
    let n = max(a.count, b.count)
    var out = [Int](repeating: 1, count: n)
    for i in 0..<n {
        let da = i < n - a.count ? 1 : a[i - (n - a.count)]
        let db = i < n - b.count ? 1 : b[i - (n - b.count)]
        if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else {
            throw TorchError.runtime("The size of tensor a (\(da)) must match the size of tensor b (\(db)) at non-singleton dimension \(i)")
        }
    }
    return out
}

/// A ≥2-D tensor seen as a batch of matrices aligned to a batch shape (size-1 and missing
/// batch dims get stride 0).
private struct MatrixGeometry {
    var batchStrides: [Int]
    var rows: Int, cols: Int, rowStride: Int, colStride: Int

    init(_ t: Tensor, batchShape: [Int]) {
        let r = t.dim
        (rows, cols, rowStride, colStride) = (t.shape[r - 2], t.shape[r - 1], t.strides[r - 2], t.strides[r - 1])
        batchStrides = [Int](repeating: 0, count: batchShape.count)
        let lead = batchShape.count - (r - 2)
        for i in 0..<(r - 2) where t.shape[i] != 1 { batchStrides[lead + i] = t.strides[i] }
    }

    func matrices<T>(_ t: Tensor, _: T.Type) -> StridedMatrices<T> {
        StridedMatrices(base: t.elements(T.self), batchStrides: batchStrides, rows: rows, cols: cols, rowStride: rowStride, colStride: colStride)
    }

    /// True when several batch indices map to one matrix (its gradient must be summed).
    func isBroadcast(_ batchShape: [Int]) -> Bool {
        zip(batchStrides, batchShape).contains { $0.0 == 0 && $0.1 > 1 }
    }
}

/// The operand as matrices: a 1-D left operand is one row, a 1-D right operand one column.
private func asMatrices(_ t: Tensor, isLeft: Bool) -> Tensor {
    guard t.dim == 1 else { return t }
    let n = t.shape[0], s = t.strides[0]
    return isLeft ? t.aliased(shape: [1, n], strides: [n * s, s]) : t.aliased(shape: [n, 1], strides: [s, 1])
}

/// `out = a @ b` over `batchShape`, recording `gradName` with the backward
/// `ga = g @ bᵀ`, `gb = aᵀ @ g` (summed over broadcast batch dims).
private func matrixProduct(_ a: Tensor, _ b: Tensor, batchShape: [Int], outShape: [Int], gradName: String) throws -> Tensor {
    guard a.dtype == b.dtype else {
        throw TorchError.runtime("expected m1 and m2 to have the same dtype, but got: \(a.dtype.cTypeName) != \(b.dtype.cTypeName)")
    }
    guard a.dtype != .bool else { throw notImplemented("addmm_impl_cpu_", .bool) }
    if a.dtype.isReduced {
        // Storage types multiply in their compute type; autograd goes through the conversions.
        let ct = a.dtype.computeType
        return try matrixProduct(a.converted(to: ct), b.converted(to: ct), batchShape: batchShape, outShape: outShape, gradName: gradName)
            .converted(to: a.dtype)
    }
    let am = asMatrices(a, isLeft: true), bm = asMatrices(b, isLeft: false)
    let n = am.shape[am.dim - 2], p = bm.shape[bm.dim - 1]
    let outMatrixShape = batchShape + [n, p]
    let out = try Tensor(shape: outShape, dtype: a.dtype, zeroed: false)
    try runProduct(am, false, bm, false, into: out.aliased(shape: outMatrixShape), batchShape: batchShape)
    guard GradMode.isEnabled && (a.requiresGrad || b.requiresGrad) else { return out }
    let needA = a.requiresGrad, needB = b.requiresGrad
    return out.recordingGrad(gradName, inputs: [a, b]) { g in
        if GradMode.isEnabled {
            return try RecordedBackward.matmul(g, a, b, needA: needA, needB: needB, outMatrixShape: outMatrixShape)
        }
        let gm = try g.dense().aliased(shape: outMatrixShape)
        var ga: Tensor? = nil, gb: Tensor? = nil
        if needA {
            let t = try Tensor(shape: a.shape, dtype: a.dtype, zeroed: false)
            try runProduct(gm, false, bm, true, into: asMatrices(t, isLeft: true), batchShape: batchShape)
            ga = t
        }
        if needB {
            let t = try Tensor(shape: b.shape, dtype: b.dtype, zeroed: false)
            try runProduct(am, true, gm, false, into: asMatrices(t, isLeft: false), batchShape: batchShape)
            gb = t
        }
        return [ga, gb]
    }
}

/// `out[batch] = op(x)[batch] @ op(y)[batch]` where `op` transposes when asked; `out` is
/// contiguous and uninitialised, and is summed into when it is broadcast over the batch.
private func runProduct(_ x: Tensor, _ transX: Bool, _ y: Tensor, _ transY: Bool, into out: Tensor, batchShape: [Int]) throws {
    let gx = MatrixGeometry(x, batchShape: batchShape), gy = MatrixGeometry(y, batchShape: batchShape)
    let go = MatrixGeometry(out, batchShape: batchShape)
    let accumulate = go.isBroadcast(batchShape)
    if accumulate { out.storage.data.advanced(by: out.storageOffset * out.dtype.itemSize).initializeMemory(as: UInt8.self, repeating: 0, count: out.numel * out.dtype.itemSize) }
    func run<T: GemmElement>(_: T.Type) throws {
        var mx = gx.matrices(x, T.self), my = gy.matrices(y, T.self)
        if transX { mx = mx.transposed }
        if transY { my = my.transposed }
        try KernelCancellation.cancellable { batchedGemm(batchShape: batchShape, mx, my, go.matrices(out, T.self), beta: accumulate ? 1 : 0) }
    }
    switch out.dtype {
    case .float32: try run(Float.self)
    case .float64: try run(Double.self)
    case .int64: try run(Int64.self)
    default: throw notImplemented("addmm_impl_cpu_", out.dtype)
    }
}
