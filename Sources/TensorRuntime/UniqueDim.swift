/// `unique(dim=d)`: the distinct slices along `d`, as PyTorch's `_unique_dim_cpu_template`:
/// the input is moved so `d` comes first and each slice flattened to a row, the rows sorted
/// lexicographically, equal neighbours merged; the result is moved back (so `d` has one entry
/// per distinct slice). Also each slice's position among them (`inverse`) and the counts.
/// Records no gradient, as PyTorch's.
extension Tensor {
    public func unique(dim d: Int) throws -> (values: Tensor, inverse: Tensor, counts: Tensor) {
        let nd = try normalizeDim(d)
        guard dim > 0 else { throw TorchError.index("Dimension out of range (expected to be in range of [-1, 0], but got \(d))") }
        let slices = try SliceRows(self, nd)
        let sorted = (0..<slices.rows).sorted { slices.compare($0, $1) < 0 }
        let runs = SliceRows.runs(sorted) { slices.compare($0, $1) < 0 }
        return try slices.result(runs)
    }
}

/// The slices of a tensor along one dim as rows (the dim moved first, contiguous), for the
/// `dim=` forms of `unique` and `unique_consecutive`.
struct SliceRows {
    let moved: Tensor
    let rows: Int
    private let width: Int
    private let keys: [Scalar]
    private let back: [Int]

    init(_ t: Tensor, _ nd: Int) throws {
        var order = Array(0..<t.dim)
        order.remove(at: nd)
        order.insert(nd, at: 0)
        var back = [Int](repeating: 0, count: t.dim)
        for (i, o) in order.enumerated() { back[o] = i }
        self.back = back
        moved = try GradMode.withNoGrad { try t.permute(order).contiguous() }
        rows = t.shape[nd]
        width = rows == 0 ? 0 : moved.numel / rows
        keys = moved.toScalars()
    }

    /// Lexicographic comparison of rows `a` and `b`: negative, 0 (equal; NaNs never are) or positive.
    func compare(_ a: Int, _ b: Int) -> Int {
        for i in 0..<width {
            let l = keys[a * width + i], r = keys[b * width + i]
            if case .int(let x) = l, case .int(let y) = r {
                if x != y { return x < y ? -1 : 1 }
            } else if l.doubleValue != r.doubleValue {
                return l.doubleValue < r.doubleValue ? -1 : 1
            }
        }
        return 0
    }

    /// The runs of `order` (row numbers): `newRun(previous, row)` says where one starts. Gives
    /// each run's first row, its length, and each row's run number.
    static func runs(_ order: [Int], newRun: (Int, Int) -> Bool) -> (firsts: [Int], counts: [Int64], inverse: [Int64]) {
        var firsts: [Int] = [], counts: [Int64] = [], inverse = [Int64](repeating: 0, count: order.count)
        for (k, row) in order.enumerated() {
            if k == 0 || newRun(order[k - 1], row) {
                firsts.append(row)
                counts.append(0)
            }
            counts[counts.count - 1] += 1
            inverse[row] = Int64(firsts.count - 1)
        }
        return (firsts, counts, inverse)
    }

    /// The runs' first slices moved back into place, the run numbers and the counts.
    func result(_ runs: (firsts: [Int], counts: [Int64], inverse: [Int64])) throws -> (values: Tensor, inverse: Tensor, counts: Tensor) {
        let picked = try GradMode.withNoGrad {
            try moved.indexSelect(dim: 0, index: try Tensor(doubles: runs.firsts.map(Double.init), shape: [runs.firsts.count], dtype: .int64))
        }
        return (try GradMode.withNoGrad { try picked.permute(back) },
                try Tensor(doubles: runs.inverse.map(Double.init), shape: [rows], dtype: .int64),
                try Tensor(doubles: runs.counts.map(Double.init), shape: [runs.counts.count], dtype: .int64))
    }
}
