import Foundation
import NNLang
import TensorRuntime

/// `torch.testing.assert_close(actual, expected, *, rtol=None, atol=None, equal_nan=False,
/// check_dtype=True, msg=None, …)`: tensors (same shape and, by default, dtype; PyTorch's
/// default tolerances per dtype), numbers, and lists/tuples of them item by item, with
/// PyTorch's AssertionError texts.
enum TestingNamespace {
    static func make() -> Namespace {
        let ns = Namespace("torch.testing")
        let signature = "actual, expected, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False, check_device=True, "
            + "check_dtype=True, check_layout=True, check_stride=False, msg=None"
        ns["assert_close"] = .object(NativeFunction("assert_close", signature,
            doc: "Raises AssertionError unless actual and expected are close (|a - e| <= atol + rtol * |e|).") { b, ev in
            let rtol = try b.optionalDouble(3, "rtol"), atol = try b.optionalDouble(4, "atol")
            guard (rtol == nil) == (atol == nil) else {
                throw PyError(.valueError, "Both 'rtol' and 'atol' must be either specified or omitted, but got no \(rtol == nil ? "rtol" : "atol").")
            }
            let options = Options(tolerances: rtol.flatMap { r in atol.map { (r, $0) } }, equalNaN: try b.bool(5, ev), checkDtype: try b.bool(7, ev))
            if let problem = try compare(b[0], b[1], options, ev, path: "") {
                if case .str(let message) = b[10] { throw PyError(.assertionError, message) }
                throw problem
            }
            return .none
        })
        return ns
    }

    struct Options {
        let tolerances: (rtol: Double, atol: Double)?
        let equalNaN: Bool
        let checkDtype: Bool
    }

    /// PyTorch's default (rtol, atol) for a dtype.
    private static func defaultTolerances(_ dtype: DType) -> (Double, Double) {
        switch dtype {
        case .float32: return (1.3e-6, 1e-5)
        case .float64: return (1e-7, 1e-7)
        case .float16: return (1e-3, 1e-5)
        case .bfloat16: return (1.6e-2, 1e-5)
        default: return (0, 0)
        }
    }

    private static func className(_ v: Value) -> String {
        v.isTensor ? "torch.Tensor" : v.typeName
    }

    /// The error for the first pair that differs, nil when all are close.
    private static func compare(_ actual: Value, _ expected: Value, _ o: Options, _ ev: Evaluator, path: String) throws -> PyError? {
        let suffix = path.isEmpty ? "" : "\n\nThe failure occurred for item \(path)"
        switch (actual, expected) {
        case (.tensor(let a), .tensor(let e)):
            return try compareTensors(a, e, o).map { PyError(.assertionError, $0 + suffix) }
        case (.int, _), (.float, _), (.bool, _):
            guard expected.scalar != nil, actual.scalar != nil else { break }
            let integral: Bool
            switch (actual, expected) {
            case (.float, _), (_, .float): integral = false
            default: integral = true
            }
            let a = try actual.asDouble("actual"), e = try expected.asDouble("expected")
            return scalarProblem(a, e, o.tolerances ?? (integral ? (0, 0) : (1e-7, 1e-7)), o.equalNaN, integral: integral,
                                 shown: (try ev.repr(actual), try ev.repr(expected))).map { PyError(.assertionError, $0 + suffix) }
        default:
            let sequences: [BuiltinKind?] = [.list, .tuple]
            if sequences.contains(ev.builtinKind(actual)), sequences.contains(ev.builtinKind(expected)),
               let xs = ev.sequenceItems(actual), let ys = ev.sequenceItems(expected) {
                guard xs.count == ys.count else {
                    return PyError(.assertionError, "The length of the sequences mismatch: \(xs.count) != \(ys.count)" + suffix)
                }
                for (i, (x, y)) in zip(xs, ys).enumerated() {
                    if let p = try compare(x, y, o, ev, path: path + "[\(i)]") { return p }
                }
                return nil
            }
        }
        throw PyError(.typeError, "No comparison pair was able to handle inputs of type <class '\(className(actual))'> and <class '\(className(expected))'>.")
    }

    private static func tolerance(_ x: Double) -> String { "\(pythonFloatRepr(x))" }

