import TensorRuntime

/// `nn.Unflatten(dim, unflattened_size)`: splits dimension `dim` into `unflattened_size`
/// (one entry may be -1). The size prints as it was given (a tuple, a list or a torch.Size).
open class Unflatten: Module {
    public let dim: Int
    public let unflattenedSize: [Int]
    /// `repr(unflattened_size)` as given (`(2, 5)`, `[2, 5]`, `torch.Size([2, 5])`).
    public let sizeRepr: String

    public init(dim: Int, unflattenedSize: [Int], sizeRepr: String) {
        self.dim = dim
        self.unflattenedSize = unflattenedSize
        self.sizeRepr = sizeRepr
        super.init()
    }

    override open var pythonModuleName: String { "torch.nn.modules.flatten" }
    override open var hyperparameters: [(String, HyperValue)] {
        [("dim", .int(dim)), ("unflattened_size", .tuple(unflattenedSize.map { .int($0) }))]
    }
    override open func extraRepr() -> String { "dim=\(dim), unflattened_size=\(sizeRepr)" }
    override open func forward(_ input: Tensor) throws -> Tensor { try input.unflatten(dim: dim, sizes: unflattenedSize) }
}
