import Foundation

/// Loss functions (`reduction` is "mean", "sum" or "none"). Each is one fused kernel with its
/// own backward, except cross-entropy, which is log_softmax + nll_loss as in PyTorch.
extension Functional {
    /// `F.cross_entropy`: class-index targets (int64, shape `[N]`, `[]` or `[N, d1, …]`) or
    /// class probabilities (a float tensor shaped like `input`). Class dim is 1 (0 for 1-D input).
    public static func crossEntropy(_ input: Tensor, target: Tensor, weight: Tensor? = nil, ignoreIndex: Int = -100,
                                    reduction: String = "mean", labelSmoothing: Double = 0) throws -> Tensor {
        let red = try LossReduction(reduction)
        guard labelSmoothing >= 0 && labelSmoothing <= 1 else {
            throw TorchError.runtime("label_smoothing must be between 0.0 and 1.0. Got: \(labelSmoothing)")
        }
        let classDim = input.dim == 1 ? 0 : 1
        let logp = try input.logSoftmax(dim: classDim)
        if target.dtype.isFloatingPoint && target.shape == input.shape {
            return try probabilityCrossEntropy(logp, target, weight: weight, reduction: red, smoothing: labelSmoothing)
        }
        if labelSmoothing == 0 {
            return try nllLoss(logp, target: target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction)
        }
        return try NLLKernel(logp, target, weight, ignoreIndex, red, smoothing: labelSmoothing).run()
    }

    /// `F.nll_loss(input, target, weight, ignore_index, reduction)` on log-probabilities
    /// (NllLossBackward0 for `[N, C]`/`[C]` input, NllLoss2DBackward0 for `[N, C, H, W]`).
    public static func nllLoss(_ input: Tensor, target: Tensor, weight: Tensor? = nil, ignoreIndex: Int = -100,
                               reduction: String = "mean") throws -> Tensor {
        try NLLKernel(input, target, weight, ignoreIndex, try LossReduction(reduction), smoothing: 0).run()
    }

    /// `F.mse_loss`: mean/sum of (input - target)² (MseLossBackward0).
    public static func mseLoss(_ input: Tensor, target: Tensor, reduction: String = "mean") throws -> Tensor {
        try pointwiseLoss(input, target, reduction, name: "MseLossBackward0", composedGrad: { g, x, y, scale in
            try differenceGrads(try x.sub(y).mul(.double(2 * scale)).mul(g))   // ATen's mse_loss_backward order
        }) { d in (d * d, 2 * d) }
    }

    /// `F.l1_loss`: mean/sum of |input - target| (PyTorch composes it: MeanBackward0 /
    /// SumBackward0 / AbsBackward0).
    public static func l1Loss(_ input: Tensor, target: Tensor, reduction: String = "mean") throws -> Tensor {
        let red = try LossReduction(reduction)
        let name = red == .mean ? "MeanBackward0" : red == .sum ? "SumBackward0" : "AbsBackward0"
        return try pointwiseLoss(input, target, reduction, name: name, composedGrad: { g, x, y, scale in
            try differenceGrads(try x.sub(y).sign().mul(.double(scale)).mul(g))
        }) { d in (Swift.abs(d), d > 0 ? 1 : d < 0 ? -1 : 0) }
    }

    /// `F.smooth_l1_loss(beta=1)`: 0.5·d²/beta where |d| < beta, else |d| - 0.5·beta. Inputs are
    /// promoted and broadcast (the caller warns about a size mismatch); beta = 0 is l1_loss,
    /// composed as PyTorch composes it (AbsBackward0 / SumBackward0 / MeanBackward0).
    public static func smoothL1Loss(_ input: Tensor, target: Tensor, reduction: String = "mean", beta: Double = 1) throws -> Tensor {
        guard beta >= 0 else { throw TorchError.runtime("smooth_l1_loss does not support negative values for beta.") }
        if beta == 0 {
            let red = try LossReduction(reduction)
            let d = try input.sub(target).abs()
            switch red {
            case .none: return d
            case .sum: return try d.sum()
            case .mean: return try d.mean()
            }
        }
        let (x, y) = try broadcastLossOperands(input, target, kernel: "smooth_l1_cpu")
        return try pointwiseLoss(x, y, reduction, name: "SmoothL1LossBackward0", composedGrad: { g, x, y, scale in
            try differenceGrads(try x.sub(y).div(.double(beta)).clamp(min: .double(-1), max: .double(1)).mul(.double(scale)).mul(g))
        }) { d in
            let a = Swift.abs(d)
            if a < beta { return (0.5 * d * d / beta, d / beta) }
            return (a - 0.5 * beta, d > 0 ? 1 : d < 0 ? -1 : 0)
        }
    }

