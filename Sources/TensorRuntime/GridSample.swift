import Foundation

/// `F.grid_sample` (2-D, bilinear or nearest, padding zeros / border / reflection) and
/// `F.affine_grid` (2-D and 3-D): the spatial-transformer pair. grid_sample follows ATen's CPU
/// kernel (`GridSampler.h`): source coordinates unnormalised from [-1, 1], clipped or reflected
/// with the derivative of that map kept for the grid's gradient, in the input's precision.
extension Functional {
    /// How grid_sample reads between pixels.
    public enum GridSampleMode: String { case bilinear, nearest }
    /// What grid_sample reads outside the input.
    public enum GridPadding: String { case zeros, border, reflection }

    /// `F.grid_sample(input [N, C, H, W], grid [N, Ho, Wo, 2])` → `[N, C, Ho, Wo]`
    /// (`GridSampler2DBackward0`: gradients for input and, in bilinear mode, grid).
    public static func gridSample(_ input: Tensor, _ grid: Tensor, mode: GridSampleMode, padding: GridPadding,
                                  alignCorners: Bool) throws -> Tensor {
        guard grid.dim == input.dim, grid.dim > 0, grid.shape[grid.dim - 1] == input.dim - 2 else {
            throw TorchError.runtime("grid_sampler(): expected grid to have size \(input.dim - 2) in last dimension, but got grid with sizes \(shapeDescription(grid.shape))")
        }
        guard input.shape[0] == grid.shape[0] else {
            throw TorchError.runtime("grid_sampler(): expected grid and input to have same batch size, but got input with sizes \(shapeDescription(input.shape)) and grid with sizes \(shapeDescription(grid.shape))")
        }
        guard input.dim == 4 else {
            throw TorchError(.notImplementedError, "grid_sample on \(input.dim)-D input is not supported by nnrepl (4-D input only)")
        }
        guard input.dtype.isComputeFloat else {
            throw TorchError(.notImplementedError, "\"grid_sampler_2d_cpu_kernel_impl\" not implemented for '\(input.dtype.atenName)'")
        }
        guard grid.dtype == input.dtype else {
            throw TorchError.runtime("expected scalar type \(input.dtype.atenName) but found \(grid.dtype.atenName)")
        }
        if input.dtype == .float64 { return try gridSample(Double.self, input, grid, mode, padding, alignCorners) }
        return try gridSample(Float.self, input, grid, mode, padding, alignCorners)
    }

    private static func gridSample<T: BinaryFloatingPoint & TensorElement>(_: T.Type, _ input: Tensor, _ grid: Tensor, _ mode: GridSampleMode,
                                                                           _ padding: GridPadding, _ alignCorners: Bool) throws -> Tensor {
        let sampler = GridSampler<T>(shape: input.shape, outHeight: grid.shape[1], outWidth: grid.shape[2],
                                     mode: mode, padding: padding, alignCorners: alignCorners)
        let pixels = input.toDoubles().map { T($0) }, points = grid.toDoubles().map { T($0) }
        let out = sampler.forward(pixels, points)
        let result = try Tensor(doubles: out.map { Double($0) }, shape: [input.shape[0], input.shape[1], grid.shape[1], grid.shape[2]],
                                dtype: input.dtype)
        guard GradMode.isEnabled && (input.requiresGrad || grid.requiresGrad) else { return result }
        let inputShape = input.shape, gridShape = grid.shape, dtype = input.dtype
        return result.recordingGrad("GridSampler2DBackward0", inputs: [input, grid]) { g in
            let (gInput, gGrid) = sampler.backward(g.toDoubles().map { T($0) }, pixels, points)
            return [try Tensor(doubles: gInput.map { Double($0) }, shape: inputShape, dtype: dtype),
                    try Tensor(doubles: gGrid.map { Double($0) }, shape: gridShape, dtype: dtype)]
        }
    }

