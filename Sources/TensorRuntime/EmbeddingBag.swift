extension Functional {
    /// How `embedding_bag` reduces each bag.
    public enum BagMode: String, Sendable { case sum, mean, max }

    /// `F.embedding_bag(input, weight, offsets, mode, per_sample_weights, include_last_offset,
    /// padding_idx)`: each bag of indices (a row of a 2-D input, or a run of a 1-D input starting at
    /// each offset) becomes the sum, mean or elementwise max of its rows of `weight`; `padding_idx`
    /// entries are left out (an empty bag gives zeros). EmbeddingBagBackward0 scatters the
    /// gradient back into `weight` (and into `per_sample_weights` when it requires grad).
    public static func embeddingBag(_ input: Tensor, weight: Tensor, offsets: Tensor? = nil, mode: BagMode = .mean,
                                    perSampleWeights: Tensor? = nil, includeLastOffset: Bool = false,
                                    paddingIdx: Int? = nil) throws -> Tensor {
        guard weight.dim == 2 else { throw TorchError.runtime("'weight' must be 2-D") }
        guard input.dtype == .int64 else {
            throw TorchError.runtime("Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got \(input.dtype.legacyTypeName) instead (while checking arguments for embedding_bag)")
        }
        if perSampleWeights != nil && mode != .sum {
            throw TorchError(.notImplementedError, "embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' (got mode='\(mode.rawValue)'). Please open a feature request on GitHub.")
        }
        let rows = weight.shape[0], d = weight.shape[1]
        let indices = input.toScalars().map { Int($0.doubleValue) }
        for i in indices where i < 0 || i >= rows { throw TorchError.index("index out of range in self") }
        // Bag b covers indices[starts[b] ..< ends[b]].
        var starts: [Int], ends: [Int]
        if input.dim == 2 {
            let (b, n) = (input.shape[0], input.shape[1])
            starts = (0..<b).map { $0 * n }
            ends = starts.map { $0 + n }
        } else {
            guard input.dim == 1 else { throw TorchError.value("input has to be 1D or 2D Tensor, but got Tensor of dimension \(input.dim)") }
            guard let offsets, offsets.dim == 1 else { throw TorchError.value("offsets has to be a 1D Tensor but got None") }
            var o = offsets.toScalars().map { Int($0.doubleValue) }
            if let first = o.first, first != 0 {
                // ATen prints offsets[0], a 0-dim tensor, with its type line.
                throw TorchError.runtime("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. However, got \(first)\n[ torch.LongTensor{} ]")
            }
            if let last = o.last, last > indices.count {
                throw TorchError.runtime("offsets[-1] can not be greater than input's length \(indices.count) but got offsets[-1] of \(last)")
            }
            if !includeLastOffset { o.append(indices.count) }
            guard o.count >= 1 else { throw TorchError.runtime("include_last_offset: number of offset should be at least 1") }
            for i in 1..<o.count where o[i] < o[i - 1] || o[i] > indices.count {
                throw TorchError.runtime("offsets must be non-decreasing and at most the number of indices")
            }
            starts = Array(o.dropLast())
            ends = Array(o.dropFirst())
        }
        let pad = paddingIdx.map { $0 < 0 ? $0 + rows : $0 }
        if let psw = perSampleWeights, psw.shape != input.shape {
            throw TorchError.value("embedding_bag: If per_sample_weights (\(shapeDescription(psw.shape))) is not None, then it must have the same shape as the input (\(shapeDescription(input.shape)))")
        }
        let w = weight.toDoubles(), scales = perSampleWeights?.toDoubles()
        let bags = starts.count
        var out = [Double](repeating: 0, count: bags * d)
        var argmax = [Int](repeating: -1, count: mode == .max ? bags * d : 0)
        var counts = [Int](repeating: 0, count: bags)
        for b in 0..<bags {
            for p in starts[b]..<ends[b] where indices[p] != pad {
                let r = indices[p]
                counts[b] += 1
                for j in 0..<d {
                    let v = w[r * d + j] * (scales?[p] ?? 1)
                    if mode == .max {
                        if argmax[b * d + j] < 0 || v > out[b * d + j] { out[b * d + j] = v; argmax[b * d + j] = r }
                    } else {
                        out[b * d + j] += v
                    }
                }
            }
            if mode == .mean && counts[b] > 0 { for j in 0..<d { out[b * d + j] /= Double(counts[b]) } }
        }
        let result = try Tensor(doubles: out, shape: [bags, d], dtype: weight.dtype)
        var inputs = [weight]
        if let perSampleWeights { inputs.append(perSampleWeights) }
        let needW = weight.requiresGrad, needS = perSampleWeights?.requiresGrad ?? false
        let pswShape = perSampleWeights?.shape, pswType = perSampleWeights?.dtype
        return result.recordingGrad("EmbeddingBagBackward0", inputs: inputs) { g in
            let gv = g.toDoubles()
            var gw = [Double](repeating: 0, count: rows * d), gs = [Double](repeating: 0, count: indices.count)
            for b in 0..<bags {
                if mode == .max {
                    for j in 0..<d where argmax[b * d + j] >= 0 { gw[argmax[b * d + j] * d + j] += gv[b * d + j] }
                    continue
                }
                for p in starts[b]..<ends[b] where indices[p] != pad {
                    let r = indices[p]
                    let scale = mode == .mean ? 1 / Double(counts[b]) : (scales?[p] ?? 1)
                    for j in 0..<d {
                        gw[r * d + j] += gv[b * d + j] * scale
                        gs[p] += gv[b * d + j] * w[r * d + j]
                    }
                }
            }
            var grads: [Tensor?] = [needW ? try Tensor(doubles: gw, shape: weight.shape, dtype: weight.dtype) : nil]
            if let pswShape, let pswType { grads.append(needS ? try Tensor(doubles: gs, shape: pswShape, dtype: pswType) : nil) }
            return grads
        }
    }
}
