import TensorRuntime

/// `nn.Bilinear(in1_features, in2_features, out_features, bias=True)`:
/// `y = x1ᵀ·W·x2 + b` per output feature; weight `[out, in1, in2]` and bias drawn from
/// U(−1/√in1, 1/√in1), in PyTorch's order.
open class Bilinear: Module {
    public let in1Features, in2Features, outFeatures: Int

    public init(_ in1Features: Int, _ in2Features: Int, _ outFeatures: Int, bias: Bool = true) throws {
        self.in1Features = in1Features
        self.in2Features = in2Features
        self.outFeatures = outFeatures
        super.init()
        let weight = try Tensor.newParameter([outFeatures, in1Features, in2Features])
        let b = bias ? try Tensor.newParameter([outFeatures]) : nil
        // PyTorch's reset_parameters divides by √in1_features.
        guard in1Features > 0 else { throw TorchError.value("in1_features must be > 0, but got (in1_features=\(in1Features))") }
        let bound = 1 / Double(in1Features).squareRoot()
        try Init.uniform_(weight, -bound, bound)
        if let b { try Init.uniform_(b, -bound, bound) }
        try registerParameter("weight", weight)
        try registerParameter("bias", b)
    }

    override open var pythonModuleName: String { "torch.nn.modules.linear" }
    override open var hyperparameters: [(String, HyperValue)] {
        [("in1_features", .int(in1Features)), ("in2_features", .int(in2Features)), ("out_features", .int(outFeatures))]
    }
    override open func extraRepr() -> String {
        "in1_features=\(in1Features), in2_features=\(in2Features), out_features=\(outFeatures), bias=\(parameter("bias") != nil ? "True" : "False")"
    }

    override open func forward(arguments: [Any], keywords: [(String, Any)]) throws -> Any {
        let (x1, x2) = try tensorPair(self, arguments, keywords, names: ("input1", "input2"))
        return ModuleValueBridge.wrap(try Functional.bilinear(x1, x2, weight: try requiredParameter("weight", of: "bilinear"),
                                                              bias: parameter("bias")))
    }
}

extension Functional {
    /// `F.bilinear(x1, x2, weight, bias)` for `x1 [*, in1]`, `x2 [*, in2]`, `weight [out, in1, in2]`:
    /// `(x1 · W viewed as [in1, out·in2])` reshaped to `[*, out, in2]`, times x2, summed over in2, plus bias.
    public static func bilinear(_ x1: Tensor, _ x2: Tensor, weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
        guard weight.dim == 3, x1.dim >= 1, x2.dim >= 1 else {
            throw TorchError.runtime("bilinear(): expected 3-D weight and inputs with at least 1 dimension")
        }
        guard x1.dim == x2.dim else {
            throw TorchError.runtime("bilinear(): input dimensions do not match: got \(x1.dim) and \(x2.dim)")
        }
        for d in 0..<(x1.dim - 1) where x1.shape[d] != x2.shape[d] {
            throw TorchError.runtime("bilinear(): input batch dimensions do not match at dim \(d): got \(x1.shape[d]) and \(x2.shape[d])")
        }
        let (out, in1, in2) = (weight.shape[0], weight.shape[1], weight.shape[2])
        guard x1.shape.last == in1 else {
            throw TorchError.runtime("bilinear(): input1 size does not match weight size: got \(x1.shape.last ?? 0) but expected \(in1)")
        }
        guard x2.shape.last == in2 else {
            throw TorchError.runtime("bilinear(): input2 size does not match weight size: got \(x2.shape.last ?? 0) but expected \(in2)")
        }
        let lead = Array(x1.shape.dropLast())
        let rows = lead.reduce(1, *)
        let w = try weight.permute([1, 0, 2]).reshape([in1, out * in2])
        let projected = try x1.reshape([rows, in1]).matmul(w).view([rows, out, in2])
        var y = try projected.mul(try x2.reshape([rows, 1, in2])).sum(dims: [2]).view(lead + [out])
        if let bias { y = try y.add(bias) }
        return y
    }
}