    /// `F.affine_grid(theta, size, align_corners)`: the sampling grid of the affine maps theta
    /// ([N, 2, 3] for size [N, C, H, W]; [N, 3, 4] for [N, C, D, H, W]), a batched matmul of the
    /// base grid (x, y[, z], 1) with theta's transpose, so its gradient is matmul's.
    public static func affineGrid(_ theta: Tensor, size: [Int], alignCorners: Bool) throws -> Tensor {
        guard theta.dtype.isFloatingPoint else {
            throw TorchError.value("Expected theta to have floating point type, but got \(theta.dtype.name)")
        }
        guard size.count == 4 || size.count == 5 else {
            throw TorchError(.notImplementedError, "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, respectively. Got size \(shapeDescription(size)).")
        }
        let spatial = size.count - 2
        guard theta.dim == 3, theta.shape[1] == spatial, theta.shape[2] == spatial + 1 else {
            throw TorchError.value("Expected a batch of \(spatial)D affine matrices of shape Nx\(spatial)x\(spatial + 1) for size \(shapeDescription(size)). Got torch.Size(\(shapeDescription(theta.shape))).")
        }
        guard size.allSatisfy({ $0 > 0 }) else {
            throw TorchError.value("Expected non-zero, positive output size. Got \(shapeDescription(size))")
        }
        guard theta.shape[0] == size[0] else {
            throw TorchError.runtime("Expected size for first two dimensions of batch2 tensor to be: [\(size[0]), \(spatial + 1)] but got: [\(theta.shape[0]), \(spatial + 1)].")
        }
        // Base grid [*spatial sizes, spatial + 1]: the last coordinate varies along the last dim (x = width).
        let extents = Array(size[2...])
        let count = extents.reduce(1, *)
        var base = [Double](repeating: 1, count: count * (spatial + 1))
        let axes = extents.reversed().map { steps in (0..<steps).map { i -> Double in
            guard steps > 1 else { return 0 }
            let v = -1 + 2 * Double(i) / Double(steps - 1)
            return alignCorners ? v : v * Double(steps - 1) / Double(steps)
        } }
        for p in 0..<count {
            var rest = p
            for (k, steps) in extents.enumerated().reversed() {
                base[p * (spatial + 1) + (spatial - 1 - k)] = axes[spatial - 1 - k][rest % steps]
                rest /= steps
            }
        }
        let baseGrid = try Tensor(doubles: base, shape: [1, count, spatial + 1], dtype: theta.dtype)
        return try baseGrid.matmul(try theta.transpose(1, 2)).view([size[0]] + extents + [spatial])
    }
}

/// One grid_sample geometry: forward and backward over flat double buffers.
private struct GridSampler<T: BinaryFloatingPoint> {
    let batch: Int, channels: Int, height: Int, width: Int, outHeight: Int, outWidth: Int
    let mode: Functional.GridSampleMode, padding: Functional.GridPadding, alignCorners: Bool

