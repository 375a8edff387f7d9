// nnrepl-bench: Swift-level benchmarks, one `name value unit` line per figure (read by scripts/bench).
//
// sgemm_raw_1024 / matmul_1024 / matmul_ratio / matmul_transposed_1024: 1024² float32 products,
// raw cblas_sgemm against Tensor.matmul (and a.t() @ b, which must not copy); best of several runs.
// conv2d_fwd_bwd_ms: two 3×3 convolutions (3→16→32 channels, batch 32, 32×32) forward + backward.
// add_1m_gbps: a + b on two contiguous 1M-float tensors, 12 bytes moved per element.
// mlp_step_ms / conv_step_ms: the training steps of /work/shared/bench (mlp_train, conv_train),
// built from Functional ops with the optimizer update written out (Adam / SGD with momentum).
import CBLAS
import Foundation
import TensorRuntime

/// Wall-clock time; with NNREPL_BENCH_CPU_TIME=1, process CPU time instead (a steadier proxy on a
/// loaded machine; pair it with OPENBLAS_NUM_THREADS=1 so idle BLAS threads don't count).
let clockID = ProcessInfo.processInfo.environment["NNREPL_BENCH_CPU_TIME"] == "1" ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC

func now() -> Double {
    var ts = timespec()
    clock_gettime(clockID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Best wall time of `runs` calls of `body`, in seconds.
func best(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
    var b = Double.infinity
    for _ in 0..<runs {
        let t = now()
        try body()
        b = min(b, now() - t)
    }
    return b
}

/// Mean wall time per iteration over `iterations` after `warmup` untimed ones, in seconds.
func mean(warmup: Int, iterations: Int, _ body: () throws -> Void) rethrows -> Double {
    for _ in 0..<warmup { try body() }
    let t = now()
    for _ in 0..<iterations { try body() }
    return (now() - t) / Double(iterations)
}

/// NNREPL_BENCH_ONLY=name,name… runs only the figures whose names contain one of the words.
let only = ProcessInfo.processInfo.environment["NNREPL_BENCH_ONLY"]?.split(separator: ",").map(String.init)

func wanted(_ names: String...) -> Bool {
    guard let only else { return true }
    return names.contains { n in only.contains { n.contains($0) } }
}

func report(_ name: String, _ value: Double, _ unit: String) {
    print("\(name) \(String(format: "%.3f", value)) \(unit)")
}

/// A float32 tensor of normal(0, scale) values (requires grad when asked).
func randn(_ shape: [Int], scale: Double = 1, grad: Bool = false) throws -> Tensor {
    let t = try Tensor.randn(shape)
    let p = t.storage.pointer(Float.self)
    for i in 0..<t.numel { p[i] *= Float(scale) }
    if grad { try t.setRequiresGrad(true) }
    return t
}

func labels(_ n: Int, classes: Int) throws -> Tensor {
    try Tensor(doubles: (0..<n).map { Double($0 % classes) }, shape: [n], dtype: .int64)
}

func matmulFigures() throws {
    let n = 1024
    let a = try randn([n, n]), b = try randn([n, n])
    let c = try Tensor(shape: [n, n])
    let flop = 2 * Double(n * n * n)
    let pa = a.storage.pointer(Float.self), pb = b.storage.pointer(Float.self), pc = c.storage.pointer(Float.self)
    let raw = best(8) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, pa, Int32(n), pb, Int32(n), 0, pc, Int32(n))
    }
    let viaTensor = try best(8) { _ = try a.matmul(b) }
    let at = try a.t()
    let transposed = try best(8) { _ = try at.matmul(b) }
    report("sgemm_raw_1024", flop / raw / 1e9, "GFLOP/s")
    report("matmul_1024", flop / viaTensor / 1e9, "GFLOP/s")
    report("matmul_ratio", raw / viaTensor, "x")
    report("matmul_transposed_1024", flop / transposed / 1e9, "GFLOP/s")
}

