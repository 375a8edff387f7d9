import Foundation
import NNLang
import TensorRuntime

/// Logical and sign functions, angle conversions, float_power, addcmul/addcdiv, gcd/lcm,
/// clamp_min/clamp_max, movedim and the flips/scans tutorials reach for (kernels in
/// TensorRuntime's PointwiseCombinations.swift and CumulativeExtremes.swift).
extension TensorOpCatalog {
    static let pointwise: [TensorOp] = logicalFunctions + signFunctions + combinations + arrangements + scans + contractions

    /// `other` as a tensor, with PyTorch's TypeError for anything else.
    private static func tensorArgument(_ v: Value, _ function: String, _ name: String = "other") throws -> Tensor {
        if case .tensor(let t) = v { return t }
        throw PyError(.typeError, "\(function)(): argument '\(name)' must be Tensor, not \(v.typeName)")
    }

    private static func logical(_ name: String, _ doc: String, _ f: @escaping (Tensor, Tensor) throws -> Tensor) -> TensorOp {
        TensorOp(name, "input, other, *, out=None", doc, [.function, .inPlace]) { t, b, _ in
            .tensor(try f(t, try tensorArgument(b[0], name)))
        }
    }

    private static let logicalFunctions: [TensorOp] = [
        logical("logical_and", "True where both elements are nonzero (a bool tensor).") { try $0.logicalAnd($1) },
        logical("logical_or", "True where either element is nonzero (a bool tensor).") { try $0.logicalOr($1) },
        logical("logical_xor", "True where exactly one element is nonzero (a bool tensor).") { try $0.logicalXor($1) },
    ]

    /// An elementwise function of floats: integer and bool inputs are converted to float32 first.
    private static func floatResult(_ t: Tensor) throws -> Tensor { t.dtype.isFloatingPoint ? t : try t.converted(to: .float32) }

    /// `x · factor` recorded as one node (`Deg2RadBackward0`, `Rad2DegBackward0`).
    private static func scaled(_ name: String, _ node: String, _ factor: Double, _ doc: String) -> TensorOp {
        TensorOp(name, "input, *, out=None", doc, [.function, .inPlace]) { t, _, _ in
            let x = try floatResult(t)
            let r = try GradMode.withNoGrad { try x.mul(.double(factor)) }
            return .tensor(r.recordingGrad(node, inputs: [x]) { g in [try g.mul(.double(factor))] })
        }
    }

    private static let signFunctions: [TensorOp] = [
        TensorOp("sgn", "input, *, out=None", "The sign of each element (sign for real tensors).", [.function, .inPlace]) { t, _, _ in
            .tensor(try t.sgn())
        },
        TensorOp("signbit", "input, *, out=None", "True where the sign bit is set (negative numbers and -0.0).", [.function]) { t, _, _ in
            .tensor(try t.signbit())
        },
        TensorOp("copysign", "input, other, *, out=None", "|input| with the sign of other, elementwise (a float result).",
                 [.function, .inPlace]) { t, b, _ in
            if case .tensor(let o) = b[0] { return .tensor(try Tensor.copysign(t, o)) }
            guard let s = b[0].scalar else {
                throw PyError(.typeError, "copysign(): argument 'other' must be Tensor or Number, not \(b[0].typeName)")
            }
            return .tensor(try Tensor.copysign(t, try Tensor(scalar: s), otherIsNumber: true))
        },
        scaled("deg2rad", "Deg2RadBackward0", Double.pi / 180, "Each angle converted from degrees to radians."),
        scaled("rad2deg", "Rad2DegBackward0", 180 / Double.pi, "Each angle converted from radians to degrees."),
        TensorOp("float_power", "input, exponent, *, out=None", "input to the power exponent, both in float64.", [.function]) { t, b, ev in
            .tensor(try floatPower(t, b[0], ev))
        },
        TensorOp("float_power_", "input, exponent", "float_power in place (the tensor must be float64).") { t, b, ev in
            guard t.dtype == .float64 else {
                throw PyError(.runtimeError, "the base given to float_power_ has dtype \(t.dtype.atenName) but the operation's result requires dtype Double")
            }
            return .tensor(try t.copyInPlace(from: try floatPower(t, b[0], ev)))
        },
        TensorOp("positive", "input", "input itself (unary plus).", [.function]) { t, _, _ in
            guard t.dtype != .bool else { throw PyError(.notImplementedError, "The `+` operator, on a bool tensor is not supported.") }
            return .tensor(t)
        },
        TensorOp("isposinf", "input, *, out=None", "True where an element is +inf.", [.function]) { t, _, _ in
            .tensor(try t.isinf().logicalAnd(try t.gt(.int(0))))
        },
        TensorOp("isneginf", "input, *, out=None", "True where an element is -inf.", [.function]) { t, _, _ in
            .tensor(try t.isinf().logicalAnd(try t.lt(.int(0))))
        },
        TensorOp("isreal", "input", "True everywhere for a real tensor.", [.function]) { t, _, _ in
            .tensor(try Tensor.ones(t.shape, dtype: .bool))
        },
    ]

