import NNLang
import TensorRuntime
import NeuralNet

extension LayerTypes {
    /// Embedding (with padding_idx and max_norm), Bilinear, Unflatten and the dropout variants.
    static func installOther(into nn: Namespace, moduleBase base: PyType) {
        add(nn, base, "LazyLinear", LazyLinear.self, "out_features, bias=True",
            "A Linear whose in_features is set (and weights drawn) at its first call.", factory: true) { s, ev in
            let shape = try Convert.sizes(ev.makeTuple([s[0] ?? .none]), function: "empty")
            return try LazyLinear(shape[0], bias: try Convert.bool(s[1], default: true, ev))
        }
        add(nn, base, "Embedding", Embedding.self,
            "num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False",
            "A lookup table of embedding_dim vectors indexed by integer tensors.", factory: true) { s, ev in
            if try ev.truthy(s[5]) || ev.truthy(s[6]) {
                throw PyError(.notImplementedError, "Embedding(scale_grad_by_freq=True, sparse=True) is not supported by nnrepl")
            }
            let layer = try Embedding(try s[0].asInt("num_embeddings"), try s[1].asInt("embedding_dim"),
                                      paddingIdx: try Convert.optionalInt(s[2], "padding_idx"), maxNorm: try Convert.optionalDouble(s[3], "max_norm"),
                                      normType: try s[4].asDouble("norm_type"), weight: try optionalTensor(s[7]), freeze: try ev.truthy(s[8]))
            return try withWrittenNorms(layer, maxNorm: s[3], normType: s[4], ev)
        }
        if case .object(let t)? = nn["Embedding"], let embedding = t as? HostType {
            embedding.classMembers["from_pretrained"] = .object(NativeFunction(
                "from_pretrained", "embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False",
                doc: "An Embedding whose weight is the given 2-D tensor (frozen unless freeze=False).") { s, ev in
                // PyTorch's classmethod: cls(rows, cols, _weight=embeddings, _freeze=freeze, ...).
                let weights = try s[0].asTensor("embeddings")
                guard weights.dim == 2 else {
                    throw PyError(.assertionError, "Embeddings parameter is expected to be 2-dimensional")
                }
                let keywords: [(name: String, value: Value)] = [
                    ("_weight", .tensor(weights)), ("_freeze", s[1]), ("padding_idx", s[2]), ("max_norm", s[3]),
                    ("norm_type", s[4]), ("scale_grad_by_freq", s[5]), ("sparse", s[6]),
                ]
                return try embedding.call(Arguments([.int(weights.shape[0]), .int(weights.shape[1])], keywords: keywords), ev)
            })
        }
        add(nn, base, "Bilinear", Bilinear.self, "in1_features, in2_features, out_features, bias=True",
            "y = x1ᵀ·W·x2 + b for each output feature.", factory: true) { s, ev in
            try Bilinear(try s[0].asInt("in1_features"), try s[1].asInt("in2_features"), try s[2].asInt("out_features"), bias: try ev.truthy(s[3]))
        }
        add(nn, base, "Unflatten", Unflatten.self, "dim, unflattened_size", "Splits one dimension into the given sizes.") { s, ev in
            let notSizes = PyError(.typeError, "unflattened_size must be a tuple of ints, but found type \(s[1].typeName)")
            switch s[1] {
            case .int, .float, .bool, .none, .str: throw notSizes
            default: break
            }
            guard let sizes = try? Convert.ints(s[1], ev) else { throw notSizes }
            return Unflatten(dim: try s[0].asInt("dim"), unflattenedSize: sizes, sizeRepr: try ev.repr(s[1]))
        }
        let dropouts: [(String, Module.Type, String, (Double, Bool) throws -> Dropout)] = [
            ("Dropout1d", Dropout1d.self, "Zeroes whole channels of (N, C, L) input with probability p in training.", { try Dropout1d(p: $0, inplace: $1) }),
            ("Dropout2d", Dropout2d.self, "Zeroes whole channels of (N, C, H, W) input with probability p in training.", { try Dropout2d(p: $0, inplace: $1) }),
            ("Dropout3d", Dropout3d.self, "Zeroes whole channels of (N, C, D, H, W) input with probability p in training.", { try Dropout3d(p: $0, inplace: $1) }),
            ("AlphaDropout", AlphaDropout.self, "Dropout that keeps SELU activations' mean and variance (training only).", { try AlphaDropout(p: $0, inplace: $1) }),
        ]
        for (name, cls, doc, make) in dropouts {
            add(nn, base, name, cls, "p=0.5, inplace=False", doc) { s, ev in
                try withWrittenP(try make(try dropoutProbability(s[0], ev), try ev.truthy(s[1])), s[0], ev)
            }
        }
        installEmbeddingBag(into: nn, moduleBase: base)
    }
}

