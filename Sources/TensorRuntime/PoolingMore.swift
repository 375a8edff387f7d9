/// Adaptive max pooling, max unpooling and the 1-d pools (which PyTorch runs as the 2-d ones
/// on an `[…, 1, L]` view, so their results come out of SqueezeBackward1).
extension Functional {
    /// `F.adaptive_max_pool2d(x, output_size, return_indices=True)` on `[N, C, H, W]` or
    /// `[C, H, W]`: output cell i takes the max of input rows floor(i·H/OH) ..< ceil((i+1)·H/OH)
    /// (likewise columns); NaN wins. Returns the values and flat in-plane indices (int64).
    public static func adaptiveMaxPool2d(_ x: Tensor, outputSize: (Int?, Int?)) throws -> (Tensor, Tensor) {
        let (h, w, oh, ow) = try adaptiveSizes(x, outputSize, maximum: true)
        let planes = x.shape.dropLast(2).reduce(1, *)
        let outShape = Array(x.shape.dropLast(2)) + [oh, ow]
        let xd = try x.dense()
        let out = try Tensor(shape: outShape, dtype: x.dtype, zeroed: false)
        let indices = try Tensor(shape: outShape, dtype: .int64, zeroed: false)
        func forward<T: KernelFloat>(_: T.Type) {
            let xp = xd.elements(T.self), op = out.elements(T.self), ip = indices.elements(Int64.self)
            var o = 0
            for plane in 0..<planes {
                let src = xp + plane * h * w
                for i in 0..<oh {
                    let h0 = i * h / oh, h1 = ((i + 1) * h + oh - 1) / oh
                    for j in 0..<ow {
                        let w0 = j * w / ow, w1 = ((j + 1) * w + ow - 1) / ow
                        var best = -T.infinity, at = h0 * w + w0
                        for r in h0..<h1 {
                            for c in w0..<w1 where src[r * w + c] > best || src[r * w + c].isNaN {
                                best = src[r * w + c]; at = r * w + c
                                if best.isNaN { break }
                            }
                            if best.isNaN { break }
                        }
                        op[o] = best; ip[o] = Int64(at); o += 1
                    }
                }
            }
        }
        switch x.dtype {
        case .float32: forward(Float.self)
        case .float64: forward(Double.self)
        default: throw notImplemented("adaptive_max_pool2d", x.dtype)
        }
        let result = out.recordingGrad("AdaptiveMaxPool2DBackward0", inputs: [x]) { g in
            [try scatterAtPlaneIndices(g, indices, inputShape: x.shape, planes: planes)]
        }
        return (result, indices)
    }

    /// `F.max_unpool2d(x, indices, kernel_size, stride, padding, output_size)`: each value of `x`
    /// `[N, C, H, W]` (or `[C, H, W]`) written at its flat index in an output plane of zeros;
    /// the plane is `(H-1)·stride - 2·padding + kernel` a side unless `outputSize` says otherwise.
    public static func maxUnpool2d(_ x: Tensor, indices: Tensor, kernelSize: (Int, Int), stride: (Int, Int)? = nil,
                                   padding: (Int, Int) = (0, 0), outputSize: [Int]? = nil) throws -> Tensor {
        guard x.dim == 3 || x.dim == 4 else {
            throw TorchError.runtime("Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor with \(x.dim) dimensions.")
        }
        guard indices.dtype == .int64 else { throw TorchError.runtime("elements in indices should be type int64 but got: \(indices.dtype.atenName)") }
        guard indices.shape == x.shape else {
            throw TorchError.runtime("Expected shape of indices to be same as that of the input tensor (\(shapeDescription(x.shape))) but got indices tensor with shape: \(shapeDescription(indices.shape))")
        }
        let s = stride ?? kernelSize, h = x.shape[x.dim - 2], w = x.shape[x.dim - 1]
        var size = [(h - 1) * s.0 - 2 * padding.0 + kernelSize.0, (w - 1) * s.1 - 2 * padding.1 + kernelSize.1]
        if let outputSize {
            let given = outputSize.count == x.dim ? Array(outputSize.suffix(2)) : outputSize
            guard given.count == 2 else {
                throw TorchError.value("output_size should be a sequence containing 2 or \(x.dim) elements, but it has a length of '\(outputSize.count)'")
            }
            for d in 0..<2 {
                let lo = size[d] - (d == 0 ? s.0 : s.1), hi = size[d] + (d == 0 ? s.0 : s.1)
                guard given[d] > lo && given[d] < hi else {
                    throw TorchError.value("invalid output_size \"\(shapeDescription(given))\" (dim \(d) must be between \(lo) and \(hi))")
                }
            }
            size = given
        }
        if let d = size.firstIndex(where: { $0 < 0 }) {
            throw TorchError.value("max_unpooling: output_size must contain non-negative spatial dimensions, but got output_size[\(d)]=\(size[d])")
        }
        let planes = x.shape.dropLast(2).reduce(1, *), inPlane = h * w, outPlane = size[0] * size[1]
        let outShape = Array(x.shape.dropLast(2)) + size
        let out = try Tensor(shape: outShape, dtype: x.dtype, zeroed: true)
        let xd = try x.dense(), id = try indices.dense()
        let ip = id.elements(Int64.self)
        // An empty output (MaxUnpool2d(0)) takes no index, as in PyTorch.
        for i in 0..<(planes * inPlane) where outPlane > 0 && (ip[i] < 0 || ip[i] >= Int64(outPlane)) {
            throw TorchError.runtime("Found an invalid max index: \(ip[i]) (output volumes are of size \(size[0])x\(size[1]))")
        }
        func forward<T: KernelFloat>(_: T.Type) {
            guard outPlane > 0 else { return }
            let xp = xd.elements(T.self), op = out.elements(T.self)
            for plane in 0..<planes { for j in 0..<inPlane { op[plane * outPlane + Int(ip[plane * inPlane + j])] = xp[plane * inPlane + j] } }
        }
        switch x.dtype {
        case .float32: forward(Float.self)
        case .float64: forward(Double.self)
        default: throw notImplemented("max_unpooling2d_forward_out", x.dtype)
        }
        // The backward keeps `id` (the indices read through `ip`) alive: the caller's indices may be gone.
        return out.recordingGrad("MaxUnpool2DBackward0", inputs: [x]) { g in
            let gd = try g.dense(), ip = id.elements(Int64.self)
            let gx = try Tensor(shape: x.shape, dtype: x.dtype, zeroed: outPlane == 0)
            func gather<T: KernelFloat>(_: T.Type) {
                guard outPlane > 0 else { return }
                let gp = gd.elements(T.self), xp = gx.elements(T.self)
                for plane in 0..<planes { for j in 0..<inPlane { xp[plane * inPlane + j] = gp[plane * outPlane + Int(ip[plane * inPlane + j])] } }
            }
            if x.dtype == .float32 { gather(Float.self) } else { gather(Double.self) }
            return [gx.recordedAsAdjoint(of: g, opName: "MaxUnpool2DBackward0") { u in
                try maxUnpool2d(u, indices: id, kernelSize: kernelSize, stride: stride, padding: padding, outputSize: outputSize)
            }]
        }
    }