    /// `float_power`: both operands in float64.
    private static func floatPower(_ t: Tensor, _ exponent: Value, _ ev: Evaluator) throws -> Tensor {
        let base = try t.converted(to: .float64)
        let rhs: Value
        if case .tensor(let e) = exponent { rhs = .tensor(try e.converted(to: .float64)) }
        else if let s = exponent.scalar { rhs = .float(s.doubleValue) }
        else { throw PyError(.typeError, "float_power(): argument 'exponent' must be Tensor or Number, not \(exponent.typeName)") }
        guard case .tensor(let r)? = try TensorOperators.binary(.pow, .tensor(base), rhs, ev) else {
            throw PyError(.typeError, "float_power(): argument 'exponent' must be Tensor or Number, not \(exponent.typeName)")
        }
        return r
    }

    private static func valueArgument(_ v: Value) throws -> Scalar {
        guard let s = try Convert.scalar(v) else { throw PyError(.typeError, "argument 'value' must be Number, not \(v.typeName)") }
        return s
    }

    private static let combinations: [TensorOp] = [
        TensorOp("addcmul", "input, tensor1, tensor2, *, value=1, out=None", "input + value * tensor1 * tensor2 (broadcasting).",
                 [.function, .inPlace]) { t, b, _ in
            .tensor(try Tensor.addcmul(t, try tensorArgument(b[0], "addcmul", "tensor1"), try tensorArgument(b[1], "addcmul", "tensor2"),
                                       value: try valueArgument(b[2])))
        },
        TensorOp("addcdiv", "input, tensor1, tensor2, *, value=1, out=None", "input + value * tensor1 / tensor2 (broadcasting).",
                 [.function, .inPlace]) { t, b, _ in
            .tensor(try Tensor.addcdiv(t, try tensorArgument(b[0], "addcdiv", "tensor1"), try tensorArgument(b[1], "addcdiv", "tensor2"),
                                       value: try valueArgument(b[2])))
        },
        TensorOp("gcd", "input, other, *, out=None", "The greatest common divisor of integer tensors, elementwise.", [.function, .inPlace]) { t, b, _ in
            .tensor(try Tensor.gcd(t, try tensorArgument(b[0], "gcd")))
        },
        TensorOp("lcm", "input, other, *, out=None", "The least common multiple of integer tensors, elementwise.", [.function, .inPlace]) { t, b, _ in
            .tensor(try Tensor.gcd(t, try tensorArgument(b[0], "lcm"), lcm: true))
        },
        TensorOp("dist", "input, other, p=2", "The p-norm of input - other.", [.function]) { t, b, _ in
            .tensor(try t.sub(try tensorArgument(b[0], "dist")).norm(p: try b.double(1, "p"), dims: nil, keepdim: false))
        },
        TensorOp("clamp_min", "input, min", "Each element limited to at least min.", [.function, .inPlace]) { t, b, _ in
            if case .tensor(let m) = b[0] { return .tensor(try t.clamp(minTensor: m, maxTensor: nil)) }
            return .tensor(try t.clamp(min: try valueArgument(b[0]), max: nil))
        },
        TensorOp("clamp_max", "input, max", "Each element limited to at most max.", [.function, .inPlace]) { t, b, _ in
            if case .tensor(let m) = b[0] { return .tensor(try t.clamp(minTensor: nil, maxTensor: m)) }
            return .tensor(try t.clamp(min: nil, max: try valueArgument(b[0])))
        },
    ]

