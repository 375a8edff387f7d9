import NNLang
import TensorRuntime

/// Triangles, diagonals and products of matrices, declared once each (see TensorOp).
extension TensorOpCatalog {
    static let matrix: [TensorOp] = [
        TensorOp("tril", "input, diagonal=0, *, out=None", "The lower triangle of the last two dims (column - row <= diagonal); the rest zeroed.",
                 [.function, .inPlace]) { t, b, _ in .tensor(try t.tril(diagonal: try b.int(0, "diagonal"))) },
        TensorOp("triu", "input, diagonal=0, *, out=None", "The upper triangle of the last two dims (column - row >= diagonal); the rest zeroed.",
                 [.function, .inPlace]) { t, b, _ in .tensor(try t.triu(diagonal: try b.int(0, "diagonal"))) },
        TensorOp("outer", "input, vec2, *, out=None", "The outer product of two 1-D tensors.", [.function], aliases: ["ger"]) { t, b, _ in
            let v = try b.tensor(0, "vec2")
            guard t.dim == 1, v.dim == 1 else {
                throw PyError(.runtimeError, "outer: Expected 1-D argument self, but got \(t.dim)-D")
            }
            return .tensor(try t.unsqueeze(1).mul(try v.unsqueeze(0)))
        },
    ]
}
