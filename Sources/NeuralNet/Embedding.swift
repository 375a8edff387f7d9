import TensorRuntime

/// `nn.Embedding(num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0, …)`:
/// a lookup table initialised from N(0, 1). The `padding_idx` row is zeroed at init and gets no
/// gradient; with `max_norm`, looked-up rows whose norm exceeds it are rescaled in place first.
open class Embedding: Module {
    public let numEmbeddings: Int
    public let embeddingDim: Int
    /// Normalised to 0..<numEmbeddings (a negative argument counts from the end).
    public let paddingIdx: Int?
    public var maxNorm: Double?
    public var normType: Double

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
         ("max_norm", maxNorm.map { .double($0) } ?? .none), ("norm_type", .double(normType)), ("scale_grad_by_freq", .bool(false)),
         ("sparse", .bool(false))]
    }
    override open func extraRepr() -> String {
        var s = "\(numEmbeddings), \(embeddingDim)"
        if let paddingIdx { s += ", padding_idx=\(paddingIdx)" }
        if let maxNorm { s += ", max_norm=\(pythonFloatRepr(maxNorm))" }
        if normType != 2 { s += ", norm_type=\(pythonFloatRepr(normType))" }
        return s
    }
    override open func forward(_ input: Tensor) throws -> Tensor {
        let weight = try requiredParameter("weight", of: "embedding")
        if let maxNorm { try Functional.embeddingRenorm(weight, indices: input, maxNorm: maxNorm, normType: normType) }
        return try Functional.embedding(input, weight: weight, paddingIdx: paddingIdx)
    }
}
