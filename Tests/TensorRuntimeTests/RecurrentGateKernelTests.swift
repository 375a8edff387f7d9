import XCTest
import Foundation
@testable import TensorRuntime

/// The vectorised float32 gate passes (CKernels/recurrent_gates.c) against the float64 Swift
/// passes on the same pre-activations, across the range where sigmoid and tanh saturate.
final class RecurrentGateKernelTests: XCTestCase {
    private func values(_ n: Int, seed: UInt64, scale: Double) -> [Double] {
        var v = GradCheck.Values(seed)
        return (0..<n).map { _ in v.next() * scale }
    }

    /// Runs `body` on float and double copies of the same arrays; returns both outputs.
    private func compare(_ name: String, rows: Int, hidden: Int, gates: Int, tol: Double,
                         _ body: (RecurrentStepBuffers<Float>, RecurrentStepBuffers<Double>) -> Void) {
        let gx = values(rows * gates * hidden, seed: 1, scale: 12), gh = values(rows * gates * hidden, seed: 2, scale: 3)
        let state = values(rows * hidden, seed: 3, scale: 2)
        let f = RecurrentStepBuffers<Float>(gx: gx, gh: gh, state: state, gates: gates)
        let d = RecurrentStepBuffers<Double>(gx: gx, gh: gh, state: state, gates: gates)
        body(f, d)
        for (label, a, b) in [("act", f.act, d.act), ("state", f.state, d.state), ("aux", f.aux, d.aux), ("out", f.out, d.out)] {
            for i in 0..<a.count {
                let x = Double(a[i]), y = b[i]
                if Swift.abs(x - y) > tol * Swift.max(1, Swift.abs(y)) {
                    XCTFail("\(name) \(label)[\(i)]: float \(x) vs double \(y)")
                    return
                }
            }
        }
    }

    func testLSTMGates() {
        compare("lstm", rows: 5, hidden: 37, gates: 4, tol: 1e-6) { f, d in
            f.lstm(rows: 5, hidden: 37)
            d.lstm(rows: 5, hidden: 37)
        }
    }

    func testGRUGates() {
        compare("gru", rows: 4, hidden: 29, gates: 3, tol: 1e-6) { f, d in
            f.gru(rows: 4, hidden: 29)
            d.gru(rows: 4, hidden: 29)
        }
    }

    func testTanhIsAccurateNearZeroAndSaturates() {
        let xs: [Float] = [0, 1e-6, -3e-4, 0.1, 0.6249, 0.6251, -2, 9, 30, -100]
        let zeros = [Float](repeating: 0, count: xs.count)
        var out = [Float](repeating: 0, count: xs.count)
        var gx = xs, gh = zeros
        gx.withUnsafeMutableBufferPointer { x in gh.withUnsafeMutableBufferPointer { y in out.withUnsafeMutableBufferPointer { o in
            let step = RecurrentStep<Float>(rows: 1, hidden: xs.count, gx: x.baseAddress!, gh: y.baseAddress!, act: nil)
            rnnGatesForward(step, relu: false, hidden: o.baseAddress!)
        } } }
        for (x, y) in zip(xs, out) {
            let exact = Foundation.tanh(Double(x))
            XCTAssertLessThanOrEqual(Swift.abs(Double(y) - exact), 2.5e-7 * Swift.max(Swift.abs(exact), 1e-30) + 1e-45, "tanh(\(x))")
        }
    }
}

/// The buffers of one gate pass, in one element type.
final class RecurrentStepBuffers<T: KernelFloat> {
    var gx: [T], gh: [T], act: [T], state: [T], aux: [T], out: [T]

    init(gx: [Double], gh: [Double], state: [Double], gates: Int) {
        self.gx = gx.map { T($0) }
        self.gh = gh.map { T($0) }
        self.act = [T](repeating: 0, count: gx.count)
        self.state = state.map { T($0) }
        self.aux = [T](repeating: 0, count: state.count)
        self.out = [T](repeating: 0, count: state.count)
    }

    func lstm(rows: Int, hidden: Int) {
        gx.withUnsafeMutableBufferPointer { x in gh.withUnsafeMutableBufferPointer { y in act.withUnsafeMutableBufferPointer { a in
            state.withUnsafeMutableBufferPointer { c in aux.withUnsafeMutableBufferPointer { t in out.withUnsafeMutableBufferPointer { o in
                let step = RecurrentStep(rows: rows, hidden: hidden, gx: x.baseAddress!, gh: y.baseAddress!, act: a.baseAddress!)
                lstmGatesForward(step, cell: c.baseAddress!, tanhCell: t.baseAddress!, hidden: o.baseAddress!)
            } } }
        } } }
    }

    func gru(rows: Int, hidden: Int) {
        gx.withUnsafeMutableBufferPointer { x in gh.withUnsafeMutableBufferPointer { y in act.withUnsafeMutableBufferPointer { a in
            state.withUnsafeMutableBufferPointer { hp in aux.withUnsafeMutableBufferPointer { cand in out.withUnsafeMutableBufferPointer { o in
                let step = RecurrentStep(rows: rows, hidden: hidden, gx: x.baseAddress!, gh: y.baseAddress!, act: a.baseAddress!)
                gruGatesForward(step, hiddenBefore: hp.baseAddress!, candidate: cand.baseAddress!, hidden: o.baseAddress!)
            } } }
        } } }
    }
}
