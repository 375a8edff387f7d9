/// `F.pixel_shuffle` / `F.pixel_unshuffle` (each the other's backward) and `F.unfold` /
/// `F.fold` (im2col / col2im on ConvolutionNd.swift's vol2col and col2vol, each the other's
/// backward).
extension Functional {
    /// `F.pixel_shuffle(x, r)`: `[*, C·r², H, W]` → `[*, C, H·r, W·r]`, `out[c, h·r+i, w·r+j] =
    /// in[c·r² + i·r + j, h, w]` (PixelShuffleBackward0).
    public static func pixelShuffle(_ x: Tensor, upscaleFactor r: Int) throws -> Tensor {
        guard x.dim >= 3 else {
            throw TorchError.runtime("pixel_shuffle expects input to have at least 3 dimensions, but got input with \(x.dim) dimension(s)")
        }
        guard r > 0 else { throw TorchError.runtime("pixel_shuffle expects a positive upscale_factor, but got \(r)") }
        let c = x.shape[x.dim - 3], h = x.shape[x.dim - 2], w = x.shape[x.dim - 1]
        let (rr, overflow) = r.multipliedReportingOverflow(by: r)
        guard !overflow, c % rr == 0 else {
            throw TorchError.runtime("pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=\(c) is not divisible by \(overflow ? "\(r)²" : "\(rr)")")
        }
        let lead = Array(x.shape.dropLast(3)), k = lead.count
        let out = try GradMode.withNoGrad {
            try x.reshape(lead + [c / rr, r, r, h, w]).permute(Array(0..<k) + [k, k + 3, k + 1, k + 4, k + 2])
                .contiguous().reshape(lead + [c / rr, h * r, w * r])
        }
        return out.recordingGrad("PixelShuffleBackward0", inputs: [x], savesTensors: false) { g in
            [try pixelUnshuffle(g, downscaleFactor: r)]
        }
    }

    /// `F.pixel_unshuffle(x, r)`: `[*, C, H·r, W·r]` → `[*, C·r², H, W]` (PixelUnshuffleBackward0).
    public static func pixelUnshuffle(_ x: Tensor, downscaleFactor r: Int) throws -> Tensor {
        guard x.dim >= 3 else {
            throw TorchError.runtime("pixel_unshuffle expects input to have at least 3 dimensions, but got input with \(x.dim) dimension(s)")
        }
        guard r > 0 else { throw TorchError.runtime("pixel_unshuffle expects a positive downscale_factor, but got \(r)") }
        let c = x.shape[x.dim - 3], h = x.shape[x.dim - 2], w = x.shape[x.dim - 1]
        guard h % r == 0 else {
            throw TorchError.runtime("pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)=\(h) is not divisible by \(r)")
        }
        guard w % r == 0 else {
            throw TorchError.runtime("pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)=\(w) is not divisible by \(r)")
        }
        let lead = Array(x.shape.dropLast(3)), k = lead.count
        let out = try GradMode.withNoGrad {
            try x.reshape(lead + [c, h / r, r, w / r, r]).permute(Array(0..<k) + [k, k + 2, k + 4, k + 1, k + 3])
                .contiguous().reshape(lead + [c * r * r, h / r, w / r])
        }
        return out.recordingGrad("PixelUnshuffleBackward0", inputs: [x], savesTensors: false) { g in
            [try pixelShuffle(g, upscaleFactor: r)]
        }
    }

    /// `F.unfold(x, kernel_size, dilation=1, padding=0, stride=1)`: `[N, C, H, W]` (or `[C, H, W]`)
    /// → `[N, C·kH·kW, L]`, every block's values as a column (Im2ColBackward0).
    public static func unfold(_ x: Tensor, kernelSize: (Int, Int), dilation: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                              stride: (Int, Int) = (1, 1)) throws -> Tensor {
        guard x.dim == 3 || x.dim == 4 else {
            throw TorchError(.indexError, "Dimension out of range (expected to be in range of [-\(x.dim), \(x.dim - 1)], but got \(x.dim))")
        }
        let batched = x.dim == 4 ? x.shape : [1] + x.shape
        let g = try blockGeometry(batched, image: (batched[2], batched[3]), kernelSize, dilation, padding, stride, op: "im2col")
        let outShape = [g.n, g.k, g.l]
        return try blockTransfer(x, shape: x.dim == 4 ? outShape : Array(outShape.dropFirst()), g, toColumns: true, name: "Im2ColBackward0")
    }

