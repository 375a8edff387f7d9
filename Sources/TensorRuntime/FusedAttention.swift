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

    /// The attention output, or nil where the composed path must run. With `packed`, q, k and v
    /// are unrecorded views of that one contiguous tensor that together cover each of its elements
    /// once (MultiheadAttention's in-projection, see `Functional.packedSelfAttention`): the node's
    /// input is then `packed`, and its gradient is written straight into one buffer of packed's
    /// shape (no select or split nodes, no zero-filled gradients to sum).
    static func attend(_ q: Tensor, _ k: Tensor, _ v: Tensor, mask: Tensor?, isCausal: Bool, scale: Double,
                       packed: Tensor? = nil) throws -> Tensor? {
        let d = q.dim
        guard isEnabled, q.dtype == .float32 || q.dtype == .float64, d >= 2, k.dim == d, v.dim == d else { return nil }
        let batch = Array(q.shape.prefix(d - 2))
        guard Array(k.shape.prefix(d - 2)) == batch, Array(v.shape.prefix(d - 2)) == batch else { return nil }
        let l = q.shape[d - 2], s = k.shape[d - 2], e = q.shape[d - 1], ev = v.shape[d - 1]
        let heads = batch.reduce(1, *)
        guard k.shape[d - 1] == e, v.shape[d - 2] == s, l > 0, s > 0, e > 0, ev > 0, heads > 0 else { return nil }
        if let packed {
            guard packed.isContiguous, [q, k, v].allSatisfy({ $0.storage === packed.storage && HeadRows.fits($0) }) else { return nil }
        }
        var additive: (block: Tensor, head: Int)?
        if let mask {
            guard !mask.requiresGrad, mask.dim <= d, let blocks = try maskBlocks(mask, batch: batch, l, s, dtype: q.dtype) else { return nil }
            additive = blocks
        }
        let qr = try HeadRows(q), kr = try HeadRows(k), vr = try HeadRows(v)
        let geometry = nn_attention_shape(heads: heads, L: l, S: s, E: e, Ev: ev, qHeads: qr.heads.offsets, kHeads: kr.heads.offsets,
                                          vHeads: vr.heads.offsets, qRow: qr.row, kRow: kr.row, vRow: vr.row,
                                          maskHead: additive?.head ?? 0, causal: isCausal ? 1 : 0,
                                          lanes: AtenSoftmaxOrder.lanes, libm: AtenSoftmaxOrder.libm, scale: scale)
        let out = try HeadRows.allocate(like: q, shape: batch + [l, ev])
        let probs = try Tensor(shape: [heads, l, s], dtype: q.dtype, zeroed: false)
        let maskBlock = additive?.block
        try withExtendedLifetime((qr, kr, vr)) {
            try forEachHeadRange(geometry, flops: l * s * (e + ev)) { shape, h0, h1 in
                if q.dtype == .float32 {
                    return nn_attention_forward_f32(shape, h0, h1, qr.elements(), kr.elements(), vr.elements(),
                                                    maskBlock?.elements(Float.self), out.tensor.elements(Float.self),
                                                    out.heads.offsets, out.row, probs.elements(Float.self))
                }
                return nn_attention_forward_f64(shape, h0, h1, qr.elements(), kr.elements(), vr.elements(),
                                                maskBlock?.elements(Double.self), out.tensor.elements(Double.self),
                                                out.heads.offsets, out.row, probs.elements(Double.self))
            }
        }
        let needQ = packed != nil || q.requiresGrad, needK = packed != nil || k.requiresGrad, needV = packed != nil || v.requiresGrad
        return out.tensor.recordingGrad("ScaledDotProductFlashAttentionForCpuBackward0", inputs: packed.map { [$0] } ?? [q, k, v]) { grad in
            let g = try HeadRows(grad)
            // The gradients: q's, k's and v's places in one packed buffer, or one tensor each.
            let gPacked = try packed.map { try Tensor(shape: $0.shape, dtype: $0.dtype, zeroed: false) }
            func gradient(of t: Tensor, _ needed: Bool) throws -> HeadRows? {
                guard needed else { return nil }
                guard let packed, let gPacked else { return try HeadRows.allocate(like: t, shape: t.shape) }
                return try HeadRows(Tensor(storage: gPacked.storage, shape: t.shape, strides: t.strides,
                                           storageOffset: t.storageOffset - packed.storageOffset))
            }
            let gq = try gradient(of: q, needQ), gk = try gradient(of: k, needK), gv = try gradient(of: v, needV)
            try withExtendedLifetime((qr, kr, vr)) {
                try forEachHeadRange(geometry, flops: 2 * l * s * (e + ev)) { shape, h0, h1 in
                    if q.dtype == .float32 {
                        return nn_attention_backward_f32(shape, h0, h1, qr.elements(), kr.elements(), vr.elements(),
                                                         probs.elements(Float.self), g.elements(), g.heads.offsets, g.row,
                                                         gq?.tensor.elements(Float.self), gq?.heads.offsets, gq?.row ?? 0,
                                                         gk?.tensor.elements(Float.self), gk?.heads.offsets, gk?.row ?? 0,
                                                         gv?.tensor.elements(Float.self), gv?.heads.offsets, gv?.row ?? 0)
                    }
                    return nn_attention_backward_f64(shape, h0, h1, qr.elements(), kr.elements(), vr.elements(),
                                                     probs.elements(Double.self), g.elements(), g.heads.offsets, g.row,
                                                     gq?.tensor.elements(Double.self), gq?.heads.offsets, gq?.row ?? 0,
                                                     gk?.tensor.elements(Double.self), gk?.heads.offsets, gk?.row ?? 0,
                                                     gv?.tensor.elements(Double.self), gv?.heads.offsets, gv?.row ?? 0)
                }
            }
            if let gPacked { return [gPacked] }
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
/// contiguous, rows `row` apart, head h (the batch dims flattened in order) starting
/// `heads.offsets[h]` elements after the tensor's first element (any batch strides). Tensors whose
/// last dim is strided are copied contiguous.
private struct HeadRows {
    let tensor: Tensor
    let heads: HeadOffsets
    let row: Int

    init(_ t: Tensor) throws {
        let source = HeadRows.fits(t) ? t : try t.dense()
        (tensor, heads, row) = (source, HeadOffsets(source), source.strides[source.dim - 2])
    }

    /// Whether the kernels read `t` in place (its last dim contiguous).
    static func fits(_ t: Tensor) -> Bool { t.shape[t.dim - 1] == 1 || t.strides[t.dim - 1] == 1 }

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
        return try HeadRows(fits(candidate) ? candidate : try Tensor(shape: shape, dtype: t.dtype, zeroed: false))
    }

    func elements<T>() -> UnsafeMutablePointer<T> { tensor.elements(T.self) }
}

/// Where each head of a `[batch…, rows, cols]` tensor starts: one offset per index of the batch
/// dims (flattened in order), in memory the C kernels read for as long as this object lives.
private final class HeadOffsets {
    let offsets: UnsafeMutablePointer<Int>

    init(_ t: Tensor) {
        let dims = t.dim - 2, count = t.shape.prefix(dims).reduce(1, *)
        offsets = .allocate(capacity: Swift.max(count, 1))
        var index = [Int](repeating: 0, count: dims)
        var offset = 0
        for h in 0..<count {
            offsets[h] = offset
            var i = dims - 1
            while i >= 0 {   // the next batch index, last dim fastest
                index[i] += 1
                offset += t.strides[i]
                if index[i] < t.shape[i] { break }
                offset -= t.strides[i] * t.shape[i]
                index[i] = 0
                i -= 1
            }
        }
    }

    deinit { offsets.deallocate() }
}
