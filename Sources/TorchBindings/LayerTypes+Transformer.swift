import NNLang
import TensorRuntime
import NeuralNet

/// `torch.nn`'s transformer stack: LayerNorm, RMSNorm, MultiheadAttention and the transformer
/// encoder/decoder layers and stacks.
extension LayerTypes {
    static func installTransformer(into nn: Namespace, moduleBase base: PyType) {
        add(nn, base, "LayerNorm", LayerNorm.self, "normalized_shape, eps=1e-05, elementwise_affine=True, bias=True",
            "Normalises over the trailing normalized_shape dims (mean 0, variance 1), then weight and bias.", factory: true) { s, ev in
            try LayerNorm(try Convert.ints(s[0], ev, "normalized_shape"), eps: try Convert.optionalDouble(s[1], "eps") ?? 1e-5,
                          elementwiseAffine: try Convert.bool(s[2], default: true, ev), bias: try Convert.bool(s[3], default: true, ev))
        }
        add(nn, base, "RMSNorm", RMSNorm.self, "normalized_shape, eps=None, elementwise_affine=True",
            "Divides by the root mean square over the trailing normalized_shape dims, then weight.", factory: true) { s, ev in
            try RMSNorm(try Convert.ints(s[0], ev, "normalized_shape"), eps: try Convert.optionalDouble(s[1], "eps"),
                        elementwiseAffine: try Convert.bool(s[2], default: true, ev))
        }
    }
}
