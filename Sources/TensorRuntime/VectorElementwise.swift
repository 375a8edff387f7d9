import CKernels

/// A binary op with a float32 vector kernel (CKernels/elementwise.c) computing its expression.
protocol VectorBinaryOp: BinaryOp {
    var vectorOp: nn_binary_op { get }
    /// AddScaledOp's alpha as the plain path rounds it; unused by the others.
    var vectorAlpha: Float { get }
}
extension VectorBinaryOp { var vectorAlpha: Float { 0 } }

extension AddOp: VectorBinaryOp { var vectorOp: nn_binary_op { NN_BINARY_ADD } }
extension SubOp: VectorBinaryOp { var vectorOp: nn_binary_op { NN_BINARY_SUB } }
extension MulOp: VectorBinaryOp { var vectorOp: nn_binary_op { NN_BINARY_MUL } }
extension DivOp: VectorBinaryOp { var vectorOp: nn_binary_op { NN_BINARY_DIV } }
extension ReluGradOp: VectorBinaryOp { var vectorOp: nn_binary_op { NN_BINARY_RELU_GRAD } }
extension AddScaledOp: VectorBinaryOp {
    var vectorOp: nn_binary_op { NN_BINARY_ADD_SCALED }
    var vectorAlpha: Float { Float(converting: alpha) }
}

/// float32 elementwise ops over big contiguous tensors with the CPU's widest vectors (one thread:
/// these loops are memory-bound, see architecture.md): the same IEEE operations as the Swift
/// loops, so the same bits. Small tensors keep the Swift loops (no extra work on the path
/// `small_ops` measures).
enum VectorElementwise {
    /// Fewer elements than this run the Swift loops.
    static let minimumCount = 1 << 12

    /// `out = op(a, b)` when `out` is contiguous and each operand is contiguous of its shape or a
    /// single value; false (nothing written) otherwise.
    static func binary(_ op: some VectorBinaryOp, _ a: Tensor, _ b: Tensor, _ out: Tensor) -> Bool {
        func step(_ t: Tensor) -> Int? { t.numel == 1 ? 0 : (t.shape == out.shape && t.isContiguous ? 1 : nil) }
        guard out.isContiguous, let sa = step(a), let sb = step(b) else { return false }
        let pa = elementPointer(a, Float.self), pb = elementPointer(b, Float.self), po = elementPointer(out, Float.self)
        let kind = Int32(op.vectorOp.rawValue), alpha = op.vectorAlpha
        nn_binary_f32(kind, pa, sa, pb, sb, po, out.numel, alpha)
        return true
    }

    /// `out = relu(x)` for a contiguous `x`; false (nothing written) otherwise.
    static func relu(_ x: Tensor, _ out: Tensor) -> Bool {
        guard x.isContiguous, out.isContiguous else { return false }
        let px = elementPointer(x, Float.self), po = elementPointer(out, Float.self)
        nn_relu_f32(px, po, out.numel)
        return true
    }
}
