import TensorRuntime

/// How layers whose `forward` takes flags and optional masks read the non-tensor arguments the
/// interpreter passes (its own value type, boxed in `Any`). The bindings install the readers once.
public enum ForwardArgumentBridge {
    /// A Python bool (or int) as a Bool; nil for anything else.
    nonisolated(unsafe) public static var bool: (Any) -> Bool? = { $0 as? Bool }
    /// Whether the value is Python's None.
    nonisolated(unsafe) public static var isNone: (Any) -> Bool = { $0 is NoneArgument }
    /// A flag and None as the interpreter's values (what layers pass to the layers they call).
    nonisolated(unsafe) public static var box: (Bool) -> Any = { $0 }
    nonisolated(unsafe) public static var none: Any = NoneArgument()

    /// Python's None where no interpreter is installed.
    public struct NoneArgument {}
}

/// A layer's `forward(…)` arguments bound to its parameter names, with Python's messages for a
/// wrong call: `names[0..<required]` are required, the rest default to None or the given flags.
struct ForwardArguments {
    let typeName: String
    let names: [String]
    private var slots: [Any?]

    init(_ typeName: String, names: [String], required: Int, _ arguments: [Any], _ keywords: [(String, Any)]) throws {
        self.typeName = typeName
        self.names = names
        slots = Array(repeating: nil, count: names.count)
        guard arguments.count <= names.count else {
            throw TorchError.type("\(typeName).forward() takes from \(required + 1) to \(names.count + 1) positional arguments but \(arguments.count + 1) were given")
        }
        for (i, a) in arguments.enumerated() { slots[i] = a }
        for (k, v) in keywords {
            guard let i = names.firstIndex(of: k) else {
                throw TorchError.type("\(typeName).forward() got an unexpected keyword argument '\(k)'")
            }
            guard slots[i] == nil else { throw TorchError.type("\(typeName).forward() got multiple values for argument '\(k)'") }
            slots[i] = v
        }
        let missing = (0..<required).filter { slots[$0] == nil }.map { "'\(names[$0])'" }
        if !missing.isEmpty {
            let list = missing.count == 1 ? missing[0] : missing.dropLast().joined(separator: ", ") + " and " + missing[missing.count - 1]
            throw TorchError.type("\(typeName).forward() missing \(missing.count) required positional argument\(missing.count > 1 ? "s" : ""): \(list)")
        }
    }

    /// The tensor in slot `i` (nil for None or not given).
    func tensor(_ i: Int) throws -> Tensor? {
        guard let v = slots[i], !ForwardArgumentBridge.isNone(v) else { return nil }
        guard let t = ModuleValueBridge.tensor(from: v) else {
            throw TorchError.type("\(typeName).forward(): argument '\(names[i])' must be a Tensor or None")
        }
        return t
    }

    /// A required tensor.
    func requiredTensor(_ i: Int) throws -> Tensor {
        guard let t = try tensor(i) else { throw TorchError.type("\(typeName).forward(): argument '\(names[i])' must be a Tensor") }
        return t
    }

    /// A flag; nil when not given or None (`is_causal=None` means "detect").
    func flag(_ i: Int) -> Bool? {
        guard let v = slots[i], !ForwardArgumentBridge.isNone(v) else { return nil }
        return ForwardArgumentBridge.bool(v) ?? true
    }
}

/// `NonDynamicallyQuantizableLinear`: the `out_proj` of MultiheadAttention, a plain Linear under
/// another name (so repr and state_dict match PyTorch's).
open class NonDynamicallyQuantizableLinear: Linear {}

/// `nn.MultiheadAttention(embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
/// add_zero_attn=False, kdim=None, vdim=None, batch_first=False)`. Parameters as PyTorch's:
/// `in_proj_weight` (3E, E) — or `q_proj_weight`/`k_proj_weight`/`v_proj_weight` when kdim/vdim
/// differ from E — `in_proj_bias` (3E), child `out_proj`, `bias_k`/`bias_v` (1, 1, E). Initialised
/// in PyTorch's order: out_proj's own Linear init, then xavier_uniform_ on the projections, zeros
/// on the biases, xavier_normal_ on bias_k/bias_v. `forward` returns `(output, weights or None)`.
open class MultiheadAttention: Module {
    public let embedDim, kdim, vdim, numHeads, headDim: Int
    public var dropout: Double
    public var batchFirst: Bool
    public let addZeroAttn: Bool
    public var qkvSameEmbedDim: Bool { kdim == embedDim && vdim == embedDim }

