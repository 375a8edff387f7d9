extension Functional {
    /// `F.multilabel_margin_loss(input, target, reduction='mean')`: for each sample, the target
    /// row lists class indices up to the first -1; the loss is Σ over those targets y and the
    /// other classes i of max(0, 1 − x[y] + x[i]), divided by C (ATen's
    /// multilabel_margin_loss_forward_out_frame, accumulating in the input's precision).
    public static func multilabelMarginLoss(_ input: Tensor, target: Tensor, reduction: String = "mean") throws -> Tensor {
        let red = try LossReduction(reduction)
        guard input.dim <= 2, input.numel > 0 || input.dim == 2 else {
            throw TorchError.runtime("Expected non-empty vector or matrix with optional 0-dim batch size, but got: \(shapeDescription(input.shape))")
        }
        let n = input.dim == 2 ? input.shape[0] : 1, c = input.dim == 0 ? 1 : input.shape[input.dim - 1]
        guard target.shape == input.shape || (input.dim <= 1 && target.dim <= 1 && target.numel == c) else {
            throw TorchError.runtime("inconsistent target size: \(shapeDescription(target.shape)) for input of size: \(shapeDescription(input.shape))")
        }
        guard target.dtype == .int64 else {
            throw TorchError.runtime("expected scalar type Long but found \(target.dtype.atenName)")
        }
        let y = target.toScalars().map { Int($0.doubleValue) }
        for t in y where t < -1 || t >= c { throw TorchError.runtime("target out of range") }
        let x = try input.dense().toDoubles()
        let (losses, grad) = input.dtype == .float32
            ? multilabelMargin(Float.self, x, y, n: n, c: c)
            : multilabelMargin(Double.self, x, y, n: n, c: c)
        return try reducedPerSampleLoss(losses, gradient: grad, of: input, reduction: red, gradName: "MultilabelMarginLossBackward0")
    }
}

/// multilabel_margin_loss per sample in the input's precision `T`: the losses and the gradient
/// of their sum.
private func multilabelMargin<T: BinaryFloatingPoint>(_: T.Type, _ x: [Double], _ y: [Int], n: Int, c: Int) -> ([Double], [Double]) {
    var losses = [Double](repeating: 0, count: n), grad = [Double](repeating: 0, count: x.count)
    let count = T(c)
    for i in 0..<n {
        let row = i * c
        let targets = y[row..<(row + c)].prefix { $0 >= 0 }
        var isTarget = [Bool](repeating: false, count: c)
        for t in targets { isTarget[t] = true }
        var sum: T = 0
        for t in targets {
            let xt = T(x[row + t])
            for d in 0..<c where !isTarget[d] {
                let z = 1 - xt + T(x[row + d])
                if z > 0 {
                    sum += z
                    grad[row + t] -= 1 / Double(c)
                    grad[row + d] += 1 / Double(c)
                }
            }
        }
        losses[i] = Double(sum / count)
    }
    return (losses, grad)
}
