import NNLang
import TensorRuntime

/// Elementwise maths beyond the basic catalog (log2 … erfinv, lgamma, digamma, i0, sinc, frac,
/// logit; hypot, logaddexp, xlogy, fmax/fmin, fmod, heaviside; the bitwise functions), NaN-skipping
/// reductions and count_nonzero, inner/kron products, and `inverse` (see TensorRuntime's
/// ElementFunctions.swift for the kernels and their gradients).
extension TensorOpCatalog {
    static let specialMath: [TensorOp] = elementFunctions + twoArgumentFunctions + bitwiseFunctions + nanReductions + products

    private static let functionDocs: [(ElementFunction, String, [String])] = [
        (.log2, "Base-2 logarithm, elementwise.", []), (.log10, "Base-10 logarithm, elementwise.", []),
        (.exp2, "2 to the power of each element.", []),
        (.sinh, "Hyperbolic sine, elementwise.", []), (.cosh, "Hyperbolic cosine, elementwise.", []),
        (.asin, "Arcsine, elementwise (radians).", ["arcsin"]), (.acos, "Arccosine, elementwise (radians).", ["arccos"]),
        (.atan, "Arctangent, elementwise (radians).", ["arctan"]),
        (.asinh, "Inverse hyperbolic sine, elementwise.", ["arcsinh"]),
        (.acosh, "Inverse hyperbolic cosine, elementwise.", ["arccosh"]),
        (.atanh, "Inverse hyperbolic tangent, elementwise.", ["arctanh"]),
        (.erfc, "The complementary error function 1 - erf(x), elementwise.", []),
        (.erfinv, "The inverse error function, elementwise.", []),
        (.lgamma, "log|Γ(x)|, elementwise.", []), (.digamma, "The digamma function Γ'(x)/Γ(x), elementwise.", []),
        (.i0, "The modified Bessel function of the first kind of order 0, elementwise.", []),
        (.sinc, "sin(πx)/(πx) (1 at 0), elementwise.", []),
        (.frac, "The fractional part x - trunc(x), elementwise.", []),
    ]

    private static let elementFunctions: [TensorOp] = functionDocs.map { function, doc, aliases in
        TensorOp(function.rawValue, "input", doc, [.function, .inPlace], aliases: aliases) { t, _, _ in .tensor(try t.apply(function)) }
    } + [
        TensorOp("logit", "input, eps=None", "log(p / (1 - p)), p clamped to [eps, 1 - eps] when eps is given.", [.function, .inPlace]) { t, b, _ in
            .tensor(try t.logit(eps: try b.optionalDouble(0, "eps")))
        },
    ]

    /// `other` as a tensor: a number takes the dtype PyTorch's promotion gives it next to `t`.
    static func operand(_ v: Value, _ t: Tensor, _ op: String) throws -> Tensor {
        if case .tensor(let x) = v { return x }
        guard let s = v.scalar else { throw PyError(.typeError, "\(op)(): argument 'other' must be Tensor, not \(v.typeName)") }
        return try Tensor(scalar: s, dtype: TypePromotion.resultType(t, s))
    }

    private static func twoArgument(_ function: BinaryElementFunction, _ doc: String) -> TensorOp {
        TensorOp(function.rawValue, "input, other", doc, [.function, .inPlace]) { t, b, _ in
            .tensor(try t.apply(function, try operand(b[0], t, function.rawValue)))
        }
    }

    private static let twoArgumentFunctions: [TensorOp] = [
        twoArgument(.hypot, "sqrt(input² + other²), elementwise, without overflow."),
        twoArgument(.logaddexp, "log(exp(input) + exp(other)), elementwise, computed stably."),
        twoArgument(.logaddexp2, "log2(2^input + 2^other), elementwise, computed stably."),
        twoArgument(.xlogy, "input * log(other), 0 where input is 0 (unless other is NaN)."),
        twoArgument(.fmax, "Elementwise maximum that ignores a NaN when the other value is a number."),
        twoArgument(.fmin, "Elementwise minimum that ignores a NaN when the other value is a number."),
        twoArgument(.fmod, "C's fmod: the remainder of input / other with the sign of input."),
        TensorOp("heaviside", "input, values", "0 for x < 0, 1 for x > 0, `values` where x is 0.", [.function, .inPlace]) { t, b, _ in
            let values = try b.tensor(0, "values")
            guard values.dtype == t.dtype else {
                throw TorchError(.runtimeError, "heaviside is not yet implemented for tensors with different dtypes.")
            }
            return .tensor(try Tensor.where(try t.eq(.int(0)), values, try t.gt(.int(0)).converted(to: t.dtype)))
        },
    ]

