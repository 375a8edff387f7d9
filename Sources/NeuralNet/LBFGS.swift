import TensorRuntime

/// An optimizer whose `step` evaluates the model itself, as often as it needs (`torch.optim.LBFGS`):
/// `closure` clears the gradients, computes the loss, calls `backward()` and returns the loss as a
/// Python `float(loss)` would.
public protocol ReevaluatingOptimizer: AnyObject {
    func step(reevaluating closure: () throws -> Double) throws
}

/// `torch.optim.LBFGS(params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-07,
/// tolerance_change=1e-09, history_size=100, line_search_fn=None, *, maximize=False)`, following
/// `torch/optim/lbfgs.py` step for step (plain steps or the strong-Wolfe line search).
///
/// Surprising but deliberate: PyTorch's bookkeeping numbers (`t`, `ys`, `H_diag`, `al[i]`, the
/// directional derivatives) are sometimes Python floats and sometimes 0-dim tensors of the
/// parameters' dtype, and the two round differently; `LBFGSNumber` keeps that distinction so that
/// the steps, and the losses a script prints, match PyTorch's.
/// The history (`d`, `old_dirs`, …) lives in this object; `state_dict()` carries only what
/// PyTorch stores as tensors, so a reloaded LBFGS restarts its history.
public final class LBFGS: Optimizer, ReevaluatingOptimizer {
    public static let defaultOptions: [(String, OptionValue)] = [
        ("lr", .int(1)), ("max_iter", .int(20)), ("max_eval", .none), ("tolerance_grad", .double(1e-7)),
        ("tolerance_change", .double(1e-9)), ("history_size", .int(100)), ("line_search_fn", .none),
        ("maximize", .bool(false)),
    ]

    private var history = History()
    private var funcEvals = 0, iterations = 0

    /// Search history carried from one `step` to the next (PyTorch's `state[params[0]]`).
    private struct History {
        var d: Tensor?
        var t = LBFGSNumber.python(0)
        var oldDirs: [Tensor] = [], oldSteps: [Tensor] = []
        var ro: [LBFGSNumber] = []
        var hDiag = LBFGSNumber.python(1)
        var previousFlatGrad: Tensor?
        var previousLoss = 0.0
    }

    public init(groups: [ParamGroupSpec], options: [(String, OptionValue)] = []) throws {
        var merged = Optimizer.merging(LBFGS.defaultOptions, options)
        if case .none? = merged["max_eval"], let maxIter = merged["max_iter"]?.number {
            let (product, overflow) = LBFGS.count(maxIter).multipliedReportingOverflow(by: 5)
            merged["max_eval"] = .int(overflow ? Int.max / 4 : product / 4)
        }
        try super.init(groups: groups, defaults: merged)
        guard paramGroups.count == 1 else {
            throw TorchError.value("LBFGS doesn't support per-parameter options (parameter groups)")
        }
    }

    private var params: [Tensor] { paramGroups.first?.params ?? [] }

    /// An iteration count from an option a script may have set to any number: truncated like
    /// Python's loop bounds compare, saturating instead of trapping (NaN counts as 0).
    static func count(_ v: Double) -> Int {
        guard !v.isNaN else { return 0 }
        if v >= 9.2e18 { return Int.max }
        if v <= -9.2e18 { return Int.min }
        return Int(v.rounded(.up))
    }
    private var dtype: DType { params.first?.dtype ?? .float32 }

    /// The loss a closure returns, sign-flipped under `maximize`.
    private func evaluate(_ closure: () throws -> Double, maximize: Bool) throws -> Double {
        let enabled = GradMode.isEnabled
        GradMode.isEnabled = true
        defer { GradMode.isEnabled = enabled }
        let loss = try closure()
        return maximize ? -loss : loss
    }

    /// `_gather_flat_grad`: every gradient flattened into one vector (zeros for a missing one).
    private func flatGradient(maximize: Bool) throws -> Tensor {
        let views = try params.map { p in try p.grad?.reshape([-1]) ?? Tensor.zeros([p.numel], dtype: p.dtype) }
        let flat = try Tensor.cat(views)
        return maximize ? try flat.neg() : flat
    }