    public init(_ embedDim: Int, _ numHeads: Int, dropout: Double = 0, bias: Bool = true, addBiasKV: Bool = false,
                addZeroAttn: Bool = false, kdim: Int? = nil, vdim: Int? = nil, batchFirst: Bool = false) throws {
        guard embedDim > 0, numHeads > 0 else {
            throw TorchError.value("embed_dim and num_heads must be greater than 0, got embed_dim=\(embedDim) and num_heads=\(numHeads) instead")
        }
        guard embedDim % numHeads == 0 else { throw TorchError(.assertionError, "embed_dim must be divisible by num_heads") }
        self.embedDim = embedDim
        self.kdim = kdim ?? embedDim
        self.vdim = vdim ?? embedDim
        self.numHeads = numHeads
        self.headDim = embedDim / numHeads
        self.dropout = dropout
        self.batchFirst = batchFirst
        self.addZeroAttn = addZeroAttn
        super.init()
        if qkvSameEmbedDim {
            try registerParameter("in_proj_weight", try Tensor.newParameter([3 * embedDim, embedDim]))
            for name in ["q_proj_weight", "k_proj_weight", "v_proj_weight"] { try registerParameter(name, nil) }
        } else {
            try registerParameter("q_proj_weight", try Tensor.newParameter([embedDim, embedDim]))
            try registerParameter("k_proj_weight", try Tensor.newParameter([embedDim, self.kdim]))
            try registerParameter("v_proj_weight", try Tensor.newParameter([embedDim, self.vdim]))
            try registerParameter("in_proj_weight", nil)
        }
        try registerParameter("in_proj_bias", bias ? try Tensor.newParameter([3 * embedDim]) : nil)
        try addModule("out_proj", try NonDynamicallyQuantizableLinear(embedDim, embedDim, bias: bias))
        try registerParameter("bias_k", addBiasKV ? try Tensor.newParameter([1, 1, embedDim]) : nil)
        try registerParameter("bias_v", addBiasKV ? try Tensor.newParameter([1, 1, embedDim]) : nil)
        try resetParameters()
    }

    /// `_reset_parameters()`.
    public func resetParameters() throws {
        for name in ["in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight"] {
            if let w = parameter(name) { try Init.xavierUniform_(w) }
        }
        if let b = parameter("in_proj_bias") {
            try Init.constant_(b, 0)
            if let ob = child("out_proj")?.parameter("bias") { try Init.constant_(ob, 0) }
        }
        for name in ["bias_k", "bias_v"] {
            if let b = parameter(name) { try Init.xavierNormal_(b) }
        }
    }

    override open var pythonModuleName: String { "torch.nn.modules.activation" }

    override open var hyperparameters: [(String, HyperValue)] {
        [("embed_dim", .int(embedDim)), ("kdim", .int(kdim)), ("vdim", .int(vdim)), ("_qkv_same_embed_dim", .bool(qkvSameEmbedDim)),
         ("num_heads", .int(numHeads)), ("dropout", .double(dropout)), ("batch_first", .bool(batchFirst)),
         ("head_dim", .int(headDim)), ("add_zero_attn", .bool(addZeroAttn))]
    }

    override open func setHyperparameter(_ name: String, _ value: HyperValue) throws -> Bool {
        switch (name, value) {
        case ("dropout", .double(let d)): dropout = d
        case ("dropout", .int(let i)): dropout = Double(i)
        case ("batch_first", .bool(let b)): batchFirst = b
        default: return false
        }
        return true
    }

    override open func forward(arguments: [Any], keywords: [(String, Any)]) throws -> Any {
        let a = try ForwardArguments(typeName, names: ["query", "key", "value", "key_padding_mask", "need_weights", "attn_mask",
                                                      "average_attn_weights", "is_causal"], required: 3, arguments, keywords)
        let (out, weights) = try attend(try a.requiredTensor(0), try a.requiredTensor(1), try a.requiredTensor(2),
                                        keyPaddingMask: try a.tensor(3), needWeights: a.flag(4) ?? true, attnMask: try a.tensor(5),
                                        averageAttnWeights: a.flag(6) ?? true, isCausal: a.flag(7) ?? false)
        return HookTuple([ModuleValueBridge.wrap(out), weights.map(ModuleValueBridge.wrap) as Any])
    }

