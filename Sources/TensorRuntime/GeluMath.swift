import CKernels
import Foundation

/// GELU kernels that reproduce PyTorch's float32 CPU results bit for bit.
///
/// For a contiguous float32 tensor of more than one element, `F.gelu(x)` (approximate="none") and
/// its backward do not run ATen's own kernel: PyTorch hands them to oneDNN's JIT eltwise kernel
/// (`eltwise_gelu_erf`, oneDNN 3.x `jit_uni_eltwise_injector`). On an AVX-512 machine the forward
/// is oneDNN's piecewise minimax polynomial for erf(x/sqrt(2)) (`gelu_erf_minimax_approx`), the
/// backward its Abramowitz-Stegun erf with oneDNN's own exp. Both are ported here operation by
/// operation (same float32 roundings, fused multiply-adds exactly where oneDNN issues vfmadd),
/// in C with runtime dispatch (Sources/CKernels/gelu.c; the Swift port it came from is the
/// reference in Tests/TensorRuntimeTests/GeluReference.swift). Elementwise, so the vector length
/// and tail do not matter. One-element and non-contiguous inputs
/// take ATen's kernel instead (`GeluOp` / `GeluGradOp` with libm's erff / expf).

/// Coefficients of oneDNN's `gelu_erf_minimax_pol` table: 6 degrees x 25 intervals (index 1...22
/// by the exponent and top two mantissa bits of |x|, 23 = saturated (erf = 1), 24 = NaN passthrough).
private let geluMinimaxBits: [UInt32] = [
    // degree 0
    0xa6f2cb94, 0x32827792, 0x3381cc0c, 0x34523d4a, 0x351ac44d, 0x35f36d88, 0x36ee8229, 0x37b8a3bb,
    0x3867a213, 0x3940033b, 0x3a2a5a1d, 0x3ae35863, 0x3b7828f2, 0x3c08b14b, 0x3c515ed3, 0xbb503236,
    0xbd8d8e5e, 0xbe8abcd9, 0xbf0c19a2, 0xbeccb328, 0x3e176ced, 0x3f470d99, 0x3f7abb28, 0x3f800000,
    0x00000000,
    // degree 1
    0x3f4c422a, 0x3f4c421f, 0x3f4c4207, 0x3f4c41cb, 0x3f4c413b, 0x3f4c3fad, 0x3f4c3a2f, 0x3f4c2d40,
    0x3f4c146a, 0x3f4bc341, 0x3f4ad08c, 0x3f48f8cf, 0x3f45fac7, 0x3f404e07, 0x3f3b980f, 0x3f48dff3,
    0x3f78b21b, 0x3fbb0704, 0x40019c32, 0x3fe536d6, 0x3f81331e, 0x3e6c8684, 0x3c98f936, 0x00000000,
    0x3f800000,
    // degree 2
    0xb62173f4, 0x3735e4cf, 0x37f2ff89, 0x388c23be, 0x3917535c, 0x39ab2ab0, 0x3a60fadb, 0x3af9b960,
    0x3b6e5491, 0x3c0a4ec5, 0x3ca5aa8c, 0x3d2138d9, 0x3d8737d4, 0x3ddfb660, 0x3e0f27ab, 0x3d94004b,
    0xbe0efdeb, 0xbf1d96c3, 0xbf89db58, 0xbf6d9897, 0xbef69fb8, 0xbdc4f8a8, 0xbbde6422, 0x00000000,
    0x00000000,
    // degree 3
    0xbe081a19, 0xbe084570, 0xbe08639b, 0xbe089837, 0xbe08f409, 0xbe09ab95, 0xbe0b66d0, 0xbe0e400a,
    0xbe124df8, 0xbe1bde02, 0xbe2f19c9, 0xbe4931bf, 0xbe685fbc, 0xbe89c95f, 0xbe96cbca, 0xbe8044aa,
    0xbe0550f2, 0x3dcfd6a1, 0x3e94c826, 0x3e79345f, 0x3decec91, 0x3ca46568, 0x3aa1e00a, 0x00000000,
    0x00000000,
    // degree 4
    0xba3d61db, 0x39f097a3, 0x3a5845dc, 0x3ab1fa35, 0x3b0cefb8, 0x3b653ab6, 0x3bcae527, 0x3c221712,
    0x3c6c5840, 0x3cc0a703, 0x3d1dcc19, 0x3d63656d, 0x3d955907, 0x3dbf9910, 0x3dd53f69, 0x3db7dcef,
    0x3d639ebe, 0xba6ede48, 0xbd22be69, 0xbd041cf1, 0xbc64f5ab, 0xbb097a32, 0xb8ebf380, 0x00000000,
    0x00000000,
    // degree 5
    0x3cb7d80c, 0x3c9b6050, 0x3c978d11, 0x3c92e850, 0x3c8d058b, 0x3c848454, 0x3c6cd623, 0x3c4c824b,
    0x3c2a7935, 0x3be0b390, 0x3b0651ac, 0xbb232f53, 0xbbd42fa0, 0xbc2c5366, 0xbc492c9e, 0xbc2a7aa6,
    0xbbd55d04, 0xba823a76, 0x3b102aa8, 0x3ae25a7e, 0x3a31f792, 0x38b84375, 0x3689bb5a, 0x00000000,
    0x00000000,
]
let geluMinimaxTable: [Float] = geluMinimaxBits.map { Float(bitPattern: $0) }

