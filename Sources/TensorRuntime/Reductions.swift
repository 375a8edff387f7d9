/// Reductions over `dims` (nil = all) with `keepdim`: sum, mean, var, std, max/min (with indices),
/// argmax/argmin, prod, all, any, norm — with gradients where PyTorch has them.

/// Which dims are reduced and how to walk them: the kept dims index the (contiguous) output, the
/// reduced dims form one coalesced block walked per output element.
struct ReducePlan {
    let keptShape: [Int]
    let keptStrides: [Int]
    let block: StridedGeometry
    let blockCount: Int
    /// Output shape with the reduced dims kept as 1.
    let keepShape: [Int]
    /// Output shape as returned (`keepShape` or with the reduced dims removed).
    let outShape: [Int]
    let reduced: [Bool]

    init(_ t: Tensor, dims: [Int]?, keepdim: Bool) throws {
        var red = [Bool](repeating: dims == nil || dims?.isEmpty == true, count: t.dim)
        if let dims, !dims.isEmpty {
            for d in dims {
                let nd = try t.normalizeDim(d)
                if t.dim == 0 { continue }
                guard !red[nd] else { throw TorchError.runtime("dim \(nd) appears multiple times in the list of dims") }
                red[nd] = true
            }
        }
        var ks = [Int](), kst = [Int](), rs = [Int](), rst = [Int](), keep = [Int](), out = [Int]()
        for i in 0..<t.dim {
            if red[i] {
                rs.append(t.shape[i]); rst.append(t.strides[i]); keep.append(1)
                if keepdim { out.append(1) }
            } else {
                ks.append(t.shape[i]); kst.append(t.strides[i]); keep.append(t.shape[i]); out.append(t.shape[i])
            }
        }
        keptShape = ks; keptStrides = kst
        block = StridedGeometry(shape: rs, [rst, rst])
        blockCount = rs.reduce(1, *)
        keepShape = keep; outShape = out; reduced = red
    }

    /// Calls `body(outputIndex, inputOffset)` for each output element in row-major order.
    @inline(__always)
    func forEachOutput(_ body: (Int, Int) -> Void) {
        let n = keptShape.reduce(1, *)
        if n == 0 { return }
        let rank = keptShape.count
        var counter = [Int](repeating: 0, count: rank)
        var offset = 0
        for o in 0..<n {
            body(o, offset)
            var d = rank - 1
            while d >= 0 {
                counter[d] += 1
                offset += keptStrides[d]
                if counter[d] < keptShape[d] { break }
                offset -= keptStrides[d] * keptShape[d]
                counter[d] = 0
                d -= 1
            }
        }
    }
}

/// A fold over one reduced block: `combine` sees elements in logical order with their position.
protocol Reduction {
    associatedtype T
    associatedtype Acc
    var initial: Acc { get }
    func combine(_ acc: inout Acc, _ x: T, _ k: Int)
}

/// Runs `r` over every block of `plan` for the elements at `p`; `write(outIndex, acc)` stores results.
@inline(__always)
func runReduction<R: Reduction>(_ r: R, _ plan: ReducePlan, _ p: UnsafeMutablePointer<R.T>, _ write: (Int, R.Acc) -> Void) {
    plan.forEachOutput { o, base in
        var acc = r.initial
        var k = 0
        plan.block.forEachRow { off, count, s in
            var i = base + off.0
            let st = s.0
            for _ in 0..<count { r.combine(&acc, p[i], k); i += st; k += 1 }
        }
        write(o, acc)
    }
}

