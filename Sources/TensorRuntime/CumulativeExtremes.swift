import Foundation

/// `cummax`/`cummin` (running extreme and where it was, CummaxBackward0/CumminBackward0) and
/// `logcumsumexp` (LogcumsumexpBackward0), each line along `dim` scanned in Double.
extension Tensor {
    /// `torch.cummax(input, dim)` / `cummin`: values and int64 indices. A NaN, once met, stays
    /// the extreme; ties take the later index (ATen's `>=` / `<=`).
    public func cumulativeExtreme(dim requested: Int, isMax: Bool) throws -> (values: Tensor, indices: Tensor) {
        let d = try normalizeDim(requested)
        let indices: Tensor
        if dim == 0 || numel == 0 {
            indices = try Tensor(shape: shape, dtype: .int64)
        } else {
            let lines = try transpose(d, dim - 1).contiguous()
            let n = shape[d], values = lines.toDoubles()
            var found = [Double](repeating: 0, count: values.count)
            for start in stride(from: 0, to: values.count, by: n) {
                var best = values[start], at = 0
                for i in 0..<n {
                    let x = values[start + i]
                    let better = isMax ? x >= best : x <= best
                    if x.isNaN || (!best.isNaN && better) { best = x; at = i }
                    found[start + i] = Double(at)
                }
            }
            indices = try Tensor(doubles: found, shape: lines.shape, dtype: .int64).transpose(d, dim - 1).contiguous()
        }
        let values = try GradMode.withNoGrad { dim == 0 ? try cloned() : try gather(dim: d, index: indices) }
        let target = GradTarget(self)
        let result = values.recordingGrad(isMax ? "CummaxBackward0" : "CumminBackward0", inputs: [self]) { g in
            if target.shape.isEmpty { return [g] }
            return [try Tensor.zeros(target.shape, dtype: g.dtype).scatterAdd(dim: d, index: indices, src: g)]
        }
        return (result, indices)
    }

    /// `torch.logcumsumexp(input, dim)`: log of the running sum of exp, accumulated stably.
    public func logcumsumexp(dim requested: Int) throws -> Tensor {
        guard dtype.isFloatingPoint else {
            throw TorchError(.notImplementedError, "\"logcumsumexp_out_cpu\" not implemented for '\(dtype.shortName)'")
        }
        let d = try normalizeDim(requested)
        let result: Tensor
        if dim == 0 || numel == 0 {
            result = try GradMode.withNoGrad { try cloned() }
        } else {
            let lines = try transpose(d, dim - 1).contiguous()
            let n = shape[d]
            var values = lines.toDoubles()
            for start in stride(from: 0, to: values.count, by: n) {
                for i in 1..<Swift.max(n, 1) { values[start + i] = Tensor.logAddExp(values[start + i - 1], values[start + i]) }
            }
            result = try Tensor(doubles: values, shape: lines.shape, dtype: dtype).transpose(d, dim - 1).contiguous()
        }
        let input = SavedTensor(self), output = SavedTensor(output: result)
        return result.recordingGrad("LogcumsumexpBackward0", inputs: [self]) { g in
            [try Tensor.logcumsumexpBackward(g, try input.get(), try output.get(), dim: d)]
        }
    }

    /// ATen's `_log_add_exp_helper`: max + log1p(exp(min - max)), infinities and NaN as ATen.
    static func logAddExp(_ x: Double, _ y: Double) -> Double {
        let lo = y.isNaN ? y : Swift.min(x, y), hi = y.isNaN ? y : Swift.max(x, y)
        if lo != hi || lo.isFinite { return hi + Foundation.log1p(Foundation.exp(lo - hi)) }
        return x
    }

    /// FunctionsManual's logcumsumexp_backward: positive and negative parts of the gradient summed
    /// in log space from the end, so large inputs neither overflow nor cancel.
    private static func logcumsumexpBackward(_ g: Tensor, _ x: Tensor, _ out: Tensor, dim d: Int) throws -> Tensor {
        if x.dim == 0 { return g }
        let lowest: Scalar = .double(g.dtype == .float64 ? -Double.greatestFiniteMagnitude : -Double(Float.greatestFiniteMagnitude))
        func reversed(_ t: Tensor) throws -> Tensor { try t.flip([d]).logcumsumexp(dim: d).flip([d]) }
        let logAbs = try g.abs().log()
        let positive = try logAbs.maskedFill(try g.le(.int(0)), lowest)
        let negative = try logAbs.maskedFill(try g.ge(.int(0)), lowest)
        let up = try reversed(try positive.sub(out)).add(x).exp()
        let down = try reversed(try negative.sub(out)).add(x).exp()
        return try up.sub(down)
    }
}
