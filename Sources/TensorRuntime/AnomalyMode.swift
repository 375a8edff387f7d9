/// `torch.autograd.set_detect_anomaly` / `detect_anomaly`: while enabled (with `check_nan`),
/// backward stops at the first node whose gradients contain a NaN, with PyTorch's
/// "Function 'DivBackward0' returned nan values in its 1th output." (the forward traceback
/// PyTorch also prints as a warning is not kept).
public enum AnomalyMode {
    nonisolated(unsafe) public static var isEnabled = false
    nonisolated(unsafe) public static var checksNaN = true

    /// Called by the engine with each node's gradients when anomaly mode is on.
    static func check(_ name: String, _ gradients: [Tensor?]) throws {
        guard checksNaN else { return }
        for (i, g) in gradients.enumerated() {
            guard let g, g.dtype.isFloatingPoint else { continue }
            if try g.isnan().anyTrue() {
                throw TorchError.runtime("Function '\(name)' returned nan values in its \(i)th output.")
            }
        }
    }
}
