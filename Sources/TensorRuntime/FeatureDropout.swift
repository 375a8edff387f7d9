import Foundation

extension Functional {
    /// ATen's `feature_dropout` (`F.dropout1d`/`F.dropout2d`): whole channels are zeroed — one
    /// Bernoulli(1-p) draw per (sample, channel), scaled by 1/(1-p) and broadcast over the
    /// positions (MulBackward0). Identity when not training or p = 0.
    public static func featureDropout(_ x: Tensor, p: Double = 0.5, training: Bool = true) throws -> Tensor {
        try checkDropoutProbability(p)
        if !training || p == 0 || x.numel == 0 { return x }
        guard x.dim >= 2 else { throw TorchError.runtime("Feature dropout requires at least 2 dimensions in the input") }
        if p == 1 { return try x.mul(try Tensor.zeros([], dtype: x.dtype)) }
        let noise = try Tensor.zeros(Array(x.shape.prefix(2)) + [Int](repeating: 1, count: x.dim - 2), dtype: x.dtype)
        try noise.bernoulliInPlace(p: 1 - p)
        return try x.mul(try noise.div(.double(1 - p)))
    }

    /// ATen's `alpha_dropout` (`F.alpha_dropout`, `nn.AlphaDropout`): dropped elements are set to
    /// SELU's negative saturation and the result is rescaled to keep zero mean and unit variance:
    /// `x·a·m + a·alpha·(p − (1 − m))` for a Bernoulli(1-p) mask m.
    public static func alphaDropout(_ x: Tensor, p: Double = 0.5, training: Bool = false) throws -> Tensor {
        try checkDropoutProbability(p)
        if !training || p == 0 || x.numel == 0 { return x }
        if p == 1 { return try x.mul(try Tensor.zeros([], dtype: x.dtype)) }
        let alpha = 1.7580993408473766
        let a = 1 / ((alpha * alpha * p + 1) * (1 - p)).squareRoot()
        let noise = try Tensor.zeros(x.shape, dtype: x.dtype)
        try noise.bernoulliInPlace(p: 1 - p)
        let b = try noise.sub(.int(1)).mul(.double(alpha * a)).add(.double(alpha * a * p))
        return try x.mul(try noise.mul(.double(a))).add(b)
    }

    private static func checkDropoutProbability(_ p: Double) throws {
        guard p >= 0 && p <= 1 else {
            throw TorchError.value("dropout probability has to be between 0 and 1, but got \(formatNumber(p))")
        }
    }
}
