import Foundation
import XCTest
@testable import NeuralNet
import TensorRuntime

/// SGD / Adam / AdamW / StepLR against float64 hand computations of the reference §8 equations.
final class OptimizerTests: XCTestCase {
    private let start: [Double] = [1.0, -2.0]

    private func makeParam() -> Tensor {
        let p = param([2])
        for (i, v) in start.enumerated() { p.storage.setDouble(v, at: i) }
        return p
    }

    /// Gradient of sum(p²) + p₀ (so both signs and a constant appear).
    private func gradient(_ p: [Double]) -> [Double] { [2 * p[0] + 1, 2 * p[1]] }

    private func setGrad(_ p: Tensor) throws {
        p.grad = try Tensor(doubles: gradient(p.toDoubles()), shape: [2], dtype: .float32)
    }

    private func run(_ opt: Optimizer, _ p: Tensor, steps: Int = 5) throws {
        for _ in 0..<steps { try setGrad(p); try opt.step() }
    }

    private func assertClose(_ a: [Double], _ b: [Double], _ tol: Double = 1e-5, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: tol, file: file, line: line) }
    }

    func testSGDMomentumNesterovWeightDecay() throws {
        let p = makeParam()
        let opt = try SGD([p], lr: 0.1, momentum: 0.9, weightDecay: 0.1, nesterov: true)
        try run(opt, p)
        var x = start, buf: [Double]? = nil
        for _ in 0..<5 {
            var g = zip(gradient(x), x).map { $0 + 0.1 * $1 }
            buf = buf.map { b in zip(b, g).map { 0.9 * $0 + $1 } } ?? g
            g = zip(g, buf!).map { $0 + 0.9 * $1 }
            x = zip(x, g).map { $0 - 0.1 * $1 }
        }
        assertClose(p.toDoubles(), x)
        XCTAssertEqual(opt.state(for: p).entries.keys, ["momentum_buffer"])
    }

    func testSGDDampeningAndMaximize() throws {
        let p = makeParam()
        let opt = try SGD([p], lr: 0.05, momentum: 0.5, dampening: 0.3, maximize: true)
        try run(opt, p)
        var x = start, buf: [Double]? = nil
        for _ in 0..<5 {
            let g = gradient(x).map { -$0 }
            buf = buf.map { b in zip(b, g).map { 0.5 * $0 + 0.7 * $1 } } ?? g
            x = zip(x, buf!).map { $0 - 0.05 * $1 }
        }
        assertClose(p.toDoubles(), x)
    }

    private func adamReference(lr: Double, wd: Double, decoupled: Bool, amsgrad: Bool) -> [Double] {
        var x = start, m = [0.0, 0.0], v = [0.0, 0.0], vmax = [0.0, 0.0]
        for t in 1...5 {
            var g = gradient(x)
            if wd != 0 {
                if decoupled { x = x.map { $0 * (1 - lr * wd) } } else { g = zip(g, x).map { $0 + wd * $1 } }
            }
            for i in 0..<2 {
                m[i] = 0.9 * m[i] + 0.1 * g[i]
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i]
                vmax[i] = max(vmax[i], v[i])
                let bc1 = 1 - pow(0.9, Double(t)), bc2 = 1 - pow(0.999, Double(t))
                let denom = (amsgrad ? vmax[i] : v[i]).squareRoot() / bc2.squareRoot() + 1e-8
                x[i] -= lr / bc1 * m[i] / denom
            }
        }
        return x
    }

    func testAdamVariants() throws {
        let p = makeParam()
        let adam = try Adam([p], lr: 0.1)
        try run(adam, p)
        assertClose(p.toDoubles(), adamReference(lr: 0.1, wd: 0, decoupled: false, amsgrad: false))
        let s = adam.state(for: p)
        XCTAssertEqual(s.entries.keys, ["step", "exp_avg", "exp_avg_sq"])
        XCTAssertEqual(s.entries["step"]?.dtype, .float32)
        XCTAssertEqual(s.entries["step"]?.toDoubles(), [5])

        let q = makeParam()
        try run(try Adam([q], lr: 0.1, weightDecay: 0.1, amsgrad: true), q)
        assertClose(q.toDoubles(), adamReference(lr: 0.1, wd: 0.1, decoupled: false, amsgrad: true))

        let r = makeParam()
        try run(try AdamW(groups: [ParamGroupSpec(params: [r])], options: [("lr", .double(0.1))]), r)
        assertClose(r.toDoubles(), adamReference(lr: 0.1, wd: 0.01, decoupled: true, amsgrad: false))
    }

    func testSkipsParamsWithoutGradAndZeroGrad() throws {
        let p = makeParam(), q = makeParam()
        let opt = try SGD([p, q], lr: 0.1)
        try setGrad(p)
        try opt.step()
        XCTAssertEqual(q.toDoubles(), start)
        XCTAssertNotEqual(p.toDoubles(), start)
        opt.zeroGrad(setToNone: false)
        XCTAssertEqual(p.grad?.toDoubles(), [0, 0])
        opt.zeroGrad()
        XCTAssertNil(p.grad)
    }

    func testReprAndDefaults() throws {
        let opt = try SGD(groups: [ParamGroupSpec(params: [makeParam()])], options: [("lr", .double(0.01))])
        XCTAssertEqual(opt.description, """
        SGD (
        Parameter Group 0
            dampening: 0
            differentiable: False
            foreach: None
            fused: None
            lr: 0.01
            maximize: False
            momentum: 0
            nesterov: False
            weight_decay: 0
        )
        """)
        let adam = try Adam(groups: [ParamGroupSpec(params: [makeParam()])])
        XCTAssertEqual(adam.paramGroups[0].options.keys, ["lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "foreach",
                                                          "capturable", "differentiable", "fused", "decoupled_weight_decay"])
        XCTAssertTrue(adam.description.contains("    betas: (0.9, 0.999)\n    capturable: False\n"))
        XCTAssertTrue(adam.description.contains("    eps: 1e-08\n"))
        let adamw = try AdamW(groups: [ParamGroupSpec(params: [makeParam()])])
        XCTAssertEqual(adamw.paramGroups[0].options["weight_decay"], .double(0.01))
    }

    func testErrors() throws {
        assertTorchError(.valueError, "Invalid learning rate: -1") {
            _ = try SGD(groups: [ParamGroupSpec(params: [self.makeParam()])], options: [("lr", .int(-1))])
        }
        assertTorchError(.valueError, "optimizer got an empty parameter list") { _ = try SGD([], lr: 0.1) }
        assertTorchError(.valueError, "Nesterov momentum requires a momentum and zero dampening") { _ = try SGD([self.makeParam()], nesterov: true) }
        let p = makeParam()
        let opt = try SGD([p])
        assertTorchError(.valueError, "some parameters appear in more than one parameter group") { try opt.addParamGroup(ParamGroupSpec(params: [p])) }
        assertTorchError(.valueError, "Invalid beta parameter at index 1: 1.0") {
            _ = try Adam(groups: [ParamGroupSpec(params: [self.makeParam()])], options: [("betas", .tuple([.double(0.9), .double(1.0)]))])
        }
    }

    func testParamGroupsEditLiveAndStateDict() throws {
        let a = makeParam(), b = makeParam(), c = makeParam()
        let opt = try Adam(groups: [ParamGroupSpec(params: [a, b]), ParamGroupSpec(params: [c], options: [("lr", .double(0.5))])])
        XCTAssertEqual(opt.paramGroups[1].options.keys.first, "lr")
        opt.paramGroups[0].options["lr"] = .double(0.1)
        try setGrad(b); try setGrad(c)
        try opt.step()
        let sd = opt.stateDict()
        XCTAssertEqual(sd.state.map(\.index), [1, 2])
        XCTAssertEqual(sd.paramGroups.map(\.params), [[0, 1], [2]])
        XCTAssertEqual(sd.paramGroups[0].options.first?.1, .double(0.1))
        let fresh = try Adam(groups: [ParamGroupSpec(params: [a, b]), ParamGroupSpec(params: [c])])
        try fresh.loadStateDict(sd)
        XCTAssertEqual(fresh.state(for: b).entries["step"]?.toDoubles(), [1])
        XCTAssertEqual(fresh.paramGroups[1].options["lr"], .double(0.5))
        XCTAssertThrowsError(try SGD([a]).loadStateDict(sd))
    }

    /// SWALR's learning rates as PyTorch 2.15 prints them (cos over 3 epochs, linear over 2).
    func testSWALR() throws {
        for (strategy, epochs, expected) in [("cos", 3, [0.1, 0.08750000000000001, 0.06250000000000001, 0.05, 0.05, 0.05]),
                                             ("linear", 2, [0.1, 0.07500000000000001, 0.05, 0.05, 0.05, 0.05])] {
            let p = makeParam()
            let opt = try SGD([p], lr: 0.1)
            let sched = try SWALR(opt, swaLRs: [0.05], annealEpochs: epochs, annealStrategy: strategy)
            var lrs = sched.lastLRs
            for _ in 0..<5 {
                try setGrad(p); try opt.step()
                try sched.step()
                lrs += sched.lastLRs
            }
            XCTAssertEqual(lrs, expected, strategy)
            XCTAssertEqual(opt.paramGroups[0].options["swa_lr"], .double(0.05))
        }
        let opt = try SGD([makeParam()], lr: 0.1)
        assertTorchError(.valueError, "anneal_strategy must be one of 'cos' or 'linear', instead got step") {
            _ = try SWALR(opt, swaLRs: [0.05], annealEpochs: 1, annealStrategy: "step")
        }
    }

    func testStepLR() throws {
        let p = makeParam()
        let opt = try SGD([p], lr: 1)
        let sched = try StepLR(opt, stepSize: 2, gamma: 0.5)
        XCTAssertEqual(opt.paramGroups[0].options["initial_lr"], .double(1))
        var lrs: [Double] = []
        for _ in 0..<5 {
            try setGrad(p); try opt.step()
            try sched.step()
            lrs += sched.lastLRs
        }
        XCTAssertEqual(lrs, [1, 0.5, 0.5, 0.25, 0.25])
        XCTAssertTrue(opt.description.contains("    initial_lr: 1.0\n"))
    }

    func testSeedTutorialRegressionConverges() throws {
        // Fit y = 2x + 1 with a Linear(1, 1), MSELoss and SGD(lr=0.1) (conformance 10).
        let model = try Linear(1, 1)
        let xs = (0..<32).map { -1 + 2 * Double($0) / 31 }
        let opt = try SGD(model.parameters(), lr: 0.1)
        let loss = try MSELoss()
        for _ in 0..<200 {
            for start in stride(from: 0, to: 32, by: 8) {
                let xb = Array(xs[start..<start + 8])
                let x = try Tensor(doubles: xb, shape: [8, 1], dtype: .float32)
                let y = try Tensor(doubles: xb.map { 2 * $0 + 1 }, shape: [8, 1], dtype: .float32)
                opt.zeroGrad()
                try loss(try model(x), y).backward()
                try opt.step()
            }
        }
        XCTAssertEqual(try model.parameter("weight")!.item().doubleValue, 2, accuracy: 1e-3)
        XCTAssertEqual(try model.parameter("bias")!.item().doubleValue, 1, accuracy: 1e-3)
    }
}
