/// dtype conversions as scripts call them (`x.double()`, `x.to(torch.float16)`), with PyTorch's
/// default `memory_format=torch.preserve_format`: a tensor whose elements tile their storage
/// exactly in some dimension order (non-overlapping and dense, e.g. `x.t()` or a permutation)
/// keeps its strides; any other comes out contiguous, as `converted(to:)` makes it. Kernels keep
/// using `converted(to:)`, which always returns a contiguous tensor.
extension Tensor {
    public func convertedPreservingLayout(to newType: DType) throws -> Tensor {
        guard newType != dtype, !isContiguous, numel > 0, isNonOverlappingAndDense else { return try converted(to: newType) }
        let out = Tensor(storage: try Storage(count: numel, dtype: newType, zeroed: false), shape: shape, strides: strides)
        try copyElements(from: self, to: out)
        if newType.isFloatingPoint && dtype.isFloatingPoint {
            let from = dtype
            out.recordingGrad("ToCopyBackward0", inputs: [self], savesTensors: false) { g in [try g.converted(to: from)] }
        }
        return out
    }
}
