import NNLang
import TensorRuntime

/// `torch.linalg`: `norm`, `vector_norm`, `matrix_norm` (from the vector-norm reduction and
/// sums/extremes of absolute values, so gradients follow), `cond`, `inv`, `det`, `solve`
/// (TensorRuntime/LinearAlgebra.swift); `torch.det`, `torch.inverse`, `torch.diag_embed`; the
/// decompositions and what is built on them in TorchNamespace+Decompositions.swift.
extension TorchNamespace {
    static func installLinalg(_ torch: Namespace) {
        let linalg = Namespace("torch.linalg")
        func def(_ ns: Namespace, _ name: String, _ signature: String, _ doc: String, _ body: @escaping (Bound, Evaluator) throws -> Value) {
            ns[name] = .object(NativeFunction(name, signature, doc: doc, body))
        }
        def(linalg, "vector_norm", "x, ord=2, dim=None, keepdim=False, *, dtype=None",
            "The ord-norm of x's elements (all, or over dim): sum(|x|^ord)^(1/ord); inf/-inf the largest/smallest |x|.") { b, ev in
            .tensor(try vectorNorm(try b.tensor(0, "x"), try order(b[1]), try b.dims(2, ev), try b.bool(3, ev)))
        }
        def(linalg, "matrix_norm", "A, ord='fro', dim=(-2, -1), keepdim=False, *, dtype=None",
            "A matrix norm over two dims: 'fro', 1, -1, inf, -inf.") { b, ev in
            .tensor(try matrixNorm(try b.tensor(0, "A"), b[1], try Convert.dims(b[2], ev) ?? [-2, -1], try b.bool(3, ev)))
        }
        def(linalg, "norm", "A, ord=None, dim=None, keepdim=False, *, out=None, dtype=None",
            "vector_norm for 1-D input or an int dim, matrix_norm for 2-D input or a pair of dims; the 2-norm of all elements by default.") { b, ev in
            let a = try b.tensor(0, "A"), dims = try b.dims(2, ev), keep = try b.bool(3, ev)
            if b[1].isNone { return .tensor(try vectorNorm(a, 2, dims, keep)) }
            let matrix = dims.map { $0.count == 2 } ?? (a.dim == 2)
            if matrix { return .tensor(try matrixNorm(a, b[1], dims ?? [-2, -1], keep)) }
            return .tensor(try vectorNorm(a, try order(b[1]), dims, keep))
        }
        def(linalg, "cond", "A, p=None, *, out=None",
            "The condition number of each matrix of A in the p-norm: σ_max/σ_min for p=None or 2 (σ_min/σ_max for -2), else ‖A‖_p·‖A⁻¹‖_p.") { b, _ in
            .tensor(try conditionNumber(try b.tensor(0, "A"), b[1]))
        }
        def(linalg, "inv", "A, *, out=None", "The inverse of each square matrix of A.") { b, _ in .tensor(try b.tensor(0, "A").linalgInv()) }
        def(linalg, "det", "A, *, out=None", "The determinant of each square matrix of A.") { b, _ in .tensor(try b.tensor(0, "A").linalgDet()) }
        def(linalg, "solve", "A, B, *, left=True, out=None", "X with A X = B (B a matrix or a vector per matrix of A).") { b, ev in
            guard try b.bool(2, ev) else { throw PyError(.notImplementedError, "linalg.solve(left=False) is not supported by nnrepl") }
            return .tensor(try Tensor.linalgSolve(try b.tensor(0, "A"), try b.tensor(1, "B")))
        }
        def(linalg, "solve_triangular", "A, B, *, upper, left=True, unitriangular=False, out=None",
            "X with A X = B (X A = B when left=False) for triangular A (its upper or lower triangle).") { b, ev in
            .tensor(try Tensor.linalgSolveTriangular(try b.tensor(0, "A"), try b.tensor(1, "B"), upper: try b.bool(2, ev),
                                                     left: try b.bool(3, ev), unitriangular: try b.bool(4, ev)))
        }
        installDecompositions(linalg, torch)
        // torch.linalg.matmul is torch.matmul (the op catalog declared it before this runs).
        linalg["matmul"] = torch["matmul"]
        torch["linalg"] = .object(linalg)
        def(torch, "det", "input", "The determinant of each square matrix of input.") { b, _ in .tensor(try b.tensor(0, "input").linalgDet()) }
        def(torch, "inverse", "input, *, out=None", "The inverse of each square matrix of input.") { b, _ in .tensor(try b.tensor(0, "input").linalgInv()) }
        def(torch, "diag_embed", "input, offset=0, dim1=-2, dim2=-1",
            "Matrices (…, n, n) with input's last dim on their diagonals.") { b, _ in
            let x = try b.tensor(0, "input")
            guard try b.int(1, "offset") == 0, try b.int(2, "dim1") == -2, try b.int(3, "dim2") == -1 else {
                throw PyError(.notImplementedError, "diag_embed with offset, dim1 or dim2 is not supported by nnrepl")
            }
            let n = x.shape.last ?? 1
            let eye = try Tensor.eye(n: n, dtype: .bool)
            let column = try (x.dim == 0 ? x.reshape([1]) : x).unsqueeze(-1)
            return .tensor(try Tensor.where(eye, try column.expand(Array(column.shape.dropLast()) + [n]), .int(0)))
        }
    }