    /// `forward(query, key, value, …)` as PyTorch's `multi_head_attention_forward` computes it.
    /// Returns the output and, with `needWeights`, the attention weights (averaged over heads
    /// unless `averageAttnWeights` is false).
    public func attend(_ query: Tensor, _ key: Tensor, _ value: Tensor, keyPaddingMask: Tensor? = nil, needWeights: Bool = true,
                       attnMask: Tensor? = nil, averageAttnWeights: Bool = true, isCausal: Bool = false) throws -> (Tensor, Tensor?) {
        let batched = try checkShapes(query, key, value, keyPaddingMask: keyPaddingMask, attnMask: attnMask)
        var q = query, k = key, v = value
        if batched && batchFirst {
            q = try query.transpose(1, 0)
            k = key === query ? q : try key.transpose(1, 0)
            v = value === key ? k : try value.transpose(1, 0)
        } else if !batched {
            q = try query.unsqueeze(1)
            k = key === query ? q : try key.unsqueeze(1)
            v = value === key ? k : try value.unsqueeze(1)
        }
        var padding = try keyPaddingMask.map { batched ? $0 : try $0.unsqueeze(0) }
        padding = try canonicalMask(padding, "key_padding_mask", other: attnMask, otherName: "attn_mask", target: q.dtype)
        if isCausal && attnMask == nil {
            throw TorchError.runtime("Need attn_mask if specifying the is_causal hint. You may use the Transformer module method `generate_square_subsequent_mask` to create this mask.")
        }
        var mask: Tensor?
        var causal = isCausal
        if isCausal && padding == nil && !needWeights {
            mask = nil
        } else {
            mask = try canonicalMask(attnMask, "attn_mask", other: nil, otherName: "", target: q.dtype)
            if padding != nil { causal = false }
        }
        if batched && padding == nil && !needWeights && key === query && value === query,
           let out = try packedSelfAttention(query, mask: mask, isCausal: causal) {
            return (out, nil)
        }
        let (out, weights) = try attention(q, k, v, padding: padding, mask: mask, needWeights: needWeights,
                                           average: averageAttnWeights, isCausal: causal)
        if !batched { return (try out.squeeze(dim: 1), try weights.map { try $0.squeeze(dim: 0) }) }
        return (batchFirst ? try out.transpose(1, 0) : out, weights)
    }

