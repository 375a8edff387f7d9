import XCTest
@testable import NeuralNet
import TensorRuntime

/// SGD's batched float32 update (one parallel pass over every contiguous float32 parameter of a
/// group, `SGDBatch` in SGD.swift) against `SGDStep.apply` run on each parameter alone, bit for
/// bit: sizes whose boundaries fall inside the pieces the cores get, a float64 parameter in the
/// middle (it flushes the batch), three steps of every option set, one version bump per step.
final class SGDBatchTests: XCTestCase {
    private struct Options {
        var lr = 0.05, momentum = 0.9, dampening = 0.0, wd = 0.0, nesterov = false, maximize = false
    }

    /// Deterministic values in [-2, 2) (a 64-bit LCG).
    private func values(_ n: Int, seed: UInt64) -> [Double] {
        var state = seed
        return (0..<n).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(Float(state >> 40) / Float(1 << 24) * 4 - 2)
        }
    }

    private func run(_ o: Options, file: StaticString = #filePath, line: UInt = #line) throws {
        let sizes = [3, 70_001, 17, 40_003, 1, 9]
        let dtypes: [DType] = [.float32, .float32, .float32, .float64, .float32, .float32]
        let params = try zip(sizes, dtypes).enumerated().map { i, sd in
            let p = try Tensor(doubles: values(sd.0, seed: UInt64(i + 1)), shape: [sd.0], dtype: sd.1)
            try p.setRequiresGrad(true)
            return p
        }
        let opt = try SGD(params, lr: o.lr, momentum: o.momentum, dampening: o.dampening, weightDecay: o.wd,
                          nesterov: o.nesterov, maximize: o.maximize)
        // The reference: each parameter's elements and buffer updated alone by SGDStep.
        var expected = params.map { $0.toDoubles().map { Float($0) } }
        var buffers = sizes.map { [Float](repeating: 0, count: $0) }
        for step in 0..<3 {
            for (i, p) in params.enumerated() {
                let g = values(sizes[i], seed: UInt64(100 * step + i))
                p.grad = try Tensor(doubles: g, shape: [sizes[i]], dtype: p.dtype)
                guard p.dtype == .float32 else { continue }
                let sgd = SGDStep(lr: o.lr, momentum: o.momentum, dampening: o.dampening, weightDecay: o.wd,
                                  first: step == 0, nesterov: o.nesterov, maximize: o.maximize)
                var grad = g.map { Float($0) }
                grad.withUnsafeMutableBufferPointer { gp in
                    expected[i].withUnsafeMutableBufferPointer { pp in
                        buffers[i].withUnsafeMutableBufferPointer { bp in
                            sgd.apply(pp.baseAddress!, gp.baseAddress!, o.momentum != 0 ? bp.baseAddress! : nil, count: sizes[i])
                        }
                    }
                }
            }
            try opt.step()
            for p in params { XCTAssertEqual(p.version, step + 1, file: file, line: line) }
        }
        for (i, p) in params.enumerated() where p.dtype == .float32 {
            let got = p.toDoubles().map { Float($0) }
            let mismatches = zip(got, expected[i]).filter { $0.bitPattern != $1.bitPattern }.count
            XCTAssertEqual(mismatches, 0, "parameter \(i) (\(sizes[i]) elements), \(o)", file: file, line: line)
        }
        // The float64 parameter moved too (its own path).
        XCTAssertNotEqual(params[3].toDoubles(), values(sizes[3], seed: 4), file: file, line: line)
    }

    func testBatchedUpdateMatchesPerParameterUpdate() throws {
        try run(Options())
        try run(Options(momentum: 0))
        try run(Options(wd: 0.01, nesterov: true))
        try run(Options(lr: 0.3, momentum: 0.5, dampening: 0.2, wd: 0.05, maximize: true))
    }
}
