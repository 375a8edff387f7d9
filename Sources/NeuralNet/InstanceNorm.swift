import TensorRuntime

/// PyTorch's `_InstanceNorm`: normalises each sample's channels over their positions. Same
/// parameters, buffers and repr as the batch norms (defaults `affine=False`,
/// `track_running_stats=False`); running statistics, when tracked, are used in eval mode.
/// Accepts unbatched input (one dimension fewer), as PyTorch does.
open class InstanceNormBase: BatchNormBase {
    /// Dimensions of an unbatched input (2 for InstanceNorm1d, 3 for InstanceNorm2d).
    open var noBatchDim: Int { 2 }

    override open var pythonModuleName: String { "torch.nn.modules.instancenorm" }

    override open func checkInputDim(_ input: Tensor) throws {
        guard input.dim == noBatchDim || input.dim == noBatchDim + 1 else {
            throw TorchError.value("expected \(noBatchDim)D or \(noBatchDim + 1)D input (got \(input.dim)D input)")
        }
    }

    override open func forward(_ input: Tensor) throws -> Tensor {
        try checkInputDim(input)
        let featureDim = input.dim - noBatchDim
        if input.shape[featureDim] != numFeatures {
            if affine {
                throw TorchError.value("expected input's size at dim=\(featureDim) to match num_features (\(numFeatures)), but got: \(input.shape[featureDim]).")
            }
            NNWarnings.warn("input's size at dim=\(featureDim) does not match num_features. You can silence this warning by not passing in num_features, which is not used because affine=False")
        }
        let batched = input.dim == noBatchDim ? try input.unsqueeze(0) : input
        let out = try Functional.instanceNorm(batched, runningMean: buffer("running_mean"), runningVar: buffer("running_var"),
                                              weight: parameter("weight"), bias: parameter("bias"),
                                              useInputStats: training || !trackRunningStats, momentum: momentum ?? 0, eps: eps)
        return input.dim == noBatchDim ? try out.squeeze(dim: 0) : out
    }
}

/// `nn.InstanceNorm1d(num_features, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)`:
/// (N, C, L) or unbatched (C, L) input.
open class InstanceNorm1d: InstanceNormBase {}

/// `nn.InstanceNorm2d(num_features, …)`: (N, C, H, W) or unbatched (C, H, W) input.
open class InstanceNorm2d: InstanceNormBase {
    override open var noBatchDim: Int { 3 }
}
