import CKernels

/// `F.scaled_dot_product_attention` in one node (PyTorch's `ScaledDotProductFlashAttentionForCpuBackward0`)
/// over the fused kernels of CKernels/attention.c: no scores tensor, mask fill, separate softmax
/// or batched-product nodes, no copies of head-strided q, k, v (MultiheadAttention's heads are
/// strided views), and with `is_causal` the masked half of every product is skipped. Taken for
/// float32 and float64 without dropout, when q, k and v have the same batch dims and the mask
/// (bool or float) needs no gradient and broadcasts to `[batch…, L, S]`; anything else runs the
/// composed path, which is what the fused one computes (same softmax order for float32).
enum FusedAttention {
    /// Off only in tests that compare the fused kernels with the composed path.
    nonisolated(unsafe) static var isEnabled = true

    /// The attention output, or nil where the composed path must run.
    static func attend(_ q: Tensor, _ k: Tensor, _ v: Tensor, mask: Tensor?, isCausal: Bool, scale: Double) throws -> Tensor? {
        let d = q.dim
        guard isEnabled, q.dtype == .float32 || q.dtype == .float64, d >= 2, k.dim == d, v.dim == d else { return nil }
        let batch = Array(q.shape.prefix(d - 2))
        guard Array(k.shape.prefix(d - 2)) == batch, Array(v.shape.prefix(d - 2)) == batch else { return nil }
        let l = q.shape[d - 2], s = k.shape[d - 2], e = q.shape[d - 1], ev = v.shape[d - 1]
        let heads = batch.reduce(1, *)
        guard k.shape[d - 1] == e, v.shape[d - 2] == s, l > 0, s > 0, e > 0, ev > 0, heads > 0 else { return nil }
        var additive: (block: Tensor, head: Int)?
        if let mask {
            guard !mask.requiresGrad, mask.dim <= d, let blocks = try maskBlocks(mask, batch: batch, l, s, dtype: q.dtype) else { return nil }
            additive = blocks
        }
        let qr = try HeadRows(q), kr = try HeadRows(k), vr = try HeadRows(v)
        let geometry = nn_attention_shape(heads: heads, L: l, S: s, E: e, Ev: ev, qHead: qr.head, qRow: qr.row,
                                          kHead: kr.head, kRow: kr.row, vHead: vr.head, vRow: vr.row,
                                          maskHead: additive?.head ?? 0, causal: isCausal ? 1 : 0,
                                          lanes: AtenSoftmaxOrder.lanes, libm: AtenSoftmaxOrder.libm, scale: scale)
        let out = try HeadRows.allocate(like: q, shape: batch + [l, ev])
        let probs = try Tensor(shape: [heads, l, s], dtype: q.dtype, zeroed: false)
        let maskBlock = additive?.block
        try forEachHeadRange(geometry, flops: l * s * (e + ev)) { shape, h0, h1 in
            if q.dtype == .float32 {
                return nn_attention_forward_f32(shape, h0, h1, qr.elements(), kr.elements(), vr.elements(),
                                                maskBlock?.elements(Float.self), out.tensor.elements(Float.self),
                                                out.head, out.row, probs.elements(Float.self))
            }
            return nn_attention_forward_f64(shape, h0, h1, qr.elements(), kr.elements(), vr.elements(),
                                            maskBlock?.elements(Double.self), out.tensor.elements(Double.self),
                                            out.head, out.row, probs.elements(Double.self))
        }
        let needQ = q.requiresGrad, needK = k.requiresGrad, needV = v.requiresGrad
        return out.tensor.recordingGrad("ScaledDotProductFlashAttentionForCpuBackward0", inputs: [q, k, v]) { grad in
            let g = try HeadRows(grad)
            let gq = needQ ? try HeadRows.allocate(like: q, shape: q.shape) : nil
            let gk = needK ? try HeadRows.allocate(like: k, shape: k.shape) : nil
            let gv = needV ? try HeadRows.allocate(like: v, shape: v.shape) : nil
            try forEachHeadRange(geometry, flops: 2 * l * s * (e + ev)) { shape, h0, h1 in
                if q.dtype == .float32 {
                    return nn_attention_backward_f32(shape, h0, h1, qr.elements(), kr.elements(), vr.elements(),
                                                     probs.elements(Float.self), g.elements(), g.head, g.row,
                                                     gq?.tensor.elements(Float.self), gq?.head ?? 0, gq?.row ?? 0,
                                                     gk?.tensor.elements(Float.self), gk?.head ?? 0, gk?.row ?? 0,
                                                     gv?.tensor.elements(Float.self), gv?.head ?? 0, gv?.row ?? 0)
                }
                return nn_attention_backward_f64(shape, h0, h1, qr.elements(), kr.elements(), vr.elements(),
                                                 probs.elements(Double.self), g.elements(), g.head, g.row,
                                                 gq?.tensor.elements(Double.self), gq?.head ?? 0, gq?.row ?? 0,
                                                 gk?.tensor.elements(Double.self), gk?.head ?? 0, gk?.row ?? 0,
                                                 gv?.tensor.elements(Double.self), gv?.head ?? 0, gv?.row ?? 0)
            }
            return [gq?.tensor, gk?.tensor, gv?.tensor]
        }
    }

