import NNLang
import TensorRuntime

/// Statistics of samples: pairwise distances (`cdist`), covariance and correlation matrices,
/// quantiles (NaN-propagating and NaN-skipping), histograms and sorted-sequence searches.
/// cdist, cov, corrcoef and quantile are built from differentiable ops, so gradients follow.
extension TensorOpCatalog {
    static let statistics: [TensorOp] = [
        TensorOp("cdist", "x1, x2, p=2.0, compute_mode='use_mm_for_euclid_dist_if_necessary'",
                 "The p-norm distance between each row of x1 and each row of x2 (batched over leading dims).", [.function]) { t, b, _ in
            .tensor(try cdist(t, try b.tensor(0, "x2"), p: try b.double(1, "p")))
        },
        TensorOp("cov", "input, *, correction=1, fweights=None, aweights=None",
                 "The covariance matrix of the variables in input's rows (observations in columns).", [.function]) { t, b, _ in
            .tensor(try covariance(t, correction: try b.int(0, "correction"), fweights: try b[1].isNone ? nil : b.tensor(1, "fweights"),
                                   aweights: try b[2].isNone ? nil : b.tensor(2, "aweights")))
        },
        TensorOp("corrcoef", "input", "The Pearson correlation coefficients of the variables in input's rows.", [.function]) { t, _, _ in
            .tensor(try correlation(t))
        },
        quantileOp("quantile", skippingNaN: false),
        quantileOp("nanquantile", skippingNaN: true),
        TensorOp("histc", "input, bins=100, min=0, max=0",
                 "Counts in equal-width bins over [min, max] (the data's range when both are 0).", [.function]) { t, b, _ in
            .tensor(try t.histc(bins: try b.int(0, "bins"), min: try b.double(1, "min"), max: try b.double(2, "max")))
        },
    ]

    /// The sorted-sequence searches: module functions only (their first argument is not the input).
    static func installSearches(_ torch: Namespace) {
        func def(_ name: String, _ signature: String, _ doc: String, _ body: @escaping (Bound, Evaluator) throws -> Value) {
            let sig = Signature(signature, style: .torch)
            torch[name] = .object(NativeFunction(name, signature: sig, doc: doc) { a, ev in try body(try sig.bind(a, name), ev) })
        }
        def("searchsorted", "sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None",
            "Where each element of input would go in sorted_sequence's last dim to keep it sorted.") { b, ev in
            let sequence = try b.tensor(0, "sorted_sequence"), right = try b.bool(3, ev)
            var useRight = right
            if case .str(let side) = b[4] {
                guard side == "left" || side == "right" else {
                    throw TorchError(.runtimeError, "torch.searchsorted(): side can only be 'left' or 'right' but got \(side)")
                }
                guard !(side == "left" && right) else {
                    throw TorchError(.runtimeError, "torch.searchsorted(): side and right can't be set to opposites, got side of left while right was True")
                }
                useRight = side == "right"
            }
            var ordered = sequence
            if !b[5].isNone {
                // Positions in the order `sorter` gives the sequence (sorted_sequence.gather(-1, sorter)).
                let sorter = try b.tensor(5, "sorter")
                guard sorter.dtype == .int64 else {
                    throw TorchError(.runtimeError, "torch.searchsorted(): sorter must be a tensor of long dtype but got dtype \(sorter.dtype.atenName)")
                }
                guard sorter.shape == sequence.shape else {
                    throw TorchError(.runtimeError, "torch.searchsorted(): boundary and sorter must have the same size, but got boundary tensor \(shapeDescription(sequence.shape))and got sorter tensor \(shapeDescription(sorter.shape))")
                }
                ordered = try sequence.gather(dim: -1, index: sorter)
            }
            return .tensor(try ordered.searchSorted(try searchValues(b[1]), right: useRight, int32: try b.bool(2, ev)))
        }
        def("bucketize", "input, boundaries, *, out_int32=False, right=False",
            "The index of the bucket (between consecutive boundaries) each element of input falls in.") { b, ev in
            let boundaries = try b.tensor(1, "boundaries")
            guard boundaries.dim == 1 else {
                throw TorchError(.runtimeError, "boundaries tensor must be 1 dimension, but got dim(\(boundaries.dim))")
            }
            return .tensor(try boundaries.searchSorted(try searchValues(b[0]), right: try b.bool(3, ev), int32: try b.bool(2, ev)))
        }
    }

    private static func searchValues(_ v: Value) throws -> Tensor {
        if case .tensor(let t) = v { return t }
        guard let s = v.scalar else { throw PyError(.typeError, "searchsorted(): argument 'input' must be Tensor, not \(v.typeName)") }
        return try Tensor(scalar: s)
    }

