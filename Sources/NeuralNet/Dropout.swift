import TensorRuntime

/// `nn.Dropout(p=0.5, inplace=False)`: in training, zeroes elements with probability p and
/// scales survivors by 1/(1-p); identity in eval mode.
open class Dropout: Module {
    @WrittenFloat public var p: Double
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
    override open var hyperparameters: [(String, HyperValue)] { [("p", $p), ("inplace", .bool(inplace))] }
    override open func setHyperparameter(_ name: String, _ value: HyperValue) throws -> Bool {
        switch (name, value) {
        case ("p", .double), ("p", .int): $p = value
        case ("inplace", .bool(let b)): inplace = b
        default: return false
        }
        return true
    }
    override open func extraRepr() -> String { "p=\($p), inplace=\(inplace ? "True" : "False")" }

    /// The dropped-out input (out of place); the variants override it.
    open func dropped(_ input: Tensor) throws -> Tensor { try Functional.dropout(input, p: p, training: training) }

    override open func forward(_ input: Tensor) throws -> Tensor {
        let out = try dropped(input)
        return inplace && training && out !== input ? try applyInPlace(input, out) : out
    }
}

/// `nn.Dropout1d(p=0.5, inplace=False)`: zeroes whole channels of (N, C, L) or (C, L) input.
open class Dropout1d: Dropout {
    /// `F.dropout1d(input, p, training)`, with its input-rank check.
    public static func apply(_ x: Tensor, p: Double, training: Bool) throws -> Tensor {
        guard p >= 0 && p <= 1 else {
            throw TorchError.value("dropout probability has to be between 0 and 1, but got \(pythonFloatRepr(p))")
        }
        guard x.dim == 2 || x.dim == 3 else {
            throw TorchError.runtime("dropout1d: Expected 2D or 3D input, but received a \(x.dim)D input. Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
        }
        if x.dim == 3 { return try Functional.featureDropout(x, p: p, training: training) }
        let out = try Functional.featureDropout(try x.unsqueeze(0), p: p, training: training)
        return out === x ? x : try out.squeeze(dim: 0)
    }

    override open func dropped(_ input: Tensor) throws -> Tensor { try Self.apply(input, p: p, training: training) }
}

/// `nn.Dropout2d(p=0.5, inplace=False)`: zeroes whole channels of (N, C, H, W) input (a 3-D
/// input is taken as (N, C, L), with PyTorch's warning).
open class Dropout2d: Dropout {
    /// `F.dropout2d(input, p, training)`, with its warnings for other ranks.
    public static func apply(_ x: Tensor, p: Double, training: Bool) throws -> Tensor {
        guard p >= 0 && p <= 1 else {
            throw TorchError.value("dropout probability has to be between 0 and 1, but got \(pythonFloatRepr(p))")
        }
        if x.dim != 3 && x.dim != 4 {
            NNWarnings.warn("dropout2d: Received a \(x.dim)-D input to dropout2d, which is deprecated and will result in an error in a future release. To retain the behavior and silence this warning, please use dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).")
        }
        if x.dim == 3 {
            NNWarnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will change in a future release to interpret the input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.")
        }
        return try Functional.featureDropout(x, p: p, training: training)
    }

    override open func dropped(_ input: Tensor) throws -> Tensor { try Self.apply(input, p: p, training: training) }
}

/// `nn.Dropout3d(p=0.5, inplace=False)`: zeroes whole channels of (N, C, D, H, W) or (C, D, H, W)
/// input (other ranks warn, as in PyTorch, and are taken as unbatched).
open class Dropout3d: Dropout {
    /// `F.dropout3d(input, p, training)`.
    public static func apply(_ x: Tensor, p: Double, training: Bool) throws -> Tensor {
        guard p >= 0 && p <= 1 else {
            throw TorchError.value("dropout probability has to be between 0 and 1, but got \(pythonFloatRepr(p))")
        }
        if x.dim != 4 && x.dim != 5 {
            NNWarnings.warn("dropout3d: Received a \(x.dim)-D input to dropout3d, which is deprecated and will result in an error in a future release. To retain the behavior and silence this warning, please use dropout instead. Note that dropout3d exists to provide channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 4D or 5D inputs).")
        }
        if x.dim == 5 { return try Functional.featureDropout(x, p: p, training: training) }
        return try Functional.featureDropout(try x.unsqueeze(0), p: p, training: training).squeeze(dim: 0)
    }

    override open func dropped(_ input: Tensor) throws -> Tensor { try Self.apply(input, p: p, training: training) }
}

/// `nn.AlphaDropout(p=0.5, inplace=False)`: dropout that keeps SELU activations' mean and variance.
open class AlphaDropout: Dropout {
    override open func dropped(_ input: Tensor) throws -> Tensor { try Functional.alphaDropout(input, p: p, training: training) }
}
