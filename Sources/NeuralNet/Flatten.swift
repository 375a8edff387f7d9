import TensorRuntime

/// `nn.Flatten(start_dim=1, end_dim=-1)`.
open class Flatten: Module {
    public var startDim: Int
    public var endDim: Int

    public init(startDim: Int = 1, endDim: Int = -1) {
        self.startDim = startDim
        self.endDim = endDim
        super.init()
    }

    override open var pythonModuleName: String { "torch.nn.modules.flatten" }
    override open var hyperparameters: [(String, HyperValue)] { [("start_dim", .int(startDim)), ("end_dim", .int(endDim))] }
    override open func extraRepr() -> String { "start_dim=\(startDim), end_dim=\(endDim)" }
    override open func forward(_ input: Tensor) throws -> Tensor { try input.flatten(startDim: startDim, endDim: endDim) }
}
