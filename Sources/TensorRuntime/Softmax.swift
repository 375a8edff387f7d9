import CKernels

extension Tensor {
    /// `softmax(dim)`: exp(x - max) / Σ exp(x - max) along `dim` (SoftmaxBackward0).
    public func softmax(dim: Int) throws -> Tensor { try Functional.softmax(self, dim: dim) }

    /// `log_softmax(dim)`: (x - max) - log Σ exp(x - max) along `dim` (LogSoftmaxBackward0).
    public func logSoftmax(dim: Int) throws -> Tensor { try Functional.logSoftmax(self, dim: dim) }
}

extension Functional {
    /// `F.softmax(x, dim)`, numerically stable; backward `gx = y·(g - Σ g·y)`.
    public static func softmax(_ x: Tensor, dim: Int) throws -> Tensor {
        try softmaxOp(x, dim: dim, log: false)
    }

    /// `F.log_softmax(x, dim)`; backward `gx = g - exp(y)·Σ g`.
    public static func logSoftmax(_ x: Tensor, dim: Int) throws -> Tensor {
        try softmaxOp(x, dim: dim, log: true)
    }

    private static func softmaxOp(_ x: Tensor, dim: Int, log: Bool) throws -> Tensor {
        if x.isReducedFloat { return try x.inFloat32 { try softmaxOp($0, dim: dim, log: log) } }
        let d = try x.normalizeDim(dim)
        let (outer, size, inner) = splitAround(x.shape, d)
        guard x.dtype.isComputeFloat else {
            let kernel = d == x.dim - 1 || x.dim == 0 ? (log ? "log_softmax_lastdim_kernel_impl" : "softmax_lastdim_kernel_impl")
                                                      : (log ? "log_softmax_kernel_impl" : "softmax_kernel_impl")
            throw notImplemented(kernel, x.dtype)
        }
        let xd = try x.dense()
        let out = try Tensor(shape: x.shape, dtype: x.dtype, zeroed: false)
        if x.dtype == .float32 && AtenSoftmaxOrder.forward(xd.elements(Float.self), out.elements(Float.self), outer, size, inner, log: log) {
            // PyTorch's order and bits.
        } else if x.dtype == .float32 {
            softmaxForward(xd.elements(Float.self), out.elements(Float.self), outer, size, inner, log: log)
        } else {
            softmaxForward(xd.elements(Double.self), out.elements(Double.self), outer, size, inner, log: log)
        }
        let saved = SavedTensor(output: out)
        return out.recordingGrad(log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", inputs: [x]) { g in
            if GradMode.isEnabled {
                // Differentiating the backward (create_graph=True): the same formulas in tensor ops.
                let y = try saved.get()
                if log { return [try g.sub(try y.exp().mul(try g.sum(dims: [d], keepdim: true)))] }
                return [try y.mul(try g.sub(try g.mul(y).sum(dims: [d], keepdim: true)))]
            }
            let gd = try g.dense()
            let gx = try Tensor(shape: out.shape, dtype: out.dtype, zeroed: false)
            if out.dtype == .float32
                && AtenSoftmaxOrder.backward(gd.elements(Float.self), out.elements(Float.self), gx.elements(Float.self), outer, size, inner, log: log) {
                // PyTorch's order and bits.
            } else if out.dtype == .float32 {
                softmaxBackward(gd.elements(Float.self), out.elements(Float.self), gx.elements(Float.self), outer, size, inner, log: log)
            } else {
                softmaxBackward(gd.elements(Double.self), out.elements(Double.self), gx.elements(Double.self), outer, size, inner, log: log)
            }
            return [gx]
        }
    }
}

/// float32 softmax / log_softmax as PyTorch computes them on this CPU (CKernels/softmax.c):
/// SLEEF's exp and log and sums in 16 lanes on AVX-512, 8 on AVX2 — the vector width ATen's
/// kernels pick — so losses print PyTorch's last bits. Without AVX2, PyTorch's scalar build uses
/// libm's exp and log in 8 lanes; so does this. Covered: both over the last dim, forward and
/// backward; over another dim, log_softmax forward and both backwards. Softmax forward over
/// another dim depends on how ATen splits it between threads and is left to the plain path.
enum AtenSoftmaxOrder {
    static let lanes: Int32 = CPUInfo.vectorLevel >= 2 ? 16 : 8
    static let libm: Int32 = CPUInfo.vectorLevel == 0 ? 1 : 0

    /// Runs `body` on blocks of the `rows` rows of `size` elements, split over the cores when big
    /// (rows are independent, so the bits do not depend on the split).
    private static func forEachRowBlock(_ rows: Int, _ size: Int, _ body: (Range<Int>) -> Void) {
        let parts = rows * size >= 1 << 15 ? Swift.min(kernelThreads, rows) : 1
        parallelParts(parts) { p in body(partRange(p, of: parts, count: rows)) }
    }