    /// `F.huber_loss(delta=1)`: 0.5·d² where |d| < delta, else delta·(|d| - 0.5·delta); inputs are
    /// broadcast as in smooth_l1_loss, the result has the input's dtype.
    public static func huberLoss(_ input: Tensor, target: Tensor, reduction: String = "mean", delta: Double = 1) throws -> Tensor {
        guard delta > 0 else { throw TorchError.runtime("huber_loss does not support non-positive values for delta.") }
        // PyTorch writes huber's result into a tensor like `input`: that dtype wins.
        let common = resultType(input, target)
        if common.isFloatingPoint && !input.dtype.isFloatingPoint {
            throw TorchError.runtime("result type \(common.atenName) can't be cast to the desired output type \(input.dtype.atenName)")
        }
        let (x, y) = try broadcastLossOperands(input, common.isFloatingPoint ? try target.converted(to: input.dtype) : target, kernel: "huber_cpu")
        return try pointwiseLoss(x, y, reduction, name: "HuberLossBackward0", composedGrad: { g, x, y, scale in
            try differenceGrads(try x.sub(y).clamp(min: .double(-delta), max: .double(delta)).mul(.double(scale)).mul(g))
        }) { d in
            let a = Swift.abs(d)
            if a < delta { return (0.5 * d * d, d) }
            return (delta * (a - 0.5 * delta), d > 0 ? delta : d < 0 ? -delta : 0)
        }
    }

    /// `F.binary_cross_entropy_with_logits`: -w·[pw·y·log σ(x) + (1-y)·log(1-σ(x))], computed
    /// stably with softplus; `posWeight` broadcasts along the last dimension.
    public static func binaryCrossEntropyWithLogits(_ input: Tensor, target: Tensor, weight: Tensor? = nil,
                                                    posWeight: Tensor? = nil, reduction: String = "mean") throws -> Tensor {
        guard input.shape == target.shape else {
            throw TorchError.value("Target size (torch.Size(\(shapeDescription(target.shape)))) must be the same as input size (torch.Size(\(shapeDescription(input.shape))))")
        }
        let w = try weight.map { try broadcastValues($0, to: input.shape) }
        let pw = try posWeight.map { try broadcastValues($0, to: input.shape) }
        return try pairLoss(input, target, try LossReduction(reduction), name: "BinaryCrossEntropyWithLogitsBackward0", composedGrad: { g, x, y, scale in
            // The same gradients in recorded ops (create_graph=True): dx = w·(σ(x)·(p·y + 1 − y) − p·y),
            // dy = w·(p·softplus(−x) − softplus(x)), with p = pos_weight.
            let py = try posWeight.map { try y.mul($0) } ?? y
            var gx = try x.sigmoid().mul(try py.add(try y.rsub(.int(1)))).sub(py)
            let spNeg = try x.neg().softplus()
            var gy = try (try posWeight.map { try spNeg.mul($0) } ?? spNeg).sub(try x.softplus())
            if let weight { (gx, gy) = (try gx.mul(weight), try gy.mul(weight)) }
            let gs = try g.mul(.double(scale))
            return (try gx.mul(gs), try gy.mul(gs))
        }) { i, x, y in
            let p = pw?[i] ?? 1, wi = w?[i] ?? 1
            let spNeg = softplus(-x), spPos = softplus(x)   // -log σ(x), -log(1-σ(x))
            let loss = wi * (p * y * spNeg + (1 - y) * spPos)
            let sig = 1 / (1 + exp(-x))
            let dx = wi * (sig * (p * y + 1 - y) - p * y)
            let dy = wi * (p * spNeg - spPos)
            return (loss, dx, dy)
        }
    }