struct SumReduction<T: ArithElement, A: ArithElement>: Reduction {
    var initial: A { A.zero }
    @inline(__always) func combine(_ acc: inout A, _ x: T, _ k: Int) { acc = A.add(acc, A(converting: x.doubleValue)) }
}
struct SameTypeSumReduction<T: ArithElement>: Reduction {
    var initial: T { T.zero }
    @inline(__always) func combine(_ acc: inout T, _ x: T, _ k: Int) { acc = T.add(acc, x) }
}
struct ProdReduction<T: ArithElement>: Reduction {
    var initial: T { T.one }
    @inline(__always) func combine(_ acc: inout T, _ x: T, _ k: Int) { acc = T.mul(acc, x) }
}
/// Max or min with the first index where it occurs; NaN wins (first NaN).
struct ExtremeReduction<T: ArithElement>: Reduction {
    let isMax: Bool
    var initial: (T, Int) { (T.zero, -1) }
    @inline(__always) func combine(_ acc: inout (T, Int), _ x: T, _ k: Int) {
        if acc.1 < 0 { acc = (x, k); return }
        if acc.0.isNaNValue { return }
        if x.isNaNValue || (isMax ? T.lessThan(acc.0, x) : T.lessThan(x, acc.0)) { acc = (x, k) }
    }
}
struct TruthReduction<T: ArithElement>: Reduction {
    let all: Bool
    var initial: Bool { all }
    @inline(__always) func combine(_ acc: inout Bool, _ x: T, _ k: Int) {
        let nz = !T.equal(x, T.zero)
        acc = all ? (acc && nz) : (acc || nz)
    }
}

private struct SumKernel: ArithKernel {
    let input: Tensor, plan: ReducePlan, out: Tensor
    func run<T: ArithElement>(_: T.Type) {
        // Floats are summed in PyTorch's order so results match it bit for bit.
        if T.self == Float.self {
            CascadeSum.run(Float.self, input, plan, out)
        } else if T.self == Double.self {
            CascadeSum.run(Double.self, input, plan, out)
        } else {
            let po = elementPointer(out, T.self)
            runReduction(SameTypeSumReduction<T>(), plan, elementPointer(input, T.self)) { o, acc in po[o] = acc }
        }
    }
}

private struct ProdKernel: ArithKernel {
    let input: Tensor, plan: ReducePlan, out: Tensor
    func run<T: ArithElement>(_: T.Type) {
        let po = elementPointer(out, T.self)
        runReduction(ProdReduction<T>(), plan, elementPointer(input, T.self)) { o, acc in po[o] = acc }
    }
}

private struct ExtremeKernel: ArithKernel {
    let input: Tensor, plan: ReducePlan, values: Tensor?, indices: Tensor?, isMax: Bool
    func run<T: ArithElement>(_: T.Type) {
        let pv = values.map { elementPointer($0, T.self) }
        let pi = indices.map { elementPointer($0, Int64.self) }
        runReduction(ExtremeReduction<T>(isMax: isMax), plan, elementPointer(input, T.self)) { o, acc in
            pv?[o] = acc.0
            pi?[o] = Int64(acc.1)
        }
    }
}

private struct TruthKernel: ArithKernel {
    let input: Tensor, plan: ReducePlan, out: Tensor, all: Bool
    func run<T: ArithElement>(_: T.Type) {
        let po = elementPointer(out, Bool.self)
        runReduction(TruthReduction<T>(all: all), plan, elementPointer(input, T.self)) { o, acc in po[o] = acc }
    }
}

extension Tensor {
    /// Reshapes a reduced gradient (shape `outShape`) back to keepdim form and expands to `shape`.
    static func expandReduced(_ g: Tensor, keepShape: [Int], to shape: [Int]) throws -> Tensor {
        try g.reshape(keepShape).expand(shape)
    }

    /// Sum without autograd, result dtype `dt` (input converted first).
    private func rawSum(_ plan: ReducePlan, dtype dt: DType) throws -> Tensor {
        if dt.isReduced { return try rawSum(plan, dtype: dt.computeType).cast(dt) }
        let x = try cast(dt)
        let out = try Tensor.uninitialized(plan.outShape, dt)
        try dispatchArith(dt, SumKernel(input: x, plan: plan, out: out))
        return out
    }

