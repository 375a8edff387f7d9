import Foundation
import TensorRuntime

extension Init {
    /// `nn.init.sparse_(tensor, sparsity, std=0.01)`: normal(0, std) values, then in each column
    /// the rows at the first ceil(sparsity · rows) places of a fresh `randperm(rows)` zeroed
    /// (PyTorch's draws, in its order).
    public static func sparse_(_ t: Tensor, sparsity: Double, std: Double = 0.01) throws {
        guard t.dim == 2 else { throw TorchError.value("Only tensors with 2 dimensions are supported") }
        let rows = t.shape[0], columns = t.shape[1]
        let zeros = Int((sparsity * Double(rows)).rounded(.up))
        try GradMode.withNoGrad {
            try normal_(t, mean: 0, std: std)
            for c in 0..<columns {
                let order = try Tensor.randperm(rows).toDoubles()
                for r in order.prefix(Swift.max(0, zeros)) {
                    _ = try t.select(dim: 0, index: Int(r)).select(dim: 0, index: c).fillInPlace(.int(0))
                }
            }
        }
    }
}