    /// `F.max_pool1d` on `[N, C, L]` or `[C, L]`, with the indices along L when asked. Without
    /// indices PyTorch runs its own 1-d kernel, whose checks (order and messages) come first here;
    /// with indices it runs the 2-d pool on `[…, 1, L]`, whose checks are PoolGeometry's.
    public static func maxPool1d(_ x: Tensor, kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1,
                                 ceilMode: Bool = false, returnIndices: Bool = false) throws -> (Tensor, Tensor?) {
        if !returnIndices { try checkMaxPool1d(x, kernelSize: kernelSize, stride: stride ?? kernelSize, padding: padding, dilation: dilation, ceilMode: ceilMode) }
        let x2 = try unsqueezed1d(x, "max_pool1d")
        let args = (kernelSize: (1, kernelSize), stride: (1, stride ?? kernelSize), padding: (0, padding), dilation: (1, dilation))
        if returnIndices {
            let (v, i) = try maxPool2dWithIndices(x2, kernelSize: args.kernelSize, stride: args.stride, padding: args.padding,
                                                  dilation: args.dilation, ceilMode: ceilMode)
            return (try v.squeeze(dim: -2), try i.squeeze(dim: -2))
        }
        return (try maxPool2d(x2, kernelSize: args.kernelSize, stride: args.stride, padding: args.padding,
                              dilation: args.dilation, ceilMode: ceilMode).squeeze(dim: -2), nil)
    }

    /// ATen's check_max_pool1d: rank and non-empty planes, then each argument, then the output length.
    private static func checkMaxPool1d(_ x: Tensor, kernelSize: Int, stride: Int, padding: Int, dilation: Int, ceilMode: Bool) throws {
        guard (x.dim == 2 || x.dim == 3) && !x.shape.suffix(2).contains(0) else {
            throw TorchError.runtime("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:\(shapeDescription(x.shape))")
        }
        guard kernelSize > 0 else { throw TorchError.runtime("max_pool1d() kernel_size must be greater than zero, but got \(kernelSize)") }
        guard stride > 0 else { throw TorchError.runtime("max_pool1d() stride must be greater than zero, but got \(stride)") }
        guard padding >= 0 else { throw TorchError.runtime("max_pool1d() padding must be non-negative, but got \(padding)") }
        guard padding <= kernelSize / 2 else {
            throw TorchError.runtime("max_pool1d() padding should be at most half of kernel size, but got padding=\(padding) and kernel_size=\(kernelSize)")
        }
        guard dilation > 0 else { throw TorchError.runtime("max_pool1d() dilation must be greater than zero, but got \(dilation)") }
        guard kernelSize < 1 << 30, dilation < 1 << 30 else { throw TorchError.runtime("max_pool1d: arguments are too large") }
        let length = PoolGeometry.outputSize(x.shape[x.dim - 1], kh: (kernelSize - 1) * dilation + 1, pad: padding, stride: stride, ceil: ceilMode)
        guard length > 0 else { throw TorchError.runtime("max_pool1d() Invalid computed output size: \(length)") }
        if !x.dtype.isFloatingPoint { throw notImplemented("max_pool1d_impl", x.dtype) }
    }