    /// `_add_grad`: each parameter moves by `step * update[its slice]`.
    private func addToParameters(_ step: LBFGSNumber, _ update: Tensor) throws {
        var offset = 0
        for p in params {
            let slice = try update.narrow(dim: 0, start: offset, length: p.numel).view(p.shape)
            _ = try p.addInPlace(slice, alpha: .double(step.value))
            offset += p.numel
        }
    }

    private func number(_ t: Tensor) throws -> LBFGSNumber { .tensor(try t.item().doubleValue) }

    public func step(reevaluating closure: () throws -> Double) throws {
        try GradMode.withNoGrad { try run(closure) }
    }

    private func run(_ closure: () throws -> Double) throws {
        guard let group = paramGroups.first else { return }
        if params.isEmpty { _ = try evaluate(closure, maximize: false); return }
        let lr = LBFGSNumber.python(try group.number("lr"))
        let maxIter = LBFGS.count(try group.number("max_iter")), maxEval = LBFGS.count(try group.number("max_eval"))
        let toleranceGrad = LBFGSNumber.python(try group.number("tolerance_grad"))
        let toleranceChange = LBFGSNumber.python(try group.number("tolerance_change"))
        let historySize = LBFGS.count(try group.number("history_size"))
        let maximize = group.flag("maximize")
        var lineSearch = false
        switch group.options["line_search_fn"] {
        case .none?, nil: break
        case .string("strong_wolfe")?: lineSearch = true
        default: throw TorchError(.runtimeError, "only 'strong_wolfe' is supported")
        }
        if stepCallsTracked { stepCalledSinceTracking = true }
        let arithmetic = LBFGSArithmetic(dtype: dtype)

        var loss = try evaluate(closure, maximize: maximize)
        var currentEvals = 1
        funcEvals += 1
        var flatGrad = try flatGradient(maximize: maximize)
        if arithmetic.lessOrEqual(try number(flatGrad.abs().max()), toleranceGrad) { return }

        var h = history
        var n = 0
        while n < maxIter {
            n += 1
            iterations += 1
            let d: Tensor
            // After the first iteration `d` and the previous gradient exist (PyTorch: n_iter != 1).
            if iterations != 1, let previousD = h.d, let previousGrad = h.previousFlatGrad {
                let y = try flatGrad.sub(previousGrad)
                let s = try previousD.mul(h.t.scalar)
                let ys = try number(y.dot(s))
                if arithmetic.greater(ys, .python(1e-10)) {
                    if h.oldDirs.count == historySize {
                        // history_size=0: PyTorch's `old_dirs.pop(0)` on the empty list.
                        guard !h.oldDirs.isEmpty else { throw TorchError.index("pop from empty list") }
                        h.oldDirs.removeFirst(); h.oldSteps.removeFirst(); h.ro.removeFirst()
                    }
                    h.oldDirs.append(y)
                    h.oldSteps.append(s)
                    h.ro.append(arithmetic.divide(.python(1), ys))
                    h.hDiag = arithmetic.divide(ys, try number(y.dot(y)))
                }
                let count = h.oldDirs.count
                var al = [LBFGSNumber](repeating: .python(0), count: count)
                let q = try flatGrad.neg()
                for i in stride(from: count - 1, through: 0, by: -1) {
                    al[i] = arithmetic.multiply(try number(h.oldSteps[i].dot(q)), h.ro[i])
                    _ = try q.addInPlace(h.oldDirs[i], alpha: .double(-al[i].value))
                }
                d = try q.mul(h.hDiag.scalar)
                for i in 0..<count {
                    let be = arithmetic.multiply(try number(h.oldDirs[i].dot(d)), h.ro[i])
                    _ = try d.addInPlace(h.oldSteps[i], alpha: .double(arithmetic.subtract(al[i], be).value))
                }
            } else {
                d = try flatGrad.neg()
                h.oldDirs = []; h.oldSteps = []; h.ro = []
                h.hDiag = .python(1)
            }
            if let previous = h.previousFlatGrad {
                _ = try previous.copyInPlace(from: flatGrad)
            } else {
                h.previousFlatGrad = try flatGrad.cloned()
            }
            h.previousLoss = loss
            if iterations == 1 {
                let inverse = arithmetic.divide(.python(1), try number(flatGrad.abs().sum()))
                h.t = arithmetic.multiply(arithmetic.min(.python(1), inverse), lr)
            } else {
                h.t = lr
            }
            h.d = d
            let gtd = try number(flatGrad.dot(d))
            if arithmetic.greater(gtd, arithmetic.negate(toleranceChange)) { break }

            var evaluations = 0
            var optimal = false
            if lineSearch {
                let start = try params.map { try $0.cloned() }
                let search = StrongWolfe(arithmetic: arithmetic, budget: maxEval - currentEvals)
                let found = try search.run(t: h.t, d: d, f: loss, g: flatGrad, gtd: gtd) { t in
                    try self.addToParameters(t, d)
                    let value = try self.evaluate(closure, maximize: maximize)
                    let grad = try self.flatGradient(maximize: maximize)
                    for (p, saved) in zip(self.params, start) { _ = try p.copyInPlace(from: saved) }
                    return (value, grad)
                }
                loss = found.f
                flatGrad = found.g
                h.t = found.t
                evaluations = found.evaluations
                try addToParameters(h.t, d)
                optimal = arithmetic.lessOrEqual(try number(flatGrad.abs().max()), toleranceGrad)
            } else {
                try addToParameters(h.t, d)
                if n != maxIter {
                    loss = try evaluate(closure, maximize: maximize)
                    flatGrad = try flatGradient(maximize: maximize)
                    optimal = arithmetic.lessOrEqual(try number(flatGrad.abs().max()), toleranceGrad)
                    evaluations = 1
                }
            }
            currentEvals += evaluations
            funcEvals += evaluations
            if n == maxIter || currentEvals >= maxEval || optimal { break }
            if arithmetic.lessOrEqual(try number(d.mul(h.t.scalar).abs().max()), toleranceChange) { break }
            if abs(loss - h.previousLoss) < toleranceChange.value { break }
        }
        history = h
    }
}

