/// `torch.bincount`: how often each non-negative integer occurs.
extension Tensor {
    /// Counts of each value of a 1-d int64 tensor (length `max + 1`, at least `minlength`), or the
    /// sums of `weights` per value: float32 weights give float32 sums, any other weights float64,
    /// as ATen's `_bincount_cpu`.
    public func bincount(weights: Tensor? = nil, minlength: Int = 0) throws -> Tensor {
        guard dtype == .int64 else {
            throw TorchError(.notImplementedError, "\"bincount_cpu\" not implemented for '\(dtype.shortName)'")
        }
        guard minlength >= 0 else { throw TorchError.runtime("minlength should be >= 0") }
        let onlyNonNegative = "bincount only supports 1-d non-negative integral inputs."
        guard dim == 1 else { throw TorchError.runtime(onlyNonNegative) }
        if let w = weights, w.dim != 1 || w.shape[0] != shape[0] {
            throw TorchError.runtime("weights should be 1-d and have the same length as input")
        }
        let c = try contiguous()
        let values = c.storage.pointer(Int64.self) + c.storageOffset
        let n = shape[0]
        var largest: Int64 = -1
        for i in 0..<n {
            guard values[i] >= 0 else { throw TorchError.runtime(onlyNonNegative) }
            largest = Swift.max(largest, values[i])
        }
        if n == 0 && weights == nil { return try Tensor(shape: [minlength], dtype: .int64) }
        let bins = Swift.max(Int(largest) + 1, minlength)
        guard let weights else {
            let out = try Tensor(shape: [bins], dtype: .int64)
            let counts = out.storage.pointer(Int64.self)
            for i in 0..<n { counts[Int(values[i])] += 1 }
            return out
        }
        let outType: DType = weights.dtype == .float32 ? .float32 : .float64
        let w = try weights.converted(to: outType).contiguous()
        let out = try Tensor(shape: [bins], dtype: outType)
        if outType == .float32 {
            let src = w.storage.pointer(Float.self) + w.storageOffset, sums = out.storage.pointer(Float.self)
            for i in 0..<n { sums[Int(values[i])] += src[i] }
        } else {
            let src = w.storage.pointer(Double.self) + w.storageOffset, sums = out.storage.pointer(Double.self)
            for i in 0..<n { sums[Int(values[i])] += src[i] }
        }
        return out
    }
}
