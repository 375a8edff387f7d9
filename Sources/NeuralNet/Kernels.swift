import TensorRuntime

/// Layer computations composed from TensorRuntime ops (autograd comes from the ops). Used where
/// `Functional` has no fused kernel yet; each is a drop-in for the `F.` function of the same name.
enum NNKernels {
    /// `F.dropout(x, p, training)`: survivors scaled by 1/(1-p); identity when not training.
    static func dropout(_ x: Tensor, p: Double, training: Bool) throws -> Tensor {
        guard training, p > 0 else { return x }
        if p >= 1 { return try x.mul(.double(0)) }
        let mask = try Tensor.zeros(x.shape, dtype: x.dtype)
        _ = try GradMode.withNoGrad { try mask.bernoulliInPlace(p: 1 - p) }
        let scaled = try GradMode.withNoGrad { try mask.div(.double(1 - p)) }
        return try x.mul(scaled)
    }

    /// `F.batch_norm`: batch statistics when `training` (updating the running buffers in place
    /// with `momentum`, unbiased variance), running statistics otherwise.
    static func batchNorm(_ x: Tensor, runningMean: Tensor?, runningVar: Tensor?, weight: Tensor?, bias: Tensor?,
                          training: Bool, momentum: Double, eps: Double) throws -> Tensor {
        guard x.dim >= 2 else { throw TorchError.value("expected at least 2D input (got \(x.dim)D input)") }
        let channels = x.shape[1]
        var viewShape = [Int](repeating: 1, count: x.dim)
        viewShape[1] = channels
        let dims = (0..<x.dim).filter { $0 != 1 }
        let normalized: Tensor
        if training {
            let mean = try x.mean(dims: dims, keepdim: true)
            let centered = try x.sub(mean)
            let variance = try centered.mul(centered).mean(dims: dims, keepdim: true)
            normalized = try centered.div(try variance.add(.double(eps)).sqrt())
            let n = Double(x.numel / Swift.max(channels, 1))
            try GradMode.withNoGrad {
                if let rm = runningMean { try blend(rm, with: mean.detached().toDoubles(), momentum: momentum, scale: 1) }
                if let rv = runningVar {
                    try blend(rv, with: variance.detached().toDoubles(), momentum: momentum, scale: n > 1 ? n / (n - 1) : 1)
                }
            }
        } else {
            guard let rm = runningMean, let rv = runningVar else {
                throw TorchError.runtime("running_mean and running_var must be defined in evaluation mode")
            }
            normalized = try x.sub(try rm.view(viewShape)).div(try rv.view(viewShape).add(.double(eps)).sqrt())
        }
        var y = normalized
        if let weight { y = try y.mul(try weight.view(viewShape)) }
        if let bias { y = try y.add(try bias.view(viewShape)) }
        return y
    }

    /// `buffer = (1-m)·buffer + m·scale·values`, element by element, in place.
    private static func blend(_ buffer: Tensor, with values: [Double], momentum: Double, scale: Double) throws {
        guard values.count == buffer.numel else {
            throw TorchError.runtime("running stats have \(buffer.numel) elements but the input has \(values.count) channels")
        }
        var i = 0
        buffer.forEachStorageIndex { s in
            let old = buffer.storage.double(at: s)
            buffer.storage.setDouble((1 - momentum) * old + momentum * scale * values[i], at: s)
            i += 1
        }
    }

    /// `F.embedding(input, weight)`: rows of `weight` picked by the int64 indices in `input`.
    static func embedding(_ input: Tensor, weight: Tensor) throws -> Tensor {
        guard input.dtype == .int64 else {
            throw TorchError.runtime("Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got torch.\(input.dtype == .float64 ? "DoubleTensor" : "FloatTensor") instead (while checking arguments for embedding)")
        }
        let rows = try weight.indexSelect(dim: 0, index: try input.reshape([-1]))
        return try rows.reshape(input.shape + [weight.shape.count > 1 ? weight.shape[1] : 1])
    }
}