    /// `movedim(source, destination)`: PyTorch's permutation, with its checks.
    static func movedim(_ t: Tensor, _ source: Value, _ destination: Value, _ ev: Evaluator) throws -> Tensor {
        let src = try Convert.dims(source, ev) ?? [], dst = try Convert.dims(destination, ev) ?? []
        func listed(_ dims: [Int]) -> String { "[" + dims.map(String.init).joined(separator: ", ") + "]" }
        guard src.count == dst.count else {
            throw PyError(.runtimeError, "movedim: Invalid source or destination dims: source (\(listed(src)) dims) should contain the same number of dims as destination (\(listed(dst)) dims)")
        }
        let s = try src.map { try t.normalizeDim($0) }, d = try dst.map { try t.normalizeDim($0) }
        guard Set(s).count == s.count else { throw PyError(.runtimeError, "movedim: repeated dim in `source` (\(listed(src)))") }
        guard Set(d).count == d.count else { throw PyError(.runtimeError, "movedim: repeated dim in `destination` (\(listed(dst)))") }
        var order = [Int?](repeating: nil, count: t.dim)
        for (from, to) in zip(s, d) { order[to] = from }
        var rest = (0..<t.dim).filter { !s.contains($0) }.makeIterator()
        let permutation = order.map { $0 ?? rest.next() ?? 0 }
        return try t.permute(permutation)
    }

    private static let arrangements: [TensorOp] = [
        TensorOp("movedim", "input, source, destination", "A view with the dims in source moved to the positions in destination.",
                 [.function], aliases: ["moveaxis"]) { t, b, ev in .tensor(try movedim(t, b[0], b[1], ev)) },
        TensorOp("ravel", "input", "The elements as a 1-D tensor (a view when possible).", [.function]) { t, _, _ in
            .tensor(try t.reshape([-1]))
        },
        TensorOp("flipud", "input", "The rows in reverse order (dim 0).", [.function]) { t, _, _ in
            guard t.dim >= 1 else { throw PyError(.runtimeError, "Input must be >= 1-d.") }
            return .tensor(try t.flip([0]))
        },
        TensorOp("fliplr", "input", "The columns in reverse order (dim 1).", [.function]) { t, _, _ in
            guard t.dim >= 2 else { throw PyError(.runtimeError, "Input must be >= 2-d.") }
            return .tensor(try t.flip([1]))
        },
        TensorOp("msort", "input, *, out=None", "input sorted along dim 0.", [.function]) { t, _, _ in
            .tensor(try t.sort(dim: 0).values)
        },
    ]

    private static func extreme(_ name: String, isMax: Bool, _ doc: String) -> TensorOp {
        TensorOp(name, "input, dim, *, out=None", doc, [.function]) { t, b, _ in
            let r = try t.cumulativeExtreme(dim: try b.int(0, "dim"), isMax: isMax)
            return SortingBindings.valuesIndices(name, r.values, r.indices)
        }
    }

    private static let scans: [TensorOp] = [
        extreme("cummax", isMax: true, "(values, indices): the running maximum along dim and where it was."),
        extreme("cummin", isMax: false, "(values, indices): the running minimum along dim and where it was."),
        TensorOp("logcumsumexp", "input, dim, *, out=None", "log(cumsum(exp(input))) along dim, computed stably.", [.function]) { t, b, _ in
            .tensor(try t.logcumsumexp(dim: try b.int(0, "dim")))
        },
        TensorOp("aminmax", "input, *, dim=None, keepdim=False", "(min, max) of all elements, or along dim.", [.function]) { t, b, ev in
            guard t.numel > 0 || b[0].isNone == false else {
                throw PyError(.runtimeError, "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.")
            }
            let dims = try b.optionalInt(0, "dim").map { [$0] }, keep = try b.bool(1, ev)
            let lo = try t.amin(dims: dims, keepdim: keep), hi = try t.amax(dims: dims, keepdim: keep)
            return .object(NamedTupleObject(typeName: "torch.return_types.aminmax", fields: ["min", "max"], values: [.tensor(lo), .tensor(hi)]))
        },
    ]