    /// Runs `kernel(h0, h1)` over the heads, split over the cores when the work is big enough;
    /// a kernel that could not get its scratch memory is a MemoryError.
    private static func forEachHeadRange(_ geometry: nn_attention_shape, flops perHead: Int,
                                         _ kernel: (UnsafePointer<nn_attention_shape>, Int, Int) -> Int32) throws {
        let heads = geometry.heads
        let parts = heads * perHead >= 1 << 16 ? Swift.min(kernelThreads, heads) : 1
        var status = [Int32](repeating: 0, count: parts)
        withUnsafePointer(to: geometry) { shape in
            status.withUnsafeMutableBufferPointer { results in
                parallelParts(parts) { p in
                    let r = partRange(p, of: parts, count: heads)
                    results[p] = kernel(shape, r.lowerBound, r.upperBound)
                }
            }
        }
        if status.contains(where: { $0 != 0 }) { throw TorchError(.memoryError, "scaled_dot_product_attention: out of memory") }
    }

    /// The mask as additive `[L, S]` blocks of `dtype` (a bool mask is 0 where True, −inf where
    /// False): one shared block (head step 0) when the mask does not vary over the batch dims,
    /// else one contiguous block per head. Nil when it does not broadcast to `[batch…, L, S]`.
    private static func maskBlocks(_ mask: Tensor, batch: [Int], _ l: Int, _ s: Int, dtype: DType) throws -> (block: Tensor, head: Int)? {
        let full = batch + [l, s]
        guard (try? broadcastShapes(mask.shape, full)) == full else { return nil }
        let additive = mask.dtype == .bool
            ? try Tensor.zeros(mask.shape, dtype: dtype).maskedFill(try mask.logicalNot(), .double(-.infinity))
            : try mask.converted(to: dtype)
        let shared = additive.shape.dropLast(2).allSatisfy { $0 == 1 }
        if shared {
            let last = Array(additive.shape.suffix(2))
            let block = try additive.reshape(Array(repeating: 1, count: 2 - last.count) + last).expand([l, s]).dense()
            return (block, 0)
        }
        return (try additive.expand(full).dense(), l * s)
    }
}

/// A `[batch…, rows, cols]` tensor seen as heads of rows for the attention kernels: the last dim
/// contiguous, the batch dims one run of equal steps (`head` elements apart), rows `row` apart.
/// Tensors that do not fit are copied contiguous.
private struct HeadRows {
    let tensor: Tensor
    let head, row: Int

    init(_ t: Tensor) throws {
        if let (head, row) = HeadRows.steps(t) {
            (tensor, self.head, self.row) = (t, head, row)
        } else {
            let dense = try t.dense()
            (tensor, head, row) = (dense, t.shape[t.dim - 2] * t.shape[t.dim - 1], t.shape[t.dim - 1])
        }
    }

    /// The head and row steps of `t`, nil when it does not fit.
    private static func steps(_ t: Tensor) -> (Int, Int)? {
        let d = t.dim
        guard t.shape[d - 1] == 1 || t.strides[d - 1] == 1 else { return nil }
        var head = 0
        var expected: Int?
        for i in stride(from: d - 3, through: 0, by: -1) where t.shape[i] != 1 {
            if let expected { guard t.strides[i] == expected else { return nil } } else { head = t.strides[i] }
            expected = t.strides[i] * t.shape[i]
        }
        return (head, t.strides[d - 2])
    }

    /// A new tensor of `shape` whose dims are laid out in the order of `like`'s strides (as
    /// PyTorch's preserve_format), so an output or gradient of a head-strided view is one too and
    /// the views after it need no copy; contiguous when that order does not fit.
    static func allocate(like t: Tensor, shape: [Int]) throws -> HeadRows {
        let order = (0..<t.dim).sorted { t.strides[$0] != t.strides[$1] ? t.strides[$0] > t.strides[$1] : $0 < $1 }
        var strides = [Int](repeating: 0, count: shape.count)
        var step = 1
        for i in order.reversed() { strides[i] = step; step *= Swift.max(shape[i], 1) }
        let storage = try Storage(count: try checkedElementCount(shape), dtype: t.dtype, zeroed: false)
        let candidate = Tensor(storage: storage, shape: shape, strides: strides)
        if let (head, row) = steps(candidate) { return HeadRows(tensor: candidate, head: head, row: row) }
        return try HeadRows(Tensor(shape: shape, dtype: t.dtype, zeroed: false))
    }

    private init(tensor: Tensor, head: Int, row: Int) { (self.tensor, self.head, self.row) = (tensor, head, row) }

    func elements<T>() -> UnsafeMutablePointer<T> { tensor.elements(T.self) }
}
