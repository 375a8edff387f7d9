import TensorRuntime

/// `nn.LPPool1d` / `nn.LPPool2d(norm_type, kernel_size, stride=None, ceil_mode=False)`: the
/// p-norm of each window, computed as PyTorch does — an average pool of `x^p` times the window
/// size, to the power 1/p (a max pool of |x| for p = ±inf).
open class LPPool: Module {
    public let normType: Scalar
    /// Kernel and stride as (height, width); a 1-d pool has height 1.
    public let kernelSize: (Int, Int)
    public let stride: (Int, Int)?
    public let ceilMode: Bool
    /// The arguments as the user wrote them, for the repr (`2` or `2.0`, `3` or `(3, 3)`, `None`).
    private let written: (normType: String, kernelSize: String, stride: String)

    public init(normType: Scalar, kernelSize: (Int, Int), stride: (Int, Int)?, ceilMode: Bool,
                written: (normType: String, kernelSize: String, stride: String)) throws {
        guard normType.doubleValue != 0 else { throw TorchError.value("norm_type must be a non-zero value, but got \(written.normType)") }
        (self.normType, self.kernelSize, self.stride, self.ceilMode, self.written) = (normType, kernelSize, stride, ceilMode, written)
        super.init()
    }

    override open var pythonModuleName: String { "torch.nn.modules.pooling" }
    override open func extraRepr() -> String {
        "norm_type=\(written.normType), kernel_size=\(written.kernelSize), stride=\(written.stride), ceil_mode=\(ceilMode ? "True" : "False")"
    }

    override open func forward(_ input: Tensor) throws -> Tensor {
        try Functional.lpPool(input, normType: normType, kernelSize: kernelSize, stride: stride, ceilMode: ceilMode,
                              oneDimensional: self is LPPool1d, normText: written.normType)
    }
}

/// `nn.LPPool1d(norm_type, kernel_size, stride=None, ceil_mode=False)` over (N, C, L) or (C, L).
open class LPPool1d: LPPool {}
/// `nn.LPPool2d(norm_type, kernel_size, stride=None, ceil_mode=False)` over (N, C, H, W) or (C, H, W).
open class LPPool2d: LPPool {}

extension Functional {
    /// `F.lp_pool1d` (`oneDimensional`, kernel `(1, k)`) and `F.lp_pool2d`, op for op as PyTorch:
    /// `(sign(out) · relu(|out|)) · window size, to the power 1/p` with `out = avg_pool(x^p)`.
    /// `normText` is p as written, for the zero-norm message.
    public static func lpPool(_ x: Tensor, normType: Scalar, kernelSize: (Int, Int), stride: (Int, Int)?, ceilMode: Bool,
                              oneDimensional: Bool, normText: String) throws -> Tensor {
        let p = normType.doubleValue
        guard p != 0 else { throw TorchError.value("norm_type must be a non-zero value, but got \(normText)") }
        func maxPool(_ t: Tensor) throws -> Tensor {
            if oneDimensional { return try maxPool1d(t, kernelSize: kernelSize.1, stride: stride?.1, ceilMode: ceilMode).0 }
            return try maxPool2d(t, kernelSize: kernelSize, stride: stride, ceilMode: ceilMode)
        }
        if p == .infinity { return try maxPool(try x.abs()) }
        if p == -.infinity { return try maxPool(try x.abs().neg()).neg() }
        let powered = try x.pow(normType)
        let out = oneDimensional
            ? try avgPool1d(powered, kernelSize: kernelSize.1, stride: stride?.1, ceilMode: ceilMode)
            : try avgPool2d(powered, kernelSize: kernelSize, stride: stride, ceilMode: ceilMode)
        return try out.sign().mul(try out.abs().relu()).mul(.int(Int64(kernelSize.0 * kernelSize.1))).pow(.double(1 / p))
    }
}
