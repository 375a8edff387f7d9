import NNLang
import NeuralNet
import TensorRuntime

/// `torch.linalg.svd/svdvals/eigh/eigvalsh/qr/cholesky/pinv/matrix_rank/lstsq/slogdet/
/// matrix_power/cross/multi_dot/vecdot` and the older `torch.svd/qr/slogdet/logdet/
/// matrix_power/pinverse/cross` spellings (kernels in TensorRuntime's Decompositions.swift and
/// MatrixFunctions.swift). Results are PyTorch's `torch.return_types` named tuples.
extension TorchNamespace {
    static func installDecompositions(_ linalg: Namespace, _ torch: Namespace) {
        func def(_ ns: Namespace, _ name: String, _ signature: String, _ doc: String, _ body: @escaping (Bound, Evaluator) throws -> Value) {
            ns[name] = .object(NativeFunction(name, signature, doc: doc, body))
        }
        func tuple(_ name: String, _ fields: [String], _ values: [Tensor]) -> Value {
            .object(NamedTupleObject(typeName: "torch.return_types.\(name)", fields: fields, values: values.map { .tensor($0) }))
        }
        def(linalg, "svd", "A, full_matrices=True, *, driver=None, out=None",
            "(U, S, Vh) with A = U diag(S) Vh, S descending; thin U and Vh when full_matrices=False.") { b, ev in
            let r = try b.tensor(0, "A").linalgSvd(fullMatrices: try b.bool(1, ev))
            return tuple("linalg_svd", ["U", "S", "Vh"], [r.u, r.s, r.vh])
        }
        def(linalg, "svdvals", "A, *, driver=None, out=None", "The singular values of A, descending.") { b, _ in
            .tensor(try b.tensor(0, "A").linalgSvd(computeVectors: false).s)
        }
        def(torch, "svd", "input, some=True, compute_uv=True, *, out=None",
            "(U, S, V) with input = U diag(S) Vᵀ (V, not Vh); zero U and V when compute_uv=False.") { b, ev in
            let a = try b.tensor(0, "input")
            guard try b.bool(2, ev) else {
                let s = try a.linalgSvd(computeVectors: false).s
                let m = a.shape[a.dim - 2], n = a.shape[a.dim - 1], batch = Array(a.shape.dropLast(2))
                return tuple("svd", ["U", "S", "V"], [try Tensor.zeros(batch + [m, m], dtype: a.dtype), s,
                                                      try Tensor.zeros(batch + [n, n], dtype: a.dtype)])
            }
            let r = try a.linalgSvd(fullMatrices: !(try b.bool(1, ev)))
            return tuple("svd", ["U", "S", "V"], [r.u, r.s, try r.vh.transposeLastTwo()])
        }
        func uplo(_ v: Value) throws -> Bool {
            let s = try v.asString("UPLO")
            guard s == "L" || s == "U" else { throw PyError(.runtimeError, "Expected UPLO argument to be 'L' or 'U', but got \(s)") }
            return s == "U"
        }
        def(linalg, "eigh", "A, UPLO='L', *, out=None",
            "(eigenvalues, eigenvectors) of symmetric A (its UPLO triangle): ascending values, vectors as columns.") { b, _ in
            let r = try b.tensor(0, "A").linalgEigh(upper: try uplo(b[1]))
            return tuple("linalg_eigh", ["eigenvalues", "eigenvectors"], [r.values, r.vectors])
        }
        def(linalg, "eigvalsh", "A, UPLO='L', *, out=None", "The eigenvalues of symmetric A, ascending.") { b, _ in
            .tensor(try b.tensor(0, "A").linalgEigh(upper: try uplo(b[1]), computeVectors: false).values)
        }
        def(linalg, "qr", "A, mode='reduced', *, out=None",
            "(Q, R) with A = QR, Q orthonormal columns, R upper triangular; mode 'reduced', 'complete' or 'r'.") { b, _ in
            let r = try b.tensor(0, "A").linalgQr(mode: try b[1].asString("mode"))
            return tuple("linalg_qr", ["Q", "R"], [r.q, r.r])
        }
        def(torch, "qr", "input, some=True, *, out=None", "(Q, R) with input = QR (reduced when some=True).") { b, ev in
            let r = try b.tensor(0, "input").linalgQr(mode: try b.bool(1, ev) ? "reduced" : "complete")
            return tuple("qr", ["Q", "R"], [r.q, r.r])
        }
        def(linalg, "cholesky", "A, *, upper=False, out=None", "L lower triangular with A = L Lᵀ (U = Lᵀ when upper=True).") { b, ev in
            .tensor(try b.tensor(0, "A").linalgCholesky(upper: try b.bool(1, ev)))
        }
        def(torch, "cholesky", "input, upper=False, *, out=None", "Removed from PyTorch: use torch.linalg.cholesky.") { _, _ in
            throw PyError(.runtimeError, """
                This function was deprecated since version 1.9 and is now removed. `torch.cholesky` is deprecated in favor of `torch.linalg.cholesky`.
                L = torch.cholesky(A) should be replaced with:
                L = torch.linalg.cholesky(A)
                U = torch.cholesky(A, upper=True) should be replaced with:
                U = torch.linalg.cholesky(A).mH
                """)
        }
        def(linalg, "pinv", "A, *, atol=None, rtol=None, hermitian=False, out=None",
            "The Moore-Penrose pseudo-inverse (singular values at or below max(atol, rtol·σ_max) dropped).") { b, ev in
            .tensor(try b.tensor(0, "A").linalgPinv(atol: try b.optionalDouble(1, "atol"), rtol: try b.optionalDouble(2, "rtol"),
                                                    hermitian: try b.bool(3, ev)))
        }
        def(torch, "pinverse", "input, rcond=1e-15", "The pseudo-inverse, singular values at or below rcond·σ_max dropped.") { b, _ in
            .tensor(try b.tensor(0, "input").linalgPinv(rtol: try b.double(1, "rcond")))
        }
        def(linalg, "matrix_rank", "A, *, atol=None, rtol=None, hermitian=False, out=None",
            "The number of singular values above max(atol, rtol·σ_max).") { b, ev in
            .tensor(try b.tensor(0, "A").linalgMatrixRank(atol: try b.optionalDouble(1, "atol"), rtol: try b.optionalDouble(2, "rtol"),
                                                          hermitian: try b.bool(3, ev)))
        }
        def(linalg, "lstsq", "A, B, rcond=None, *, driver=None",
            "(solution, residuals, rank, singular_values): the least-squares solution of A X = B.") { b, _ in
            let driver = b[3].isNone ? "gelsy" : try b[3].asString("driver")
            guard ["gels", "gelsy", "gelsd", "gelss"].contains(driver) else {
                throw PyError(.runtimeError, "torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
            }
            let r = try Tensor.linalgLstsq(try b.tensor(0, "A"), try b.tensor(1, "B"), rcond: try b.optionalDouble(2, "rcond"),
                                           withSingularValues: driver == "gelsd" || driver == "gelss")
            let rank = driver == "gels" ? try Tensor(shape: [0], dtype: .int64) : r.rank
            return tuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"], [r.solution, r.residuals, rank, r.singularValues])
        }
        let slogdet: (Bound, Evaluator) throws -> Value = { b, _ in
            let r = try b.tensor(0, "A").linalgSlogdet()
            return tuple("linalg_slogdet", ["sign", "logabsdet"], [r.sign, r.logabsdet])
        }
        def(linalg, "slogdet", "A, *, out=None", "(sign, logabsdet): the determinant's sign and log of its absolute value.", slogdet)
        def(torch, "slogdet", "A, *, out=None", "(sign, logabsdet): the determinant's sign and log of its absolute value.") { b, ev in
            let r = try b.tensor(0, "A").linalgSlogdet()
            return tuple("slogdet", ["sign", "logabsdet"], [r.sign, r.logabsdet])
        }
        def(torch, "logdet", "input", "log(det(input)): nan for a negative determinant.") { b, _ in
            let r = try b.tensor(0, "input").linalgSlogdet()
            return .tensor(try Tensor.where(try r.sign.lt(.int(0)), .double(.nan), r.logabsdet))
        }
        let power: (Bound, Evaluator) throws -> Value = { b, _ in .tensor(try b.tensor(0, "A").matrixPower(try b.int(1, "n"))) }
        def(linalg, "matrix_power", "A, n, *, out=None", "A to the integer power n (the inverse's powers for n < 0).", power)
        def(torch, "matrix_power", "A, n", "A to the integer power n (the inverse's powers for n < 0).", power)
        def(linalg, "cross", "input, other, *, dim=-1, out=None", "The cross product of 3-vectors along dim.") { b, _ in
            .tensor(try Tensor.cross(try b.tensor(0, "input"), try b.tensor(1, "other"), dim: try b.int(2, "dim")))
        }
        def(torch, "cross", "input, other, dim=None, *, out=None",
            "The cross product of 3-vectors along dim (the first dim of size 3 when dim is None).") { b, _ in
            let a = try b.tensor(0, "input"), o = try b.tensor(1, "other")
            if let d = try b.optionalInt(2, "dim") { return .tensor(try Tensor.cross(a, o, dim: d)) }
            NNWarnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to agree with that of linalg.cross in a future release. (Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/Cross.cpp:61.)")
            guard let d = a.shape.firstIndex(of: 3) else {
                throw PyError(.runtimeError, "no dimension of size 3 in input")
            }
            return .tensor(try Tensor.cross(a, o, dim: d))
        }
        def(linalg, "multi_dot", "tensors, *, out=None", "The product of a chain of matrices (1-D ends as row/column vectors).") { b, ev in
            let ts = try ev.iterate(b[0]).map { try $0.asTensor("tensors") }
            guard ts.count >= 2 else {
                throw PyError(.runtimeError, "multi_dot(): expected at least 2 tensors but got \(ts.count)")
            }
            return .tensor(try ts.dropFirst().reduce(ts[0]) { try $0.matmul($1) })
        }
        def(linalg, "vecdot", "x, y, *, dim=-1, out=None", "The dot product of vectors along dim.") { b, _ in
            .tensor(try b.tensor(0, "x").mul(try b.tensor(1, "y")).sum(dims: [try b.int(2, "dim")]))
        }
    }
}