func convFigure() throws {
    let x = try randn([32, 3, 32, 32])
    let w1 = try randn([16, 3, 3, 3], scale: 0.2, grad: true), b1 = try randn([16], scale: 0.1, grad: true)
    let w2 = try randn([32, 16, 3, 3], scale: 0.08, grad: true), b2 = try randn([32], scale: 0.1, grad: true)
    let seed = try Tensor.ones([32, 32, 28, 28])
    let t = try mean(warmup: 2, iterations: 15) {
        let h = try Functional.conv2d(x, weight: w1, bias: b1)
        let y = try Functional.conv2d(h, weight: w2, bias: b2)
        try y.backward(gradient: seed)
        for p in [w1, b1, w2, b2] { p.grad = nil }
    }
    report("conv2d_fwd_bwd_ms", t * 1e3, "ms")
}

func addFigure() throws {
    let n = 1 << 20
    let a = try randn([n]), b = try randn([n])
    let t = try best(50) { _ = try a.add(b) }
    report("add_1m_gbps", Double(12 * n) / t / 1e9, "GB/s")
}

/// √v for v ≥ 0 by an inverse-square-root estimate and two Newton steps (≈1 ulp), in SIMD
/// arithmetic only: `SIMD.squareRoot()` calls libm's sqrtf per lane on Linux.
@inline(__always)
func fastSqrt(_ v: SIMD16<Float>) -> SIMD16<Float> {
    let x = v.replacing(with: 1e-30, where: v .< 1e-30)
    var y = unsafeBitCast(0x5f37_5a86 &- (unsafeBitCast(x, to: SIMD16<UInt32>.self) &>> 1), to: SIMD16<Float>.self)
    let half = 0.5 * x
    y = y * (1.5 - half * y * y)
    y = y * (1.5 - half * y * y)
    y = y * (1.5 - half * y * y)
    return x * y
}

/// Adam (β = 0.9, 0.999, eps 1e-8) over raw float32 buffers, as torch.optim.Adam's update.
final class AdamState {
    let params: [Tensor]
    let m: [UnsafeMutablePointer<Float>], v: [UnsafeMutablePointer<Float>]
    var step = 0
    let lr: Float = 1e-3, b1: Float = 0.9, b2: Float = 0.999, eps: Float = 1e-8

    init(_ params: [Tensor]) {
        self.params = params
        func zeros(_ n: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: n)
            p.initialize(repeating: 0, count: n)
            return p
        }
        m = params.map { zeros($0.numel) }
        v = params.map { zeros($0.numel) }
    }

    func update() {
        step += 1
        let bc1 = 1 - pow(b1, Float(step)), bc2 = 1 - pow(b2, Float(step))
        let stepSize = lr / bc1, invBc2Root = 1 / bc2.squareRoot()
        for (k, p) in params.enumerated() {
            guard let g = p.grad else { continue }
            let pp = p.storage.pointer(Float.self), gp = g.storage.pointer(Float.self) + g.storageOffset
            let mp = m[k], vp = v[k], n = p.numel
            // 16 lanes at a time (the pointers may alias as far as the compiler knows, so spell out the SIMD).
            typealias V = SIMD16<Float>
            var i = 0
            while i + 16 <= n {
                let gi = UnsafeRawPointer(gp + i).loadUnaligned(as: V.self)
                let mi = b1 * UnsafeRawPointer(mp + i).loadUnaligned(as: V.self) + (1 - b1) * gi
                let vi = b2 * UnsafeRawPointer(vp + i).loadUnaligned(as: V.self) + (1 - b2) * gi * gi
                let pi = UnsafeRawPointer(pp + i).loadUnaligned(as: V.self) - stepSize * mi / (fastSqrt(vi) * invBc2Root + eps)
                UnsafeMutableRawPointer(mp + i).storeBytes(of: mi, as: V.self)
                UnsafeMutableRawPointer(vp + i).storeBytes(of: vi, as: V.self)
                UnsafeMutableRawPointer(pp + i).storeBytes(of: pi, as: V.self)
                i += 16
            }
            while i < n {
                let gi = gp[i]
                let mi = b1 * mp[i] + (1 - b1) * gi
                let vi = b2 * vp[i] + (1 - b2) * gi * gi
                mp[i] = mi; vp[i] = vi
                pp[i] -= stepSize * mi / (vi.squareRoot() * invBc2Root + eps)
                i += 1
            }
        }
    }
}