    /// A norm order: a number, or inf/-inf as floats.
    private static func order(_ v: Value) throws -> Double { try v.asDouble("ord") }

    private static func vectorNorm(_ x: Tensor, _ ord: Double, _ dims: [Int]?, _ keepdim: Bool) throws -> Tensor {
        if ord == -.infinity { return try x.abs().amin(dims: dims, keepdim: keepdim) }
        return try x.norm(p: ord, dims: dims, keepdim: keepdim)
    }

    /// `matrix_norm`: 'fro' is the vector 2-norm over both dims; 1/-1 the largest/smallest column
    /// sum of |A|, inf/-inf the largest/smallest row sum.
    /// `linalg.cond(A, p)`: from the singular values for p None/2/-2 (any shape of matrix), else
    /// from `matrix_norm` of A and of its inverse (square matrices), as PyTorch's `linalg_cond`.
    private static func conditionNumber(_ a: Tensor, _ p: Value) throws -> Tensor {
        guard a.dim >= 2 else {
            throw PyError(.runtimeError, "linalg.cond: The input tensor must have at least 2 dimensions.")
        }
        let order: Double? = try { if case .str = p { return nil }; return p.isNone ? 2 : try p.asDouble("p") }()
        if let q = order, Swift.abs(q) == 2 {
            // As ATen: the first and last singular values as size-1 slices, divided, then squeezed.
            let s = try a.linalgSvd(computeVectors: false).s, last = s.dim - 1
            let largest = try s.narrow(dim: last, start: 0, length: 1), smallest = try s.narrow(dim: last, start: s.shape[last] - 1, length: 1)
            return try (q > 0 ? try largest.div(smallest) : try smallest.div(largest)).squeeze(dim: last)
        }
        guard a.shape[a.dim - 1] == a.shape[a.dim - 2] else {
            let shown: String
            switch p {
            case .str(let text): shown = text
            case .float(let d) where d.isInfinite: shown = d > 0 ? "inf" : "-inf"
            case .float(let d): shown = "\(d)"
            default: shown = "\(Int(order ?? 0))"
            }
            throw PyError(.runtimeError, "linalg.cond(ord=\(shown)): A must be batches of square matrices, but they are \(a.shape[a.dim - 2]) by \(a.shape[a.dim - 1]) matrices")
        }
        return try matrixNorm(a, p, [-2, -1], false).mul(try matrixNorm(try a.linalgInv(), p, [-2, -1], false))
    }

    private static func matrixNorm(_ a: Tensor, _ ord: Value, _ dims: [Int], _ keepdim: Bool) throws -> Tensor {
        guard dims.count == 2, a.dim >= 2 else {
            throw PyError(.runtimeError, "linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
        }
        let d0 = dims[0] < 0 ? dims[0] + a.dim : dims[0], d1 = dims[1] < 0 ? dims[1] + a.dim : dims[1]
        if case .str(let s) = ord {
            guard s == "fro" else { throw PyError(.notImplementedError, "linalg.matrix_norm(ord='\(s)') is not supported by nnrepl") }
            return try a.norm(p: 2, dims: [d0, d1], keepdim: keepdim)
        }
        let p = try ord.asDouble("ord")
        if Swift.abs(p) == 2 {
            // The largest (smallest for -2) singular value of each matrix.
            let rest = (0..<a.dim).filter { $0 != d0 && $0 != d1 }
            let s = try a.permute(rest + [d0, d1]).linalgSvd(computeVectors: false).s
            let extreme = p > 0 ? try s.amax(dims: [-1], keepdim: false) : try s.amin(dims: [-1], keepdim: false)
            return keepdim ? try extreme.unsqueeze(Swift.min(d0, d1)).unsqueeze(Swift.max(d0, d1)) : extreme
        }
        guard Swift.abs(p) == 1 || Swift.abs(p) == .infinity else {
            throw PyError(.notImplementedError, "linalg.matrix_norm(ord=\(try ord.asDouble("ord"))) is not supported by nnrepl")
        }
        // ord ±1 sums over rows (dim0) and takes the extreme over columns; ±inf the other way.
        let (sumDim, extremeDim) = Swift.abs(p) == 1 ? (d0, d1) : (d1, d0)
        let sums = try a.abs().sum(dims: [sumDim], keepdim: true)
        let extreme = p > 0 ? try sums.amax(dims: [extremeDim], keepdim: true) : try sums.amin(dims: [extremeDim], keepdim: true)
        if keepdim { return extreme }
        return try extreme.squeeze(dim: Swift.max(d0, d1)).squeeze(dim: Swift.min(d0, d1))
    }
}
