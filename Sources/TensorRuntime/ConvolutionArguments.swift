/// PyTorch's checks of a convolution's stride, padding, dilation and kernel size, in ATen's
/// order and with its messages (which differ between 1-, 2- and 3-D and transposed forms:
/// ATen runs 1-D convolutions as 2-D ones with a height of 1). A zero-sized kernel must be
/// refused here: the kernels assume at least one tap.
enum ConvolutionArguments {
    static func validate(stride: [Int], padding: [Int], dilation: [Int], outputPadding: [Int]?, groups: Int,
                         weightShape: [Int]) throws {
        let transposed = outputPadding != nil
        guard padding.allSatisfy({ $0 >= 0 }) else { throw TorchError.runtime("negative padding is not supported") }
        guard (outputPadding ?? []).allSatisfy({ $0 >= 0 }) else { throw TorchError.runtime("negative output_padding is not supported") }
        guard stride.allSatisfy({ $0 > 0 }) else { throw TorchError.runtime("non-positive stride is not supported") }
        guard groups > 0 else { throw TorchError.runtime("non-positive groups is not supported") }
        let as2D = dilation.count == 1 ? [1] + dilation : dilation
        if dilation.contains(where: { $0 < 0 }) { throw TorchError.runtime("dilation should be greater than zero") }
        if dilation.contains(0) {
            let got = transposed
                ? zip(["dilation_depth", "dilation_height", "dilation_width"].suffix(as2D.count), as2D)
                    .map { "\($0): \($1)" }.joined(separator: ", ")
                : "[" + as2D.map(String.init).joined(separator: ", ") + "]"
            throw TorchError.runtime("dilation should be greater than zero, but got \(got)")
        }
        if let first = weightShape.first, first < groups {
            throw TorchError.runtime("Given groups=\(groups), expected weight to be at least \(groups) at dimension 0, but got weight of size \(shapeDescription(weightShape)) instead")
        }
        let kernel = Array(weightShape.dropFirst(2))
        guard kernel.contains(where: { $0 <= 0 }) else { return }
        switch kernel.count {
        case 3 where transposed:
            throw TorchError.runtime("non-empty 5D (n_output_plane x n_input_plane x kernel_depth x kernel_height x kernel_width) tensor expected for weight, but got: \(shapeDescription(weightShape))")
        case 3:
            throw TorchError.runtime("kernel size should be greater than zero, but got: \(kernel.map(String.init).joined(separator: " x ")) (TxHxW)")
        default:
            let k = kernel.count == 1 ? [1] + kernel : kernel
            throw TorchError.runtime("kernel size should be greater than zero, but got kernel_height: \(k[0]) kernel_width: \(k[k.count - 1])")
        }
    }
}
