extension Functional {
    /// `F.instance_norm(x, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)`
    /// for `x` `[N, C, *]`, as PyTorch composes it: the input viewed as `[1, N·C, *]` goes through
    /// batch_norm with the running statistics and affine parameters repeated N times, and the
    /// result is viewed back (ViewBackward0 over NativeBatchNormBackward0). Running statistics
    /// are updated with the batch mean of the per-instance statistics.
    public static func instanceNorm(_ x: Tensor, runningMean: Tensor? = nil, runningVar: Tensor? = nil, weight: Tensor? = nil,
                                    bias: Tensor? = nil, useInputStats: Bool = true, momentum: Double = 0.1,
                                    eps: Double = 1e-5) throws -> Tensor {
        guard x.dim >= 2 else {
            throw TorchError.value("Expected 2D or higher dimensionality input (got \(x.dim) dimensions)")
        }
        if useInputStats && x.shape.dropFirst(2).reduce(1, *) == 1 {
            throw TorchError.value("Expected more than 1 spatial element when training, got input size torch.Size(\(shapeDescription(x.shape)))")
        }
        let n = x.shape[0], c = x.shape[1]
        let folded = try x.contiguous().view([1, n * c] + x.shape.dropFirst(2))
        let rm = try runningMean.map { try $0.repeated([n]) }, rv = try runningVar.map { try $0.repeated([n]) }
        let out = try batchNorm(folded, runningMean: rm, runningVar: rv, weight: try weight?.repeated([n]), bias: try bias?.repeated([n]),
                                training: useInputStats, momentum: momentum, eps: eps)
        if useInputStats {
            try GradMode.withNoGrad {
                if let runningMean, let rm { try copyElements(from: try rm.view([n, c]).mean(dims: [0]), to: runningMean) }
                if let runningVar, let rv { try copyElements(from: try rv.view([n, c]).mean(dims: [0]), to: runningVar) }
            }
        }
        return try out.view(x.shape)
    }

    /// `F.local_response_norm(x, size, alpha, beta, k)` for `x` `[N, C, *]`: `x / (k + alpha·avg)^beta`
    /// where `avg` is the mean of `x²` over a window of `size` channels (zero-padded, `size/2`
    /// before and `(size-1)/2` after each channel), composed from differentiable ops.
    public static func localResponseNorm(_ x: Tensor, size: Int, alpha: Double = 1e-4, beta: Double = 0.75, k: Double = 1) throws -> Tensor {
        guard x.dim >= 3 else {
            throw TorchError.value("Expected 3D or higher dimensionality                          input (got \(x.dim) dimensions)")
        }
        guard x.numel > 0 else { return try x.div(.int(1)) }
        guard size > 0 else {   // PyTorch's average pool over (size, 1) or (size, 1, 1) windows refuses it
            throw TorchError.runtime("kernel size should be greater than zero, but got \(x.dim == 3 ? "kH: \(size) kW: 1" : "kT: \(size) kH: 1 kW: 1")")
        }
        let c = x.shape[1]
        let squares = try x.mul(x)
        // Channels padded with size/2 zeros before and (size-1)/2 after; window j covers padded [j, j+size).
        var padSpec = [Int](repeating: 0, count: 2 * (x.dim - 2))
        padSpec += [size / 2, (size - 1) / 2]
        let padded = try squares.constantPad(padSpec)
        var window = try padded.narrow(dim: 1, start: 0, length: c)
        for offset in 1..<Swift.max(size, 1) { window = try window.add(try padded.narrow(dim: 1, start: offset, length: c)) }
        let div = try window.div(.int(Int64(size))).mul(.double(alpha)).add(.double(k)).pow(.double(beta))
        return try x.div(div)
    }
}
