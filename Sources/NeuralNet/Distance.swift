import TensorRuntime

/// `nn.CosineSimilarity(dim=1, eps=1e-08)`: `forward(x1, x2)`.
open class CosineSimilarity: Module {
    public var dim: Int
    public var eps: Double

    public init(dim: Int = 1, eps: Double = 1e-8) {
        self.dim = dim
        self.eps = eps
        super.init()
    }

    override open var pythonModuleName: String { "torch.nn.modules.distance" }
    override open var hyperparameters: [(String, HyperValue)] { [("dim", .int(dim)), ("eps", .double(eps))] }

    override open func forward(arguments: [Any], keywords: [(String, Any)]) throws -> Any {
        let (a, b) = try tensorPair(self, arguments, keywords)
        return ModuleValueBridge.wrap(try Functional.cosineSimilarity(a, b, dim: dim, eps: eps))
    }
}

/// `nn.PairwiseDistance(p=2.0, eps=1e-06, keepdim=False)`: `forward(x1, x2)`.
open class PairwiseDistance: Module {
    public var p: Double
    public var eps: Double
    public var keepdim: Bool

    public init(p: Double = 2, eps: Double = 1e-6, keepdim: Bool = false) {
        self.p = p
        self.eps = eps
        self.keepdim = keepdim
        super.init()
    }

    override open var pythonModuleName: String { "torch.nn.modules.distance" }
    override open var hyperparameters: [(String, HyperValue)] { [("norm", .double(p)), ("eps", .double(eps)), ("keepdim", .bool(keepdim))] }

    override open func forward(arguments: [Any], keywords: [(String, Any)]) throws -> Any {
        let (a, b) = try tensorPair(self, arguments, keywords)
        return ModuleValueBridge.wrap(try Functional.pairwiseDistance(a, b, p: p, eps: eps, keepdim: keepdim))
    }
}

/// The two tensors of a two-input forward (`x1, x2`, `input1, input2`).
func tensorPair(_ m: Module, _ arguments: [Any], _ keywords: [(String, Any)], names: (String, String) = ("x1", "x2")) throws -> (Tensor, Tensor) {
    let t = try m.bindTensorArguments(arguments, keywords, names: [names.0, names.1], required: 2)
    guard let a = t[0], let b = t[1] else { throw TorchError.type("\(m.typeName).forward(): arguments must be Tensors") }
    return (a, b)
}