    /// Writes `y` and returns true, or returns false (nothing written) where the plain path runs.
    static func forward(_ x: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                        _ outer: Int, _ size: Int, _ inner: Int, log: Bool) -> Bool {
        if inner == 1 {
            forEachRowBlock(outer, size) { r in
                nn_softmax_lastdim_f32(x + r.lowerBound * size, y + r.lowerBound * size, r.count, size, lanes, libm, log ? 1 : 0)
            }
            return true
        }
        return log && nn_log_softmax_inner_f32(x, y, outer, size, inner, lanes, libm) == 0
    }

    /// Writes `gx` and returns true, or returns false (nothing written) where the plain path runs.
    static func backward(_ g: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ gx: UnsafeMutablePointer<Float>,
                         _ outer: Int, _ size: Int, _ inner: Int, log: Bool) -> Bool {
        if inner == 1 {
            forEachRowBlock(outer, size) { r in
                let o = r.lowerBound * size
                nn_softmax_backward_lastdim_f32(g + o, y + o, gx + o, r.count, size, lanes, libm, log ? 1 : 0)
            }
            return true
        }
        return nn_softmax_backward_inner_f32(g, y, gx, outer, size, inner, lanes, libm, log ? 1 : 0) == 0
    }
}

/// (product of dims before `d`, size of `d`, product of dims after `d`); a 0-dim shape is 1×1×1.
func splitAround(_ shape: [Int], _ d: Int) -> (Int, Int, Int) {
    if shape.isEmpty { return (1, 1, 1) }
    return (shape[..<d].reduce(1, *), shape[d], shape[(d + 1)...].reduce(1, *))
}

private func softmaxForward<T: KernelFloat>(_ x: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>,
                                            _ outer: Int, _ size: Int, _ inner: Int, log: Bool) {
    if size == 0 { return }
    for o in 0..<outer {
        for i in 0..<inner {
            let base = o * size * inner + i
            var m = -T.infinity
            for j in 0..<size { let v = x[base + j * inner]; if v > m || v.isNaN { m = v } }
            if m.isNaN || m == -T.infinity { m = m.isNaN ? m : 0 }
            var sum: T = 0
            if log {
                if inner == 1 {
                    sum = lastDimExpSum(x + base, size, m)
                } else {
                    for j in 0..<size { sum += T.expF(x[base + j * inner] - m) }
                }
                // ATen's order: (x - max) - log(sum), not x - (max + log(sum)).
                let logSum = T.logF(sum)
                for j in 0..<size { y[base + j * inner] = (x[base + j * inner] - m) - logSum }
            } else {
                for j in 0..<size {
                    let e = T.expF(x[base + j * inner] - m)
                    y[base + j * inner] = e
                    sum += e
                }
                let inv = 1 / sum
                for j in 0..<size { y[base + j * inner] *= inv }
            }
        }
    }
}

private func softmaxBackward<T: KernelFloat>(_ g: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>, _ gx: UnsafeMutablePointer<T>,
                                             _ outer: Int, _ size: Int, _ inner: Int, log: Bool) {
    for o in 0..<outer {
        for i in 0..<inner {
            let base = o * size * inner + i
            var s: T = 0
            if log {
                for j in 0..<size { s += g[base + j * inner] }
                for j in 0..<size { let k = base + j * inner; gx[k] = g[k] - T.expF(y[k]) * s }
            } else {
                for j in 0..<size { let k = base + j * inner; s += g[k] * y[k] }
                for j in 0..<size { let k = base + j * inner; gx[k] = y[k] * (g[k] - s) }
            }
        }
    }
}

/// Σ exp(x[j] - m) over a contiguous row in the order of ATen's `map_reduce_all` on AVX-512
/// vectors, as its log_softmax kernel runs here (measured against torch): rows shorter than a
/// vector are summed in order; longer ones in 64-byte lanes (16 floats / 8 doubles, the tail
/// into the first lanes), then the lanes pairwise as its shuffle reduction does.
private func lastDimExpSum<T: KernelFloat>(_ x: UnsafeMutablePointer<T>, _ size: Int, _ m: T) -> T {
    let width = 64 / MemoryLayout<T>.size
    if size < width {
        var sum: T = 0
        for j in 0..<size { sum += T.expF(x[j] - m) }
        return sum
    }
    return withUnsafeTemporaryAllocation(of: T.self, capacity: width) { lanes in
        for l in 0..<width { lanes[l] = T.expF(x[l] - m) }
        var d = width
        while d + width <= size {
            for l in 0..<width { lanes[l] += T.expF(x[d + l] - m) }
            d += width
        }
        for l in 0..<(size - d) { lanes[l] += T.expF(x[d + l] - m) }
        var half = width / 2
        while half >= 1 {
            for l in 0..<half { lanes[l] += lanes[l + half] }
            half /= 2
        }
        return lanes[0]
    }
}