    init(shape: [Int], outHeight: Int, outWidth: Int, mode: Functional.GridSampleMode, padding: Functional.GridPadding, alignCorners: Bool) {
        (batch, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        (self.outHeight, self.outWidth, self.mode, self.padding, self.alignCorners) = (outHeight, outWidth, mode, padding, alignCorners)
    }

    /// The source pixel coordinate of a normalised one, and d(source)/d(normalised).
    func source(_ coord: T, size: Int) -> (T, T) {
        let s = T(size)
        var x = alignCorners ? (coord + 1) / 2 * (s - 1) : ((coord + 1) * s - 1) / 2
        var grad = alignCorners ? (s - 1) / 2 : s / 2
        switch padding {
        case .zeros: break
        case .border:
            let (c, g) = clip(x, size: size)
            x = c; grad *= g
        case .reflection:
            let (r, g) = alignCorners ? reflect(x, twiceLow: 0, twiceHigh: 2 * (size - 1)) : reflect(x, twiceLow: -1, twiceHigh: 2 * size - 1)
            let (c, g2) = clip(r, size: size)
            x = c; grad *= g * g2
        }
        return (x, grad)
    }

    private func clip(_ x: T, size: Int) -> (T, T) {
        if x <= 0 { return (0, 0) }
        if x >= T(size - 1) { return (T(size - 1), 0) }
        return (x, 1)
    }

    /// ATen's `reflect_coordinates_set_grad`.
    private func reflect(_ x: T, twiceLow: Int, twiceHigh: Int) -> (T, T) {
        guard twiceLow != twiceHigh else { return (0, 0) }
        let low = T(twiceLow) / 2, span = T(twiceHigh - twiceLow) / 2
        var v = x - low, sign: T = 1
        if v < 0 { sign = -1; v = -v }
        guard v.isFinite else { return (v, 0) }
        let extra = v.truncatingRemainder(dividingBy: span), flips = (v / span).rounded(.down)
        return flips.truncatingRemainder(dividingBy: 2) == 0 ? (extra + low, sign) : (span - extra + low, -sign)
    }

    /// The taps of one output point: (pixel offset within a channel plane or nil outside, weight,
    /// d weight / d x, d weight / d y), plus the grid's chain factors.
    private func taps(_ gx: T, _ gy: T) -> (taps: [(Int?, T, T, T)], chain: (T, T)) {
        let (x, dx) = source(gx, size: width), (y, dy) = source(gy, size: height)
        func at(_ ix: T, _ iy: T) -> Int? {
            guard ix.isFinite, iy.isFinite, ix >= 0, iy >= 0, ix < T(width), iy < T(height) else { return nil }
            return Int(iy) * width + Int(ix)
        }
        if mode == .nearest {
            let rx = x.rounded(.toNearestOrEven), ry = y.rounded(.toNearestOrEven)
            return ([(at(rx, ry), 1, 0, 0)], (dx, dy))
        }
        let x0 = x.rounded(.down), y0 = y.rounded(.down)
        let (e, w) = (x - x0, x0 + 1 - x), (s, n) = (y - y0, y0 + 1 - y)
        return ([(at(x0, y0), w * n, -n, -w), (at(x0 + 1, y0), e * n, n, -e),
                 (at(x0, y0 + 1), w * s, -s, w), (at(x0 + 1, y0 + 1), e * s, s, e)], (dx, dy))
    }

    func forward(_ pixels: [T], _ points: [T]) -> [T] {
        let plane = height * width, outPlane = outHeight * outWidth
        var out = [T](repeating: 0, count: batch * channels * outPlane)
        for b in 0..<batch {
            for p in 0..<outPlane {
                let g = (b * outPlane + p) * 2
                let (taps, _) = taps(points[g], points[g + 1])
                for c in 0..<channels {
                    let source = (b * channels + c) * plane
                    var sum: T = 0
                    for (offset, weight, _, _) in taps { if let o = offset { sum += pixels[source + o] * weight } }
                    out[(b * channels + c) * outPlane + p] = sum
                }
            }
        }
        return out
    }

    func backward(_ gOut: [T], _ pixels: [T], _ points: [T]) -> ([T], [T]) {
        let plane = height * width, outPlane = outHeight * outWidth
        var gInput = [T](repeating: 0, count: pixels.count), gGrid = [T](repeating: 0, count: points.count)
        for b in 0..<batch {
            for p in 0..<outPlane {
                let g = (b * outPlane + p) * 2
                let (taps, chain) = taps(points[g], points[g + 1])
                var gx: T = 0, gy: T = 0
                for c in 0..<channels {
                    let source = (b * channels + c) * plane, upstream = gOut[(b * channels + c) * outPlane + p]
                    for (offset, weight, dwx, dwy) in taps {
                        guard let o = offset else { continue }
                        gInput[source + o] += weight * upstream
                        gx += dwx * pixels[source + o] * upstream
                        gy += dwy * pixels[source + o] * upstream
                    }
                }
                gGrid[g] = gx * chain.0
                gGrid[g + 1] = gy * chain.1
            }
        }
        return (gInput, gGrid)
    }
}