/// oneDNN's forward GELU (erf form) over `count` contiguous floats: the C kernel
/// (Sources/CKernels/gelu.c, one clone per instruction set, the same bits from each), big
/// inputs split over the cores.
func geluErfForwardOneDNN(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
    geluMinimaxTable.withUnsafeBufferPointer { table in
        guard let c = table.baseAddress, table.count == 6 * 25 else { return }
        forEachElementChunk(count) { r in nn_gelu_erf_forward_onednn(src + r.lowerBound, dst + r.lowerBound, r.count, c) }
    }
}

/// oneDNN's GELU backward (erf form): `dy * (0.5 + 0.5 * erf(x/sqrt2) + x/sqrt(2 pi) * exp(-x^2/2))`
/// with Abramowitz-Stegun's erf and oneDNN's exp, over `count` contiguous floats (C kernel as the
/// forward).
func geluErfBackwardOneDNN(_ dy: UnsafePointer<Float>, _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
    forEachElementChunk(count) { r in
        nn_gelu_erf_backward_onednn(dy + r.lowerBound, src + r.lowerBound, dst + r.lowerBound, r.count)
    }
}

/// Runs `body` over `0..<count` in `kernelThreads` chunks (multiples of 64) when `count` is big
/// enough for compute-bound elementwise kernels to gain from the split, else once.
func forEachElementChunk(_ count: Int, _ body: (Range<Int>) -> Void) {
    let parts = count >= 1 << 15 ? kernelThreads : 1
    parallelParts(parts) { p in
        let r = partRange(p, of: parts, count: count, align: 64)
        if !r.isEmpty { body(r) }
    }
}

extension Tensor {
    /// `F.gelu(x)` (erf form) by oneDNN's kernel when PyTorch uses it: float32, contiguous, more
    /// than one element. nil otherwise (ATen's kernel: `GeluOp`).
    func geluOneDNNForward() throws -> Tensor? {
        guard dtype == .float32, isContiguous, numel > 1 else { return nil }
        let out = try Tensor.uninitialized(shape, .float32)
        geluErfForwardOneDNN(storage.pointer(Float.self) + storageOffset, out.storage.pointer(Float.self), numel)
        return out
    }

    /// GeluBackward0 (erf form) by oneDNN's kernel under the same conditions on the saved input
    /// `x` (self), for a float32 gradient of the same shape; nil otherwise (`GeluGradOp`).
    func geluOneDNNBackward(_ g: Tensor) throws -> Tensor? {
        guard dtype == .float32, isContiguous, numel > 1, g.dtype == .float32, g.shape == shape else { return nil }
        var dy = g
        if !g.isContiguous {
            dy = try Tensor.uninitialized(shape, .float32)
            try copyElements(from: g, to: dy)
        }
        let out = try Tensor.uninitialized(shape, .float32)
        geluErfBackwardOneDNN(dy.storage.pointer(Float.self) + dy.storageOffset, storage.pointer(Float.self) + storageOffset,
                              out.storage.pointer(Float.self), numel)
        return out
    }
}

// MARK: - approximate="tanh": ATen's kernel with SLEEF's tanhf

/// A float and its error term (SLEEF's `vfloat2`).
private struct FloatPair { var x: Float, y: Float }

/// SLEEF `Sleef_tanhf16_u10` (FMA build), ported operation by operation: ATen's
/// `Vectorized<float>::tanh` on AVX-512 (and AVX2: same bits). `a.addingProduct(b, c)` is `fma(b, c, a)`.
@inline(__always)
func sleefTanhf(_ x: Float) -> Float {
    let ax = Float(bitPattern: x.bitPattern & 0x7fff_ffff)
    let d = sleefExpk2f(FloatPair(x: ax, y: 0))
    // e = dfrec(d)
    let s = 1 / d.x
    let e = FloatPair(x: s, y: s * Float(1).addingProduct(-d.x, s).addingProduct(-d.y, s))
    // (d - e) / (d + e), both sums dfadd_vf2_vf2_vf2
    let n = dfAdd(d, FloatPair(x: -e.x, y: -e.y)), q = dfAdd(d, e)
    let t = 1 / q.x
    let sx = n.x * t
    let u = (-sx).addingProduct(t, n.x)
    let v = Float(1).addingProduct(-q.x, t).addingProduct(-q.y, t)
    let r = FloatPair(x: sx, y: u.addingProduct(n.y, t).addingProduct(sx, v))
    var y = r.x + r.y
    if ax > 8.664339742 || y.isNaN { y = 1 }
    y = Float(bitPattern: y.bitPattern ^ (x.bitPattern & 0x8000_0000))
    return x.isNaN ? Float(bitPattern: 0xffff_ffff) : y
}