    /// `F.binary_cross_entropy` on probabilities; the logs are clamped at -100 as in PyTorch.
    /// `weight` broadcasts to the input's shape (it cannot require grad, as in PyTorch).
    public static func binaryCrossEntropy(_ input: Tensor, target: Tensor, weight: Tensor? = nil, reduction: String = "mean") throws -> Tensor {
        let red = try LossReduction(reduction)
        guard input.shape == target.shape else {
            throw TorchError.value("Using a target size (torch.Size(\(shapeDescription(target.shape)))) that is different to the input size (torch.Size(\(shapeDescription(input.shape)))) is deprecated. Please ensure they have the same size.")
        }
        if let w = weight {
            try checkLossWeight(w.shape, input.shape)
            if w.requiresGrad && GradMode.isEnabled {
                throw TorchError.runtime("The function 'binary_cross_entropy' is not differentiable with respect to argument 'weight'. This input cannot have requires_grad True.")
            }
        }
        guard input.dtype.isComputeFloat else { throw TorchError(.notImplementedError, "\"binary_cross_entropy\" not implemented for '\(input.dtype.atenName)'") }
        guard target.dtype == input.dtype else {
            throw TorchError.runtime("Found dtype \(target.dtype.atenName) but expected \(input.dtype.atenName)")
        }
        for v in input.toDoubles() where !(v >= 0 && v <= 1) {
            throw TorchError.runtime("all elements of input should be between 0 and 1")
        }
        for v in target.toDoubles() where !(v >= 0 && v <= 1) {
            throw TorchError.runtime("all elements of target should be between 0 and 1")
        }
        let w = try weight.map { try broadcastValues($0, to: input.shape) }
        return try pairLoss(input, target, red, name: "BinaryCrossEntropyBackward0", composedGrad: { g, x, y, scale in
            let gs = try g.mul(.double(scale))
            var gx = try x.sub(y).div(try x.rsub(.int(1)).mul(x).clamp(min: .double(1e-12))).mul(gs)
            var gy = try x.rsub(.int(1)).log().clamp(min: .double(-100)).sub(try x.log().clamp(min: .double(-100))).mul(gs)
            if let weight { (gx, gy) = (try gx.mul(weight), try gy.mul(weight)) }
            return (gx, gy)
        }) { i, x, y in
            let wi = w?[i] ?? 1
            let lx = Swift.max(log(x), -100), l1x = Swift.max(log(1 - x), -100)
            let loss = -wi * (y * lx + (1 - y) * l1x)
            let dx = wi * (x - y) / Swift.max((1 - x) * x, 1e-12)
            let dy = wi * (l1x - lx)
            return (loss, dx, dy)
        }
    }
}

/// PyTorch's checks of a loss weight against the input shape: a weight that cannot broadcast
/// (reported at the first mismatching dim from the right), or one that would grow the result.
private func checkLossWeight(_ w: [Int], _ shape: [Int]) throws {
    var k = 1
    while k <= Swift.min(w.count, shape.count) {
        let a = w[w.count - k], b = shape[shape.count - k]
        if a != 1 && b != 1 && a != b {
            throw TorchError.runtime("Attempting to broadcast a dimension of length \(a) at -\(k)! Mismatching argument at index 1 had torch.Size(\(shapeDescription(w))); but expected shape should be broadcastable to \(shapeDescription(shape))")
        }
        k += 1
    }
    let full = try broadcastShapes(w, shape)
    if full != shape {
        throw TorchError.runtime("output with shape \(shapeDescription(shape)) doesn't match the broadcast shape \(shapeDescription(full))")
    }
}

/// `input` and `target` promoted to a common floating dtype and broadcast to a common shape
/// (autograd-aware, as PyTorch's `broadcast_tensors`); integer results name `kernel` in the error.
private func broadcastLossOperands(_ input: Tensor, _ target: Tensor, kernel: String) throws -> (Tensor, Tensor) {
    let dt = resultType(input, target)
    guard dt.isComputeFloat else { throw TorchError(.notImplementedError, "\"\(kernel)\" not implemented for '\(dt.atenName)'") }
    var x = try input.converted(to: dt), y = try target.converted(to: dt)
    if x.shape != y.shape {
        let shape = try broadcastShapes(x.shape, y.shape)
        x = try x.expand(shape)
        y = try y.expand(shape)
    }
    return (x, y)
}

@inline(__always) private func softplus(_ x: Double) -> Double {
    x > 0 ? x + log1p(exp(-x)) : log1p(exp(x))
}

