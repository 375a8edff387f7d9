// nnrepl-bench: Swift-level benchmarks, one `name value unit` line per figure (read by scripts/bench).
//
// sgemm_raw_1024 / matmul_1024 / matmul_ratio / matmul_transposed_1024: 1024² float32 products,
// raw cblas_sgemm (OpenBLAS threaded on every core) against Tensor.matmul (and a.t() @ b, which
// must not copy); best of several runs.
// conv2d_fwd_bwd_ms: two 3×3 convolutions (3→16→32 channels, batch 32, 32×32) forward + backward.
// add_1m_gbps: a + b on two contiguous 1M-float tensors, 12 bytes moved per element.
// mlp_step_ms / conv_step_ms: the training steps of bench/mlp_train.nnrepl and conv_train.nnrepl
// through the NeuralNet API (modules, CrossEntropyLoss, Adam / SGD with momentum).
// vgg16_build_s: constructing torchvision's vgg16 with its initialisation.
import CBLAS
import Foundation
import NeuralNet
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
    // Plain OpenBLAS with its own threads on every core, against which matmul's own split is judged.
    let raw = withMultithreadedBLAS {
        best(8) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, pa, Int32(n), pb, Int32(n), 0, pc, Int32(n))
        }
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

/// The MLP of mlp_train.nnrepl through the NeuralNet API: Sequential(Linear, ReLU, Linear),
/// CrossEntropyLoss and Adam, one zero_grad/forward/backward/step per iteration.
func mlpFigure() throws {
    let x = try randn([64, 784]), y = try labels(64, classes: 10)
    let model = try Sequential(Linear(784, 256), ReLU(), Linear(256, 10))
    let lossf = try CrossEntropyLoss()
    let opt = try Adam(model.parameters(), lr: 1e-3)
    let t = try mean(warmup: 30, iterations: 500) {
        opt.zeroGrad()
        try lossf(model(x), y).backward()
        try opt.step()
    }
    report("mlp_step_ms", t * 1e3, "ms")
}

/// The conv net of conv_train.nnrepl through the NeuralNet API, with SGD (momentum 0.9).
func convStepFigure() throws {
    let x = try randn([32, 3, 32, 32]), y = try labels(32, classes: 10)
    // Built as the script builds it: Sequential(Conv2d, ReLU) layers (which Sequential fuses).
    let layer1 = Sequential([try Conv2d(3, 16, kernelSize: 3), ReLU()])
    let layer2 = Sequential([try Conv2d(16, 32, kernelSize: 3), ReLU()])
    let fc = try Linear(32 * 28 * 28, 10)
    let params = layer1.parameters() + layer2.parameters() + fc.parameters()
    let lossf = try CrossEntropyLoss()
    let opt = try SGD(params, lr: 0.01, momentum: 0.9)
    let t = try mean(warmup: 3, iterations: 30) {
        opt.zeroGrad()
        let h = try layer2(layer1(x))
        try lossf(fc(h.view([32, -1])), y).backward()
        try opt.step()
    }
    report("conv_step_ms", t * 1e3, "ms")
}

/// Building torchvision's vgg16 (138M parameters): dominated by the PyTorch-exact random fills.
func vggFigure() throws {
    let t = try best(2) { _ = try VGG.vgg16() }
    report("vgg16_build_s", t, "s")
}

do {
    TorchRandom.manualSeed(UInt64(0))
    if wanted("sgemm_raw_1024", "matmul_1024", "matmul_transposed_1024") { try matmulFigures() }
    if wanted("conv2d_fwd_bwd_ms") { try convFigure() }
    if wanted("add_1m_gbps") { try addFigure() }
    if wanted("mlp_step_ms") { try mlpFigure() }
    if wanted("conv_step_ms") { try convStepFigure() }
    if wanted("vgg16_build_s") { try vggFigure() }
} catch {
    FileHandle.standardError.write("nnrepl-bench: \(error)\n".data(using: .utf8) ?? Data())
    exit(1)
}
