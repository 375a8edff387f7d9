extension Functional {
    /// `F.scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal, scale, enable_gqa)`:
    /// `softmax(q·kᵀ·scale + mask)·v` over the last two dims (`q` `[…, L, E]`, `k` `[…, S, E]`,
    /// `v` `[…, S, Ev]`). A bool mask marks the positions that take part (False → −inf); a float
    /// mask is added. `is_causal` masks keys after each query (`tril` of an L×S matrix of ones).
    /// `scale` defaults to `1/sqrt(E)`. With `enableGQA`, k and v heads (dim −3) are repeated to
    /// match q's. Without dropout it is one fused node (FusedAttention.swift) where that applies;
    /// otherwise composed of matmul, softmax and dropout, so autograd follows them.
    public static func scaledDotProductAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, attnMask: Tensor? = nil,
                                                 dropoutP: Double = 0, isCausal: Bool = false, scale: Double? = nil,
                                                 enableGQA: Bool = false) throws -> Tensor {
        guard q.dim >= 2, k.dim >= 2, v.dim >= 2 else {
            throw TorchError.runtime("scaled_dot_product_attention: expected query, key and value to be at least 2-D, got \(q.dim)-D, \(k.dim)-D and \(v.dim)-D")
        }
        guard q.dtype == k.dtype, q.dtype == v.dtype else {
            throw TorchError.runtime("Expected query, key, and value to have the same dtype, but got query.dtype: \(q.dtype.name) key.dtype: \(k.dtype.name) and value.dtype: \(v.dtype.name) instead.")
        }
        guard q.dtype.isComputeFloat else { throw notImplemented("scaled_dot_product_attention", q.dtype) }
        if isCausal && attnMask != nil {
            throw TorchError.runtime("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
        }
        var key = k, value = v
        if enableGQA && q.dim >= 3 && k.dim >= 3 {
            let heads = q.shape[q.dim - 3], kvHeads = k.shape[k.dim - 3]
            guard kvHeads > 0, heads % kvHeads == 0 else {
                throw TorchError.runtime("Number of heads in key and value must divide the number of heads in query")
            }
            key = try repeatHeads(k, heads / kvHeads)
            value = try repeatHeads(v, heads / kvHeads)
        }
        let l = q.shape[q.dim - 2], s = key.shape[key.dim - 2], e = q.shape[q.dim - 1]
        let factor = scale ?? 1 / Double(e).squareRoot()
        if dropoutP == 0, let fused = try FusedAttention.attend(q, key, value, mask: attnMask, isCausal: isCausal, scale: factor) {
            return fused
        }
        var scores = try q.matmul(try key.transposeLastTwo()).mul(.double(factor))
        if isCausal {
            scores = try scores.maskedFill(try causalMask(l, s), .double(-.infinity))
        } else if let mask = attnMask {
            scores = mask.dtype == .bool ? try scores.maskedFill(try mask.logicalNot(), .double(-.infinity))
                                         : try scores.add(try mask.converted(to: scores.dtype))
        }
        var weights = try softmax(scores, dim: -1)
        if dropoutP > 0 { weights = try dropout(weights, p: dropoutP, training: true) }
        return try weights.matmul(value)
    }

    /// MultiheadAttention's self-attention up to its out projection, for one input `x`
    /// (`[B, L, E]` with `batchFirst`, else `[L, B, E]`) and the packed in-projection: the
    /// attention output in x's layout (`[B, L, E]` or `[L, B, E]`, contiguous), as PyTorch's
    /// linear → transpose/view → scaled_dot_product_attention → permute chain computes it, but
    /// with q, k and v read in place from the one in-projection output (each head a strided
    /// view) and their gradients written straight into its gradient, so there is no transpose
    /// copy, no `contiguous()` of the `[3, L, B, E]` split, and no zero-filled select gradients.
    /// `mask` (no gradient) broadcasts to `[B, heads, L, L]`; `isCausal` without a mask. Nil when
    /// the fused kernels do not apply (then nothing was computed and the caller runs the
    /// composed path, which also raises the errors).
    public static func packedSelfAttention(_ x: Tensor, inProjWeight w: Tensor, inProjBias bias: Tensor?, heads: Int,
                                           batchFirst: Bool, mask: Tensor?, isCausal: Bool) throws -> Tensor? {
        guard FusedAttention.isEnabled, x.dim == 3, x.dtype == .float32 || x.dtype == .float64, heads > 0 else { return nil }
        let e = x.shape[2], (b, l) = batchFirst ? (x.shape[0], x.shape[1]) : (x.shape[1], x.shape[0])
        let headDim = e / heads
        guard b > 0, l > 0, headDim > 0, headDim * heads == e, w.dtype == x.dtype, w.shape == [3 * e, e],
              bias.map({ $0.dtype == x.dtype && $0.shape == [3 * e] }) ?? true else { return nil }
        if let mask {
            let full = [b, heads, l, l]
            guard !mask.requiresGrad, mask.dim <= 4, (try? broadcastShapes(mask.shape, full)) == full else { return nil }
        }
        let proj = try linear(x, weight: w, bias: bias)
        // q, k, v: [B, heads, L, headDim] views of the thirds of proj's last dim.
        let row = proj.strides[batchFirst ? 1 : 0], sample = proj.strides[batchFirst ? 0 : 1]
        func third(_ c: Int) -> Tensor {
            Tensor(storage: proj.storage, shape: [b, heads, l, headDim], strides: [sample, headDim, row, 1],
                   storageOffset: proj.storageOffset + c * e)
        }
        guard let out = try FusedAttention.attend(third(0), third(1), third(2), mask: mask, isCausal: isCausal,
                                                  scale: 1 / Double(headDim).squareRoot(), packed: proj) else { return nil }
        // out is laid out as q ([B, L, heads, headDim] or [L, B, heads, headDim] in memory): views only.
        return batchFirst ? try out.transpose(1, 2).reshape([b, l, e]) : try out.permute([2, 0, 1, 3]).reshape([l, b, e])
    }

    /// A bool `[l, s]` tensor that is True above the diagonal (the keys a causal query must not see).
    public static func causalMask(_ l: Int, _ s: Int) throws -> Tensor {
        let mask = try Tensor(shape: [l, s], dtype: .bool)
        let p = mask.elements(Bool.self)
        for i in 0..<l where i + 1 < s { for j in (i + 1)..<s { p[i * s + j] = true } }
        return mask
    }

    /// `[…, H, S, E]` → `[…, H·n, S, E]`, each head repeated n times in place (repeat_interleave on dim −3).
    private static func repeatHeads(_ t: Tensor, _ n: Int) throws -> Tensor {
        guard n > 1 else { return t }
        let d = t.dim - 3
        var shape = t.shape
        shape.insert(n, at: d + 1)
        let expanded = try t.unsqueeze(d + 1).expand(shape)
        var merged = t.shape
        merged[d] *= n
        return try expanded.reshape(merged)
    }
}