    /// `F.fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1)`: `[N, C·kH·kW, L]`
    /// (or `[C·kH·kW, L]`) → `[N, C, H, W]`, overlapping blocks summed (Col2ImBackward0).
    public static func fold(_ x: Tensor, outputSize: (Int, Int), kernelSize: (Int, Int), dilation: (Int, Int) = (1, 1),
                            padding: (Int, Int) = (0, 0), stride: (Int, Int) = (1, 1)) throws -> Tensor {
        // ATen's col2im_shape_check, in its order.
        let (k, d, p, s) = (kernelSize, dilation, padding, stride)
        guard [k.0, k.1, d.0, d.1, p.0, p.1, s.0, s.1, outputSize.0, outputSize.1].allSatisfy({ Swift.abs($0) < 1 << 30 }) else {
            throw TorchError.runtime("col2im: arguments are too large")
        }
        guard k.0 > 0 && k.1 > 0 else { throw TorchError.runtime("kernel size should be greater than zero, but got kernel_height: \(k.0) kernel_width: \(k.1)") }
        guard s.0 > 0 && s.1 > 0 else { throw TorchError.runtime("stride should be greater than zero, but got stride_height: \(s.0) stride_width: \(s.1)") }
        guard d.0 > 0 && d.1 > 0 else { throw TorchError.runtime("dilation should be greater than zero, but got dilation_height: \(d.0) dilation_width: \(d.1)") }
        guard p.0 >= 0 && p.1 >= 0 else { throw TorchError.runtime("padding should be non-negative, but got pad_height: \(p.0) pad_width: \(p.1)") }
        guard (x.dim == 2 && x.shape[0] != 0 && x.shape[1] != 0) || (x.dim == 3 && x.shape[1] != 0 && x.shape[2] != 0) else {
            throw TorchError.runtime("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero dimensions for input, but got: \(shapeDescription(x.shape))")
        }
        let batched = x.dim == 3 ? x.shape : [1] + x.shape
        let taps = k.0 * k.1
        guard batched[1] % taps == 0 else {
            throw TorchError.runtime("Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)=\(batched[1]) and kernel_size=(\(k.0), \(k.1)).")
        }
        /// Sliding blocks along one axis (division rounding down, as ATen's div_rtn).
        func blocks(_ o: Int, _ p: Int, _ d: Int, _ k: Int, _ s: Int) -> Int {
            let span = o + 2 * p - d * (k - 1) - 1
            return (span >= 0 ? span / s : -((-span + s - 1) / s)) + 1
        }
        let (bh, bw) = (blocks(outputSize.0, p.0, d.0, k.0, s.0), blocks(outputSize.1, p.1, d.1, k.1, s.1))
        let given = "Given output_size=(\(outputSize.0), \(outputSize.1)), kernel_size=(\(k.0), \(k.1)), dilation=(\(d.0), \(d.1)), padding=(\(p.0), \(p.1)), stride=(\(s.0), \(s.1))"
        guard batched[2] == bh * bw else {
            throw TorchError.runtime("\(given), expected size of input's dimension 2 to match the calculated number of sliding blocks \(bh) * \(bw) = \(bh * bw), but got input.size(2)=\(batched[2]).")
        }
        guard bh >= 1 && bw >= 1 else {
            throw TorchError.runtime("\(given), calculated shape of the array of sliding blocks as (\(bh), \(bw)), which is too small (non-positive)")
        }
        guard outputSize.0 >= 1 && outputSize.1 >= 1 else {
            throw TorchError.runtime("Expected output spatial size to be positive, but got: output_size=(\(outputSize.0), \(outputSize.1)).")
        }
        let image = [batched[0], batched[1] / taps, outputSize.0, outputSize.1]
        let g = try blockGeometry(image, image: outputSize, kernelSize, dilation, padding, stride, op: "col2im")
        return try blockTransfer(x, shape: x.dim == 3 ? image : Array(image.dropFirst()), g, toColumns: false, name: "Col2ImBackward0")
    }

