import Foundation

extension Tensor {
    /// `exponential_(lambd=1)`: `-log1p(-u) / lambd` with `u` a 53-bit uniform per element,
    /// drawn in the tensor's memory order and computed in Double (glibc's log1p, as ATen's
    /// serial CPU kernel), then rounded to the dtype: PyTorch's values bit for bit.
    @discardableResult
    public func exponentialInPlace(lambd: Double = 1) throws -> Tensor {
        guard dtype.isFloatingPoint else {
            throw TorchError.runtime("Exponential distribution is a continuous probability distribution. dtype must be a floating point but you specified \(dtype.atenName)")
        }
        guard lambd > 0 else { throw TorchError.runtime("exponential_ expects lambda > 0.0, but found lambda=\(formatNumber(lambd))") }
        if let t = try fillingViaFloat({ try $0.exponentialInPlace(lambd: lambd) }) { return t }
        try checkInPlace()
        try checkNoInternalOverlap()
        let previous = standInIfTracked()
        let g = TorchRandom.generator
        func draw() -> Double { -Foundation.log1p(-g.uniformDouble()) / lambd }
        if dtype == .float32 { fillSequential(Float.self) { Float(draw()) } } else { fillSequential(Double.self) { draw() } }
        bumpVersion()
        try recordOverwrite("ExponentialBackward0", previous)
        return self
    }
}