    /// `F.avg_pool1d(x, kernel_size, stride=kernel_size, padding, ceil_mode, count_include_pad)`.
    public static func avgPool1d(_ x: Tensor, kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false,
                                 countIncludePad: Bool = true) throws -> Tensor {
        try avgPool2d(try unsqueezed1d(x, "avg_pool1d"), kernelSize: (1, kernelSize), stride: (1, stride ?? kernelSize),
                      padding: (0, padding), ceilMode: ceilMode, countIncludePad: countIncludePad).squeeze(dim: -2)
    }

    /// `F.adaptive_avg_pool1d(x, output_size)`.
    public static func adaptiveAvgPool1d(_ x: Tensor, outputSize: Int) throws -> Tensor {
        try adaptiveAvgPool2d(try unsqueezed1d(x, "adaptive_avg_pool1d"), outputSize: (1, outputSize)).squeeze(dim: -2)
    }

    /// `F.adaptive_max_pool1d(x, output_size, return_indices=True)`: values and indices along L.
    public static func adaptiveMaxPool1d(_ x: Tensor, outputSize: Int) throws -> (Tensor, Tensor) {
        let (v, i) = try adaptiveMaxPool2d(try unsqueezed1d(x, "adaptive_max_pool1d"), outputSize: (1, outputSize))
        return (try v.squeeze(dim: -2), try i.squeeze(dim: -2))
    }

    /// `[…, L]` as `[…, 1, L]` for a 1-d pool, after PyTorch's dimension check.
    private static func unsqueezed1d(_ x: Tensor, _ op: String) throws -> Tensor {
        guard x.dim == 2 || x.dim == 3 else {
            throw TorchError.runtime("Expected 2 to 3 dimensions, but got \(x.dim)-dimensional tensor for argument #1 'self' (while checking arguments for \(op))")
        }
        return try x.unsqueeze(-2)
    }
}

/// The input plane and output sizes of an adaptive pool (None keeps the input's), after
/// PyTorch's checks for `adaptive_avg_pool2d` / `adaptive_max_pool2d`.
func adaptiveSizes(_ x: Tensor, _ outputSize: (Int?, Int?), maximum: Bool) throws -> (Int, Int, Int, Int) {
    let op = maximum ? "adaptive_max_pool2d" : "adaptive_avg_pool2d"
    guard x.dim == 3 || x.dim == 4, !x.shape.dropFirst(x.dim - 2).contains(0) else {
        throw TorchError.runtime("\(op)(): Expected 3D or 4D tensor, but got\(maximum ? ":" : "") \(shapeDescription(x.shape))")
    }
    let h = x.shape[x.dim - 2], w = x.shape[x.dim - 1]
    let oh = outputSize.0 ?? h, ow = outputSize.1 ?? w
    guard oh >= 0 && ow >= 0 else {
        throw TorchError.runtime(maximum ? "Trying to create tensor with negative dimension \(Swift.min(oh, ow)): \(shapeDescription(Array(x.shape.dropLast(2)) + [oh, ow]))"
                                 : "adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but received {\(oh), \(ow)}")
    }
    return (h, w, oh, ow)
}

/// The backward of a max pool: each output gradient added at its flat in-plane index of the
/// input gradient (zeros elsewhere); planes split over the cores when big (each plane's sums
/// keep their order).
func scatterAtPlaneIndices(_ g: Tensor, _ indices: Tensor, inputShape: [Int], planes: Int) throws -> Tensor {
    let gd = try g.dense()
    let gx = try Tensor(shape: inputShape, dtype: g.dtype, zeroed: true)
    let inPlane = inputShape.suffix(2).reduce(1, *), outPlane = indices.shape.suffix(2).reduce(1, *)
    let ip = indices.elements(Int64.self)
    func scatter<T: KernelFloat>(_: T.Type) {
        let gp = gd.elements(T.self), xp = gx.elements(T.self)
        let parts = planes * outPlane >= 1 << 15 ? Swift.min(kernelThreads, planes) : 1
        parallelParts(parts) { part in
            for plane in partRange(part, of: parts, count: planes) {
                for j in 0..<outPlane {
                    let o = plane * outPlane + j
                    xp[plane * inPlane + Int(ip[o])] += gp[o]
                }
            }
        }
    }
    if g.dtype == .float32 { scatter(Float.self) } else { scatter(Double.self) }
    // create_graph=True: linear in g, with gathering at the same indices as its gradient.
    guard GradMode.isEnabled, g.requiresGrad else { return gx }
    return gx.recordingGrad("MaxPool2DWithIndicesBackwardBackward0", inputs: [g]) { u in
        [try gatherAtPlaneIndices(u, indices, planes: planes)]
    }
}