    /// The vol2col geometry of unfold/fold on an image `[N, C, H, W]`, with ATen's checks.
    private static func blockGeometry(_ image: [Int], image size: (Int, Int), _ k: (Int, Int), _ d: (Int, Int), _ p: (Int, Int),
                                      _ s: (Int, Int), op: String) throws -> VolumeGeometry {
        let all = [k.0, k.1, d.0, d.1, p.0, p.1, s.0, s.1, size.0, size.1]
        guard all.allSatisfy({ $0 < 1 << 30 }) else { throw TorchError.runtime("\(op): arguments are too large") }
        guard k.0 > 0 && k.1 > 0 else { throw TorchError.runtime("kernel size should be greater than zero, but got kernel_height: \(k.0) kernel_width: \(k.1)") }
        guard d.0 > 0 && d.1 > 0 else { throw TorchError.runtime("dilation should be greater than zero, but got dilation_height: \(d.0) dilation_width: \(d.1)") }
        guard p.0 >= 0 && p.1 >= 0 else { throw TorchError.runtime("padding should be non-negative, but got pad_height: \(p.0) pad_width: \(p.1)") }
        guard s.0 > 0 && s.1 > 0 else { throw TorchError.runtime("stride should be greater than zero, but got stride_height: \(s.0) stride_width: \(s.1)") }
        let oh = (size.0 + 2 * p.0 - (d.0 * (k.0 - 1) + 1)) / s.0 + 1
        let ow = (size.1 + 2 * p.1 - (d.1 * (k.1 - 1) + 1)) / s.1 + 1
        guard size.0 + 2 * p.0 - (d.0 * (k.0 - 1) + 1) >= 0, size.1 + 2 * p.1 - (d.1 * (k.1 - 1) + 1) >= 0, oh >= 1, ow >= 1 else {
            throw TorchError.runtime("Given input with spatial size (\(size.0), \(size.1)), kernel_size=(\(k.0), \(k.1)), dilation=(\(d.0), \(d.1)), padding=(\(p.0), \(p.1)), calculated shape of the array of sliding blocks as (\(oh), \(ow)), but its components must be at least one.")
        }
        let g = VolumeGeometry(n: image[0], groups: 1, volumeChannels: image[1], columnChannels: 0, volume: [size.0, size.1],
                               out: [oh, ow], kernel: [k.0, k.1], stride: [s.0, s.1], padding: [p.0, p.1], dilation: [d.0, d.1])
        _ = try checkedElementCount([g.n, g.k, g.l])
        return g
    }

    /// unfold (`toColumns`, vol2col per sample) or fold (col2vol per sample), with the other as
    /// backward (recorded in turn when the backward run records: create_graph=True).
    private static func blockTransfer(_ x: Tensor, shape: [Int], _ g: VolumeGeometry, toColumns: Bool, name: String) throws -> Tensor {
        let xd = try x.dense()
        let out = try Tensor(shape: shape, dtype: x.dtype, zeroed: !toColumns)
        try transferBlocks(g, xd, out, toColumns: toColumns)
        let xShape = x.shape, adjointName = toColumns ? "Col2ImBackward0" : "Im2ColBackward0"
        return out.recordingGrad(name, inputs: [x], savesTensors: false) { grad in
            [try blockTransfer(grad, shape: xShape, g, toColumns: !toColumns, name: adjointName)]
        }
    }

    private static func transferBlocks(_ g: VolumeGeometry, _ src: Tensor, _ dst: Tensor, toColumns: Bool) throws {
        func run<T: KernelFloat>(_: T.Type) {
            let sp = src.elements(T.self), dp = dst.elements(T.self), image = g.volumeChannels * g.volumeSize, cols = g.k * g.l
            for n in 0..<g.n {
                if toColumns { vol2col(sp + n * image, g, dp + n * cols) } else { col2vol(sp + n * cols, g, dp + n * image) }
            }
        }
        switch src.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        default: throw notImplemented(toColumns ? "im2col" : "col2im", src.dtype)
        }
    }
}