    /// The sequence-first part of `multi_head_attention_forward`: q, k, v `[L, N, E]`.
    private func attention(_ query: Tensor, _ key: Tensor, _ value: Tensor, padding: Tensor?, mask attnMask: Tensor?,
                           needWeights: Bool, average: Bool, isCausal: Bool) throws -> (Tensor, Tensor?) {
        let tgtLen = query.shape[0], bsz = query.shape[1], e = query.shape[2]
        guard e == embedDim else {
            throw TorchError(.assertionError, "was expecting embedding dimension of \(embedDim), but got \(e)")
        }
        var (q, k, v) = try inProjection(query, key, value)
        var mask = try attnMask.map { m -> Tensor in
            let srcLen = key.shape[0]
            if m.dim == 2 {
                guard m.shape == [tgtLen, srcLen] else {
                    throw TorchError.runtime("The shape of the 2D attn_mask is torch.Size(\(shapeDescription(m.shape))), but should be (\(tgtLen), \(srcLen)).")
                }
                return try m.unsqueeze(0)
            }
            guard m.dim == 3 else { throw TorchError.runtime("attn_mask's dimension \(m.dim) is not supported") }
            guard m.shape == [bsz * numHeads, tgtLen, srcLen] else {
                throw TorchError.runtime("The shape of the 3D attn_mask is torch.Size(\(shapeDescription(m.shape))), but should be (\(bsz * numHeads), \(tgtLen), \(srcLen)).")
            }
            return m
        }
        var padding = padding
        if let bk = parameter("bias_k"), let bv = parameter("bias_v") {
            k = try Tensor.cat([k, try bk.repeated([1, bsz, 1])])
            v = try Tensor.cat([v, try bv.repeated([1, bsz, 1])])
            mask = try mask.map { try $0.constantPad([0, 1]) }
            padding = try padding.map { try $0.constantPad([0, 1]) }
        }
        q = try q.view([tgtLen, bsz * numHeads, headDim]).transpose(0, 1)
        k = try k.view([k.shape[0], bsz * numHeads, headDim]).transpose(0, 1)
        v = try v.view([v.shape[0], bsz * numHeads, headDim]).transpose(0, 1)
        if addZeroAttn {
            let zeros = try Tensor.zeros([bsz * numHeads, 1, headDim], dtype: k.dtype)
            k = try Tensor.cat([k, zeros], dim: 1)
            v = try Tensor.cat([v, zeros], dim: 1)
            mask = try mask.map { try $0.constantPad([0, 1]) }
            padding = try padding.map { try $0.constantPad([0, 1]) }
        }
        let srcLen = k.shape[1]
        if let p = padding {
            guard p.shape == [bsz, srcLen] else {
                throw TorchError(.assertionError, p.shape.first == bsz
                                 ? "Expected key_padded_mask.shape[1] to be \(srcLen), but got \(p.shape.count > 1 ? p.shape[1] : 0)"
                                 : "Expected key_padded_mask.shape[0] to be \(bsz), but got \(p.shape.first ?? 0)")
            }
            let merged = try p.view([bsz, 1, 1, srcLen]).expand([bsz, numHeads, 1, srcLen]).reshape([bsz * numHeads, 1, srcLen])
            mask = try mask.map { try $0.add(merged) } ?? merged
        }
        let dropoutP = training ? dropout : 0
        if needWeights {
            let qScaled = try q.mul(.double((1.0 / Double(headDim)).squareRoot()))
            var scores = try qScaled.bmm(try k.transpose(-2, -1))
            if let mask { scores = try mask.add(scores) }
            var weights = try Functional.softmax(scores, dim: -1)
            if dropoutP > 0 { weights = try Functional.dropout(weights, p: dropoutP, training: true) }
            let attended = try weights.bmm(v).transpose(0, 1).reshape([tgtLen * bsz, embedDim])
            let out = try outProjection(attended).view([tgtLen, bsz, embedDim])
            var w = try weights.view([bsz, numHeads, tgtLen, srcLen])
            if average { w = try w.mean(dims: [1]) }
            return (out, w)
        }
        if let m = mask {
            mask = m.shape[0] == 1 && m.dim == 3 ? try m.unsqueeze(0) : try m.view([bsz, numHeads, -1, srcLen])
        }
        let attended = try Functional.scaledDotProductAttention(
            try q.view([bsz, numHeads, tgtLen, headDim]), try k.view([bsz, numHeads, srcLen, headDim]),
            try v.view([bsz, numHeads, srcLen, headDim]), attnMask: mask, dropoutP: dropoutP, isCausal: isCausal)
        let flat = try attended.permute([2, 0, 1, 3]).reshape([bsz * tgtLen, embedDim])
        return (try outProjection(flat).view([tgtLen, bsz, embedDim]), nil)
    }

    /// Self-attention of one batched input with the packed `in_proj_weight`, no `bias_k`/`bias_v`,
    /// no zero attention, no weights asked for and no dropout, in the input's own layout
    /// (`Functional.packedSelfAttention`: no transposes or split copies). The output has
    /// PyTorch's values and `grad_fn` (TransposeBackward0 with `batch_first`, else
    /// ViewBackward0) but is contiguous where PyTorch's batch-first output is a transposed view.
    /// Nil when this does not apply.
    private func packedSelfAttention(_ x: Tensor, mask: Tensor?, isCausal: Bool) throws -> Tensor? {
        guard let w = parameter("in_proj_weight"), parameter("bias_k") == nil, parameter("bias_v") == nil, !addZeroAttn,
              !(training && dropout > 0), x.shape[2] == embedDim else { return nil }
        let (b, l) = batchFirst ? (x.shape[0], x.shape[1]) : (x.shape[1], x.shape[0])
        var heads4Mask = mask
        if let m = mask {   // MultiheadAttention's 2-D [L, L] or 3-D [B·heads, L, L]; others raise on the composed path
            guard m.dim == 2 ? m.shape == [l, l] : m.shape == [b * numHeads, l, l] else { return nil }
            if m.dim == 3 { heads4Mask = try m.view([b, numHeads, l, l]) }
        }
        guard let attended = try Functional.packedSelfAttention(x, inProjWeight: w, inProjBias: parameter("in_proj_bias"),
                                                                heads: numHeads, batchFirst: batchFirst, mask: heads4Mask,
                                                                isCausal: isCausal) else { return nil }
        let out = try outProjection(attended)
        return batchFirst ? try out.transpose(0, 1).transpose(1, 0) : try out.view([l, b, embedDim])
    }

    private func outProjection(_ x: Tensor) throws -> Tensor {
        guard let proj = child("out_proj") else { throw TorchError(.attributeError, "'MultiheadAttention' object has no attribute 'out_proj'") }
        return try Functional.linear(x, weight: try proj.requiredParameter("weight", of: "linear"), bias: proj.parameter("bias"))
    }

