import Foundation

extension Tensor {
    /// `round(decimals=d)`: ATen's `nearbyint(x·10^d) / 10^d` for d > 0, `nearbyint(x / 10^-d)·10^-d`
    /// otherwise, as one op: RoundBackward1, whose gradient is zero.
    public func round(decimals: Int) throws -> Tensor {
        guard decimals != 0 else { return try round() }
        let scale = Scalar.double(Foundation.pow(10, Double(Swift.abs(decimals))))
        let out = try GradMode.withNoGrad {
            decimals > 0 ? try mul(scale).round().div(scale) : try div(scale).round().mul(scale)
        }
        return out.recordingGrad("RoundBackward1", inputs: [self], savesTensors: false) { g in [try Tensor.zerosLike(g)] }
    }
}