    /// `sum(dim=, keepdim=, dtype=)`; bool and integer sums give int64. SumBackward0 (all) / SumBackward1.
    public func sum(dims: [Int]? = nil, keepdim: Bool = false, dtype: DType? = nil) throws -> Tensor {
        let plan = try ReducePlan(self, dims: dims, keepdim: keepdim)
        let dt = dtype ?? (self.dtype.isFloatingPoint ? self.dtype : .int64)
        let out = try rawSum(plan, dtype: dt)
        if !(GradMode.isEnabled && requiresGrad) { return out }
        let t = GradTarget(self), keep = plan.keepShape
        return out.recordingGrad(dims == nil ? "SumBackward0" : "SumBackward1", inputs: [self], savesTensors: false) { g in
            [try t.reduce(try Tensor.expandReduced(g, keepShape: keep, to: t.shape))]
        }
    }

    /// `mean(dim=, keepdim=)`; floating point only, as PyTorch. MeanBackward0 / MeanBackward1.
    public func mean(dims: [Int]? = nil, keepdim: Bool = false, dtype: DType? = nil) throws -> Tensor {
        let dt = dtype ?? self.dtype
        guard dt.isFloatingPoint else {
            throw TorchError(.notImplementedError, "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: \(dt.shortName)")
        }
        let plan = try ReducePlan(self, dims: dims, keepdim: keepdim)
        let n = plan.blockCount
        let ct = dt.computeType   // a float16 mean rounds once, after the division
        let out = try computeBinary(DivOp(), try rawSum(plan, dtype: ct), try Tensor(scalar: .int(Int64(n)), dtype: ct), dtype: ct).cast(dt)
        if !(GradMode.isEnabled && requiresGrad) { return out }
        let t = GradTarget(self), keep = plan.keepShape
        return out.recordingGrad(dims == nil ? "MeanBackward0" : "MeanBackward1", inputs: [self], savesTensors: false) { g in
            [try t.reduce(try Tensor.expandReduced(try g.div(.int(Int64(n))), keepShape: keep, to: t.shape))]
        }
    }

    /// `var(dim=, correction=, keepdim=)` (correction 1 = unbiased). VarBackward0.
    public func `var`(dims: [Int]? = nil, correction: Double = 1, keepdim: Bool = false) throws -> Tensor {
        let (out, _) = try varianceCore(dims: dims, correction: correction, keepdim: keepdim, name: "VarBackward0", std: false)
        return out
    }

    /// Same as `var` (a name that needs no backticks).
    public func variance(dims: [Int]? = nil, correction: Double = 1, keepdim: Bool = false) throws -> Tensor {
        try self.var(dims: dims, correction: correction, keepdim: keepdim)
    }

    /// `std(dim=, correction=, keepdim=)`. StdBackward0.
    public func std(dims: [Int]? = nil, correction: Double = 1, keepdim: Bool = false) throws -> Tensor {
        let (out, _) = try varianceCore(dims: dims, correction: correction, keepdim: keepdim, name: "StdBackward0", std: true)
        return out
    }

    /// `var(unbiased=)` spelling.
    public func `var`(dims: [Int]? = nil, unbiased: Bool, keepdim: Bool = false) throws -> Tensor {
        try self.var(dims: dims, correction: unbiased ? 1 : 0, keepdim: keepdim)
    }
    public func std(dims: [Int]? = nil, unbiased: Bool, keepdim: Bool = false) throws -> Tensor {
        try std(dims: dims, correction: unbiased ? 1 : 0, keepdim: keepdim)
    }

    private func varianceCore(dims: [Int]?, correction: Double, keepdim: Bool, name: String, std: Bool) throws -> (Tensor, Int) {
        guard dtype.isFloatingPoint else {
            throw TorchError.runtime("std and var only support floating point and complex dtypes")
        }
        let plan = try ReducePlan(self, dims: dims, keepdim: keepdim)
        let n = plan.blockCount
        let denom = Swift.max(Double(n) - correction, 0)
        let (out, centered): (Tensor, Tensor) = try GradMode.withNoGrad {
            let mean = try self.mean(dims: dims, keepdim: true)
            let centered = try self.sub(mean)
            var v = try centered.mul(centered).sum(dims: dims, keepdim: keepdim).div(.double(denom))
            if std { v = try v.sqrt() }
            return (v, centered)
        }
        if !(GradMode.isEnabled && requiresGrad) { return (out, n) }
        let t = GradTarget(self), keep = plan.keepShape, so = SavedTensor(output: out)
        let result = out.recordingGrad(name, inputs: [self]) { g in
            var scale = try g.reshape(keep)
            if std { scale = try scale.div(try so.get().reshape(keep)) } else { scale = try scale.mul(.int(2)) }
            return [try t.reduce(try centered.mul(scale).div(.double(denom)))]
        }
        return (result, n)
    }