/// SGD with momentum over raw float32 buffers (dampening 0, no nesterov).
final class SGDState {
    let params: [Tensor]
    var buffers: [[Float]]?
    let lr: Float, momentum: Float

    init(_ params: [Tensor], lr: Float, momentum: Float) {
        self.params = params; self.lr = lr; self.momentum = momentum
    }

    func update() {
        let first = buffers == nil
        if first { buffers = params.map { [Float](repeating: 0, count: $0.numel) } }
        for (k, p) in params.enumerated() {
            guard let g = p.grad else { continue }
            let pp = p.storage.pointer(Float.self), gp = g.storage.pointer(Float.self) + g.storageOffset
            buffers?[k].withUnsafeMutableBufferPointer { b in
                for i in 0..<p.numel {
                    b[i] = first ? gp[i] : momentum * b[i] + gp[i]
                    pp[i] -= lr * b[i]
                }
            }
        }
    }
}

func mlpFigure() throws {
    let x = try randn([64, 784]), y = try labels(64, classes: 10)
    let w1 = try randn([256, 784], scale: 0.03, grad: true), b1 = try randn([256], scale: 0.03, grad: true)
    let w2 = try randn([10, 256], scale: 0.06, grad: true), b2 = try randn([10], scale: 0.06, grad: true)
    let params = [w1, b1, w2, b2]
    let adam = AdamState(params)
    let t = try mean(warmup: 30, iterations: 500) {
        for p in params { p.grad = nil }
        let h = try Functional.linear(x, weight: w1, bias: b1).relu()
        let loss = try Functional.crossEntropy(Functional.linear(h, weight: w2, bias: b2), target: y)
        try loss.backward()
        adam.update()
    }
    report("mlp_step_ms", t * 1e3, "ms")
}

func convStepFigure() throws {
    let x = try randn([32, 3, 32, 32]), y = try labels(32, classes: 10)
    let w1 = try randn([16, 3, 3, 3], scale: 0.19, grad: true), b1 = try randn([16], scale: 0.1, grad: true)
    let w2 = try randn([32, 16, 3, 3], scale: 0.08, grad: true), b2 = try randn([32], scale: 0.08, grad: true)
    let w3 = try randn([10, 32 * 28 * 28], scale: 0.006, grad: true), b3 = try randn([10], scale: 0.006, grad: true)
    let params = [w1, b1, w2, b2, w3, b3]
    let sgd = SGDState(params, lr: 0.01, momentum: 0.9)
    let t = try mean(warmup: 3, iterations: 30) {
        for p in params { p.grad = nil }
        let h1 = try Functional.conv2d(x, weight: w1, bias: b1).relu()
        let h2 = try Functional.conv2d(h1, weight: w2, bias: b2).relu()
        let logits = try Functional.linear(h2.view([32, -1]), weight: w3, bias: b3)
        try Functional.crossEntropy(logits, target: y).backward()
        sgd.update()
    }
    report("conv_step_ms", t * 1e3, "ms")
}

do {
    TorchRandom.manualSeed(UInt64(0))
    if wanted("sgemm_raw_1024", "matmul_1024", "matmul_transposed_1024") { try matmulFigures() }
    if wanted("conv2d_fwd_bwd_ms") { try convFigure() }
    if wanted("add_1m_gbps") { try addFigure() }
    if wanted("mlp_step_ms") { try mlpFigure() }
    if wanted("conv_step_ms") { try convStepFigure() }
} catch {
    FileHandle.standardError.write("nnrepl-bench: \(error)\n".data(using: .utf8) ?? Data())
    exit(1)
}