    static func cdist(_ x1: Tensor, _ x2: Tensor, p: Double) throws -> Tensor {
        for (name, x) in [("X1", x1), ("X2", x2)] {
            guard x.dim >= 2 else { throw TorchError(.runtimeError, "cdist only supports at least 2D tensors, \(name) got: \(x.dim)D") }
            guard x.dtype.isFloatingPoint else {
                throw TorchError(.runtimeError, "cdist only supports floating-point dtypes, \(name) got: \(x.dtype.shortName)")
            }
        }
        guard x1.shape[x1.dim - 1] == x2.shape[x2.dim - 1] else {
            throw TorchError(.runtimeError, "X1 and X2 must have the same number of columns. X1: \(x1.shape[x1.dim - 1]) X2: \(x2.shape[x2.dim - 1])")
        }
        guard x1.dtype == x2.dtype else {
            throw TorchError(.runtimeError, "expected scalar type \(x1.dtype.shortName) but found \(x2.dtype.shortName)")
        }
        guard p >= 0 else { throw TorchError(.runtimeError, "cdist only supports non-negative p values") }
        let differences = try x1.unsqueeze(-2).sub(try x2.unsqueeze(-3))
        if p == 0 { return try differences.ne(.int(0)).sum(dims: [-1]).converted(to: x1.dtype) }
        return try differences.norm(p: p, dims: [-1])
    }

    /// cov as torch.cov: weights w = fweights * aweights, mean by w, normalised by
    /// sum(w) - correction * sum(w * aweights) / sum(w) (just sum(w) - correction without aweights).
    static func covariance(_ input: Tensor, correction: Int, fweights: Tensor?, aweights: Tensor?) throws -> Tensor {
        guard input.dim <= 2 else { throw TorchError(.runtimeError, "cov(): expected input to have two or fewer dimensions but got an input with \(input.dim) dimensions") }
        var x = input.dim < 2 ? try input.reshape([1, -1]) : input
        if !x.dtype.isFloatingPoint { x = try x.converted(to: .float32) }
        let observations = x.shape[1]
        var weights: Tensor? = fweights.map { $0 }
        if let a = aweights { weights = try weights.map { try $0.mul(a) } ?? a }
        let average: Tensor, weightSum: Tensor, normaliser: Tensor
        if let w = weights {
            weightSum = try w.sum()
            average = try x.mul(w).sum(dims: [1], keepdim: true).div(weightSum)
            if let a = aweights {
                normaliser = try weightSum.sub(try w.mul(a).sum().mul(.int(Int64(correction))).div(weightSum))
            } else {
                normaliser = try weightSum.sub(.int(Int64(correction)))
            }
        } else {
            weightSum = try Tensor(scalar: .int(Int64(observations)))
            average = try x.mean(dims: [1], keepdim: true)
            normaliser = try Tensor(scalar: .int(Int64(Swift.max(observations - correction, 0))), dtype: x.dtype)
        }
        let centred = try x.sub(average)
        let weighted = try weights.map { try centred.mul($0) } ?? centred
        let c = try weighted.mm(try centred.t().converted(to: weighted.dtype)).div(normaliser)
        return input.dim < 2 ? try c.reshape([]) : c
    }

    static func correlation(_ input: Tensor) throws -> Tensor {
        guard input.dim <= 2 else { throw TorchError(.runtimeError, "corrcoef(): expected input to have two or fewer dimensions but got an input with \(input.dim) dimensions") }
        let c = try covariance(input, correction: 1, fweights: nil, aweights: nil)
        if c.dim == 0 { return try c.div(c) }
        let deviations = try c.diag().sqrt()
        let r = try c.div(try deviations.unsqueeze(1)).div(try deviations.unsqueeze(0))
        return try r.clamp(min: .int(-1), max: .int(1))
    }

    private static func quantileOp(_ name: String, skippingNaN: Bool) -> TensorOp {
        TensorOp(name, "input, q, dim=None, keepdim=False, *, interpolation='linear'",
                 skippingNaN ? "quantile ignoring NaNs (a row of only NaNs gives NaN)."
                             : "The q-th quantiles (q a number or 1-D tensor in [0, 1]) of all elements or along dim; NaN if a NaN is there.",
                 [.function]) { t, b, ev in
            guard case .str(let interpolation) = b[3] else {
                throw PyError(.typeError, "\(name)(): argument 'interpolation' must be str, not \(b[3].typeName)")
            }
            return .tensor(try quantile(t, b[0], dim: try b.optionalInt(1, "dim"), keepdim: try b.bool(2, ev),
                                        interpolation: interpolation, skippingNaN: skippingNaN, name))
        }
    }

