import TensorRuntime

/// `nn.Embedding(num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0, …)`:
/// a lookup table initialised from N(0, 1). The `padding_idx` row is zeroed at init and gets no
/// gradient; with `max_norm`, looked-up rows whose norm exceeds it are rescaled in place first.
open class Embedding: Module {
    public let numEmbeddings: Int
    public let embeddingDim: Int
    /// Normalised to 0..<numEmbeddings (a negative argument counts from the end).
    public let paddingIdx: Int?
    @WrittenOptionalFloat public var maxNorm: Double?
    @WrittenFloat public var normType: Double

    public init(_ numEmbeddings: Int, _ embeddingDim: Int, paddingIdx: Int? = nil, maxNorm: Double? = nil, normType: Double = 2,
                weight: Tensor? = nil, freeze: Bool = false) throws {
        if let p = paddingIdx, p >= numEmbeddings || p < -numEmbeddings {
            throw TorchError(.assertionError, "Padding_idx must be within num_embeddings")
        }
        self.numEmbeddings = numEmbeddings
        self.embeddingDim = embeddingDim
        self.paddingIdx = paddingIdx.map { $0 < 0 ? $0 + numEmbeddings : $0 }
        self.maxNorm = maxNorm
        self.normType = normType
        super.init()
        let w: Tensor
        if let weight {
            guard weight.shape == [numEmbeddings, embeddingDim] else {
                throw TorchError(.assertionError, "Shape of weight does not match num_embeddings and embedding_dim")
            }
            w = weight.detached()
            try w.markAsParameter(requiresGrad: !freeze)
        } else {
            w = try Tensor.newParameter([numEmbeddings, embeddingDim])
            try w.setRequiresGrad(!freeze)
            try Init.normal_(w)
            if let p = self.paddingIdx {
                try GradMode.withNoGrad { _ = try w.select(dim: 0, index: p).fillInPlace(.int(0)) }
            }
        }
        try registerParameter("weight", w)
    }

    override open var pythonModuleName: String { "torch.nn.modules.sparse" }
    override open var hyperparameters: [(String, HyperValue)] {
        [("num_embeddings", .int(numEmbeddings)), ("embedding_dim", .int(embeddingDim)), ("padding_idx", paddingIdx.map { .int($0) } ?? .none),
         ("max_norm", $maxNorm), ("norm_type", $normType), ("scale_grad_by_freq", .bool(false)),
         ("sparse", .bool(false))]
    }
    override open func extraRepr() -> String {
        var s = "\(numEmbeddings), \(embeddingDim)"
        if let paddingIdx { s += ", padding_idx=\(paddingIdx)" }
        if maxNorm != nil { s += ", max_norm=\($maxNorm)" }
        if normType != 2 { s += ", norm_type=\($normType)" }
        return s
    }
    override open func forward(_ input: Tensor) throws -> Tensor {
        let weight = try requiredParameter("weight", of: "embedding")
        if let maxNorm { try Functional.embeddingRenorm(weight, indices: input, maxNorm: maxNorm, normType: normType) }
        return try Functional.embedding(input, weight: weight, paddingIdx: paddingIdx)
    }
}

/// `nn.EmbeddingBag(num_embeddings, embedding_dim, max_norm=None, norm_type=2.0, …, mode='mean',
/// include_last_offset=False, padding_idx=None)`: sums, averages or maxes bags of embeddings
/// without materialising them; `forward(input, offsets=None, per_sample_weights=None)`.
open class EmbeddingBag: Embedding {
    /// The mode as given: PyTorch accepts any name here and checks it on each forward.
    public let mode: String
    public let includeLastOffset: Bool

    public init(_ numEmbeddings: Int, _ embeddingDim: Int, maxNorm: Double? = nil, normType: Double = 2, mode: String = "mean",
                weight: Tensor? = nil, includeLastOffset: Bool = false, paddingIdx: Int? = nil) throws {
        if let p = paddingIdx, p >= numEmbeddings || p < -numEmbeddings {
            throw TorchError(.assertionError, "padding_idx must be within num_embeddings")
        }
        self.mode = mode
        self.includeLastOffset = includeLastOffset
        try super.init(numEmbeddings, embeddingDim, paddingIdx: paddingIdx, maxNorm: maxNorm, normType: normType, weight: weight)
    }

    override open var hyperparameters: [(String, HyperValue)] {
        super.hyperparameters + [("mode", .string(mode)), ("include_last_offset", .bool(includeLastOffset))]
    }

    override open func extraRepr() -> String {
        var s = "\(numEmbeddings), \(embeddingDim)"
        if maxNorm != nil { s += ", max_norm=\($maxNorm)" }
        if normType != 2 { s += ", norm_type=\($normType)" }
        s += ", mode='\(mode)'"
        if let paddingIdx { s += ", padding_idx=\(paddingIdx)" }
        return s
    }

    override open func forward(arguments: [Any], keywords: [(String, Any)]) throws -> Any {
        let t = try bindTensorArguments(arguments, keywords, names: ["input", "offsets", "per_sample_weights"], required: 1)
        guard let input = t[0] else { throw TorchError.type("\(typeName).forward(): argument 'input' must be a Tensor") }
        return ModuleValueBridge.wrap(try Self.apply(input, weight: try requiredParameter("weight", of: "embedding_bag"), offsets: t[1],
                                                     maxNorm: maxNorm, normType: normType, mode: mode, perSampleWeights: t[2],
                                                     includeLastOffset: includeLastOffset, paddingIdx: paddingIdx))
    }

    /// `F.embedding_bag`: PyTorch's argument checks in its order (shapes, then the mode), max_norm
    /// renormalisation, then the kernel.
    public static func apply(_ input: Tensor, weight: Tensor, offsets: Tensor?, maxNorm: Double?, normType: Double, mode modeName: String,
                             perSampleWeights: Tensor?, includeLastOffset: Bool, paddingIdx: Int?) throws -> Tensor {
        if let psw = perSampleWeights, psw.shape != input.shape {
            throw TorchError.value("embedding_bag: If per_sample_weights (torch.Size(\(shapeDescription(psw.shape)))) is not None, then it must have the same shape as the input (torch.Size(\(shapeDescription(input.shape))))")
        }
        guard weight.dim == 2 else { throw TorchError.value("weight has to be a 2D Tensor, but got Tensor of dimension \(weight.dim)") }
        switch input.dim {
        case 2 where offsets != nil:
            throw TorchError.value("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length sequences. However, found offsets of type <class 'torch.Tensor'>")
        case 2: break
        case 1:
            guard let offsets else { throw TorchError.value("offsets has to be a 1D Tensor but got None") }
            guard offsets.dim == 1 else { throw TorchError.value("offsets has to be a 1D Tensor") }
        default: throw TorchError.value("input has to be 1D or 2D Tensor, but got Tensor of dimension \(input.dim)")
        }
        guard let mode = Functional.BagMode(rawValue: modeName) else { throw TorchError.value("mode has to be one of sum, mean or max") }
        if let maxNorm { try Functional.embeddingRenorm(weight, indices: input, maxNorm: maxNorm, normType: normType) }
        return try Functional.embeddingBag(input, weight: weight, offsets: offsets, mode: mode, perSampleWeights: perSampleWeights,
                                           includeLastOffset: includeLastOffset, paddingIdx: paddingIdx)
    }
}
