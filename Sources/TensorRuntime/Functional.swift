/// The Swift spelling of `torch.nn.functional`: `F.linear` is `Functional.linear`, `F.conv2d`
/// is `Functional.conv2d`, and so on. The kernels live in one file per concept (Linear.swift,
/// Convolution.swift, Pooling.swift, Normalization.swift, Softmax.swift, Losses.swift,
/// Dropout.swift, Embedding.swift).
public enum Functional {}

// MARK: - Helpers shared by the NN kernels

extension Tensor {
    /// Self when contiguous, else a contiguous copy made without recording autograd (kernels use
    /// it to get a raw buffer; gradients are handled by the calling op).
    func dense() throws -> Tensor {
        if isContiguous { return self }
        let out = try Tensor(shape: shape, dtype: dtype, zeroed: false)
        try copyElements(from: self, to: out)
        return out
    }

    /// Typed pointer to element [0, 0, …] (the caller guarantees `T` matches `dtype`).
    @inline(__always)
    func elements<T>(_: T.Type) -> UnsafeMutablePointer<T> {
        storage.pointer(T.self) + storageOffset
    }

    /// A view of this tensor's storage with another geometry (no checks, no autograd).
    func aliased(shape: [Int], strides: [Int]? = nil) -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides ?? Tensor.contiguousStrides(shape), storageOffset: storageOffset)
    }
}

/// PyTorch's error for a kernel that has no implementation for a dtype (a NotImplementedError
/// since PyTorch 2.x).
func notImplemented(_ kernel: String, _ dtype: DType) -> TorchError {
    TorchError(.notImplementedError, "\"\(kernel)\" not implemented for '\(dtype.atenName)'")
}

/// `reduction=` of the loss functions.
enum LossReduction {
    case none, mean, sum

    init(_ name: String) throws {
        switch name {
        case "none": self = .none
        case "mean": self = .mean
        case "sum": self = .sum
        default: throw TorchError.value("\(name) is not a valid value for reduction")
        }
    }
}
