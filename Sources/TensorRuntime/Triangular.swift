/// `tril` / `triu`: the lower / upper triangle of the last two dimensions (of every matrix in a
/// batch), the rest zeroed; `diagonal` shifts the boundary as in PyTorch (TrilBackward0 /
/// TriuBackward0: the gradient is masked the same way).
extension Tensor {
    /// `tril(diagonal=0)`: keeps elements with `column - row <= diagonal`.
    public func tril(diagonal: Int = 0) throws -> Tensor { try triangle(diagonal, lower: true) }

    /// `triu(diagonal=0)`: keeps elements with `column - row >= diagonal`.
    public func triu(diagonal: Int = 0) throws -> Tensor { try triangle(diagonal, lower: false) }

    private func triangle(_ diagonal: Int, lower: Bool) throws -> Tensor {
        let name = lower ? "tril" : "triu"
        guard dim >= 2 else { throw TorchError.runtime("\(name): input tensor must have at least 2 dimensions") }
        let out = try Tensor(shape: shape, dtype: dtype, zeroed: false)
        try copyElements(from: self, to: out)
        try dispatch(dtype, TriangleMask(out: out, diagonal: diagonal, lower: lower))
        guard GradMode.isEnabled && requiresGrad else { return out }
        return out.recordingGrad(lower ? "TrilBackward0" : "TriuBackward0", inputs: [self], savesTensors: false) { g in
            [try g.triangle(diagonal, lower: lower)]
        }
    }
}

/// Zeroes, in the contiguous `out`, every element outside the kept triangle of each matrix.
private struct TriangleMask: ElementKernel {
    let out: Tensor, diagonal: Int, lower: Bool

    func run<T: TensorElement>(_: T.Type) {
        let rows = out.shape[out.dim - 2], cols = out.shape[out.dim - 1]
        guard rows > 0, cols > 0 else { return }
        let matrices = out.numel / (rows * cols)
        let p = out.elements(T.self)
        let zero = T(converting: 0)
        // Clamp the boundary to [-1, cols] so huge diagonals never overflow.
        let shift = Swift.max(-cols - 1, Swift.min(diagonal, cols + 1))
        for m in 0..<matrices {
            let base = m * rows * cols
            for r in 0..<rows {
                let row = p + base + r * cols
                if lower {
                    // keep c <= r + shift
                    let first = Swift.max(0, Swift.min(cols, r + shift + 1))
                    for c in first..<cols { row[c] = zero }
                } else {
                    // keep c >= r + shift
                    let end = Swift.max(0, Swift.min(cols, r + shift))
                    for c in 0..<end { row[c] = zero }
                }
            }
        }
    }
}
