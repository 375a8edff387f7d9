import NNLang
import TensorRuntime
import NeuralNet

/// `torch.nn`'s transformer stack: LayerNorm, RMSNorm, MultiheadAttention and the transformer
/// encoder/decoder layers and stacks.
extension LayerTypes {
    static func installTransformer(into nn: Namespace, moduleBase base: PyType) {
        installForwardArgumentBridge()
        add(nn, base, "LayerNorm", LayerNorm.self, "normalized_shape, eps=1e-05, elementwise_affine=True, bias=True",
            "Normalises over the trailing normalized_shape dims (mean 0, variance 1), then weight and bias.", factory: true) { s, ev in
            let layer = try LayerNorm(try Convert.ints(s[0], ev, "normalized_shape"), eps: try Convert.optionalDouble(s[1], "eps") ?? 1e-5,
                                      elementwiseAffine: try Convert.bool(s[2], default: true, ev), bias: try Convert.bool(s[3], default: true, ev))
            try write(s[1], "eps", ev, into: &layer.$eps)
            return layer
        }
        add(nn, base, "RMSNorm", RMSNorm.self, "normalized_shape, eps=None, elementwise_affine=True",
            "Divides by the root mean square over the trailing normalized_shape dims, then weight.", factory: true) { s, ev in
            let layer = try RMSNorm(try Convert.ints(s[0], ev, "normalized_shape"), eps: try Convert.optionalDouble(s[1], "eps"),
                                    elementwiseAffine: try Convert.bool(s[2], default: true, ev))
            try write(s[1], "eps", ev, into: &layer.$eps)
            return layer
        }
        add(nn, base, "MultiheadAttention", MultiheadAttention.self,
            "embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False, kdim=None, vdim=None, batch_first=False",
            "Attention of queries over keys and values with num_heads heads; forward returns (output, weights).", factory: true) { s, ev in
            try MultiheadAttention(try s[0].asInt("embed_dim"), try s[1].asInt("num_heads"), dropout: try Convert.optionalDouble(s[2], "dropout") ?? 0,
                                   bias: try Convert.bool(s[3], default: true, ev), addBiasKV: try Convert.bool(s[4], default: false, ev),
                                   addZeroAttn: try Convert.bool(s[5], default: false, ev), kdim: try Convert.optionalInt(s[6], "kdim"),
                                   vdim: try Convert.optionalInt(s[7], "vdim"), batchFirst: try Convert.bool(s[8], default: false, ev))
        }
        let layerSignature = "d_model, nhead, dim_feedforward=2048, dropout=0.1, activation='relu', layer_norm_eps=1e-05, batch_first=False, norm_first=False, bias=True"
        add(nn, base, "TransformerEncoderLayer", TransformerEncoderLayer.self, layerSignature,
            "Self-attention and a feed-forward block, each with a residual connection and LayerNorm.", factory: true) { s, ev in
            try TransformerEncoderLayer(try layerOptions(s, ev))
        }
        add(nn, base, "TransformerDecoderLayer", TransformerDecoderLayer.self, layerSignature,
            "Self-attention, attention over memory and a feed-forward block, each with a residual connection and LayerNorm.", factory: true) { s, ev in
            try TransformerDecoderLayer(try layerOptions(s, ev))
        }
        add(nn, base, "TransformerEncoder", TransformerEncoder.self, "encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True",
            "num_layers copies of encoder_layer applied in turn, then norm.") { s, ev in
            guard case .module(let layer as TransformerEncoderLayer) = s[0] else {
                throw PyError(.notImplementedError, "TransformerEncoder of layers other than nn.TransformerEncoderLayer is not supported by nnrepl")
            }
            return try TransformerEncoder(layer, numLayers: try s[1].asInt("num_layers"), norm: try optionalModule(s[2], "norm"),
                                          enableNestedTensor: try Convert.bool(s[3], default: true, ev), maskCheck: try Convert.bool(s[4], default: true, ev))
        }
        add(nn, base, "TransformerDecoder", TransformerDecoder.self, "decoder_layer, num_layers, norm=None",
            "num_layers copies of decoder_layer applied in turn, then norm.") { s, _ in
            guard case .module(let layer as TransformerDecoderLayer) = s[0] else {
                throw PyError(.notImplementedError, "TransformerDecoder of layers other than nn.TransformerDecoderLayer is not supported by nnrepl")
            }
            return try TransformerDecoder(layer, numLayers: try s[1].asInt("num_layers"), norm: try optionalModule(s[2], "norm"))
        }
        add(nn, base, "Transformer", Transformer.self,
            "d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048, dropout=0.1, activation='relu', custom_encoder=None, custom_decoder=None, layer_norm_eps=1e-05, batch_first=False, norm_first=False, bias=True",
            "An encoder stack and a decoder stack (each ending in LayerNorm); forward(src, tgt).", factory: true) { s, ev in
            // Reorder to the layer signature's slots: d_model, nhead, dim_feedforward, dropout, activation, eps, batch_first, norm_first, bias.
            let o = try layerOptions([s[0], s[1], s[4], s[5], s[6], s[9], s[10], s[11], s[12]], ev)
            return try Transformer(o, numEncoderLayers: try s[2].asInt("num_encoder_layers"), numDecoderLayers: try s[3].asInt("num_decoder_layers"),
                                   customEncoder: try optionalModule(s[7], "custom_encoder"), customDecoder: try optionalModule(s[8], "custom_decoder"))
        }
        if case .object(let t as HostType)? = nn["Transformer"] {
            t.classMembers["generate_square_subsequent_mask"] = .object(NativeFunction("generate_square_subsequent_mask", "sz, device=None, dtype=None",
                doc: "A float (sz, sz) mask with -inf above the diagonal (causal attention).") { b, ev in
                try Convert.checkDevice(b.values[1], ev)
                return .tensor(try Transformer.squareSubsequentMask(try (b.values[0] ?? .none).asInt("sz"), dtype: try Convert.dtype(b.values[2]) ?? .float32))
            })
        }
    }

