import XCTest
@testable import TensorRuntime

/// A reusable float64 finite-difference gradient checker plus small assertion helpers.
///
/// `GradCheck.check(shapes) { xs in f(xs) }` makes float64 leaves with deterministic values,
/// backpropagates `Σ r·f(xs)` for a fixed random `r`, and compares each leaf's `.grad` with
/// central differences. To test non-contiguous inputs, let `f` view its leaves first
/// (`xs[0].t()`, `xs[0].slice(...)`) or pass `layout: .transposed` / `.strided`.
enum GradCheck {
    /// How the leaves are laid out in memory.
    enum Layout { case contiguous, transposed, strided }

    /// Deterministic values in [lo, hi).
    struct Values {
        var state: UInt64
        init(_ seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
        mutating func next(_ lo: Double = -1, _ hi: Double = 1) -> Double {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return lo + Double(state >> 11) / Double(1 << 53) * (hi - lo)
        }
    }

    /// A float64 leaf requiring grad; `.transposed` is the transpose view of a contiguous buffer
    /// (2-D+: last two dims swapped), `.strided` reads every other element of a larger buffer.
    static func leaf(_ shape: [Int], seed: UInt64, range: ClosedRange<Double> = -1...1, layout: Layout = .contiguous) throws -> Tensor {
        var v = Values(seed)
        let n = shape.reduce(1, *)
        switch layout {
        case .contiguous:
            let t = try Tensor(doubles: (0..<n).map { _ in v.next(range.lowerBound, range.upperBound) }, shape: shape, dtype: .float64)
            try t.setRequiresGrad(true)
            return t
        case .transposed where shape.count >= 2:
            var swapped = shape
            swapped.swapAt(shape.count - 1, shape.count - 2)
            let base = try Tensor(doubles: (0..<n).map { _ in v.next(range.lowerBound, range.upperBound) }, shape: swapped, dtype: .float64)
            var st = base.strides
            st.swapAt(shape.count - 1, shape.count - 2)
            let t = Tensor(storage: base.storage, shape: shape, strides: st, storageOffset: 0)
            try t.setRequiresGrad(true)
            return t
        default:
            let base = try Tensor(doubles: (0..<(2 * n + 1)).map { _ in v.next(range.lowerBound, range.upperBound) }, shape: [2 * n + 1], dtype: .float64)
            var st = Tensor.contiguousStrides(shape).map { $0 * 2 }
            if st.isEmpty { st = [] }
            let t = Tensor(storage: base.storage, shape: shape, strides: st, storageOffset: 1)
            try t.setRequiresGrad(true)
            return t
        }
    }

    /// Checks `f`'s gradients for leaves of the given shapes.
    static func check(_ shapes: [[Int]], seed: UInt64 = 1, range: ClosedRange<Double> = -1...1, layout: Layout = .contiguous,
                      eps: Double = 1e-6, tol: Double = 1e-5, file: StaticString = #filePath, line: UInt = #line,
                      _ f: ([Tensor]) throws -> Tensor) throws {
        let leaves = try shapes.enumerated().map { i, s in try leaf(s, seed: seed &+ UInt64(i) &* 7919, range: range, layout: layout) }
        try check(inputs: leaves, eps: eps, tol: tol, file: file, line: line, f)
    }

