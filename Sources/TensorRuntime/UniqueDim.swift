/// `unique(dim=d)`: the distinct slices along `d`, as PyTorch's `_unique_dim_cpu_template`:
/// the input is moved so `d` comes first and each slice flattened to a row, the rows sorted
/// lexicographically, equal neighbours merged; the result is moved back (so `d` has one entry
/// per distinct slice). Also each slice's position among them (`inverse`) and the counts.
/// Records no gradient, as PyTorch's.
extension Tensor {
    public func unique(dim d: Int) throws -> (values: Tensor, inverse: Tensor, counts: Tensor) {
        let nd = try normalizeDim(d)
        guard dim > 0 else { throw TorchError.index("Dimension out of range (expected to be in range of [-1, 0], but got \(d))") }
        var order = Array(0..<dim)
        order.remove(at: nd)
        order.insert(nd, at: 0)
        let moved = try GradMode.withNoGrad { try self.permute(order).contiguous() }
        let rows = shape[nd], width = rows == 0 ? 0 : moved.numel / rows
        let keys = moved.toScalars()
        func less(_ a: Int, _ b: Int) -> Bool {
            for i in 0..<width {
                let l = keys[a * width + i], r = keys[b * width + i]
                if case .int(let x) = l, case .int(let y) = r {
                    if x != y { return x < y }
                } else if l.doubleValue != r.doubleValue {
                    return l.doubleValue < r.doubleValue
                }
            }
            return false
        }
        let sorted = (0..<rows).sorted(by: less)
        var firsts: [Int] = [], counts: [Int64] = [], inverse = [Int64](repeating: 0, count: rows)
        for (k, row) in sorted.enumerated() {
            if k == 0 || less(sorted[k - 1], row) {
                firsts.append(row)
                counts.append(0)
            }
            counts[counts.count - 1] += 1
            inverse[row] = Int64(firsts.count - 1)
        }
        let picked = try GradMode.withNoGrad {
            try moved.indexSelect(dim: 0, index: try Tensor(doubles: firsts.map(Double.init), shape: [firsts.count], dtype: .int64))
        }
        var back = [Int](repeating: 0, count: dim)
        for (i, o) in order.enumerated() { back[o] = i }
        return (try picked.permute(back),
                try Tensor(doubles: inverse.map(Double.init), shape: [rows], dtype: .int64),
                try Tensor(doubles: counts.map(Double.init), shape: [counts.count], dtype: .int64))
    }
}