/// A number in PyTorch's L-BFGS code: a Python float (Double arithmetic) or a 0-dim tensor of the
/// parameters' dtype (its arithmetic, and comparisons with it, round to that dtype).
enum LBFGSNumber {
    case python(Double)
    case tensor(Double)

    var value: Double {
        switch self { case .python(let v), .tensor(let v): return v }
    }
    var isTensor: Bool { if case .tensor = self { return true } else { return false } }
    var scalar: Scalar { .double(value) }
}

/// Python's operators over `LBFGSNumber`s: an operation with a tensor operand is done in the
/// tensor's dtype (the Python operand converted first, as a wrapped scalar is).
struct LBFGSArithmetic {
    let dtype: DType

    private func rounded(_ v: Double) -> Double { dtype == .float64 ? v : Double(Float(v)) }

    private func apply(_ a: LBFGSNumber, _ b: LBFGSNumber, _ op: (Double, Double) -> Double) -> LBFGSNumber {
        guard a.isTensor || b.isTensor else { return .python(op(a.value, b.value)) }
        return .tensor(rounded(op(rounded(a.value), rounded(b.value))))
    }

    private func compare(_ a: LBFGSNumber, _ b: LBFGSNumber, _ op: (Double, Double) -> Bool) -> Bool {
        guard a.isTensor || b.isTensor else { return op(a.value, b.value) }
        return op(rounded(a.value), rounded(b.value))
    }

    func add(_ a: LBFGSNumber, _ b: LBFGSNumber) -> LBFGSNumber { apply(a, b, +) }
    func subtract(_ a: LBFGSNumber, _ b: LBFGSNumber) -> LBFGSNumber { apply(a, b, -) }
    func multiply(_ a: LBFGSNumber, _ b: LBFGSNumber) -> LBFGSNumber { apply(a, b, *) }
    func divide(_ a: LBFGSNumber, _ b: LBFGSNumber) -> LBFGSNumber { apply(a, b, /) }
    func negate(_ a: LBFGSNumber) -> LBFGSNumber { a.isTensor ? .tensor(-a.value) : .python(-a.value) }
    func abs(_ a: LBFGSNumber) -> LBFGSNumber { a.isTensor ? .tensor(Swift.abs(a.value)) : .python(Swift.abs(a.value)) }
    func sqrt(_ a: LBFGSNumber) -> LBFGSNumber { .tensor(rounded(a.value.squareRoot())) }
    func less(_ a: LBFGSNumber, _ b: LBFGSNumber) -> Bool { compare(a, b, <) }
    func lessOrEqual(_ a: LBFGSNumber, _ b: LBFGSNumber) -> Bool { compare(a, b, <=) }
    func greater(_ a: LBFGSNumber, _ b: LBFGSNumber) -> Bool { compare(a, b, >) }
    func greaterOrEqual(_ a: LBFGSNumber, _ b: LBFGSNumber) -> Bool { compare(a, b, >=) }
    /// Python's `min(a, b)` / `max(a, b)`: the first argument unless the second is strictly beyond it.
    func min(_ a: LBFGSNumber, _ b: LBFGSNumber) -> LBFGSNumber { less(b, a) ? b : a }
    func max(_ a: LBFGSNumber, _ b: LBFGSNumber) -> LBFGSNumber { greater(b, a) ? b : a }
}