    private static func bitwise(_ name: String, _ op: BinaryOperator, _ doc: String) -> TensorOp {
        TensorOp(name, "input, other", doc, [.function, .inPlace]) { t, b, ev in
            guard let r = try TensorOperators.binary(op, .tensor(t), b[0], ev) else {
                throw PyError(.typeError, "\(name)(): argument 'other' must be Tensor, not \(b[0].typeName)")
            }
            return r
        }
    }

    private static let bitwiseFunctions: [TensorOp] = [
        bitwise("bitwise_and", .bitAnd, "Elementwise AND of integer or bool tensors."),
        bitwise("bitwise_or", .bitOr, "Elementwise OR of integer or bool tensors."),
        bitwise("bitwise_xor", .bitXor, "Elementwise XOR of integer or bool tensors."),
        bitwise("bitwise_left_shift", .lshift, "input << other, elementwise."),
        bitwise("bitwise_right_shift", .rshift, "input >> other, elementwise."),
        TensorOp("bitwise_not", "input", "Elementwise NOT (~) of an integer or bool tensor.", [.function, .inPlace]) { t, _, _ in
            guard !t.dtype.isFloatingPoint else {
                throw TorchError(.notImplementedError, "\"bitwise_not_cpu\" not implemented for '\(t.dtype.shortName)'")
            }
            return .tensor(try t.bitwiseNot())
        },
    ]

    /// `x` with NaNs replaced by 0 (gradients flow to the other elements).
    private static func zeroingNaN(_ x: Tensor) throws -> Tensor {
        x.dtype.isFloatingPoint ? try Tensor.where(try x.isnan(), .int(0), x) : x
    }

    private static let nanReductions: [TensorOp] = [
        TensorOp("nansum", "input, dim=None, keepdim=False, *, dtype=None", "The sum treating NaN as zero (over dim if given).",
                 [.function]) { t, b, ev in
            .tensor(try zeroingNaN(t).sum(dims: try b.dims(0, ev), keepdim: try b.bool(1, ev), dtype: try b.dtype(2)))
        },
        TensorOp("nanmean", "input, dim=None, keepdim=False, *, dtype=None", "The mean of the non-NaN elements (over dim if given).",
                 [.function]) { t, b, ev in
            guard t.dtype.isFloatingPoint else {
                throw TorchError(.notImplementedError, "nanmean(): expected input to have floating point or complex dtype but got \(t.dtype.shortName)")
            }
            let dims = try b.dims(0, ev), keep = try b.bool(1, ev), dtype = try b.dtype(2)
            let count = try t.isnan().logicalNot().sum(dims: dims, keepdim: keep)
            return .tensor(try zeroingNaN(t).sum(dims: dims, keepdim: keep, dtype: dtype).div(count))
        },
        TensorOp("count_nonzero", "input, dim=None", "The number of nonzero elements (over dim, an int or a tuple, if given).",
                 [.function]) { t, b, ev in
            .tensor(try t.ne(.int(0)).sum(dims: try b.dims(0, ev)))
        },
    ]

    private static let products: [TensorOp] = [
        TensorOp("inner", "input, other", "Sum of products over the last dims (a 0-dim input multiplies).", [.function]) { t, b, _ in
            .tensor(try inner(t, try b.tensor(0, "other")))
        },
        TensorOp("kron", "input, other", "The Kronecker product: each element of input times the whole of other.", [.function]) { t, b, _ in
            .tensor(try kron(t, try b.tensor(0, "other")))
        },
        TensorOp("inverse", "input", "The inverse of each square matrix of input.") { t, _, _ in .tensor(try t.linalgInv()) },
    ]

    static func inner(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        if a.dim == 0 || b.dim == 0 { return try a.mul(b) }
        guard a.shape[a.dim - 1] == b.shape[b.dim - 1] else {
            throw TorchError(.runtimeError, "inner() the last dimension must match on both input tensors but got shapes "
                             + "\(shapeList(a.shape)) and \(shapeList(b.shape))")
        }
        let dtype = resultType(a, b), k = a.shape[a.dim - 1]
        let rows = try a.converted(to: dtype).reshape([-1, k]), columns = try b.converted(to: dtype).reshape([-1, k])
        return try rows.mm(try columns.transpose(0, 1)).reshape(Array(a.shape.dropLast()) + Array(b.shape.dropLast()))
    }

    /// kron through broadcasting: a viewed as [a0, 1, a1, 1, …] times b as [1, b0, 1, b1, …].
    static func kron(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let n = Swift.max(a.dim, b.dim)
        let sa = Array(repeating: 1, count: n - a.dim) + a.shape, sb = Array(repeating: 1, count: n - b.dim) + b.shape
        let product = try a.reshape(sa.flatMap { [$0, 1] }).mul(try b.reshape(sb.flatMap { [1, $0] }))
        return try product.reshape(zip(sa, sb).map { $0 * $1 })
    }

    static func shapeList(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
}
