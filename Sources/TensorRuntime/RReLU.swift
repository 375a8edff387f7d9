extension Tensor {
    /// `F.rrelu(input, lower, upper, training)`: in training, each element ≤ 0 multiplied by its
    /// own slope drawn from U(lower, upper) (a 53-bit uniform per such element, in element order,
    /// as ATen's `_rrelu_with_noise_train`), the others kept; otherwise the slope is
    /// (lower + upper) / 2. The gradient is the slope used (RreluWithNoiseBackward0).
    public func rrelu(lower: Double = 1.0 / 8, upper: Double = 1.0 / 3, training: Bool = false) throws -> Tensor {
        guard dtype.isFloatingPoint else { throw TorchError.runtime("\"rrelu_with_noise_cpu\" not implemented for '\(dtype.atenName)'") }
        let g = TorchRandom.generator
        let slopes = toDoubles().map { x -> Double in
            guard x <= 0 else { return 1 }
            let r = training ? g.uniformDouble(lower, upper) : (lower + upper) / 2
            return dtype == .float32 ? Double(Float(r)) : r
        }
        let noise = try Tensor(doubles: slopes, shape: shape, dtype: dtype)
        let out = try GradMode.withNoGrad { try mul(noise) }
        return out.recordingGrad("RreluWithNoiseBackward0", inputs: [self]) { grad in [try grad.mul(noise)] }
    }

    /// `F.channel_shuffle(input, groups)`: the channels (dim 1) regrouped as (groups, C/groups)
    /// transposed, as ATen's reshape–transpose–reshape (so its grad_fn is a ViewBackward0, not
    /// PyTorch's ChannelShuffleBackward0).
    public func channelShuffle(groups: Int) throws -> Tensor {
        guard dim >= 3 else {
            throw TorchError.runtime("channel_shuffle expects input with > 2 dims, but got input with sizes \(shapeDescription(shape))")
        }
        guard groups > 0 else { throw TorchError.runtime("Number of groups to divide channels in must be positive. Value of groups:\(groups)") }
        let c = shape[1]
        guard c % groups == 0 else {
            throw TorchError.runtime("Number of channels must be divisible by groups. Got \(c) channels and \(groups) groups.")
        }
        let rest = Array(shape.dropFirst(2))
        return try reshape([shape[0], groups, c / groups] + rest).transpose(1, 2).contiguous().reshape(shape)
    }
}
