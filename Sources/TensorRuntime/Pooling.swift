extension Functional {
    /// `F.max_pool2d(x, kernel_size, stride=kernel_size, padding, dilation, ceil_mode)` on
    /// `[N, C, H, W]` or `[C, H, W]`; NaN wins, as in PyTorch. The argmax of each window is kept
    /// for the backward (MaxPool2DWithIndicesBackward0), and only computed when there will be one.
    public static func maxPool2d(_ x: Tensor, kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                                 dilation: (Int, Int) = (1, 1), ceilMode: Bool = false) throws -> Tensor {
        try maxPool2d(x, kernelSize, stride, padding, dilation, ceilMode, returnIndices: false).0
    }

    /// `F.max_pool2d(..., return_indices=True)`: the values and, per output, the flat index
    /// `h·W + w` of its maximum within the input plane (int64).
    public static func maxPool2dWithIndices(_ x: Tensor, kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                                            dilation: (Int, Int) = (1, 1), ceilMode: Bool = false) throws -> (Tensor, Tensor) {
        let (out, indices) = try maxPool2d(x, kernelSize, stride, padding, dilation, ceilMode, returnIndices: true)
        return (out, indices ?? out)
    }

    private static func maxPool2d(_ x: Tensor, _ kernelSize: (Int, Int), _ stride: (Int, Int)?, _ padding: (Int, Int),
                                  _ dilation: (Int, Int), _ ceilMode: Bool, returnIndices: Bool) throws -> (Tensor, Tensor?) {
        let p = try PoolGeometry(x, op: "max_pool2d", kernel: kernelSize, stride: stride ?? kernelSize, padding: padding,
                                 dilation: dilation, ceilMode: ceilMode)
        let xd = try x.dense()
        let out = try Tensor(shape: p.outShape, dtype: x.dtype, zeroed: false)
        let recording = GradMode.isEnabled && x.requiresGrad
        let indices = recording || returnIndices ? try Tensor(shape: p.outShape, dtype: .int64, zeroed: false) : nil
        switch x.dtype {
        case .float32: maxPoolForward(Float.self, p, xd, out, indices)
        case .float64: maxPoolForward(Double.self, p, xd, out, indices)
        default: throw notImplemented("max_pool2d", x.dtype)
        }
        try out.adoptLayout(following: x)
        guard let indices, recording else { return (out, indices) }
        let result = out.recordingGrad("MaxPool2DWithIndicesBackward0", inputs: [x]) { g in
            [try scatterAtPlaneIndices(g, indices, inputShape: x.shape, planes: p.planes)]
        }
        return (result, indices)
    }

    /// `F.avg_pool2d(x, kernel_size, stride=kernel_size, padding, ceil_mode, count_include_pad,
    /// divisor_override)` (AvgPool2DBackward0).
    public static func avgPool2d(_ x: Tensor, kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                                 ceilMode: Bool = false, countIncludePad: Bool = true, divisorOverride: Int? = nil) throws -> Tensor {
        let p = try PoolGeometry(x, op: "avg_pool2d", kernel: kernelSize, stride: stride ?? kernelSize, padding: padding,
                                 dilation: (1, 1), ceilMode: ceilMode)
        if let d = divisorOverride, d == 0 { throw TorchError.runtime("divisor must be not zero") }
        // Each output's window (clipped to the input) and divisor, shared by forward and backward.
        let windows = p.averageWindows(countIncludePad: countIncludePad, divisorOverride: divisorOverride)
        return try averagePool(x, p, windows, name: "AvgPool2DBackward0")
    }

    /// `F.adaptive_avg_pool2d(x, output_size)`: output cell i averages input rows
    /// floor(i·H/OH) ..< ceil((i+1)·H/OH) (likewise columns); nil keeps that input size.
    /// A (1, 1) output is a mean over H and W in PyTorch (MeanBackward1).
    public static func adaptiveAvgPool2d(_ x: Tensor, outputSize: (Int?, Int?)) throws -> Tensor {
        let (h, w, oh, ow) = try adaptiveSizes(x, outputSize, maximum: false)
        let p = PoolGeometry(adaptive: x, oh: oh, ow: ow)
        try Storage.checkAllocation(count: try checkedElementCount([oh, ow]), itemSize: MemoryLayout<PoolWindow>.stride)
        var windows = [PoolWindow]()
        windows.reserveCapacity(oh * ow)
        for i in 0..<oh {
            let h0 = i * h / oh, h1 = ((i + 1) * h + oh - 1) / oh
            for j in 0..<ow {
                let w0 = j * w / ow, w1 = ((j + 1) * w + ow - 1) / ow
                windows.append(PoolWindow(h0: h0, h1: h1, w0: w0, w1: w1, divisor: Double((h1 - h0) * (w1 - w0))))
            }
        }
        let name = oh == 1 && ow == 1 ? "MeanBackward1" : "AdaptiveAvgPool2DBackward0"
        return try averagePool(x, p, windows, name: name)
    }
}

