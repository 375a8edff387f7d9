import TensorRuntime

/// `torch.optim.swa_utils.AveragedModel`: `module`, a copy of a model whose parameters (and, with
/// `use_buffers`, buffers) keep an average of another model's, and the int64 buffer `n_averaged`
/// counting the models averaged in. Calling it runs `module`. The bindings copy the model and
/// run `update_parameters` (which may call a script's `avg_fn` / `multi_avg_fn`).
public final class AveragedModel: Module {
    /// `use_buffers=True`: buffers are averaged like parameters rather than copied.
    public let useBuffers: Bool

    public init(copy: Module, useBuffers: Bool) throws {
        self.useBuffers = useBuffers
        super.init()
        try addModule("module", copy)
        try registerBuffer("n_averaged", try Tensor(scalar: .int(0), dtype: .int64))
    }

    override public var pythonModuleName: String { "torch.optim.swa_utils" }

    /// The averaged copy.
    public var averaged: Module {
        get throws {
            guard let m = child("module") else { throw TorchError(.attributeError, "'AveragedModel' object has no attribute 'module'") }
            return m
        }
    }

    override public func forward(arguments: [Any], keywords: [(String, Any)]) throws -> Any {
        try averaged.call(arguments: arguments, keywords: keywords)
    }

    /// The tensors averaged (this module's parameters, or the copy's parameters then buffers with
    /// `use_buffers`) paired with `model`'s, as PyTorch zips them (stopping at the shorter list).
    public func averagingPairs(with model: Module) throws -> [(averaged: Tensor, current: Tensor)] {
        let mine = useBuffers ? try averaged.parameters() + averaged.buffers() : parameters()
        let theirs = useBuffers ? model.parameters() + model.buffers() : model.parameters()
        return Array(zip(mine, theirs)).map { ($0, $1) }
    }

    /// `n_averaged` as an int.
    public var averagedCount: Int { buffer("n_averaged").flatMap { try? Int($0.item().doubleValue) } ?? 0 }
}