    /// `prod(dim=, keepdim=)`; integer products give int64. ProdBackward0 / ProdBackward1.
    public func prod(dims: [Int]? = nil, keepdim: Bool = false) throws -> Tensor {
        let plan = try ReducePlan(self, dims: dims, keepdim: keepdim)
        let dt: DType = dtype.isFloatingPoint ? dtype : .int64, ct = dt.computeType
        let x = try cast(ct)
        let product = try Tensor.uninitialized(plan.outShape, ct)
        try dispatchArith(ct, ProdKernel(input: x, plan: plan, out: product))
        let out = try product.cast(dt)
        if !(GradMode.isEnabled && requiresGrad) { return out }
        let t = GradTarget(self), sx = SavedTensor(self), keep = plan.keepShape
        return out.recordingGrad(dims == nil ? "ProdBackward0" : "ProdBackward1", inputs: [self]) { g in
            // d prod / d x_i = product of the others: prod / x_i where x_i != 0; with exactly one zero
            // in the block, the zero's gradient is the product of the nonzeros; with more, 0.
            let x = try sx.get()
            let isZero = try x.eq(.int(0))
            let zeros = try isZero.sum(dims: dims, keepdim: true)
            let nonzeroProd = try Tensor.where(isZero, .int(1), x).prod(dims: dims, keepdim: true)
            let others = try Tensor.where(isZero,
                                          try Tensor.where(try zeros.eq(.int(1)), nonzeroProd, .int(0)),
                                          try Tensor.where(try zeros.eq(.int(0)), try nonzeroProd.div(x), .int(0)))
            return [try t.reduce(try g.reshape(keep).mul(others))]
        }
    }

    /// `all(dim=)` / `any(dim=)`: bool results.
    public func all(dims: [Int]? = nil, keepdim: Bool = false) throws -> Tensor { try truth(dims, keepdim, all: true) }
    public func any(dims: [Int]? = nil, keepdim: Bool = false) throws -> Tensor { try truth(dims, keepdim, all: false) }

    private func truth(_ dims: [Int]?, _ keepdim: Bool, all: Bool) throws -> Tensor {
        let plan = try ReducePlan(self, dims: dims, keepdim: keepdim)
        let out = try Tensor.uninitialized(plan.outShape, .bool)
        let x = try cast(dtype.computeType)
        try dispatchArith(x.dtype, TruthKernel(input: x, plan: plan, out: out, all: all))
        return out
    }

    // MARK: - max / min / argmax / argmin