/// One output cell of an average pool: the input window (already clipped) and its divisor.
struct PoolWindow {
    let h0, h1, w0, w1: Int
    let divisor: Double
}

/// Shapes of a 2-D pooling call over `planes` = N·C independent H×W planes.
struct PoolGeometry {
    let planes, h, w, oh, ow: Int
    let kh, kw, sh, sw, ph, pw, dh, dw: Int
    let outShape: [Int]

    init(_ x: Tensor, op: String, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int),
         dilation: (Int, Int), ceilMode: Bool) throws {
        let limit = 1 << 30
        guard [kernel.0, kernel.1, stride.0, stride.1, padding.0, padding.1, dilation.0, dilation.1].allSatisfy({ abs($0) < limit }) else {
            throw TorchError.runtime("\(op): arguments are too large")
        }
        // ATen's order and messages: max_pool2d's rank check (avg_pool2d reads size(-3) instead),
        // pooling_output_shape (height, then width), then pool2d_shape_check.
        if op == "max_pool2d" {
            guard x.dim == 3 || x.dim == 4 else { throw TorchError.runtime("non-empty 3D or 4D (batch mode) tensor expected for input") }
        } else {
            _ = try x.normalizeDim(-3)
        }
        for (k, p, s, d) in [(kernel.0, padding.0, stride.0, dilation.0), (kernel.1, padding.1, stride.1, dilation.1)] {
            guard s != 0 else { throw TorchError.runtime("stride should not be zero") }
            guard p >= 0 else { throw TorchError.runtime("pad must be non-negative, but got pad: \(p)") }
            guard p <= ((k - 1) * d + 1) / 2 else {
                throw TorchError.runtime("pad should be at most half of effective kernel size, but got pad=\(p), kernel_size=\(k) and dilation=\(d)")
            }
        }
        guard kernel.0 > 0 && kernel.1 > 0 else {
            throw TorchError.runtime("kernel size should be greater than zero, but got kH: \(kernel.0) kW: \(kernel.1)")
        }
        guard stride.0 > 0 && stride.1 > 0 else {
            throw TorchError.runtime("stride should be greater than zero, but got dH: \(stride.0) dW: \(stride.1)")
        }
        guard dilation.0 > 0 && dilation.1 > 0 else {
            throw TorchError.runtime("dilation should be greater than zero, but got dilationH: \(dilation.0) dilationW: \(dilation.1)")
        }
        guard (x.dim == 3 || x.dim == 4) && !x.shape.dropFirst(x.dim - 3).contains(0) else {
            throw TorchError.runtime("Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:\(shapeDescription(x.shape))")
        }
        guard kernel.1 / 2 >= padding.1 && kernel.0 / 2 >= padding.0 else {
            throw TorchError.runtime("pad should be smaller than or equal to half of kernel size, but got padW = \(padding.1), padH = \(padding.0), kW = \(kernel.1), kH = \(kernel.0)")
        }
        let (ekh, ekw) = ((kernel.0 - 1) * dilation.0 + 1, (kernel.1 - 1) * dilation.1 + 1)
        h = x.shape[x.dim - 2]; w = x.shape[x.dim - 1]
        planes = x.shape.dropLast(2).reduce(1, *)
        (kh, kw, sh, sw, ph, pw, dh, dw) = (kernel.0, kernel.1, stride.0, stride.1, padding.0, padding.1, dilation.0, dilation.1)
        oh = PoolGeometry.outputSize(h, kh: ekh, pad: ph, stride: sh, ceil: ceilMode)
        ow = PoolGeometry.outputSize(w, kh: ekw, pad: pw, stride: sw, ceil: ceilMode)
        let lead = Array(x.shape.dropLast(2))
        guard oh > 0 && ow > 0 else {
            throw TorchError.runtime("Given input size: (\(x.shape.dropLast(2).last ?? 1)x\(h)x\(w)). Calculated output size: (\(x.shape.dropLast(2).last ?? 1)x\(max(oh, 0))x\(max(ow, 0))). Output size is too small")
        }
        outShape = lead + [oh, ow]
    }

    init(adaptive x: Tensor, oh: Int, ow: Int) {
        h = x.shape[x.dim - 2]; w = x.shape[x.dim - 1]
        planes = x.shape.dropLast(2).reduce(1, *)
        self.oh = oh; self.ow = ow
        (kh, kw, sh, sw, ph, pw, dh, dw) = (1, 1, 1, 1, 0, 0, 1, 1)
        outShape = Array(x.shape.dropLast(2)) + [oh, ow]
    }

    /// PyTorch's pooling_output_shape: floor or ceil division, and with ceil_mode the last
    /// window must start inside the input or left padding.
    static func outputSize(_ size: Int, kh: Int, pad: Int, stride: Int, ceil: Bool) -> Int {
        let numer = size + 2 * pad - kh + (ceil ? stride - 1 : 0)
        let q = numer >= 0 ? numer / stride : -((-numer + stride - 1) / stride)
        var out = q + 1
        if ceil && (out - 1) * stride >= size + pad { out -= 1 }
        return out
    }

    /// avg_pool2d windows: the padded window's size when count_include_pad (capped at the
    /// padded input), else the clipped window's size.
    func averageWindows(countIncludePad: Bool, divisorOverride: Int?) -> [PoolWindow] {
        var out = [PoolWindow]()
        out.reserveCapacity(oh * ow)
        for i in 0..<oh {
            var h0 = i * sh - ph
            var h1 = Swift.min(h0 + kh, h + ph)
            let padH = h1 - h0
            h0 = Swift.max(h0, 0); h1 = Swift.min(h1, h)
            for j in 0..<ow {
                var w0 = j * sw - pw
                var w1 = Swift.min(w0 + kw, w + pw)
                let poolSize = padH * (w1 - w0)
                w0 = Swift.max(w0, 0); w1 = Swift.min(w1, w)
                let divisor = divisorOverride.map(Double.init) ?? Double(countIncludePad ? poolSize : Swift.max(h1 - h0, 0) * Swift.max(w1 - w0, 0))
                out.append(PoolWindow(h0: h0, h1: Swift.max(h1, h0), w0: w0, w1: Swift.max(w1, w0), divisor: divisor))
            }
        }
        return out
    }
}

