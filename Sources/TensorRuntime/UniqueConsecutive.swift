/// `unique_consecutive`: each run of equal neighbours collapsed to one entry (no sorting), as
/// PyTorch's `unique_consecutive_cpu_template` / `_unique_dim_cpu_template(consecutive=True)`.
extension Tensor {
    /// `unique_consecutive(return_inverse, return_counts, dim=None)` over all elements (flattened):
    /// the first value of each run, each element's run number (`inverse`, the input's shape) and
    /// each run's length. NaNs are never equal, so each NaN is a run of its own. The values record
    /// a `UniqueConsecutiveBackward0` node whose backward is PyTorch's NotImplementedError.
    public func uniqueConsecutive() throws -> (values: Tensor, inverse: Tensor, counts: Tensor) {
        let flat = try GradMode.withNoGrad { try self.cast(dtype.computeType).dense() }
        let (values, inverse, counts) = try dispatchArith(flat.dtype, ConsecutiveRunsKernel(input: flat))
        return (try recordingNoDerivative(try values.cast(dtype)), try inverse.reshape(shape), counts)
    }

    /// `unique_consecutive(dim=d)`: each run of equal neighbouring slices along `d` collapsed to
    /// its first slice; `inverse` has one run number per slice.
    public func uniqueConsecutive(dim d: Int) throws -> (values: Tensor, inverse: Tensor, counts: Tensor) {
        let nd = try normalizeDim(d)
        guard dim > 0 else { throw TorchError.index("Dimension out of range (expected to be in range of [-1, 0], but got \(d))") }
        if numel == 0 && shape[nd] != 0 {
            throw TorchError.runtime("There are 0 sized dimensions, and they aren't selected, so unique cannot be applied")
        }
        let slices = try SliceRows(self, nd)
        // A slice starts a new run unless it equals the previous one (NaNs never do).
        let u = try slices.result(SliceRows.runs(Array(0..<slices.rows)) { slices.compare($0, $1) != 0 })
        return (try recordingNoDerivative(u.values), u.inverse, u.counts)
    }

    /// `result` with PyTorch's `UniqueConsecutiveBackward0` node, which has no derivative.
    private func recordingNoDerivative(_ result: Tensor) -> Tensor {
        result.recordingGrad("UniqueConsecutiveBackward0", inputs: [self]) { _ in
            throw TorchError(.notImplementedError, "the derivative for 'unique_consecutive' is not implemented.")
        }
    }
}

/// The runs of equal neighbours of a contiguous input: first values, run numbers and lengths.
private struct ConsecutiveRunsKernel: ArithKernel {
    let input: Tensor

    func run<T: ArithElement>(_: T.Type) throws -> (Tensor, Tensor, Tensor) {
        try equalRuns(input.elements(T.self), in: 0..<input.numel, count: input.numel)
    }
}
