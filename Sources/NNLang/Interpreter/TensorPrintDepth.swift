import TensorRuntime

/// PyTorch prints a tensor recursively, about two Python frames per dimension, so a tensor with
/// hundreds of dimensions (`torch.zeros([1] * 100000)`) raises RecursionError under Python's
/// default recursion limit instead of printing. nnrepl's printer is iterative enough not to
/// overflow, but follows PyTorch: past the same number of dimensions, repr/str/print raise.
public enum TensorPrintDepth {
    /// The most dimensions PyTorch 2.15 prints under the default limit of 1000 (measured:
    /// 494 prints, 495 raises, at module level and one call deep alike).
    public static let maximumDimensions = 494

    /// Throws PyTorch's RecursionError when `t` has too many dimensions to print.
    public static func check(_ t: Tensor) throws {
        guard t.dim <= maximumDimensions else {
            throw PyError(.recursionError, "maximum recursion depth exceeded while calling a Python object")
        }
    }
}
