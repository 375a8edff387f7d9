import NNLang
import TensorRuntime

/// Products, statistics and random draws the PyTorch tutorials use (kernels in TensorRuntime's
/// TutorialOps.swift), declared once each (see TensorOp).
extension TensorOpCatalog {
    static let tutorial: [TensorOp] = [
        TensorOp("diagflat", "input, offset=0", "A square matrix with the flattened input on its offset-th diagonal.", [.function]) { t, b, _ in
            .tensor(try t.diagflat(offset: try b.int(0, "offset")))
        },
        TensorOp("vdot", "input, other, *, out=None", "The inner product of two 1-D tensors.", [.function]) { t, b, _ in
            .tensor(try t.vdot(try b.tensor(0, "other")))
        },
        TensorOp("addmv", "input, mat, vec, *, beta=1, alpha=1", "beta * input + alpha * (mat @ vec).", [.function, .inPlace]) { t, b, _ in
            .tensor(try Functional.addmv(t, try b.tensor(0, "mat"), try b.tensor(1, "vec"),
                                         beta: try Convert.requiredScalar(b[2]), alpha: try Convert.requiredScalar(b[3])))
        },
        TensorOp("addr", "input, vec1, vec2, *, beta=1, alpha=1", "beta * input + alpha * outer(vec1, vec2).", [.function, .inPlace]) { t, b, _ in
            .tensor(try Functional.addr(t, try b.tensor(0, "vec1"), try b.tensor(1, "vec2"),
                                        beta: try Convert.requiredScalar(b[2]), alpha: try Convert.requiredScalar(b[3])))
        },
        TensorOp("ldexp", "input, other, *, out=None", "input * 2 ** other.", [.function, .inPlace]) { t, b, _ in
            .tensor(try t.ldexp(try Operand(b[0]).orThrow().tensor(like: t)))
        },
        TensorOp("frexp", "input, *, out=None", "(mantissa, exponent) with input = mantissa * 2 ** exponent, |mantissa| in [0.5, 1).",
                 [.function]) { t, _, _ in
            let (m, e) = try t.frexp()
            return .object(NamedTupleObject(typeName: "torch.return_types.frexp", fields: ["mantissa", "exponent"],
                                            values: [.tensor(m), .tensor(e)]))
        },
        TensorOp("renorm", "input, p, dim, maxnorm, *, out=None",
                 "Each slice along dim whose p-norm exceeds maxnorm rescaled to norm maxnorm.", [.function, .inPlace]) { t, b, _ in
            .tensor(try t.renorm(p: try b.double(0, "p"), dim: try b.int(1, "dim"), maxnorm: try b.double(2, "maxnorm")))
        },
        TensorOp("nanmedian", "input, dim=None, keepdim=False",
                 "The lower median of the non-NaN elements; with dim, (values, indices) along it.", [.function]) { t, b, ev in
            guard let d = try b.optionalInt(0, "dim") else { return .tensor(try t.nanmedian()) }
            let (v, i) = try t.nanmedian(dim: d, keepdim: try b.bool(1, ev))
            return SortingBindings.valuesIndices("nanmedian", v, i)
        },
        TensorOp("pdist", "input, p=2", "The p-norm distances between all pairs of rows i < j.", [.function]) { t, b, _ in
            .tensor(try t.pdist(p: try b.double(0, "p")))
        },
        TensorOp("bernoulli", "input, p=None, *, generator=None",
                 "0/1 draws: with probability input elementwise, or p for every element when given.", [.function]) { t, b, _ in
            guard let p = try b.optionalDouble(0, "p") else { return .tensor(try t.bernoulli()) }
            return .tensor(try Tensor.zeros(t.shape, dtype: t.dtype).bernoulliInPlace(p: p))
        },
        TensorOp("bernoulli_", "input, p=0.5, *, generator=None", "Fills with 0/1 draws, 1 with probability p (a number or a tensor).") { t, b, _ in
            if case .tensor(let p) = b[0] {
                try t.copyInPlace(from: try p.expand(t.shape).bernoulli())
                return .tensor(t)
            }
            return .tensor(try t.bernoulliInPlace(p: try b.double(0, "p")))
        },
        TensorOp("exponential_", "input, lambd=1, *, generator=None", "Fills with samples from the exponential distribution of rate lambd.") { t, b, _ in
            .tensor(try t.exponentialInPlace(lambd: try b.double(0, "lambd")))
        },
    ]
}