    /// `_in_projection_packed` (one product for self-attention, q and kv for k is v) or
    /// `_in_projection` with separate weights.
    private func inProjection(_ q: Tensor, _ k: Tensor, _ v: Tensor) throws -> (Tensor, Tensor, Tensor) {
        let e = embedDim
        let bias = parameter("in_proj_bias")
        guard let w = parameter("in_proj_weight") else {
            guard let wq = parameter("q_proj_weight"), let wk = parameter("k_proj_weight"), let wv = parameter("v_proj_weight") else {
                throw TorchError(.assertionError, "use_separate_proj_weight is True but q_proj_weight is None")
            }
            let b = try bias?.chunk(3)
            return (try Functional.linear(q, weight: wq, bias: b?[0]), try Functional.linear(k, weight: wk, bias: b?[1]),
                    try Functional.linear(v, weight: wv, bias: b?[2]))
        }
        guard k.shape == v.shape else {
            throw TorchError(.assertionError, "key shape torch.Size(\(shapeDescription(k.shape))) does not match value shape torch.Size(\(shapeDescription(v.shape)))")
        }
        if k === v && q === k {
            let proj = try Functional.linear(q, weight: w, bias: bias)
                .unflatten(dim: -1, sizes: [3, e]).unsqueeze(0).transpose(0, -2).squeeze(dim: -2).contiguous()
            return (try proj.select(dim: 0, index: 0), try proj.select(dim: 0, index: 1), try proj.select(dim: 0, index: 2))
        }
        let ws = try w.split(sizes: [e, e, e]), bs = try bias?.split(sizes: [e, e, e])
        if k === v {
            let kv = try Functional.linear(k, weight: try w.narrow(dim: 0, start: e, length: 2 * e),
                                           bias: try bias?.narrow(dim: 0, start: e, length: 2 * e))
                .unflatten(dim: -1, sizes: [2, e]).unsqueeze(0).transpose(0, -2).squeeze(dim: -2).contiguous()
            return (try Functional.linear(q, weight: ws[0], bias: bs?[0]), try kv.select(dim: 0, index: 0), try kv.select(dim: 0, index: 1))
        }
        return (try Functional.linear(q, weight: ws[0], bias: bs?[0]), try Functional.linear(k, weight: ws[1], bias: bs?[1]),
                try Functional.linear(v, weight: ws[2], bias: bs?[2]))
    }

    /// `_mha_shape_check`: whether the inputs are batched (3-D) or a single sequence (2-D).
    private func checkShapes(_ q: Tensor, _ k: Tensor, _ v: Tensor, keyPaddingMask: Tensor?, attnMask: Tensor?) throws -> Bool {
        let d = q.dim
        guard d == 3 || d == 2 else {
            throw TorchError(.assertionError, "query should be unbatched 2D or batched 3D tensor but received \(d)-D query tensor")
        }
        let kind = d == 3 ? "batched (3-D)" : "unbatched (2-D)"
        guard k.dim == d, v.dim == d else {
            throw TorchError(.assertionError, "For \(kind) `query`, expected `key` and `value` to be \(d)-D but found \(k.dim)-D and \(v.dim)-D tensors respectively")
        }
        if let p = keyPaddingMask, p.dim != d - 1 {
            throw TorchError(.assertionError, "For \(kind) `query`, expected `key_padding_mask` to be `None` or \(d - 1)-D but found \(p.dim)-D tensor instead")
        }
        if let m = attnMask, m.dim != 2 && m.dim != 3 {
            throw TorchError(.assertionError, "For \(kind) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found \(m.dim)-D tensor instead")
        }
        return d == 3
    }
}

/// `F._canonical_mask`: a bool mask becomes a float mask of `target` dtype with −inf where True;
/// float masks pass through. Mixing a bool and a float mask warns, as PyTorch does.
public func canonicalMask(_ mask: Tensor?, _ name: String, other: Tensor?, otherName: String, target: DType) throws -> Tensor? {
    guard let mask else { return nil }
    guard mask.dtype == .bool || mask.dtype.isFloatingPoint else {
        throw TorchError(.assertionError, "only bool and floating types of \(name) are supported")
    }
    if let other, other.dtype != mask.dtype {
        NNWarnings.warn("Support for mismatched \(name) and \(otherName) is deprecated. Use same type for both instead.")
    }
    guard mask.dtype == .bool else { return mask }
    return try Tensor.zeros(mask.shape, dtype: target).maskedFill(mask, .double(-.infinity))
}