    /// ATen's quantile: sort along dim, rank = q * (count - 1), then the chosen interpolation
    /// between the neighbouring sorted values (gather + lerp, so gradients flow). Output dims:
    /// q's (if a tensor) first, then input's without dim (kept as 1 with keepdim).
    static func quantile(_ input: Tensor, _ qValue: Value, dim: Int?, keepdim: Bool, interpolation: String,
                         skippingNaN: Bool, _ name: String) throws -> Tensor {
        if !qValue.isTensor {
            let qd = try qValue.asDouble("q")
            guard qd >= 0 && qd <= 1 else { throw TorchError(.runtimeError, "\(name)() q must be in the range [0, 1] but got \(formatLikeC10(qd))") }
        }
        let modes = ["linear", "lower", "higher", "midpoint", "nearest"]
        guard modes.contains(interpolation) else {
            throw TorchError(.runtimeError, "\(name)() interpolation must be one of linear, lower, higher, midpoint or nearest, but got \(interpolation)")
        }
        guard input.numel > 0 else { throw TorchError(.runtimeError, "\(name)() input tensor must be non-empty") }
        guard input.dtype == .float32 || input.dtype == .float64 else {
            throw TorchError(.runtimeError, "\(name)() input tensor must be either float or double dtype")
        }
        let q: Tensor
        if case .tensor(let given) = qValue {
            guard given.dim <= 1 else { throw TorchError(.runtimeError, "\(name)() q must be a scalar or 1D tensor") }
            guard given.dtype == input.dtype else { throw TorchError(.runtimeError, "\(name)() q tensor must be same dtype as the input tensor") }
            q = given
        } else {
            q = try Tensor(scalar: .double(try qValue.asDouble("q")), dtype: input.dtype)
        }
        let qs = q.toDoubles()
        guard qs.allSatisfy({ $0 >= 0 && $0 <= 1 }) else { throw TorchError(.runtimeError, "\(name)() q values must be in the range [0, 1]") }
        // Rows along the last dim.
        let d = try dim.map { try normalisedDim($0, input.dim) }
        let rows: Tensor
        if let d {
            rows = try input.permute(Array((0..<input.dim).filter { $0 != d }) + [d])
        } else {
            rows = try input.reshape([-1])
        }
        let sorted = try rows.sort(dim: -1).values
        let n = sorted.shape[sorted.dim - 1]
        let qRow = try q.reshape([q.numel])
        let ranks: Tensor
        if skippingNaN {
            let valid = try sorted.isnan().logicalNot().sum(dims: [-1], keepdim: true).sub(.int(1)).converted(to: input.dtype)
            ranks = try qRow.mul(valid).clamp(min: .int(0), max: nil)
        } else {
            let hasNaN = try sorted.isnan().any(dims: [-1], keepdim: true)
            ranks = try Tensor.where(hasNaN, .int(Int64(n - 1)), try qRow.mul(.int(Int64(n - 1))))
        }
        var result: Tensor
        switch interpolation {
        case "lower", "higher", "nearest":
            let r = interpolation == "lower" ? try ranks.floor() : interpolation == "higher" ? try ranks.ceil() : try ranks.round()
            result = try sorted.gather(dim: -1, index: try r.converted(to: .int64).expandAsRanks(sorted))
        default:
            let below = try ranks.floor(), above = try ranks.ceil()
            let low = try sorted.gather(dim: -1, index: try below.converted(to: .int64).expandAsRanks(sorted))
            let high = try sorted.gather(dim: -1, index: try above.converted(to: .int64).expandAsRanks(sorted))
            let weight = interpolation == "midpoint" ? try Tensor.fullLike(below, value: .double(0.5)) : try ranks.sub(below)
            result = try low.lerp(high, weight: try weight.expand(low.shape))
        }
        // result: [other dims…, Q] → [Q, other dims…] (kept dims restored as 1).
        var outer = Array(result.shape.dropLast())
        if keepdim {
            if let d { outer.insert(1, at: d) } else { outer = Array(repeating: 1, count: input.dim) }
        }
        result = try result.permute([result.dim - 1] + Array(0..<(result.dim - 1))).reshape([qs.count] + outer)
        return q.dim == 0 ? try result.squeeze(dim: 0) : result
    }

    private static func normalisedDim(_ d: Int, _ rank: Int) throws -> Int {
        let r = Swift.max(rank, 1)
        guard d >= -r && d < r else {
            throw TorchError(.indexError, "Dimension out of range (expected to be in range of [\(-r), \(r - 1)], but got \(d))")
        }
        return d < 0 ? d + r : d
    }
}

private extension Tensor {
    /// Rank indices broadcast to `sorted`'s leading dims (gather needs them explicit).
    func expandAsRanks(_ sorted: Tensor) throws -> Tensor {
        try expand(Array(sorted.shape.dropLast()) + [shape[dim - 1]])
    }
}