extension FunctionalNamespace {
    /// `F.embedding` (padding_idx, max_norm), `F.bilinear`, `F.dropout`, `F.dropout1d`, `F.dropout2d`, `F.alpha_dropout`.
    static func installOther(_ f: Namespace) {
        installEmbeddingBag(f)
        def(f, "embedding", "input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False",
            "Rows of weight at the integer indices in input (rows over max_norm renormalised in place first).") { s, ev in
            if try Convert.bool(s[5], default: false, ev) || Convert.bool(s[6], default: false, ev) {
                throw PyError(.notImplementedError, "embedding(scale_grad_by_freq=True, sparse=True) is not supported by nnrepl")
            }
            let x = try tensor(s[0], "input"), w = try tensor(s[1], "weight")
            if let maxNorm = try Convert.optionalDouble(s[3], "max_norm") {
                try Functional.embeddingRenorm(w, indices: x, maxNorm: maxNorm, normType: try Convert.optionalDouble(s[4], "norm_type") ?? 2)
            }
            return .tensor(try Functional.embedding(x, weight: w, paddingIdx: try Convert.optionalInt(s[2], "padding_idx")))
        }
        def(f, "bilinear", "input1, input2, weight, bias=None", "y = x1ᵀ·W·x2 + b for each output feature.") { s, _ in
            .tensor(try Functional.bilinear(try tensor(s[0], "input1"), try tensor(s[1], "input2"), weight: try tensor(s[2], "weight"),
                                            bias: try LayerTypes.optionalTensor(s[3])))
        }
        let dropouts: [(String, Bool, String, (Tensor, Double, Bool) throws -> Tensor)] = [
            ("dropout", true, "Zeroes elements with probability p and scales the rest by 1/(1-p) when training.", { try Functional.dropout($0, p: $1, training: $2) }),
            ("dropout1d", true, "Zeroes whole channels of (N, C, L) input with probability p.", { try Dropout1d.apply($0, p: $1, training: $2) }),
            ("dropout2d", true, "Zeroes whole channels of (N, C, H, W) input with probability p.", { try Dropout2d.apply($0, p: $1, training: $2) }),
            ("dropout3d", true, "Zeroes whole channels of (N, C, D, H, W) input with probability p.", { try Dropout3d.apply($0, p: $1, training: $2) }),
            ("alpha_dropout", false, "Dropout that keeps SELU activations' mean and variance.", { try Functional.alphaDropout($0, p: $1, training: $2) }),
        ]
        for (name, trainingDefault, doc, apply) in dropouts {
            def(f, name, "input, p=0.5, training=\(trainingDefault ? "True" : "False"), inplace=False", doc) { s, ev in
                let x = try tensor(s[0], "input"), p = try LayerTypes.dropoutProbability(s[1], ev)
                let training = try Convert.bool(s[2], default: trainingDefault, ev)
                if try Convert.bool(s[3], default: false, ev) { return .tensor(try x.applyInPlace { t, _ in try apply(t, p, training) }) }
                return .tensor(try apply(x, p, training))
            }
        }
    }
}

extension LayerTypes {
    /// A dropout probability checked as PyTorch's Python code does, so the message shows the
    /// number as written (`got 2`, `got 2.0`).
    static func dropoutProbability(_ v: Value?, _ ev: Evaluator) throws -> Double {
        guard let v else { return 0.5 }
        let p = try v.asDouble("p")
        guard p >= 0 && p <= 1 else { throw PyError(.valueError, "dropout probability has to be between 0 and 1, but got \(try ev.repr(v))") }
        return p
    }

    /// `layer` with max_norm and norm_type shown as the script wrote them (`max_norm=2` keeps the int).
    static func withWrittenNorms(_ layer: Embedding, maxNorm: Value?, normType: Value?, _ ev: Evaluator) throws -> Embedding {
        try write(maxNorm, "max_norm", ev, into: &layer.$maxNorm)
        try write(normType, "norm_type", ev, into: &layer.$normType)
        return layer
    }

    /// `layer` with its p shown as the script wrote it (`Dropout(p=1)` keeps the int).
    static func withWrittenP(_ layer: Dropout, _ p: Value?, _ ev: Evaluator) throws -> Dropout {
        try write(p, "p", ev, into: &layer.$p)
        return layer
    }

    /// `nn.EmbeddingBag`.
    static func installEmbeddingBag(into nn: Namespace, moduleBase base: PyType) {
        add(nn, base, "EmbeddingBag", EmbeddingBag.self,
            "num_embeddings, embedding_dim, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, mode='mean', sparse=False, _weight=None, include_last_offset=False, padding_idx=None",
            "Sums, averages or maxes bags of embeddings (rows of a 2-D input, or runs of a 1-D input given offsets).", factory: true) { s, ev in
            if try ev.truthy(s[4]) || ev.truthy(s[6]) {
                throw PyError(.notImplementedError, "EmbeddingBag(scale_grad_by_freq=True, sparse=True) is not supported by nnrepl")
            }
            let layer = try EmbeddingBag(try s[0].asInt("num_embeddings"), try s[1].asInt("embedding_dim"), maxNorm: try Convert.optionalDouble(s[2], "max_norm"),
                                         normType: try s[3].asDouble("norm_type"), mode: try s[5].asString("mode"), weight: try optionalTensor(s[7]),
                                         includeLastOffset: try ev.truthy(s[8]), paddingIdx: try Convert.optionalInt(s[9], "padding_idx"))
            return try withWrittenNorms(layer, maxNorm: s[2], normType: s[3], ev)
        }
    }
}

extension FunctionalNamespace {
    /// `F.embedding_bag`.
    static func installEmbeddingBag(_ f: Namespace) {
        def(f, "embedding_bag", "input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode='mean', sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None",
            "Sums, averages or maxes bags of embedding rows.") { s, ev in
            if try Convert.bool(s[5], default: false, ev) || Convert.bool(s[7], default: false, ev) {
                throw PyError(.notImplementedError, "embedding_bag(scale_grad_by_freq=True, sparse=True) is not supported by nnrepl")
            }
            return .tensor(try EmbeddingBag.apply(try tensor(s[0], "input"), weight: try tensor(s[1], "weight"), offsets: try LayerTypes.optionalTensor(s[2]),
                                                  maxNorm: try Convert.optionalDouble(s[3], "max_norm"), normType: try Convert.optionalDouble(s[4], "norm_type") ?? 2,
                                                  mode: try ModuleMethods.optionalString(s[6]) ?? "mean", perSampleWeights: try LayerTypes.optionalTensor(s[8]),
                                                  includeLastOffset: try Convert.bool(s[9], default: false, ev), paddingIdx: try Convert.optionalInt(s[10], "padding_idx")))
        }
    }
}
