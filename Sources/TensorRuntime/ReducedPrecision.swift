/// float16/bfloat16 inputs of the float-only kernels (softmax, layer_norm, pointwise losses):
/// PyTorch's CPU kernels compute them in float and round the result once, which is what running
/// the float32 kernel on a converted copy does. Autograd goes through the conversions
/// (`ToCopyBackward0` around the float32 op).
extension Tensor {
    /// True for float16 and bfloat16.
    var isReducedFloat: Bool { dtype.isReduced && dtype.isFloatingPoint }

    /// `op` run on a float32 copy of self, its result converted back to self's dtype.
    func inFloat32(_ op: (Tensor) throws -> Tensor) throws -> Tensor {
        try op(try converted(to: .float32)).converted(to: dtype)
    }
}