/// `_strong_wolfe` and `_cubic_interpolate` of `torch/optim/lbfgs.py`: a line search along `d`
/// for a step satisfying the strong Wolfe conditions, bracketing then zooming.
private struct StrongWolfe {
    let arithmetic: LBFGSArithmetic
    let budget: Int
    let c1 = LBFGSNumber.python(1e-4), c2 = LBFGSNumber.python(0.9), toleranceChange = LBFGSNumber.python(1e-9)

    init(arithmetic: LBFGSArithmetic, budget: Int) {
        self.arithmetic = arithmetic
        self.budget = budget
    }

    private func cubicInterpolate(_ x1: LBFGSNumber, _ f1: LBFGSNumber, _ g1: LBFGSNumber,
                                  _ x2: LBFGSNumber, _ f2: LBFGSNumber, _ g2: LBFGSNumber,
                                  bounds: (LBFGSNumber, LBFGSNumber)? = nil) -> LBFGSNumber {
        let a = arithmetic
        let (lower, upper) = bounds ?? (a.lessOrEqual(x1, x2) ? (x1, x2) : (x2, x1))
        let three = LBFGSNumber.python(3)
        let d1 = a.subtract(a.add(g1, g2), a.divide(a.multiply(three, a.subtract(f1, f2)), a.subtract(x1, x2)))
        let d2Square = a.subtract(a.multiply(d1, d1), a.multiply(g1, g2))
        guard a.greaterOrEqual(d2Square, .python(0)) else {
            return a.divide(a.add(lower, upper), .python(2))
        }
        let d2 = a.sqrt(d2Square)
        let two = LBFGSNumber.python(2)
        let minPosition: LBFGSNumber
        if a.lessOrEqual(x1, x2) {
            minPosition = a.subtract(x2, a.multiply(a.subtract(x2, x1),
                                                    a.divide(a.subtract(a.add(g2, d2), d1), a.add(a.subtract(g2, g1), a.multiply(two, d2)))))
        } else {
            minPosition = a.subtract(x1, a.multiply(a.subtract(x1, x2),
                                                    a.divide(a.subtract(a.add(g1, d2), d1), a.add(a.subtract(g1, g2), a.multiply(two, d2)))))
        }
        return a.min(a.max(minPosition, lower), upper)
    }

    /// One probe: loss (a Python float), gradient, directional derivative (a tensor).
    private func probe(_ t: LBFGSNumber, _ d: Tensor, _ evaluate: Evaluate) throws -> (LBFGSNumber, Tensor, LBFGSNumber) {
        let (f, g) = try evaluate(t)
        return (.python(f), g, .tensor(try g.dot(d).item().doubleValue))
    }

    /// Loss and flat gradient at `x + t·d`, parameters restored afterwards.
    typealias Evaluate = (LBFGSNumber) throws -> (Double, Tensor)