/// Max pooling of every plane, planes split over the cores when big: each window's first maximum
/// (a NaN wins at once), and with `indices` its index, as PyTorch's kernel.
private func maxPoolForward<T: KernelFloat>(_: T.Type, _ p: PoolGeometry, _ x: Tensor, _ out: Tensor, _ indices: Tensor?) {
    let xp = x.elements(T.self), op = out.elements(T.self), ip = indices?.elements(Int64.self)
    let inPlane = p.h * p.w, outPlane = p.oh * p.ow
    let parts = p.planes * outPlane * p.kh * p.kw >= 1 << 16 ? Swift.min(kernelThreads, p.planes) : 1
    parallelParts(parts) { part in
        for plane in partRange(part, of: parts, count: p.planes) {
            maxPoolPlane(p, xp + plane * inPlane, op + plane * outPlane, ip.map { $0 + plane * outPlane })
        }
    }
}

/// The valid taps `lo..<hi` of a window starting at `start` (taps `dilation` apart) along an
/// axis of `size`.
@inline(__always)
private func validTaps(start: Int, taps: Int, dilation: Int, size: Int) -> Range<Int> {
    let lo = start >= 0 ? 0 : (-start + dilation - 1) / dilation
    let hi = size - start <= 0 ? 0 : Swift.min(taps, (size - start + dilation - 1) / dilation)
    return lo..<Swift.max(lo, hi)
}