    /// The transformer layers' constructor slots (d_model … bias) as options.
    private static func layerOptions(_ s: [Value], _ ev: Evaluator) throws -> TransformerLayerOptions {
        var o = TransformerLayerOptions(dModel: try s[0].asInt("d_model"), nhead: try s[1].asInt("nhead"))
        o.dimFeedforward = try Convert.optionalInt(s[2], "dim_feedforward") ?? 2048
        o.dropout = try Convert.optionalDouble(s[3], "dropout") ?? 0.1
        try write(s[3], "dropout", ev, into: &o.$dropout)
        o.activation = try activation(s[4], ev)
        o.layerNormEps = try Convert.optionalDouble(s[5], "layer_norm_eps") ?? 1e-5
        try write(s[5], "layer_norm_eps", ev, into: &o.$layerNormEps)
        o.batchFirst = try Convert.bool(s[6], default: false, ev)
        o.normFirst = try Convert.bool(s[7], default: false, ev)
        o.bias = try Convert.bool(s[8], default: true, ev)
        return o
    }

    /// `activation=`: "relu", "gelu", a module, or any callable (called on the hidden tensor).
    private static func activation(_ v: Value, _ ev: Evaluator) throws -> TransformerActivation {
        switch v {
        case .str("relu"): return .relu
        case .str("gelu"): return .gelu
        case .str(let other): throw PyError(.runtimeError, "activation should be relu/gelu, not \(other)")
        case .module(let m): return .module(m)
        default:
            return .function { x in
                let out = try ev.call(v, Arguments([.tensor(x)]))
                guard case .tensor(let t) = out else { throw PyError(.typeError, "activation must return a Tensor, not \(out.typeName)") }
                return t
            }
        }
    }

    private static func optionalModule(_ v: Value, _ name: String) throws -> Module? {
        switch v {
        case .none: return nil
        case .module(let m): return m
        default: throw PyError(.typeError, "\(name) must be an nn.Module or None, not \(v.typeName)")
        }
    }

    /// Lets layers read flags and None among their forward arguments, and pass them on.
    private static func installForwardArgumentBridge() {
        ForwardArgumentBridge.bool = { any in
            if let b = any as? Bool { return b }
            switch any as? Value {
            case .bool(let b)?: return b
            case .int(let i)?: return i != 0
            default: return nil
            }
        }
        ForwardArgumentBridge.isNone = { any in
            if case .none? = any as? Value { return true }
            return any is ForwardArgumentBridge.NoneArgument
        }
        ForwardArgumentBridge.box = { Value.bool($0) }
        ForwardArgumentBridge.none = Value.none
    }
}