/// A weight tensor's values broadcast (right-aligned) to `shape`, in logical order.
private func broadcastValues(_ t: Tensor, to shape: [Int]) throws -> [Double] {
    guard t.dim <= shape.count else {
        throw TorchError.runtime("The size of tensor a (\(t.shape.last ?? 1)) must match the size of tensor b (\(shape.last ?? 1)) at non-singleton dimension 0")
    }
    let lead = shape.count - t.dim
    var strides = [Int](repeating: 0, count: shape.count)
    let own = Tensor.contiguousStrides(t.shape)
    for i in 0..<t.dim {
        if t.shape[i] == shape[lead + i] { strides[lead + i] = own[i] } else if t.shape[i] != 1 {
            throw TorchError.runtime("The size of tensor a (\(t.shape[i])) must match the size of tensor b (\(shape[lead + i])) at non-singleton dimension \(lead + i)")
        }
    }
    let values = t.toDoubles()
    let view = Tensor(storage: try Storage(count: 0, dtype: .float64), shape: shape, strides: strides)
    var out = [Double]()
    out.reserveCapacity(shape.reduce(1, *))
    view.forEachStorageIndex { out.append(values[$0]) }
    return out
}

/// A pointwise loss's gradients for (input, target) in tensor ops, from (g, input, target, scale)
/// (`scale` is 1/n for "mean", else 1): what its backward computes while recording
/// (`create_graph=True`), so the gradient is differentiable again (MAML, PINNs, penalties).
typealias ComposedLossGrad = (Tensor, Tensor, Tensor, Double) throws -> (Tensor, Tensor)

/// The (input, target) gradients of a loss of `input - target`.
private func differenceGrads(_ gx: Tensor) throws -> (Tensor, Tensor) { (gx, try gx.neg()) }

/// A loss of `input - target` per element: `f(d)` returns (loss, dloss/dd). Same shapes only.
private func pointwiseLoss(_ input: Tensor, _ target: Tensor, _ reduction: String, name: String,
                           composedGrad: ComposedLossGrad? = nil,
                           _ f: @escaping (Double) -> (Double, Double)) throws -> Tensor {
    // Operands of different shapes broadcast, as PyTorch's losses do (the callers warn).
    var (input, target) = (input, target)
    if input.shape != target.shape {
        let shape = try broadcastShapes(input.shape, target.shape)
        (input, target) = (try input.expand(shape), try target.expand(shape))
    }
    return try pairLoss(input, target, try LossReduction(reduction), name: name, composedGrad: composedGrad) { _, x, y in
        let (l, d) = f(x - y)
        return (l, d, -d)
    }
}

/// Elementwise loss of two same-shape float tensors: `f(index, x, y)` returns
/// (loss, dloss/dx, dloss/dy); reduces with `reduction` and records `name`.
/// `composedGrad`, when given, runs instead of `f`'s derivatives while recording.
private func pairLoss(_ input: Tensor, _ target: Tensor, _ reduction: LossReduction, name: String,
                      composedGrad: ComposedLossGrad? = nil,
                      _ f: @escaping (Int, Double, Double) -> (Double, Double, Double)) throws -> Tensor {
    if input.isReducedFloat && target.dtype == input.dtype {
        return try input.inFloat32 { try pairLoss($0, target.converted(to: .float32), reduction, name: name, composedGrad: composedGrad, f) }
    }
    guard input.dtype.isComputeFloat && target.dtype.isComputeFloat else {
        throw TorchError.runtime("Found dtype \(target.dtype.atenName) but expected \(input.dtype.atenName)")
    }
    let dtype = DType.promote(input.dtype, target.dtype)
    let n = input.numel
    let xs = try input.dense(), ys = try target.dense()
    var losses = [Double](repeating: 0, count: n)
    var dx = [Double](repeating: 0, count: n), dy = [Double](repeating: 0, count: n)
    let xv = xs.toDoubles(), yv = ys.toDoubles()
    for i in 0..<n { (losses[i], dx[i], dy[i]) = f(i, xv[i], yv[i]) }
    let out: Tensor
    switch reduction {
    case .none: out = try Tensor(doubles: losses, shape: input.shape, dtype: dtype)
    case .sum: out = try Tensor(doubles: [losses.reduce(0, +)], shape: [], dtype: dtype)
    case .mean: out = try Tensor(doubles: [losses.reduce(0, +) / Double(n)], shape: [], dtype: dtype)
    }
    let needX = input.requiresGrad, needY = target.requiresGrad
    return out.recordingGrad(name, inputs: [input, target]) { g in
        let scale = reduction == .mean ? 1 / Double(n) : 1
        if GradMode.isEnabled, let composedGrad {
            let (gx, gy) = try composedGrad(g, input, target, scale)
            return [needX ? gx : nil, needY ? gy : nil]
        }
        let gv = g.toDoubles()
        func grad(_ d: [Double], _ t: Tensor) throws -> Tensor {
            var r = d
            for i in 0..<n { r[i] *= (reduction == .none ? gv[i] : gv[0]) * scale }
            return try Tensor(doubles: r, shape: t.shape, dtype: t.dtype)
        }
        return [needX ? try grad(dx, input) : nil, needY ? try grad(dy, target) : nil]
    }
}