    /// `tensordot(a, b, dims)`: dims an int (a's last n with b's first n) or a pair of dim lists.
    static func tensordot(_ a: Tensor, _ b: Tensor, _ dims: Value, _ ev: Evaluator) throws -> Tensor {
        let (da, db): ([Int], [Int])
        if case .int(let n) = dims {
            guard n >= 0 else { throw PyError(.runtimeError, "tensordot expects dims >= 0, but got dims=\(n)") }
            guard n <= a.dim, n <= b.dim else {
                throw PyError(.runtimeError, "tensordot expects dims < ndim_a or ndim_b, but got dims=\(n)")
            }
            (da, db) = (Array((a.dim - n)..<a.dim), Array(0..<n))
        } else {
            let pair = try ev.iterate(dims)
            guard pair.count == 2 else { throw PyError(.runtimeError, "tensordot expects dims to be a pair of lists") }
            (da, db) = (try Convert.dims(pair[0], ev) ?? [], try Convert.dims(pair[1], ev) ?? [])
        }
        guard da.count == db.count else {
            throw PyError(.runtimeError, "both dimension lists should have same length")
        }
        let ca = try da.map { try a.normalizeDim($0) }, cb = try db.map { try b.normalizeDim($0) }
        for (x, y) in zip(ca, cb) where a.shape[x] != b.shape[y] {
            throw PyError(.runtimeError, "contracted dimensions need to match, but first has size \(a.shape[x]) in dim \(x) and second has size \(b.shape[y]) in dim \(y)")
        }
        let freeA = (0..<a.dim).filter { !ca.contains($0) }, freeB = (0..<b.dim).filter { !cb.contains($0) }
        let k = ca.reduce(1) { $0 * a.shape[$1] }
        let left = try a.permute(freeA + ca).reshape([freeA.reduce(1) { $0 * a.shape[$1] }, k])
        let right = try b.permute(cb + freeB).reshape([k, freeB.reduce(1) { $0 * b.shape[$1] }])
        return try left.mm(right).reshape(freeA.map { a.shape[$0] } + freeB.map { b.shape[$0] })
    }

    /// ATen's trapezoid: spacing dx (a number) or the differences of sample points x along dim.
    static func trapezoid(_ y: Tensor, x: Tensor?, dx: Double, dim: Int) throws -> Tensor {
        let d = try y.normalizeDim(dim), n = y.dim == 0 ? 0 : y.shape[d]
        guard n > 0 else { return try y.sum(dims: [d]).mul(.int(0)) }
        guard var x else {
            let ends = try y.select(dim: d, index: 0).add(try y.select(dim: d, index: n - 1))
            return try y.sum(dims: [d]).sub(try ends.mul(.double(0.5))).mul(.double(dx))
        }
        if x.dim == 1 && y.dim > 1 {
            guard x.shape[0] == n else {
                throw PyError(.runtimeError, "trapezoid: There must be one `x` value for each sample point")
            }
            var sizes = [Int](repeating: 1, count: y.dim)
            sizes[d] = n
            x = try x.reshape(sizes)
        }
        let xd = try x.normalizeDim(dim)
        let spacing = try x.narrow(dim: xd, start: 1, length: n - 1).sub(try x.narrow(dim: xd, start: 0, length: n - 1))
        let pairs = try y.narrow(dim: d, start: 1, length: n - 1).add(try y.narrow(dim: d, start: 0, length: n - 1))
        return try spacing.mul(pairs).sum(dims: [d]).div(.double(2))
    }

    private static let contractions: [TensorOp] = [
        TensorOp("tensordot", "a, b, dims=2, out=None", "Sums products over the given dims of a and b (a generalised matmul).",
                 [.function]) { t, b, ev in .tensor(try tensordot(t, try tensorArgument(b[0], "tensordot", "b"), b[1], ev)) },
        TensorOp("trapezoid", "y, x=None, *, dx=None, dim=-1", "The trapezoidal rule along dim (spacing dx, or sample points x).",
                 [.function], aliases: ["trapz"]) { t, b, _ in
            let x: Tensor? = b[0].isNone ? nil : try tensorArgument(b[0], "trapezoid", "x")
            return .tensor(try trapezoid(t, x: x, dx: try b.optionalDouble(1, "dx") ?? 1, dim: try b.int(2, "dim")))
        },
    ]
}