    /// Checks `f`'s gradients with respect to every float64 input that requires grad.
    static func check(inputs: [Tensor], eps: Double = 1e-6, tol: Double = 1e-5,
                      file: StaticString = #filePath, line: UInt = #line, _ f: ([Tensor]) throws -> Tensor) throws {
        for x in inputs { x.grad = nil }
        let y = try f(inputs)
        XCTAssertTrue(y.requiresGrad, "output does not require grad", file: file, line: line)
        var v = Values(4242)
        let weights = (0..<y.numel).map { _ in v.next() }
        try y.backward(gradient: try Tensor(doubles: weights, shape: y.shape, dtype: y.dtype))
        func objective() throws -> Double {
            let out = try GradMode.withNoGrad { try f(inputs) }
            return zip(out.toDoubles(), weights).reduce(0) { $0 + $1.0 * $1.1 }
        }
        for (k, x) in inputs.enumerated() where x.requiresGrad {
            guard let g = x.grad else { XCTFail("input \(k) got no gradient", file: file, line: line); continue }
            XCTAssertEqual(g.shape, x.shape, "gradient shape of input \(k)", file: file, line: line)
            let analytic = g.toDoubles()
            let p = x.storage.pointer(Double.self)
            var positions = [Int]()
            x.forEachStorageIndex { positions.append($0) }
            // Each write is announced (`writeGeneration`) so caches keyed by it (conv weights) see it.
            func set(_ s: Int, _ v: Double) { p[s] = v; x.storage.writeGeneration &+= 1 }
            for (i, s) in positions.enumerated() {
                let saved = p[s]
                set(s, saved + eps); let up = try objective()
                set(s, saved - eps); let down = try objective()
                set(s, saved)
                let numeric = (up - down) / (2 * eps)
                if Swift.abs(numeric - analytic[i]) > tol * Swift.max(1, Swift.abs(numeric)) {
                    XCTFail("input \(k) element \(i): analytic \(analytic[i]) vs numeric \(numeric)", file: file, line: line)
                    return
                }
            }
        }
    }

    /// ‖∂(Σ f(x, w)²)/∂(x, w, …)‖², recorded so it can be differentiated again (also when the
    /// finite differences evaluate it under no_grad: the inner gradient needs a graph).
    static func gradientPenalty(_ inputs: [Tensor], _ f: ([Tensor]) throws -> Tensor) throws -> Tensor {
        let saved = GradMode.isEnabled
        GradMode.isEnabled = true
        defer { GradMode.isEnabled = saved }
        let y = try f(inputs)
        let grads = try Autograd.grad(outputs: [try y.mul(y).sum()], inputs: inputs, createGraph: true)
        var total: Tensor?
        for g in grads {
            guard let g else { continue }
            XCTAssertTrue(g.requiresGrad, "the gradient has no graph")
            let s = try g.mul(g).sum()
            total = try total.map { try $0.add(s) } ?? s
        }
        return try XCTUnwrap(total)
    }

    /// Second derivatives of `f` (create_graph=True): the gradient of `gradientPenalty` against
    /// float64 finite differences of it.
    static func checkSecondOrder(_ shapes: [[Int]], file: StaticString = #filePath, line: UInt = #line,
                                 _ f: @escaping ([Tensor]) throws -> Tensor) throws {
        try check(shapes, eps: 1e-6, tol: 1e-4, file: file, line: line) { try gradientPenalty($0, f) }
    }
}

/// Assertion helpers shared by the op tests.
enum Check {
    static func values(_ t: Tensor, _ expected: [Double], tol: Double = 1e-5, file: StaticString = #filePath, line: UInt = #line) {
        let got = t.toDoubles()
        guard got.count == expected.count else {
            XCTFail("got \(got), expected \(expected)", file: file, line: line)
            return
        }
        for (a, b) in zip(got, expected) {
            let same = (a.isNaN && b.isNaN) || a == b || Swift.abs(a - b) <= tol * Swift.max(1, Swift.abs(b))
            if !same { XCTFail("got \(got), expected \(expected)", file: file, line: line); return }
        }
    }

    static func tensor(_ values: [Double], _ shape: [Int]? = nil, _ dtype: DType = .float32) throws -> Tensor {
        try Tensor(doubles: values, shape: shape ?? [values.count], dtype: dtype)
    }

    /// Asserts `body` throws a TorchError of `kind` with exactly `message`.
    static func throwsError(_ kind: ExceptionKind, _ message: String, file: StaticString = #filePath, line: UInt = #line,
                            _ body: () throws -> Any) {
        do {
            _ = try body()
            XCTFail("expected \(kind.rawValue): \(message)", file: file, line: line)
        } catch let e as TorchError {
            XCTAssertEqual(e.kind, kind, file: file, line: line)
            XCTAssertEqual(e.message, message, file: file, line: line)
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
    }

    /// True when `a` and `b` view the same storage.
    static func sharesStorage(_ a: Tensor, _ b: Tensor) -> Bool { a.storage === b.storage }
}
