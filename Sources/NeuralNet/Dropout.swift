import TensorRuntime

/// `nn.Dropout(p=0.5, inplace=False)`: in training, zeroes elements with probability p and
/// scales survivors by 1/(1-p); identity in eval mode.
open class Dropout: Module {
    public var p: Double
    public var inplace: Bool

    public init(p: Double = 0.5, inplace: Bool = false) throws {
        guard p >= 0 && p <= 1 else {
            throw TorchError.value("dropout probability has to be between 0 and 1, but got \(pythonFloatRepr(p))")
        }
        self.p = p
        self.inplace = inplace
        super.init()
    }

    override open var pythonModuleName: String { "torch.nn.modules.dropout" }
    override open var hyperparameters: [(String, HyperValue)] { [("p", .double(p)), ("inplace", .bool(inplace))] }
    override open func setHyperparameter(_ name: String, _ value: HyperValue) throws -> Bool {
        switch (name, value) {
        case ("p", .double(let d)): p = d
        case ("p", .int(let i)): p = Double(i)
        case ("inplace", .bool(let b)): inplace = b
        default: return false
        }
        return true
    }
    override open func extraRepr() -> String { "p=\(pythonFloatRepr(p)), inplace=\(inplace ? "True" : "False")" }

    override open func forward(_ input: Tensor) throws -> Tensor {
        let out = try Functional.dropout(input, p: p, training: training)
        return inplace && training && out !== input ? try applyInPlace(input, out) : out
    }
}