/// The first maximum of each window, and its index when `ip` is given: the first valid tap
/// starts the running maximum, a later tap replaces it when greater, or when it is NaN and the
/// maximum is not yet (so the first NaN wins and stays, as in a loop that stops at a NaN).
/// float32 windows whose columns all fall inside the plane run eight outputs at a time with lane
/// selects (`maxPoolInteriorF32`): the compiler kept the scalar selects as branches, which
/// mispredict on most windows. Without indices (no_grad) only the values are written.
private func maxPoolPlane<T: KernelFloat>(_ p: PoolGeometry, _ src: UnsafeMutablePointer<T>, _ dst: UnsafeMutablePointer<T>,
                                          _ ip: UnsafeMutablePointer<Int64>?) {
    // Outputs j whose window columns j·sw − pw + b·dw (b < kw) all lie in 0..<w.
    let jLo = Swift.min(p.ow, (p.pw + p.sw - 1) / p.sw)
    let last = p.w - 1 - (p.kw - 1) * p.dw + p.pw
    let jHi = last < 0 ? jLo : Swift.max(jLo, Swift.min(p.ow, last / p.sw + 1))
    let vectorised = T.self == Float.self && p.h * p.w <= Int(Int32.max)
    for i in 0..<p.oh {
        let hStart = i * p.sh - p.ph
        let rows = validTaps(start: hStart, taps: p.kh, dilation: p.dh, size: p.h)
        var j = 0
        while j < p.ow {
            if vectorised && !rows.isEmpty && j >= jLo && j < jHi && jHi - jLo >= 8 {
                // The row's last interior group ends at jHi and overlaps the one before: its
                // first outputs are written twice with the same values and indices, instead of
                // up to seven going through the scalar loop (half of a 16-wide row).
                let j0 = Swift.min(j, jHi - 8)
                maxPoolInteriorF32(p, UnsafeMutableRawPointer(src).assumingMemoryBound(to: Float.self),
                                   UnsafeMutableRawPointer(dst).assumingMemoryBound(to: Float.self) + i * p.ow + j0,
                                   ip.map { $0 + i * p.ow + j0 }, hStart: hStart, rows: rows, j0: j0)
                j = j0 + 8
                continue
            }
            let wStart = j * p.sw - p.pw
            let cols = validTaps(start: wStart, taps: p.kw, dilation: p.dw, size: p.w)
            var best = -T.infinity, bestIndex = 0
            if let a0 = rows.first, let b0 = cols.first {
                bestIndex = (hStart + a0 * p.dh) * p.w + wStart + b0 * p.dw
                best = src[bestIndex]
                for a in rows {
                    let rowStart = (hStart + a * p.dh) * p.w + wStart
                    for b in cols {
                        let index = rowStart + b * p.dw, v = src[index]
                        let take = v > best || (v != v && best == best)
                        best = take ? v : best
                        bestIndex = take ? index : bestIndex
                    }
                }
            }
            dst[i * p.ow + j] = best
            ip?[i * p.ow + j] = Int64(bestIndex)
            j += 1
        }
    }
}