/// nll_loss (optionally with cross-entropy label smoothing) over log-probabilities laid out as
/// `[N, C, inner]`: per position `-(1-ε)·w[t]·logp[t] - (ε/C)·Σc w[c]·logp[c]`, zero where
/// the target is `ignoreIndex`; "mean" divides by Σ w[t] over the positions not ignored.
private struct NLLKernel {
    let input: Tensor, target: Tensor, weight: Tensor?
    let ignoreIndex: Int, reduction: LossReduction, smoothing: Double
    let n: Int, classes: Int, inner: Int
    /// Shape of the "none" result.
    let positionsShape: [Int]

    init(_ input: Tensor, _ target: Tensor, _ weight: Tensor?, _ ignoreIndex: Int, _ reduction: LossReduction, smoothing: Double) throws {
        guard input.dim >= 1 else { throw TorchError.index("Dimension out of range (expected to be in range of [-1, 0], but got 1)") }
        guard input.dtype.isComputeFloat else { throw notImplemented("nll_loss_forward_reduce_cuda_kernel_2d_index", input.dtype) }
        // ATen's order (nll_loss_nd, then the 1-2-d, 2-d spatial or flattened kernel): batch
        // sizes, the target's rank and shape, then its dtype.
        if input.dim != 1 && input.shape[0] != (target.shape.first ?? 0) {
            throw TorchError.value("Expected input batch_size (\(input.shape[0])) to match target batch_size (\(target.shape.first ?? 0)).")
        }
        let expected = input.dim == 1 ? [] : [input.shape[0]] + Array(input.shape.dropFirst(2))
        if input.dim <= 2 {
            guard target.dim <= 1 else { throw TorchError.runtime("0D or 1D target tensor expected, multi-target not supported") }
        } else if input.dim == 4 {
            guard target.dim == 3 else {
                throw TorchError.runtime("only batches of spatial targets supported (3D tensors) but got targets of dimension: \(target.dim)")
            }
            guard target.shape == expected else {
                throw TorchError.runtime("size mismatch (got input: \(shapeDescription(input.shape)) , target: \(shapeDescription(target.shape))")
            }
        } else if target.shape != expected {
            throw TorchError.runtime("Expected target size \(shapeDescription(expected)), got \(shapeDescription(target.shape))")
        }
        guard target.dtype == .int64 else {
            throw TorchError.runtime("expected target dtype to be Long or Byte, but got \(target.dtype.atenName)")
        }
        var target = target
        if input.dim == 1 {
            if target.dim == 1 {
                guard target.shape[0] == 1 else {
                    throw TorchError.value("For 1D input, 1D target must have size 1, but got target size: \(target.shape[0])")
                }
                target = try target.reshape([])
            }
            (n, classes, inner, positionsShape) = (1, input.shape[0], 1, [])
        } else {
            (n, classes, inner, positionsShape) = (input.shape[0], input.shape[1], input.shape.dropFirst(2).reduce(1, *), expected)
        }
        if let w = weight {
            guard w.dim == 1 && w.numel == classes else {
                throw TorchError.runtime("weight tensor should be defined either for all \(classes) classes or no classes but got weight tensor of shape: \(shapeDescription(w.shape))")
            }
        }
        (self.input, self.target, self.weight) = (input, target, weight)
        (self.ignoreIndex, self.reduction, self.smoothing) = (ignoreIndex, reduction, smoothing)
    }

    var gradName: String {
        if smoothing > 0 { return "AddBackward0" }
        if input.dim <= 2 { return "NllLossBackward0" }
        if input.dim == 4 || reduction != .none { return "NllLoss2DBackward0" }
        return "ViewBackward0"
    }