    func run(t start: LBFGSNumber, d: Tensor, f fStart: Double, g gStart: Tensor, gtd: LBFGSNumber,
             evaluate: Evaluate) throws -> (f: Double, g: Tensor, t: LBFGSNumber, evaluations: Int) {
        let a = arithmetic
        let f = LBFGSNumber.python(fStart)
        let dNorm = LBFGSNumber.tensor(try d.abs().max().item().doubleValue)
        let g = try gStart.cloned()
        var t = start
        var (fNew, gNew, gtdNew) = try probe(t, d, evaluate)
        var evaluations = 1
        var (tPrev, fPrev, gPrev, gtdPrev) = (LBFGSNumber.python(0), f, g, gtd)
        var done = false
        var iteration = 0
        var bracket: [LBFGSNumber] = [], bracketF: [LBFGSNumber] = [], bracketG: [Tensor] = [], bracketGtd: [LBFGSNumber] = []
        let sufficientDecrease = { (t: LBFGSNumber) in a.add(f, a.multiply(a.multiply(self.c1, t), gtd)) }
        while iteration < budget {
            if a.greater(fNew, sufficientDecrease(t)) || (iteration > 1 && a.greaterOrEqual(fNew, fPrev)) {
                bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, try gNew.cloned()]; bracketGtd = [gtdPrev, gtdNew]
                break
            }
            if a.lessOrEqual(a.abs(gtdNew), a.multiply(a.negate(c2), gtd)) {
                bracket = [t]; bracketF = [fNew]; bracketG = [gNew]
                done = true
                break
            }
            if a.greaterOrEqual(gtdNew, .python(0)) {
                bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, try gNew.cloned()]; bracketGtd = [gtdPrev, gtdNew]
                break
            }
            let minStep = a.add(t, a.multiply(.python(0.01), a.subtract(t, tPrev)))
            let maxStep = a.multiply(t, .python(10))
            let previous = t
            t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, bounds: (minStep, maxStep))
            tPrev = previous; fPrev = fNew; gPrev = try gNew.cloned(); gtdPrev = gtdNew
            (fNew, gNew, gtdNew) = try probe(t, d, evaluate)
            evaluations += 1
            iteration += 1
        }
        if bracket.isEmpty {   // the budget ran out (PyTorch: `ls_iter == max_ls`; also a negative budget)
            bracket = [.python(0), t]; bracketF = [f, fNew]; bracketG = [g, gNew]
        }
        // Zoom: shrink the bracket until a point satisfies the conditions.
        var insufficientProgress = false
        var (low, high) = a.lessOrEqual(bracketF[0], bracketF[bracketF.count - 1]) ? (0, 1) : (1, 0)
        while !done && iteration < budget && bracket.count == 2 && bracketGtd.count == 2 {
            if a.less(a.multiply(a.abs(a.subtract(bracket[1], bracket[0])), dNorm), toleranceChange) { break }
            t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1])
            let top = a.max(bracket[0], bracket[1]), bottom = a.min(bracket[0], bracket[1])
            let eps = a.multiply(.python(0.1), a.subtract(top, bottom))
            if a.less(a.min(a.subtract(top, t), a.subtract(t, bottom)), eps) {
                if insufficientProgress || a.greaterOrEqual(t, top) || a.lessOrEqual(t, bottom) {
                    t = a.less(a.abs(a.subtract(t, top)), a.abs(a.subtract(t, bottom))) ? a.subtract(top, eps) : a.add(bottom, eps)
                    insufficientProgress = false
                } else {
                    insufficientProgress = true
                }
            } else {
                insufficientProgress = false
            }
            (fNew, gNew, gtdNew) = try probe(t, d, evaluate)
            evaluations += 1
            iteration += 1
            if a.greater(fNew, sufficientDecrease(t)) || a.greaterOrEqual(fNew, bracketF[low]) {
                bracket[high] = t; bracketF[high] = fNew; bracketG[high] = try gNew.cloned(); bracketGtd[high] = gtdNew
                (low, high) = a.lessOrEqual(bracketF[0], bracketF[1]) ? (0, 1) : (1, 0)
            } else {
                if a.lessOrEqual(a.abs(gtdNew), a.multiply(a.negate(c2), gtd)) {
                    done = true
                } else if a.greaterOrEqual(a.multiply(gtdNew, a.subtract(bracket[high], bracket[low])), .python(0)) {
                    bracket[high] = bracket[low]; bracketF[high] = bracketF[low]
                    bracketG[high] = bracketG[low]; bracketGtd[high] = bracketGtd[low]
                }
                bracket[low] = t; bracketF[low] = fNew; bracketG[low] = try gNew.cloned(); bracketGtd[low] = gtdNew
            }
        }
        let index = min(low, bracket.count - 1)
        return (bracketF[index].value, bracketG[index], bracket[index], evaluations)
    }
}
