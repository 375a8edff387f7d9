import XCTest
@testable import NeuralNet
import TensorRuntime

/// The vectorised float32 Adam/AdamW update (CKernels/adam_update.c) against a plain float32
/// rendering of PyTorch's `_single_tensor_adam`, bit for bit: odd lengths (vector tails), a
/// parameter big enough to be split over the cores, every option, NaN and infinities in the gradient.
final class AdamVectorKernelTests: XCTestCase {
    private struct Options {
        var lr: Float = 0.01, beta1: Double = 0.9, beta2: Double = 0.999, eps: Float = 1e-8, wd: Double = 0
        var decoupled = false, amsgrad = false, maximize = false
    }

    /// Deterministic values in [-2, 2) (a 64-bit LCG), with NaN/±inf planted when asked.
    private func values(_ n: Int, seed: UInt64, specials: Bool) -> [Float] {
        var state = seed
        var out = (0..<n).map { _ -> Float in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24) * 4 - 2
        }
        if specials && n > 30 { out[5] = .nan; out[17] = .infinity; out[29] = -.infinity }
        return out
    }

    /// PyTorch's float32 step, one element at a time, in its operation order.
    private func referenceSteps(_ start: [Float], grads: [[Float]], _ o: Options) -> [Float] {
        var p = start, m = [Float](repeating: 0, count: p.count), v = m, vmax = m
        for (t, g) in grads.enumerated() {
            let step = Double(t + 1)
            let bc1 = 1 - Foundation.pow(o.beta1, step), bc2 = 1 - Foundation.pow(o.beta2, step)
            let negStep = Float(-(Double(o.lr) / bc1)), bc2Sqrt = Float(bc2.squareRoot())
            let weight = Float(1 - o.beta1), beta2 = Float(o.beta2), oneMinusBeta2 = Float(1 - o.beta2)
            let decay = Float(1 - Double(o.lr) * o.wd), wd = Float(o.wd)
            for i in p.indices {
                var d = o.maximize ? -g[i] : g[i]
                if o.wd != 0 { if o.decoupled { p[i] = p[i] * decay } else { d = d + wd * p[i] } }
                m[i] = abs(1 - o.beta1) < 0.5 ? m[i] + weight * (d - m[i]) : d - (d - m[i]) * (1 - weight)
                v[i] = v[i] * beta2 + oneMinusBeta2 * d * d
                vmax[i] = Swift.max(vmax[i], v[i])
                let denom = (o.amsgrad ? vmax[i] : v[i]).squareRoot() / bc2Sqrt + o.eps
                p[i] = p[i] + negStep * m[i] / denom
            }
        }
        return p
    }

    private func run(_ n: Int, _ o: Options, specials: Bool = false, file: StaticString = #filePath, line: UInt = #line) throws {
        let start = values(n, seed: 1, specials: false)
        let grads = (0..<3).map { values(n, seed: UInt64(10 + $0), specials: specials && $0 == 1) }
        let p = try Tensor(doubles: start.map(Double.init), shape: [n], dtype: .float32)
        try p.setRequiresGrad(true)
        let options: [(String, OptionValue)] = [
            ("lr", .double(Double(o.lr))), ("betas", .tuple([.double(o.beta1), .double(o.beta2)])), ("eps", .double(Double(o.eps))),
            ("weight_decay", .double(o.wd)), ("amsgrad", .bool(o.amsgrad)), ("maximize", .bool(o.maximize)),
            ("decoupled_weight_decay", .bool(o.decoupled)),
        ]
        let opt = try Adam(groups: [ParamGroupSpec(params: [p])], options: options)
        for g in grads {
            p.grad = try Tensor(doubles: g.map(Double.init), shape: [n], dtype: .float32)
            try opt.step()
        }
        let expected = referenceSteps(start, grads: grads, o)
        let got = try p.toDoubles().map { Float($0) }
        var mismatches = 0
        for (a, b) in zip(got, expected) where !(a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN)) { mismatches += 1 }
        XCTAssertEqual(mismatches, 0, "n=\(n) \(o)", file: file, line: line)
        if specials { XCTAssertTrue(got[5].isNaN, file: file, line: line) }
    }

    func testMatchesPlainPathForEveryOption() throws {
        var variants: [Options] = [Options()]
        variants.append(Options(wd: 0.1))
        variants.append(Options(wd: 0.05, decoupled: true))
        variants.append(Options(amsgrad: true))
        variants.append(Options(wd: 0.02, amsgrad: true, maximize: true))
        variants.append(Options(beta1: 0.3, beta2: 0.9))
        variants.append(Options(lr: 0.5, beta1: 0.95, eps: 1e-3, wd: 0.01, decoupled: true, amsgrad: true))
        for o in variants {
            for n in [1, 15, 17, 33, 1001] { try run(n, o) }
        }
    }

    func testSplitParameterAndSpecialValues() throws {
        try run(70_001, Options(wd: 0.01, decoupled: true), specials: true)
        try run(65_537, Options(amsgrad: true, maximize: true), specials: true)
        try run(47, Options(wd: 0.1), specials: true)
    }
}