/// Eight outputs `j0..<j0+8` of row `hStart`'s windows, every column tap inside the plane and
/// `rows` not empty: the same first-maximum rule as the scalar loop, in lanes (indices into `ip`
/// when given). Stride 2 loads sixteen neighbours and keeps the even ones, unless that would read
/// past the plane.
@inline(__always)
private func maxPoolInteriorF32(_ p: PoolGeometry, _ src: UnsafeMutablePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                                _ ip: UnsafeMutablePointer<Int64>?, hStart: Int, rows: Range<Int>, j0: Int) {
    let lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
    let firstColumn = (lanes &+ Int32(j0)) &* Int32(p.sw) &- Int32(p.pw)
    var best = SIMD8<Float>(repeating: 0), bestIndex = SIMD8<Int32>(repeating: 0)
    var first = true
    for a in rows {
        let rowStart = Int32((hStart + a * p.dh) * p.w)
        for b in 0..<p.kw {
            let index = firstColumn &+ (rowStart + Int32(b * p.dw))
            let v: SIMD8<Float>
            if p.sw == 1 {
                v = UnsafeRawPointer(src + Int(index[0])).loadUnaligned(as: SIMD8<Float>.self)
            } else if p.sw == 2 && Int(index[7]) + 1 < p.h * p.w {
                v = UnsafeRawPointer(src + Int(index[0])).loadUnaligned(as: SIMD16<Float>.self).evenHalf
            } else {
                v = SIMD8(src[Int(index[0])], src[Int(index[1])], src[Int(index[2])], src[Int(index[3])],
                          src[Int(index[4])], src[Int(index[5])], src[Int(index[6])], src[Int(index[7])])
            }
            if first {
                (best, bestIndex, first) = (v, index, false)
                continue
            }
            let take = (v .> best) .| ((v .!= v) .& (best .== best))
            best.replace(with: v, where: take)
            bestIndex.replace(with: index, where: take)
        }
    }
    UnsafeMutableRawPointer(dst).storeBytes(of: best, as: SIMD8<Float>.self)
    if let ip { UnsafeMutableRawPointer(ip).storeBytes(of: SIMD8<Int64>(truncatingIfNeeded: bestIndex), as: SIMD8<Int64>.self) }
}

/// Average pooling over precomputed windows, forward and backward.
private func averagePool(_ x: Tensor, _ p: PoolGeometry, _ windows: [PoolWindow], name: String) throws -> Tensor {
    guard x.dtype.isComputeFloat else { throw notImplemented("avg_pool2d", x.dtype) }
    let xd = try x.dense()
    let out = try Tensor(shape: p.outShape, dtype: x.dtype, zeroed: false)
    func forward<T: KernelFloat>(_: T.Type) {
        let xp = xd.elements(T.self), op = out.elements(T.self)
        forEachWindow(p, windows) { input, o, win in
            var s: T = 0
            for r in win.h0..<win.h1 { for c in win.w0..<win.w1 { s += xp[input + r * p.w + c] } }
            op[o] = s / T(win.divisor)
        }
    }
    if x.dtype == .float32 { forward(Float.self) } else { forward(Double.self) }
    try out.adoptLayout(following: x)
    let (shape, dtype) = (x.shape, x.dtype)
    return out.recordingGrad(name, inputs: [x]) { g in [try averagePoolGradient(g, shape, dtype, p, windows, name: name)] }
}

/// Average pooling's input gradient for the output gradient `g`. Linear in `g`; when grad mode
/// is on (create_graph=True) it is recorded, its own gradient being the pooling again.
private func averagePoolGradient(_ g: Tensor, _ shape: [Int], _ dtype: DType, _ p: PoolGeometry, _ windows: [PoolWindow],
                                 name: String) throws -> Tensor {
    let gd = try g.dense()
    let gx = try Tensor(shape: shape, dtype: dtype, zeroed: true)
    func backward<T: KernelFloat>(_: T.Type) {
        let gp = gd.elements(T.self), xp = gx.elements(T.self)
        forEachWindow(p, windows) { input, o, win in
            let v = gp[o] / T(win.divisor)
            for r in win.h0..<win.h1 { for c in win.w0..<win.w1 { xp[input + r * p.w + c] += v } }
        }
    }
    if dtype == .float32 { backward(Float.self) } else { backward(Double.self) }
    guard GradMode.isEnabled, g.requiresGrad else { return gx }
    return gx.recordingGrad(name.replacingOccurrences(of: "Backward0", with: "BackwardBackward0"), inputs: [g]) { u in
        [try averagePool(u, p, windows, name: name)]
    }
}

/// Visits every window of every plane: `body(first input element of the plane, output element, window)`.
@inline(__always)
private func forEachWindow(_ p: PoolGeometry, _ windows: [PoolWindow], _ body: (Int, Int, PoolWindow) -> Void) {
    for plane in 0..<p.planes {
        let input = plane * p.h * p.w, output = plane * windows.count
        for (k, win) in windows.enumerated() { body(input, output + k, win) }
    }
}