    private func extreme(_ plan: ReducePlan, isMax: Bool, values: Bool, indices: Bool, opName: String) throws -> (Tensor?, Tensor?) {
        if numel == 0 || plan.blockCount == 0 {
            throw TorchError.index("\(opName)(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
        }
        let x = try cast(dtype.computeType)   // storage types compare in their compute type (exactly)
        let v = values ? try Tensor.uninitialized(plan.outShape, x.dtype) : nil
        let i = indices ? try Tensor.uninitialized(plan.outShape, .int64) : nil
        try dispatchArith(x.dtype, ExtremeKernel(input: x, plan: plan, values: v, indices: i, isMax: isMax))
        return (try v?.cast(dtype), i)
    }

    /// `max()`: the largest element as a 0-dim tensor (MaxBackward1; ties share the gradient).
    public func max() throws -> Tensor { try extremeAll(isMax: true) }
    /// `min()`.
    public func min() throws -> Tensor { try extremeAll(isMax: false) }

    private func extremeAll(isMax: Bool) throws -> Tensor {
        let plan = try ReducePlan(self, dims: nil, keepdim: false)
        let name = isMax ? "max" : "min"
        guard numel > 0 else {
            throw TorchError.runtime("\(name)(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
        }
        let (v, _) = try extreme(plan, isMax: isMax, values: true, indices: false, opName: name)
        guard let out = v else { throw TorchError.runtime("internal error: missing values") }
        if !(GradMode.isEnabled && requiresGrad) { return out }
        let t = GradTarget(self), sx = SavedTensor(self), so = SavedTensor(output: out)
        return out.recordingGrad(isMax ? "MaxBackward1" : "MinBackward1", inputs: [self]) { g in
            // Evenly distributed among the elements equal to the result.
            let mask = try sx.get().eq(try so.get()).cast(g.dtype)
            let count = try mask.sum()
            return [try t.reduce(try mask.mul(try g.div(count)))]
        }
    }

    /// `max(dim, keepdim)` → (values, indices); MaxBackward0 routes the gradient to the index.
    public func max(dim d: Int, keepdim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        try extremeDim(d, keepdim: keepdim, isMax: true)
    }
    /// `min(dim, keepdim)` → (values, indices).
    public func min(dim d: Int, keepdim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        try extremeDim(d, keepdim: keepdim, isMax: false)
    }

    private func extremeDim(_ d: Int, keepdim: Bool, isMax: Bool) throws -> (values: Tensor, indices: Tensor) {
        let nd = try normalizeDim(d)
        let plan = try ReducePlan(self, dims: [nd], keepdim: keepdim)
        let name = isMax ? "max" : "min"
        if dim > 0 && shape[nd] == 0 {
            throw TorchError.index("\(name)(): Expected reduction dim \(nd) to have non-zero size.")
        }
        if numel == 0 { return (try Tensor.zeros(plan.outShape, dtype: dtype), try Tensor.zeros(plan.outShape, dtype: .int64)) }
        let (v, i) = try extreme(plan, isMax: isMax, values: true, indices: true, opName: name)
        guard let values = v, let indices = i else { throw TorchError.runtime("internal error: missing values") }
        if !(GradMode.isEnabled && requiresGrad) { return (values, indices) }
        let t = GradTarget(self), keep = plan.keepShape, gatherDim = dim == 0 ? 0 : nd
        let idx = try indices.reshape(keep)
        values.recordingGrad(isMax ? "MaxBackward0" : "MinBackward0", inputs: [self]) { g in
            let z = try Tensor.zeros(t.shape, dtype: g.dtype)
            if t.shape.isEmpty { return [try t.reduce(try g.reshape([]))] }
            try z.scatterRaw(dim: gatherDim, index: idx, source: try g.reshape(keep), accumulate: true)
            return [try t.reduce(z)]
        }
        return (values, indices)
    }

    /// `argmax(dim=None, keepdim=)`: index of the first maximum (flattened when dim is nil).
    public func argmax(dim d: Int? = nil, keepdim: Bool = false) throws -> Tensor { try argExtreme(d, keepdim, isMax: true) }
    public func argmin(dim d: Int? = nil, keepdim: Bool = false) throws -> Tensor { try argExtreme(d, keepdim, isMax: false) }

    private func argExtreme(_ d: Int?, _ keepdim: Bool, isMax: Bool) throws -> Tensor {
        let name = isMax ? "argmax" : "argmin"
        guard let d else {
            guard numel > 0 else {
                throw TorchError.runtime("\(name)(): Expected reduction dim to be specified for input.numel() == 0.")
            }
            let flat = try GradMode.withNoGrad { try self.reshape([-1]) }
            let plan = try ReducePlan(flat, dims: nil, keepdim: false)
            let (_, i) = try flat.extreme(plan, isMax: isMax, values: false, indices: true, opName: name)
            guard let idx = i else { throw TorchError.runtime("internal error: missing indices") }
            return keepdim ? try idx.reshape([Int](repeating: 1, count: dim)) : idx
        }
        let nd = try normalizeDim(d)
        if dim > 0 && shape[nd] == 0 {
            throw TorchError.index("\(name)(): Expected reduction dim \(nd) to have non-zero size.")
        }
        let plan = try ReducePlan(self, dims: [nd], keepdim: keepdim)
        if numel == 0 { return try Tensor.zeros(plan.outShape, dtype: .int64) }
        let (_, i) = try extreme(plan, isMax: isMax, values: false, indices: true, opName: name)
        guard let idx = i else { throw TorchError.runtime("internal error: missing indices") }
        return idx
    }

    /// `norm(p)` over all elements (or dims): p-norm, p = 2 by default (LinalgVectorNormBackward0).
    public func norm(p: Double = 2, dims: [Int]? = nil, keepdim: Bool = false) throws -> Tensor {
        guard dtype.isFloatingPoint else {
            throw TorchError(.notImplementedError, "linalg.vector_norm: Expected a floating point or complex tensor as input. Got \(dtype.shortName)")
        }
        let plan = try ReducePlan(self, dims: dims, keepdim: keepdim)
        let out: Tensor = try GradMode.withNoGrad {
            let a = try self.abs()
            if p == .infinity { return try a.amax(dims: dims, keepdim: keepdim) }
            if p == 1 { return try a.sum(dims: dims, keepdim: keepdim) }
            if p == 2 { return try a.mul(a).sum(dims: dims, keepdim: keepdim).sqrt() }
            return try a.pow(.double(p)).sum(dims: dims, keepdim: keepdim).pow(.double(1 / p))
        }
        if !(GradMode.isEnabled && requiresGrad) { return out }
        let t = GradTarget(self), sx = SavedTensor(self), so = SavedTensor(output: out), keep = plan.keepShape
        return out.recordingGrad("LinalgVectorNormBackward0", inputs: [self]) { g in
            let x = try sx.get(), n = try so.get().reshape(keep), gk = try g.reshape(keep)
            let grad: Tensor
            if p == 2 {
                let safe = try Tensor.where(try n.eq(.int(0)), .int(1), n)
                grad = try x.mul(try gk.div(safe))
            } else if p == 1 {
                grad = try x.sign().mul(gk)
            } else {
                // |x|^(p-1) * sign(x) / n^(p-1)
                let safe = try Tensor.where(try n.eq(.int(0)), .int(1), n)
                grad = try x.abs().pow(.double(p - 1)).mul(try x.sign()).div(try safe.pow(.double(p - 1))).mul(gk)
            }
            return [try t.reduce(grad)]
        }
    }

    /// `amax(dim=)` / `amin(dim=)`: extreme values over several dims (no indices; ties share the gradient).
    public func amax(dims: [Int]? = nil, keepdim: Bool = false) throws -> Tensor { try amExtreme(dims, keepdim, isMax: true) }
    public func amin(dims: [Int]? = nil, keepdim: Bool = false) throws -> Tensor { try amExtreme(dims, keepdim, isMax: false) }

    private func amExtreme(_ dims: [Int]?, _ keepdim: Bool, isMax: Bool) throws -> Tensor {
        let plan = try ReducePlan(self, dims: dims, keepdim: keepdim)
        let name = isMax ? "amax" : "amin"
        let (v, _) = try extreme(plan, isMax: isMax, values: true, indices: false, opName: name)
        guard let out = v else { throw TorchError.runtime("internal error: missing values") }
        if !(GradMode.isEnabled && requiresGrad) { return out }
        let t = GradTarget(self), sx = SavedTensor(self), so = SavedTensor(output: out), keep = plan.keepShape
        return out.recordingGrad(isMax ? "AmaxBackward0" : "AminBackward0", inputs: [self]) { g in
            let mask = try sx.get().eq(try so.get().reshape(keep)).cast(g.dtype)
            let count = try mask.sum(dims: dims, keepdim: true)
            return [try t.reduce(try mask.mul(try g.reshape(keep).div(count)))]
        }
    }
}
