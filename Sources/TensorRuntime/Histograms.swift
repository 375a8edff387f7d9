import Foundation

/// `torch.histc` (equal-width bins over [min, max]) and the binary searches of
/// `torch.searchsorted` / `torch.bucketize`. Neither records gradients (PyTorch has none).
extension Tensor {
    /// Counts of the elements in `bins` equal-width bins over [min, max] (the data's extremes when
    /// min == max, widened by 1 each way if those are equal too); elements outside, and NaNs, are
    /// not counted; max itself falls in the last bin. The result has the input's dtype.
    public func histc(bins: Int, min lo: Double, max hi: Double) throws -> Tensor {
        guard dtype == .float32 || dtype == .float64 else {
            throw TorchError(.notImplementedError, "\"histogram_cpu\" not implemented for '\(dtype.shortName)'")
        }
        guard bins > 0 else { throw TorchError.runtime("torch.histogram(): bins must be > 0, but got \(bins) for dimension 0") }
        let values = toDoubles()
        var left = lo, right = hi
        if left == right, !values.isEmpty {
            left = values.reduce(Double.infinity) { $0.isNaN || $1.isNaN ? .nan : Swift.min($0, $1) }
            right = values.reduce(-Double.infinity) { $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1) }
        }
        if left == right { left -= 1; right += 1 }
        guard left.isFinite, right.isFinite else {
            throw TorchError.runtime("torch.histc: range of [\(formatLikeC10(left)), \(formatLikeC10(right))] is not finite")
        }
        guard left < right else { throw TorchError.runtime("torch.histc: max must be larger than min") }
        var counts = [Double](repeating: 0, count: bins)
        let isFloat = dtype == .float32
        for x in values where x >= left && x <= right {
            // ATen's linear bin position, in the input's precision.
            let position = isFloat ? Double((Float(x) - Float(left)) * Float(bins) / (Float(right) - Float(left)))
                                   : (x - left) * Double(bins) / (right - left)
            let bin = Swift.min(Swift.max(Int(position), 0), bins - 1)
            counts[bin] += 1
        }
        return try Tensor(doubles: counts, shape: [bins], dtype: dtype)
    }

    /// For each element of `values`, the index at which it would be inserted into the last dim of
    /// self (sorted ascending) to keep it sorted: before equal entries, or after them when `right`.
    /// Self is 1-D, or has `values`' leading dims.
    public func searchSorted(_ values: Tensor, right: Bool, int32: Bool) throws -> Tensor {
        let sequenceLeading = Array(shape.dropLast()), valueLeading = Array(values.shape.dropLast())
        guard dim == 1 || (dim >= 1 && values.dim == dim && sequenceLeading == valueLeading) else {
            throw TorchError.runtime("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of "
                + "boundaries tensor and input value tensor must match, but we got boundaries tensor "
                + "[\(shape.map(String.init).joined(separator: ", "))] and input value tensor "
                + "[\(values.shape.map(String.init).joined(separator: ", "))]")
        }
        let sequence = toDoubles(), xs = values.toDoubles()
        let length = shape.last ?? 0, rowLength = values.shape.last ?? 1
        var out = [Double]()
        out.reserveCapacity(xs.count)
        for (i, x) in xs.enumerated() {
            let base = dim == 1 ? 0 : (i / Swift.max(rowLength, 1)) * length
            var low = 0, high = length
            while low < high {
                let mid = (low + high) / 2, s = sequence[base + mid]
                if right ? !(x < s) : s < x { low = mid + 1 } else { high = mid }
            }
            out.append(Double(low))
        }
        return try Tensor(doubles: out, shape: values.shape, dtype: int32 ? .int32 : .int64)
    }
}

/// A number as c10 prints it in messages (`1`, `inf`, `nan`, `0.5`).
public func formatLikeC10(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == x.rounded(), Swift.abs(x) < 1e15 { return String(Int(x)) }
    return String(x)
}
