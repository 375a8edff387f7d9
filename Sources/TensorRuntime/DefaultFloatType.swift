extension DType {
    /// `torch.get_default_dtype()`: the dtype of new floating-point tensors (factories, Python
    /// floats, integer-to-float results). `torch.set_default_dtype` changes it; float32 or float64.
    nonisolated(unsafe) public static var defaultFloat: DType = .float32
}