/// dfadd_vf2_vf2_vf2 (|x| >= |y|).
@inline(__always) private func dfAdd(_ a: FloatPair, _ b: FloatPair) -> FloatPair {
    let s = a.x + b.x
    return FloatPair(x: s, y: (((a.x - s) + b.x) + a.y) + b.y)
}
/// dfadd2_vf2_vf2_vf.
@inline(__always) private func dfAdd2(_ a: FloatPair, _ b: Float) -> FloatPair {
    let s = a.x + b, v = s - a.x
    let t = (a.x - (s - v)) + (b - v)
    return FloatPair(x: s, y: t + a.y)
}
/// dfadd2_vf2_vf2_vf2.
@inline(__always) private func dfAdd2(_ a: FloatPair, _ b: FloatPair) -> FloatPair {
    let s = a.x + b.x, v = s - a.x
    let t = (a.x - (s - v)) + (b.x - v)
    return FloatPair(x: s, y: t + (a.y + b.y))
}
/// dfmul_vf2_vf2_vf.
@inline(__always) private func dfMul(_ a: FloatPair, _ b: Float) -> FloatPair {
    let s = a.x * b
    return FloatPair(x: s, y: (-s).addingProduct(a.x, b).addingProduct(a.y, b))
}
/// dfmul_vf2_vf2_vf2.
@inline(__always) private func dfMul(_ a: FloatPair, _ b: FloatPair) -> FloatPair {
    let s = a.x * b.x
    return FloatPair(x: s, y: (-s).addingProduct(a.x, b.x).addingProduct(a.y, b.x).addingProduct(a.x, b.y))
}
/// 2^q as a float (q + 127 in the exponent field).
@inline(__always) private func pow2i(_ q: Int32) -> Float { Float(bitPattern: UInt32(bitPattern: (q &+ 0x7f) << 23)) }

/// SLEEF `expk2f`: exp of a float pair, as a float pair.
@inline(__always)
private func sleefExpk2f(_ d: FloatPair) -> FloatPair {
    let u0 = (d.x + d.y) * Float(1.442695040888963407359924681001892137426645954152985934135449406931)
    // vcvtps2dq: round half to even; out-of-range gives Int32.min (0x80000000).
    let r = u0.rounded(.toNearestOrEven)
    let q: Int32 = r >= -0x1p31 && r < 0x1p31 ? Int32(r) : .min
    let fq = Float(q)
    var s = dfAdd2(d, fq * -0.693145751953125)
    s = dfAdd2(s, fq * -1.428606765330187045e-06)
    var u = Float(0.1980960224e-3)
    u = Float(0.1394256484e-2).addingProduct(u, s.x)
    u = Float(0.8333456703e-2).addingProduct(u, s.x)
    u = Float(0.4166637361e-1).addingProduct(u, s.x)
    var t = dfAdd2(dfMul(s, u), Float(0.166666659414234244790680580464))
    t = dfAdd2(dfMul(s, t), Float(0.5))
    // dfsqu(s)
    let sq = FloatPair(x: s.x * s.x, y: (-(s.x * s.x)).addingProduct(s.x, s.x).addingProduct(s.x + s.x, s.y))
    t = dfAdd2(s, dfMul(sq, t))
    // dfadd_vf2_vf_vf2(1, t)
    let one = 1 + t.x
    t = FloatPair(x: one, y: ((1 - one) + t.x) + t.y)
    let h = q >> 1, p1 = pow2i(h), p2 = pow2i(q &- h)
    t = FloatPair(x: t.x * p1 * p2, y: t.y * p1 * p2)
    if d.x < -104 { t = FloatPair(x: 0, y: 0) }
    return t
}

/// PyTorch's constants for the tanh form: sqrt(2/pi) and 0.044715, 3 * 0.044715 folded in float.
/// `M_SQRT2 * M_2_SQRTPI * 0.5` in double, as PyTorch writes it.
let geluTanhBetaDouble = 1.41421356237309504880 * 1.12837916709551257390 * 0.5
private let geluTanhBeta = Float(geluTanhBetaDouble)
private let geluTanhKappa = Float(0.044715), geluTanhThreeKappa = Float(3) * Float(0.044715)

