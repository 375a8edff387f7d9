/// Whether `torch.inference_mode()` is on (`torch.is_inference_mode_enabled()`); gradient
/// recording is off with it, as under `no_grad`. Storage allocated while it is on belongs to
/// inference tensors (`Tensor.isInference`).
public enum InferenceMode {
    nonisolated(unsafe) public static var isEnabled = false
}

extension Tensor {
    /// `is_inference()`: the elements were allocated under `torch.inference_mode()` (so views of
    /// such a tensor are inference tensors too, and views made in the mode of a normal tensor are not).
    public var isInference: Bool { storage.isInference }
}
