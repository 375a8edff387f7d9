/// Two general rules that make an op's backward differentiable again (`create_graph=True`:
/// gradient penalties, MAML, Hessian-vector products) without a second formula per op. Both
/// only act in a backward run that records (grad mode on); the usual backward is untouched.
///
/// - Linear ops (padding, resampling, unfold/fold, embedding, unpooling): the op is y = A·x and
///   its input gradient Aᵀ·g is linear in g. `recordedAsAdjoint` records that gradient as a
///   function of g whose own gradient is the op again, so the pair differentiates to any order.
/// - Fused nonlinear kernels (group norm, the recurrent layers): `composedGradients` recomputes
///   the op from its inputs with recorded tensor ops and differentiates that with a nested
///   `autograd.grad(create_graph=True)`.
extension Tensor {
    /// Records `self` (Aᵀ·g, an op's input gradient computed from `g`) as a linear function of
    /// `g`; its gradient is `forward` (the op, recorded, applied to a tensor shaped like its
    /// input). `opName` is the op's node name; this node is named as PyTorch's
    /// `…BackwardBackward0`. A no-op outside a recording backward run.
    func recordedAsAdjoint(of g: Tensor, opName: String, forward: @escaping (Tensor) throws -> Tensor) -> Tensor {
        guard GradMode.isEnabled, g.requiresGrad else { return self }
        let name = opName.replacingOccurrences(of: "Backward0", with: "BackwardBackward0")
        return recordingGrad(name, inputs: [g], savesTensors: false) { u in [try forward(u)] }
    }
}

extension Tensor {
    /// Records `self` (a gradient from a kernel that PyTorch does not differentiate either, such
    /// as CTC loss's) so that differentiating it again raises PyTorch's error instead of giving
    /// a silent zero. `inputs`: what the gradient depends on (the output gradient, the saved inputs).
    func recordedWithoutDerivative(inputs: [Tensor], atenName: String) -> Tensor {
        recordingGrad("NotImplemented", inputs: inputs, savesTensors: false) { _ in
            throw TorchError.runtime("derivative for \(atenName) is not implemented")
        }
    }
}

/// The input gradients of a fused op for the output gradient `g`, in a backward run that
/// records: `composed` recomputes the op's output from `inputs` with recorded ops, and a nested
/// `autograd.grad(create_graph=True)` differentiates it. Each input that requires grad is
/// replaced by a recorded alias first, so the nested pass stops there (running no hook and
/// nothing of the outer graph). nil for the inputs that need no gradient.
func composedGradients(_ g: Tensor, inputs: [Tensor], composed: ([Tensor]) throws -> Tensor) throws -> [Tensor?] {
    let aliases = inputs.map { t in
        t.requiresGrad ? t.detached().recordingGrad("AliasBackward0", inputs: [t], savesTensors: false) { [$0] } : t
    }
    let wanted = inputs.indices.filter { inputs[$0].requiresGrad }
    let output = try composed(aliases)
    let grads = try Autograd.grad(outputs: [output], inputs: wanted.map { aliases[$0] }, gradOutputs: [g],
                                  retainGraph: true, createGraph: true, allowUnused: true)
    var result = [Tensor?](repeating: nil, count: inputs.count)
    for (k, i) in wanted.enumerated() { result[i] = grads[k] }
    return result
}