    private static func scalarProblem(_ a: Double, _ e: Double, _ tol: (Double, Double), _ equalNaN: Bool, integral: Bool,
                                      shown: (String, String)) -> String? {
        if a == e || (equalNaN && a.isNaN && e.isNaN) { return nil }
        let diff = Swift.abs(a - e)
        if diff <= tol.1 + tol.0 * Swift.abs(e) { return nil }
        let relative = diff / Swift.abs(e)
        let exact = tol == (0, 0)
        let absText = integral ? String(Int64(diff)) : pythonFloatRepr(diff)
        return "Scalars are not \(exact ? "equal" : "close")!\n\nExpected \(shown.1) but got \(shown.0).\n"
            + "Absolute difference: \(absText)\(exact ? "" : " (up to \(tolerance(tol.1)) allowed)")\n"
            + "Relative difference: \(pythonFloatRepr(relative))\(exact ? "" : " (up to \(tolerance(tol.0)) allowed)")"
    }

    private static func compareTensors(_ a: Tensor, _ e: Tensor, _ o: Options) throws -> String? {
        guard a.shape == e.shape else {
            return "The values for attribute 'shape' do not match: \(sizeRepr(a.shape)) != \(sizeRepr(e.shape))."
        }
        if o.checkDtype && a.dtype != e.dtype {
            return "The values for attribute 'dtype' do not match: \(a.dtype.name) != \(e.dtype.name)."
        }
        let tol = o.tolerances ?? defaultTolerances(a.dtype)
        let common = TypePromotion.resultType(a, e)
        let (x, y) = try GradMode.withNoGrad { (try a.detach().converted(to: common), try e.detach().converted(to: common)) }
        if a.dim == 0 {
            let integral = !common.isFloatingPoint
            return scalarProblem(x.toDoubles()[0], y.toDoubles()[0], tol, o.equalNaN, integral: integral,
                                 shown: (formatItem(x), formatItem(y)))
        }
        // The differences in the compared dtype (float32 stays float32), then read as doubles.
        let absDiff = try GradMode.withNoGrad { try x.sub(y).abs() }
        let floatDiff = common.isFloatingPoint ? absDiff : try absDiff.converted(to: .float32)
        let relDiff = try GradMode.withNoGrad { try floatDiff.div(try (common.isFloatingPoint ? y : try y.converted(to: .float32)).abs()) }
        let xs = x.toDoubles(), ys = y.toDoubles()
        var diffs = absDiff.toDoubles(), rels = relDiff.toDoubles()
        var mismatched = 0
        for i in xs.indices {
            let same = xs[i] == ys[i] || (o.equalNaN && xs[i].isNaN && ys[i].isNaN)
            if !same && !(Swift.abs(xs[i] - ys[i]) <= tol.1 + tol.0 * Swift.abs(ys[i])) {
                mismatched += 1
            } else {
                // PyTorch zeroes the differences of the matching elements before taking the greatest.
                diffs[i] = 0
                rels[i] = 0
            }
        }
        guard mismatched > 0 else { return nil }
        let exact = tol == (0, 0)
        func greatest(_ values: [Double]) -> (Double, Int) {
            var best = 0
            for i in values.indices where values[i].isNaN || values[i] > values[best] {
                best = i
                if values[i].isNaN { break }
            }
            return (values[best], best)
        }
        func index(_ flat: Int) -> String {
            var rest = flat, coordinates = [Int](repeating: 0, count: a.dim)
            for d in stride(from: a.dim - 1, through: 0, by: -1) {
                coordinates[d] = rest % a.shape[d]
                rest /= a.shape[d]
            }
            return "(" + coordinates.map(String.init).joined(separator: ", ") + (a.dim == 1 ? ",)" : ")")
        }
        let (maxAbs, atAbs) = greatest(diffs), (maxRel, atRel) = greatest(rels)
        let percent = String(format: "%.1f", 100 * Double(mismatched) / Double(xs.count))
        let absText = common.isFloatingPoint ? pythonFloatRepr(maxAbs) : String(Int64(maxAbs))
        return "Tensor-likes are not \(exact ? "equal" : "close")!\n\nMismatched elements: \(mismatched) / \(xs.count) (\(percent)%)\n"
            + "Greatest absolute difference: \(absText) at index \(index(atAbs))\(exact ? "" : " (up to \(tolerance(tol.1)) allowed)")\n"
            + "Greatest relative difference: \(pythonFloatRepr(maxRel)) at index \(index(atRel))\(exact ? "" : " (up to \(tolerance(tol.0)) allowed)")"
    }

    /// A 0-dim tensor's `item()` as Python prints it.
    private static func formatItem(_ t: Tensor) -> String {
        let v = t.toDoubles()[0]
        return t.dtype.isFloatingPoint ? pythonFloatRepr(v) : t.dtype == .bool ? (v != 0 ? "True" : "False") : String(Int64(v))
    }
}
