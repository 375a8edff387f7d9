import Foundation

/// `atan2(other)`: the angle of the point (other, self), elementwise with broadcasting
/// (Atan2Backward0). Integer inputs give the default float dtype, as PyTorch.
extension Tensor {
    public func atan2(_ other: Tensor) throws -> Tensor {
        let promoted = TypePromotion.resultType(self, other)
        let dt = promoted.isFloatingPoint ? promoted : DType.float32
        let out = try computeFloatBinary(Atan2Op(), self, other, dtype: dt)
        guard GradMode.isEnabled && (requiresGrad || other.requiresGrad) else { return out }
        let ta = GradTarget(self), tb = GradTarget(other), sa = SavedTensor(self), sb = SavedTensor(other)
        return out.recordingGrad("Atan2Backward0", inputs: [self, other]) { g in
            // d/da atan2(a, b) = b / (a² + b²), d/db = -a / (a² + b²); composed of tensor ops so a
            // graph is recorded when the backward pass itself is differentiated.
            let a = try sa.get(), b = try sb.get()
            let r = try a.mul(a).add(try b.mul(b))
            return [try ta.reduce(try g.mul(b).div(r)), try tb.reduce(try g.mul(try a.neg()).div(r))]
        }
    }
}

/// libm's `atan2f` / `atan2` per element.
struct Atan2Op: FloatBinaryOp {
    @inline(__always) func apply<T: FloatElement>(_ a: T, _ b: T) -> T {
        if T.self == Float.self { return T(Foundation.atan2f(Float(a), Float(b))) }
        return T(Foundation.atan2(Double(a), Double(b)))
    }
}
