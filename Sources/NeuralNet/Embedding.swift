import TensorRuntime

/// `nn.Embedding(num_embeddings, embedding_dim)`: a lookup table initialised from N(0, 1).
open class Embedding: Module {
    public let numEmbeddings: Int
    public let embeddingDim: Int

    public init(_ numEmbeddings: Int, _ embeddingDim: Int) throws {
        self.numEmbeddings = numEmbeddings
        self.embeddingDim = embeddingDim
        super.init()
        let weight = try Tensor.newParameter([numEmbeddings, embeddingDim])
        try Init.normal_(weight)
        try registerParameter("weight", weight)
    }

    override open var pythonModuleName: String { "torch.nn.modules.sparse" }
    override open var hyperparameters: [(String, HyperValue)] {
        [("num_embeddings", .int(numEmbeddings)), ("embedding_dim", .int(embeddingDim)), ("padding_idx", .none),
         ("max_norm", .none), ("norm_type", .double(2)), ("scale_grad_by_freq", .bool(false)), ("sparse", .bool(false))]
    }
    override open func extraRepr() -> String { "\(numEmbeddings), \(embeddingDim)" }
    override open func forward(_ input: Tensor) throws -> Tensor {
        try Functional.embedding(input, weight: try requiredParameter("weight", of: "embedding"))
    }
}
