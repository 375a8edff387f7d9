import TensorRuntime

/// The tensors `F.multi_head_attention_forward` takes in place of a module's parameters.
public struct AttentionWeights {
    public var inProjWeight, inProjBias, biasK, biasV: Tensor?
    public var outProjWeight: Tensor
    public var outProjBias: Tensor?
    /// `use_separate_proj_weight=True`: q/k/v projections instead of `inProjWeight`.
    public var separate: (q: Tensor, k: Tensor, v: Tensor)?

    public init(inProjWeight: Tensor?, inProjBias: Tensor?, biasK: Tensor?, biasV: Tensor?, outProjWeight: Tensor,
                outProjBias: Tensor?, separate: (q: Tensor, k: Tensor, v: Tensor)?) {
        self.inProjWeight = inProjWeight
        self.inProjBias = inProjBias
        self.biasK = biasK
        self.biasV = biasV
        self.outProjWeight = outProjWeight
        self.outProjBias = outProjBias
        self.separate = separate
    }
}

extension MultiheadAttention {
    /// `F.multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, …)` on
    /// sequence-first inputs: a MultiheadAttention built without drawing random numbers whose
    /// parameter slots hold the given tensors themselves (so gradients reach them), run once.
    public static func functionalForward(_ query: Tensor, _ key: Tensor, _ value: Tensor, embedDimToCheck: Int, numHeads: Int,
                                         weights w: AttentionWeights, addZeroAttn: Bool, dropoutP: Double, training: Bool,
                                         keyPaddingMask: Tensor?, needWeights: Bool, attnMask: Tensor?, averageAttnWeights: Bool,
                                         isCausal: Bool) throws -> (Tensor, Tensor?) {
        if w.separate == nil && w.inProjWeight == nil {
            throw TorchError(.assertionError, "use_separate_proj_weight is False but in_proj_weight is None")
        }
        let disabled = Init.randomFillsDisabled
        Init.randomFillsDisabled = true
        defer { Init.randomFillsDisabled = disabled }
        let m = try MultiheadAttention(embedDimToCheck, numHeads, dropout: dropoutP, bias: w.inProjBias != nil,
                                       addBiasKV: w.biasK != nil || w.biasV != nil, addZeroAttn: addZeroAttn,
                                       kdim: w.separate?.k.shape.last, vdim: w.separate?.v.shape.last)
        m.training = training
        if let s = w.separate {
            m.ownParameters["in_proj_weight"] = .some(nil)
            m.ownParameters["q_proj_weight"] = .some(s.q)
            m.ownParameters["k_proj_weight"] = .some(s.k)
            m.ownParameters["v_proj_weight"] = .some(s.v)
        } else {
            m.ownParameters["in_proj_weight"] = .some(w.inProjWeight)
            for name in ["q_proj_weight", "k_proj_weight", "v_proj_weight"] { m.ownParameters[name] = .some(nil) }
        }
        m.ownParameters["in_proj_bias"] = .some(w.inProjBias)
        m.ownParameters["bias_k"] = .some(w.biasK)
        m.ownParameters["bias_v"] = .some(w.biasV)
        if let out = m.child("out_proj") {
            out.ownParameters["weight"] = .some(w.outProjWeight)
            out.ownParameters["bias"] = .some(w.outProjBias)
        }
        return try m.attend(query, key, value, keyPaddingMask: keyPaddingMask, needWeights: needWeights, attnMask: attnMask,
                            averageAttnWeights: averageAttnWeights, isCausal: isCausal)
    }
}