/// ATen's `GeluKernelImpl` (tanh form, float32) element: `0.5 * x * (1 + tanh(beta * (x + kappa * x^3)))`,
/// with the fused multiply-add GCC forms; `sleef` picks the vector path's tanh, else libm's.
@inline(__always)
private func geluTanhElement(_ x: Float, sleef: Bool) -> Float {
    let inner = geluTanhBeta * x.addingProduct(geluTanhKappa, x * x * x)
    let t = sleef ? sleefTanhf(inner) : Foundation.tanhf(inner)
    return Float(0.5) * x * (1 + t)
}

/// ATen's `GeluBackwardKernelImpl` (tanh form, float32) element, with GCC's contractions:
/// `dy * fma(0.5, 1 + t, (0.5x * fma(-t, t, 1)) * (beta * fma(3 kappa, x^2, 1)))`.
@inline(__always)
private func geluTanhGradElement(_ dy: Float, _ x: Float, sleef: Bool) -> Float {
    let inner = geluTanhBeta * x.addingProduct(geluTanhKappa, x * x * x)
    let t = sleef ? sleefTanhf(inner) : Foundation.tanhf(inner)
    let tanhDerivative = Float(1).addingProduct(-t, t)
    let innerDerivative = geluTanhBeta * Float(1).addingProduct(geluTanhThreeKappa, x * x)
    let right = (Float(0.5) * x * tanhDerivative) * innerDerivative
    return dy * right.addingProduct(Float(0.5), 1 + t)
}

/// The element ranges ATen's `cpu_kernel_vec` runs: `parallel_for` splits `count` into as many
/// chunks as threads (PyTorch's thread count = cores here) when `count` is at least `grain`, and each
/// chunk runs whole blocks of two vectors (`AtenSigmoid.block`: 32 floats on AVX-512, 16 on AVX2,
/// none on a CPU without AVX2) on the vector path, its tail on the scalar path.
private func atenVectorLoop(count: Int, grain: Int, _ body: (_ range: Range<Int>, _ vector: Bool) -> Void) {
    let threads = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
    var parts = 1
    if count >= grain && threads > 1 { parts = Swift.min(threads, (count + grain - 1) / Swift.max(grain, 1)) }
    let chunk = (count + parts - 1) / parts
    var begin = 0
    while begin < count {
        let end = Swift.min(count, begin + chunk)
        let block = AtenSigmoid.block
        let vectorEnd = block > 0 ? begin + (end - begin) / block * block : begin
        body(begin..<vectorEnd, true)
        body(vectorEnd..<end, false)
        begin = end
    }
}

extension Tensor {
    /// `F.gelu(x, approximate="tanh")` for a contiguous float32 tensor as ATen computes it (SLEEF tanh
    /// on the vector path, libm's on the tails); nil otherwise.
    func geluTanhATenForward() throws -> Tensor? {
        guard dtype == .float32, isContiguous else { return nil }
        let n = numel
        let out = try Tensor.uninitialized(shape, .float32)
        let src = storage.pointer(Float.self) + storageOffset, dst = out.storage.pointer(Float.self)
        // GeluKernelImpl: grain numel / threads above 16384 elements, else the default 32768.
        let threads = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
        let grain = n > 16384 ? Swift.max(1, n / threads) : 32768
        atenVectorLoop(count: n, grain: grain) { range, vector in
            for i in range { dst[i] = geluTanhElement(src[i], sleef: vector) }
        }
        return out
    }

    /// GeluBackward0 (tanh form) as ATen computes it for a float32 input and gradient; nil otherwise.
    func geluTanhATenBackward(_ g: Tensor) throws -> Tensor? {
        guard dtype == .float32, g.dtype == .float32, g.shape == shape else { return nil }
        let x = isContiguous ? self : try Tensor.uninitialized(shape, .float32)
        if x !== self { try copyElements(from: self, to: x) }
        var dy = g
        if !g.isContiguous {
            dy = try Tensor.uninitialized(shape, .float32)
            try copyElements(from: g, to: dy)
        }
        let n = numel
        let out = try Tensor.uninitialized(shape, .float32)
        let xs = x.storage.pointer(Float.self) + x.storageOffset, dys = dy.storage.pointer(Float.self) + dy.storageOffset
        let dst = out.storage.pointer(Float.self)
        atenVectorLoop(count: n, grain: 32768) { range, vector in
            for i in range { dst[i] = geluTanhGradElement(dys[i], xs[i], sleef: vector) }
        }
        return out
    }
}
