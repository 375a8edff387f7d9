import NNLang
import TensorRuntime
import NeuralNet

/// `F.layer_norm`, `F.rms_norm` and the attention functions (`F.scaled_dot_product_attention`,
/// `F.multi_head_attention_forward`).
extension FunctionalNamespace {
    static func installTransformer(_ f: Namespace) {
        def(f, "layer_norm", "input, normalized_shape, weight=None, bias=None, eps=1e-05",
            "Normalises over the trailing normalized_shape dims, then weight and bias.") { s, ev in
            .tensor(try Functional.layerNorm(try tensor(s[0], "input"), normalizedShape: try Convert.ints(s[1] ?? .none, ev, "normalized_shape"),
                                             weight: try LayerTypes.optionalTensor(s[2]), bias: try LayerTypes.optionalTensor(s[3]),
                                             eps: try Convert.optionalDouble(s[4], "eps") ?? 1e-5))
        }
        def(f, "rms_norm", "input, normalized_shape, weight=None, eps=None",
            "Divides by the root mean square over the trailing normalized_shape dims, then weight.") { s, ev in
            .tensor(try Functional.rmsNorm(try tensor(s[0], "input"), normalizedShape: try Convert.ints(s[1] ?? .none, ev, "normalized_shape"),
                                           weight: try LayerTypes.optionalTensor(s[2]), eps: try Convert.optionalDouble(s[3], "eps")))
        }
        def(f, "scaled_dot_product_attention", "query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False",
            "softmax(query @ key.mT * scale + mask) @ value over the last two dims.") { s, ev in
            .tensor(try Functional.scaledDotProductAttention(try tensor(s[0], "query"), try tensor(s[1], "key"), try tensor(s[2], "value"),
                                                             attnMask: try LayerTypes.optionalTensor(s[3]),
                                                             dropoutP: try Convert.optionalDouble(s[4], "dropout_p") ?? 0,
                                                             isCausal: try Convert.bool(s[5], default: false, ev),
                                                             scale: try Convert.optionalDouble(s[6], "scale"),
                                                             enableGQA: try Convert.bool(s[7], default: false, ev)))
        }
        def(f, "multi_head_attention_forward",
            "query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p, "
            + "out_proj_weight, out_proj_bias, training=True, key_padding_mask=None, need_weights=True, attn_mask=None, "
            + "use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None, v_proj_weight=None, static_k=None, static_v=None, "
            + "average_attn_weights=True, is_causal=False",
            "nn.MultiheadAttention's computation on (L, N, E) inputs with the weights given; returns (output, weights or None).") { s, ev in
            func optional(_ i: Int) throws -> Tensor? { try LayerTypes.optionalTensor(s[i]) }
            if try optional(21) != nil || optional(22) != nil {
                throw PyError(.notImplementedError, "multi_head_attention_forward: static_k and static_v are not supported by nnrepl")
            }
            var separate: (q: Tensor, k: Tensor, v: Tensor)? = nil
            if try Convert.bool(s[17], default: false, ev) {
                guard let q = try optional(18) else { throw PyError(.assertionError, "use_separate_proj_weight is True but q_proj_weight is None") }
                guard let k = try optional(19) else { throw PyError(.assertionError, "use_separate_proj_weight is True but k_proj_weight is None") }
                guard let v = try optional(20) else { throw PyError(.assertionError, "use_separate_proj_weight is True but v_proj_weight is None") }
                separate = (q, k, v)
            }
            let weights = AttentionWeights(inProjWeight: try optional(5), inProjBias: try optional(6), biasK: try optional(7),
                                           biasV: try optional(8), outProjWeight: try tensor(s[11], "out_proj_weight"),
                                           outProjBias: try optional(12), separate: separate)
            let (out, attention) = try MultiheadAttention.functionalForward(
                try tensor(s[0], "query"), try tensor(s[1], "key"), try tensor(s[2], "value"),
                embedDimToCheck: try (s[3] ?? .none).asInt("embed_dim_to_check"), numHeads: try (s[4] ?? .none).asInt("num_heads"),
                weights: weights, addZeroAttn: try Convert.bool(s[9], default: false, ev),
                dropoutP: try Convert.optionalDouble(s[10], "dropout_p") ?? 0, training: try Convert.bool(s[13], default: true, ev),
                keyPaddingMask: try optional(14), needWeights: try Convert.bool(s[15], default: true, ev), attnMask: try optional(16),
                averageAttnWeights: try Convert.bool(s[23], default: true, ev), isCausal: try Convert.bool(s[24], default: false, ev))
            return ev.makeTuple([.tensor(out), attention.map { .tensor($0) } ?? .none])
        }
    }
}
