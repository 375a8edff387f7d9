import NNLang
import TensorRuntime
import NeuralNet

/// `F.layer_norm`, `F.rms_norm` and the attention functions.
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
    }
}
