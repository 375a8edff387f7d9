extension Functional {
    /// `F.embedding(indices, weight, padding_idx)`: rows of `weight` `[V, D]` gathered by int64
    /// `indices` of any shape → `indices.shape + [D]`. Backward scatter-adds into the rows,
    /// skipping `paddingIdx` (EmbeddingBackward0).
    public static func embedding(_ indices: Tensor, weight: Tensor, paddingIdx: Int? = nil) throws -> Tensor {
        guard indices.dtype == .int64 else {
            throw TorchError.runtime("Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got \(indices.dtype.legacyTypeName) instead (while checking arguments for embedding)")
        }
        guard weight.dim == 2 else { throw TorchError.runtime("'weight' must be 2-D") }
        let rows = weight.shape[0], d = weight.shape[1]
        var pad = paddingIdx
        if let p = paddingIdx {
            guard p >= -rows && p < rows else { throw TorchError.runtime("Padding_idx must be within num_embeddings") }
            pad = p < 0 ? p + rows : p
        }
        let idx = try indices.dense()
        let ip = idx.elements(Int64.self), count = idx.numel
        for i in 0..<count where ip[i] < 0 || ip[i] >= Int64(rows) {
            throw TorchError.index("index out of range in self")
        }
        let w = try weight.dense()
        let out = try Tensor(shape: indices.shape + [d], dtype: weight.dtype, zeroed: false)
        let bytes = d * weight.dtype.itemSize
        let src = w.storage.data + w.storageOffset * weight.dtype.itemSize, dst = out.storage.data
        for i in 0..<count { (dst + i * bytes).copyMemory(from: src + Int(ip[i]) * bytes, byteCount: bytes) }
        return out.recordingGrad("EmbeddingBackward0", inputs: [weight]) { g in
            let gd = try g.dense()
            let gw = try Tensor(shape: weight.shape, dtype: weight.dtype, zeroed: true)
            func scatter<T: KernelFloat>(_: T.Type) {
                let gp = gd.elements(T.self), wp = gw.elements(T.self), ip = idx.elements(Int64.self)
                for i in 0..<count {
                    let r = Int(ip[i])
                    if r == pad { continue }
                    let row = wp + r * d, from = gp + i * d
                    for j in 0..<d { row[j] += from[j] }
                }
            }
            switch weight.dtype {
            case .float32: scatter(Float.self)
            case .float64: scatter(Double.self)
            default: break
            }
            return [gw.recordedAsAdjoint(of: g, opName: "EmbeddingBackward0") { u in
                try embedding(indices, weight: u, paddingIdx: paddingIdx)
            }]
        }
    }
}
