import XCTest
@testable import TensorRuntime

/// Helpers for the NN-kernel tests: deterministic random tensors, transposed leaves, error and
/// value assertions; gradient checks go through GradCheck.swift.
enum KernelTest {
    /// A small deterministic generator (xorshift) so tests need no RNG from the runtime.
    struct Rand {
        var state: UInt64
        init(_ seed: UInt64) { state = seed &* 0x9E3779B97F4A7C15 | 1 }
        mutating func next() -> Double {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Double(state >> 11) / Double(1 << 53) * 2 - 1
        }
    }

    /// A float64 (default) leaf with values in [-1, 1).
    static func random(_ shape: [Int], seed: UInt64, dtype: DType = .float64, requiresGrad: Bool = true) throws -> Tensor {
        var r = Rand(seed)
        let n = shape.reduce(1, *)
        let t = try Tensor(doubles: (0..<n).map { _ in r.next() }, shape: shape, dtype: dtype)
        if requiresGrad { try t.setRequiresGrad(true) }
        return t
    }

    /// Values from a tensor as Doubles (logical order).
    static func values(_ t: Tensor) -> [Double] { t.toDoubles() }

    static func assertClose(_ t: Tensor, _ expected: [Double], tol: Double = 1e-4, file: StaticString = #filePath, line: UInt = #line) {
        let v = t.toDoubles()
        XCTAssertEqual(v.count, expected.count, "count", file: file, line: line)
        for (a, b) in zip(v, expected) where !(abs(a - b) <= tol * max(1, abs(b))) {
            XCTFail("got \(v), expected \(expected)", file: file, line: line)
            return
        }
    }

    /// The shared float64 finite-difference check (GradCheck.swift) over ready-made inputs.
    static func gradCheck(_ inputs: [Tensor], eps: Double = 1e-6, tol: Double = 1e-5,
                          file: StaticString = #filePath, line: UInt = #line,
                          _ f: ([Tensor]) throws -> Tensor) throws {
        try GradCheck.check(inputs: inputs, eps: eps, tol: tol, file: file, line: line, f)
    }

    /// A float64 leaf that is the transpose view of a random contiguous matrix (strides (1, rows)).
    static func transposedLeaf(_ shape: [Int], seed: UInt64) throws -> Tensor {
        let base = try random([shape[1], shape[0]], seed: seed, requiresGrad: false)
        let t = Tensor(storage: base.storage, shape: shape, strides: [1, shape[0]])
        try t.setRequiresGrad(true)
        return t
    }

    /// The grad_fn name of a result.
    static func gradName(_ t: Tensor) -> String? { t.gradFn?.name }
}
