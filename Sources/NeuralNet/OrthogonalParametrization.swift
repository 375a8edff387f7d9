import Foundation
import TensorRuntime

/// `torch.nn.utils.parametrizations.orthogonal`'s module `_Orthogonal` (real tensors, PyTorch's
/// default `use_trivialization=True`): `forward(X)` maps the unconstrained `X` (a matrix or a
/// batch of them, `…, n, k`) to one with orthonormal columns (rows when n < k) by
/// `matrix_exp` or `cayley` of the skew-symmetric part of `tril(X)`, or by Householder
/// reflectors from `tril(X, -1)`; the result is multiplied by the buffer `base`.
/// `right_inverse(W)` stores W made orthogonal (the QR factor with a positive R diagonal,
/// after appending N(0, 1) columns when W is not square) in `base` and returns −Id, which
/// every map sends to the identity — so the weight starts as `base`.
public final class OrthogonalParametrization: Module, RightInvertible {
    /// `_OrthMaps`.
    public enum Map: String { case matrixExp = "matrix_exp", cayley, householder }
    public let map: Map
    public let shape: [Int]

    /// `use_trivialization=False` (matrix_exp and cayley only here): no `base` buffer, forward is
    /// the map alone, and assigning to the weight is PyTorch's NotImplementedError (registering
    /// keeps the tensor as the unconstrained `original`, as PyTorch's registration does).
    public init(weight: Tensor, map: Map, useTrivialization: Bool = true) throws {
        self.map = map
        shape = weight.shape
        super.init()
        if useTrivialization { try registerBuffer("base", nil) }
    }

    override public var typeName: String { "_Orthogonal" }
    override public var pythonModuleName: String { "torch.nn.utils.parametrizations" }

    override public func forward(_ input: Tensor) throws -> Tensor {
        let transposed = input.shape[input.dim - 2] < input.shape[input.dim - 1]
        let x = transposed ? try input.transpose(-2, -1) : input
        let n = x.shape[x.dim - 2], k = x.shape[x.dim - 1]
        var q: Tensor
        switch map {
        case .matrixExp, .cayley:
            var lower = try x.tril()
            if n != k {
                let zeros = try Tensor.zeros(Array(lower.shape.dropLast()) + [n - k], dtype: x.dtype)
                lower = try Tensor.cat([lower, zeros], dim: -1)
            }
            let a = try lower.sub(try lower.transpose(-2, -1))
            if map == .matrixExp {
                q = try Self.matrixExp(a)
            } else {
                let id = try Tensor.eye(n: n, dtype: a.dtype)
                q = try Tensor.linalgSolve(try id.sub(try a.mul(.double(0.5))), try id.add(try a.mul(.double(0.5))))
            }
            if n != k { q = try q.narrow(dim: q.dim - 1, start: 0, length: k) }
        case .householder:
            let a = try x.tril(diagonal: -1)
            let tau = try a.mul(a).sum(dims: [a.dim - 2]).add(.int(1)).reciprocal().mul(.int(2))
            q = try Self.householderProduct(a, tau)
            let signs = try GradMode.withNoGrad { try x.diagonal(offset: 0, dim1: -2, dim2: -1).converted(to: .int32).unsqueeze(-2) }
            q = try q.mul(signs)
        }
        if let base = buffer("base") { q = try base.matmul(q) }
        return transposed ? try q.transpose(-2, -1) : q
    }

    public func rightInverse(_ value: Tensor) throws -> RightInverseResult {
        guard value.shape == shape else {
            throw TorchError.value("Expected a matrix or batch of matrices of shape \(sizeRepr(shape)). Got a tensor of shape \(sizeRepr(value.shape)).")
        }
        guard ownBuffers.contains("base") else {
            throw TorchError(.notImplementedError, "It is not possible to assign to the matrix exponential or the Cayley parametrizations when use_trivialization=False.")
        }
        try GradMode.withNoGrad {
            let transposed = value.shape[value.dim - 2] < value.shape[value.dim - 1]
            var q = transposed ? try value.transpose(-2, -1) : value
            let n = q.shape[q.dim - 2], k = q.shape[q.dim - 1]
            if n == k {
                q = try Self.isOrthogonal(q) ? try q.cloned() : try Self.madeOrthogonal(q)
            } else {
                let extra = try Tensor.randn(Array(q.shape.dropLast(2)) + [n, n - k], dtype: q.dtype)
                q = try Self.madeOrthogonal(try Tensor.cat([q, extra], dim: -1))
            }
            try registerBuffer("base", q)
        }
        let negativeIdentity = try Tensor.zerosLike(value)
        try GradMode.withNoGrad { _ = try negativeIdentity.diagonal(offset: 0, dim1: -2, dim2: -1).fillInPlace(.int(-1)) }
        return .tensor(negativeIdentity)
    }

    /// `_is_orthogonal`: QᵀQ ≈ I within 10·n·eps.
    private static func isOrthogonal(_ q: Tensor) throws -> Bool {
        let n = q.shape[q.dim - 2], k = q.shape[q.dim - 1]
        let eps = q.dtype == .float64 ? Double.ulpOfOne : Double(Float.ulpOfOne)
        return try q.transpose(-2, -1).matmul(q).allclose(try Tensor.eye(n: k, dtype: q.dtype), atol: 10 * Double(n) * eps)
    }

    /// `_make_orthogonal`: the Q of A = QR scaled so that R's diagonal is positive (unique).
    private static func madeOrthogonal(_ a: Tensor) throws -> Tensor {
        let (q, r) = try a.linalgQr()
        return try q.mul(try r.diagonal(offset: 0, dim1: -2, dim2: -1).sgn().unsqueeze(-2))
    }

    /// `linalg.householder_product(A, tau)` in recorded ops: the first k columns of
    /// H₁⋯H_k, H_i = I − τ_i·v_i·v_iᵀ, with v_i column i of A below the diagonal and 1 on it.
    private static func householderProduct(_ a: Tensor, _ tau: Tensor) throws -> Tensor {
        let n = a.shape[a.dim - 2], k = a.shape[a.dim - 1]
        let eye = try Tensor.eye(n: n, m: k, dtype: a.dtype)
        var m = try eye.expand(a.shape)
        for i in stride(from: k - 1, through: 0, by: -1) {
            let v = try a.narrow(dim: a.dim - 1, start: i, length: 1).add(try eye.narrow(dim: 1, start: i, length: 1))
            let t = try tau.narrow(dim: tau.dim - 1, start: i, length: 1).unsqueeze(-1)
            m = try m.sub(try v.mul(t).matmul(try v.transpose(-2, -1).matmul(m)))
        }
        return m
    }

    /// exp(A) in recorded ops: scaling and squaring over an 18-term Taylor series.
    private static func matrixExp(_ a: Tensor) throws -> Tensor {
        let norm = try GradMode.withNoGrad { try a.abs().sum(dims: [a.dim - 2]).max().item().doubleValue }
        let squarings = norm > 0.5 ? Int((Foundation.log2(norm / 0.5)).rounded(.up)) : 0
        let scaled = try a.div(.double(Foundation.pow(2, Double(squarings))))
        let n = a.shape[a.dim - 1]
        var term = try Tensor.eye(n: n, dtype: a.dtype).expand(a.shape)
        var sum = term
        for j in 1...18 {
            term = try term.matmul(scaled).div(.double(Double(j)))
            sum = try sum.add(term)
        }
        for _ in 0..<squarings { sum = try sum.matmul(sum) }
        return sum
    }
}