    func run() throws -> Tensor {
        let logp = try input.dense()
        // An owned copy: the target is often a temporary (`torch.randint(...)`, `y[idx]`) that
        // is freed before backward runs.
        let targets = try target.elementArray(Int64.self)
        let positions = n * inner
        let w = try weight.map { try $0.converted(to: .float64).dense().toDoubles() }
        // Validate targets before touching memory.
        for i in 0..<positions where Int(targets[i]) != ignoreIndex {
            guard targets[i] >= 0 && targets[i] < Int64(classes) else {
                throw TorchError.index("Target \(targets[i]) is out of bounds.")
            }
        }
        let eps = smoothing, perClass = smoothing / Double(max(classes, 1))
        var losses = [Double](repeating: 0, count: positions)
        var totalWeight = 0.0
        let values = logp.toDoubles()
        for p in 0..<positions {
            let t = Int(targets[p])
            if t == ignoreIndex { continue }
            let o = p / inner, i = p % inner
            let base = o * classes * inner + i
            let wt = w?[t] ?? 1
            totalWeight += wt
            var loss = -(1 - eps) * wt * values[base + t * inner]
            if eps > 0 {
                var s = 0.0
                for c in 0..<classes { s += (w?[c] ?? 1) * values[base + c * inner] }
                loss -= perClass * s
            }
            losses[p] = loss
        }
        let out: Tensor
        if reduction != .none && eps == 0 {
            // PyTorch's own reduction (not a sum of the per-position losses), for its last bits.
            var picked = [(value: Double, weight: Double)?]()
            picked.reserveCapacity(positions)
            for p in 0..<positions {
                let t = Int(targets[p])
                picked.append(t == ignoreIndex ? nil : (values[(p / inner) * classes * inner + p % inner + t * inner], w?[t] ?? 1))
            }
            let (loss, total) = input.dtype == .float32
                ? cascadedNLL(Float.self, picked, weighted: w != nil, mean: reduction == .mean)
                : cascadedNLL(Double.self, picked, weighted: w != nil, mean: reduction == .mean)
            totalWeight = total
            out = try Tensor(doubles: [loss], shape: [], dtype: input.dtype)
        } else {
            switch reduction {
            case .none: out = try Tensor(doubles: losses, shape: positionsShape, dtype: input.dtype)
            case .sum: out = try Tensor(doubles: [losses.reduce(0, +)], shape: [], dtype: input.dtype)
            case .mean: out = try Tensor(doubles: [losses.reduce(0, +) / totalWeight], shape: [], dtype: input.dtype)
            }
        }
        let shape = input.shape, dtype = input.dtype, classes = classes, inner = inner
        let ignoreIndex = ignoreIndex, reduction = reduction
        let gShape = reduction == .none ? positionsShape : []
        return out.recordingGrad(gradName, inputs: [input]) { g in
            // The gradient is linear in g: while recording (create_graph=True) it is the constant
            // coefficients (g = 1) times g, broadcast over the class dim.
            let composed = GradMode.isEnabled
            let gv = composed ? [Double](repeating: 1, count: Swift.max(g.numel, 1)) : g.toDoubles()
            var grad = [Double](repeating: 0, count: values.count)
            for p in 0..<positions {
                let t = Int(targets[p])
                if t == ignoreIndex { continue }
                let scale = reduction == .none ? gv[p] : reduction == .mean ? gv[0] / totalWeight : gv[0]
                let o = p / inner, i = p % inner
                let base = o * classes * inner + i
                grad[base + t * inner] -= scale * (1 - eps) * (w?[t] ?? 1)
                if eps > 0 {
                    for c in 0..<classes { grad[base + c * inner] -= scale * perClass * (w?[c] ?? 1) }
                }
            }
            let coefficients = try Tensor(doubles: grad, shape: shape, dtype: dtype)
            guard composed else { return [coefficients] }
            // g is [] or the positions' shape ([N, d1, …], or [] for one [C] input): put the class dim back.
            let spread = gShape.isEmpty ? g : try g.reshape([gShape[0], 1] + gShape.dropFirst())
            return [try coefficients.mul(spread)]
        }
    }
}

/// nll_loss's "sum"/"mean" as ATen computes it (LossNLL.cpp): `-w[t]·logp[t]` per position
/// (nil: ignored) added into an 8-level cascade in the input's dtype `T` (a level is passed up
/// when the position index is a multiple of 2^(k·levelPower)), the weights likewise (or the
/// count of positions not ignored); "mean" divides in `T`. Returns (loss, total weight).
private func cascadedNLL<T: BinaryFloatingPoint>(_: T.Type, _ picked: [(value: Double, weight: Double)?],
                                                  weighted: Bool, mean: Bool) -> (Double, Double) {
    let levels = 8
    let levelPower = max(4, ceilLog2(picked.count) / levels)
    let levelMask = (1 << levelPower) - 1
    var losses = [T](repeating: 0, count: levels), weights = [T](repeating: 0, count: levels)
    var ignored = 0
    for (p, term) in picked.enumerated() {
        guard let term else { ignored += 1; continue }
        let value = T(term.value)
        if weighted {
            let wv = T(term.weight)
            losses[0] -= value * wv
            weights[0] += wv
        } else {
            losses[0] -= value
        }
        for j in 0..<(levels - 1) {
            if p & (levelMask << (j * levelPower)) != 0 { break }
            losses[j + 1] += losses[j]; weights[j + 1] += weights[j]
            losses[j] = 0; weights[j] = 0
        }
    }
    let total = weighted ? weights.reduce(0, +) : T(picked.count - ignored)
    let loss = losses.reduce(0, +)
    return (Double(mean ? loss / total : loss), Double(total))
}

/// Cross-entropy with class-probability targets: `-Σc w[c]·y'[c]·logp[c]` per position, where
/// `y' = (1-ε)·y + ε/C`; "mean" divides by the number of positions (numel / C).
private func probabilityCrossEntropy(_ logp: Tensor, _ target: Tensor, weight: Tensor?, reduction: LossReduction,
                                     smoothing: Double) throws -> Tensor {
    let classDim = logp.dim == 1 ? 0 : 1
    let (outer, classes, inner) = splitAround(logp.shape, classDim)
    if let w = weight {
        guard w.dim == 1 && w.numel == classes else {
            throw TorchError.runtime("weight tensor should be defined either for all \(classes) classes or no classes but got weight tensor of shape: \(shapeDescription(w.shape))")
        }
    }
    let w = weight?.toDoubles()
    let lp = try logp.dense().toDoubles(), y = try target.dense().toDoubles()
    let perClass = smoothing / Double(max(classes, 1))
    var losses = [Double](repeating: 0, count: outer * inner)
    for o in 0..<outer {
        for i in 0..<inner {
            var s = 0.0
            for c in 0..<classes {
                let k = (o * classes + c) * inner + i
                s += (w?[c] ?? 1) * ((1 - smoothing) * y[k] + perClass) * lp[k]
            }
            losses[o * inner + i] = -s
        }
    }
    let positions = Double(outer * inner)
    var noneShape = logp.shape
    if !noneShape.isEmpty { noneShape.remove(at: classDim) }
    let out: Tensor
    switch reduction {
    case .none: out = try Tensor(doubles: losses, shape: noneShape, dtype: logp.dtype)
    case .sum: out = try Tensor(doubles: [losses.reduce(0, +)], shape: [], dtype: logp.dtype)
    case .mean: out = try Tensor(doubles: [losses.reduce(0, +) / positions], shape: [], dtype: logp.dtype)
    }
    let needL = logp.requiresGrad, needY = target.requiresGrad
    return out.recordingGrad(reduction == .mean ? "DivBackward1" : "NegBackward0", inputs: [logp, target]) { g in
        let gv = g.toDoubles()
        var gl = [Double](repeating: 0, count: lp.count), gy = gl
        for o in 0..<outer {
            for i in 0..<inner {
                let gp = reduction == .none ? gv[o * inner + i] : reduction == .mean ? gv[0] / positions : gv[0]
                for c in 0..<classes {
                    let k = (o * classes + c) * inner + i, wc = w?[c] ?? 1
                    gl[k] = -gp * wc * ((1 - smoothing) * y[k] + perClass)
                    gy[k] = -gp * wc * (1 - smoothing) * lp[k]
                }
            }
        }
        return [needL ? try Tensor(doubles: gl, shape: logp.shape, dtype: logp.dtype) : nil,
                needY ? try Tensor(doubles: gy, shape: target.shape, dtype: target.dtype) : nil]
    }
}
