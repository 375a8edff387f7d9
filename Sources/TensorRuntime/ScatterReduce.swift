/// `scatter_reduce(dim, index, src, reduce, include_self=True)`: src's values combined into self at
/// index along dim by sum, prod, mean, amax or amin (ScatterReduceBackward0, ATen's formulas).
/// Computed in double (int64 values past 2^53 lose precision).
extension Tensor {
    /// The reductions scatter_reduce takes (`max`/`min` are accepted for `amax`/`amin`, as PyTorch).
    public enum ScatterReduction: String { case sum, prod, mean, amax, amin }

    /// `gradName` names the node (`IndexReduceBackward0` for index_reduce, which runs as a scatter).
    public func scatterReduce(dim d: Int, index: Tensor, src: Tensor, reduce: ScatterReduction, includeSelf: Bool,
                              gradName: String = "ScatterReduceBackward0") throws -> Tensor {
        let nd = try normalizeDim(d)
        guard index.dtype == .int64 else { throw TorchError.runtime("scatter(): Expected dtype int64 for index") }
        guard src.dtype == dtype else { throw TorchError.runtime("scatter(): Expected self.dtype to be equal to src.dtype") }
        let rank = Swift.max(dim, 1)
        guard Swift.max(index.dim, 1) == rank, Swift.max(src.dim, 1) == rank else {
            throw TorchError.runtime("Index tensor must have the same number of dimensions as self tensor")
        }
        let selfShape = dim == 0 ? [1] : shape, srcShape = src.dim == 0 ? [1] : src.shape, indexShape = index.dim == 0 ? [1] : index.shape
        for i in 0..<rank where indexShape[i] > srcShape[i] || (i != nd && indexShape[i] > selfShape[i]) {
            throw TorchError.runtime("Expected index \(shapeDescription(index.shape)) to be no larger than self \(shapeDescription(shape)) apart from dimension \(nd) and to be no larger size than src \(shapeDescription(src.shape))")
        }
        var out = toDoubles(), counts = [Double](repeating: includeSelf ? 1 : 0, count: out.count)
        var touched = [Double](repeating: 0, count: out.count)
        let sources = src.toDoubles(), positions = index.toDoubles()
        let selfStrides = Tensor.contiguousStrides(selfShape), srcStrides = Tensor.contiguousStrides(srcShape)
        var at = [Int](repeating: 0, count: rank)
        for p in positions {
            guard p >= 0, p < Double(selfShape[nd]) else {
                throw TorchError.runtime("index \(Int(p)) is out of bounds for dimension \(nd) with size \(selfShape[nd])")
            }
            var target = 0, from = 0
            for k in 0..<rank {
                target += (k == nd ? Int(p) : at[k]) * selfStrides[k]
                from += at[k] * srcStrides[k]
            }
            let v = sources[from]
            if touched[target] == 0 && !includeSelf { out[target] = v } else {
                switch reduce {
                case .sum, .mean: out[target] += v
                case .prod: out[target] *= v
                case .amax: out[target] = out[target].isNaN || v.isNaN ? .nan : Swift.max(out[target], v)
                case .amin: out[target] = out[target].isNaN || v.isNaN ? .nan : Swift.min(out[target], v)
                }
            }
            touched[target] = 1
            counts[target] += 1
            for k in stride(from: rank - 1, through: 0, by: -1) {   // the next index position, row-major
                at[k] += 1
                if at[k] < indexShape[k] { break }
                at[k] = 0
            }
        }
        if reduce == .mean {
            for i in out.indices where counts[i] > 0 {
                out[i] = dtype.isFloatingPoint ? out[i] / counts[i] : (out[i] / counts[i]).rounded(.down)
            }
        }
        let result = try Tensor(doubles: out, shape: shape, dtype: dtype)
        guard GradMode.isEnabled && (requiresGrad || src.requiresGrad) else { return result }
        let scattered = try Tensor(doubles: touched, shape: shape, dtype: .bool)
        let count = try Tensor(doubles: counts.map { Swift.max($0, 1) }, shape: shape, dtype: dtype)
        let input = detached(), output = result.detached()
        let sourceShape = src.shape
        // The part of src that index reaches (src may be larger).
        let source = try index.shape.indices.reduce(src.detached()) { v, k in try v.narrow(dim: k, start: 0, length: index.shape[k]) }
        return result.recordingGrad(gradName, inputs: [self, src]) { g in
            var gSelf: Tensor, gSrc: Tensor
            switch reduce {
            case .sum:
                gSelf = g; gSrc = try g.gather(dim: nd, index: index)
            case .mean:
                gSelf = try g.div(count); gSrc = try gSelf.gather(dim: nd, index: index)
            case .prod:
                guard !input.toDoubles().contains(0), !source.toDoubles().contains(0) else {
                    throw TorchError(.notImplementedError, "scatter_reduce(reduce='prod') backward with zeros in the input is not supported by nnrepl")
                }
                let scaled = try g.mul(output)
                gSelf = try scaled.div(input); gSrc = try scaled.gather(dim: nd, index: index).div(source)
            case .amax, .amin:
                let selfIsResult = try input.eq(output).cast(g.dtype)
                let srcIsResult = try source.eq(output.gather(dim: nd, index: index)).cast(g.dtype)
                let shared = try g.div(try selfIsResult.scatterAdd(dim: nd, index: index, src: srcIsResult))
                gSelf = try selfIsResult.mul(shared); gSrc = try srcIsResult.mul(shared.gather(dim: nd, index: index))
            }
            if !includeSelf { gSelf = try gSelf.maskedFill(scattered, .int(0)) }
            if gSrc.shape != sourceShape {   // src positions past index's extent get no gradient
                let part = gSrc
                gSrc = try Tensor.embed(part, into: sourceShape, dtype: g.dtype, viewName: "SliceBackward0") { z in
                    try part.shape.indices.reduce(z) { v, k in try v.narrow(dim: k, start: 0, length: part.shape[k]) }
                }
            }
            return [gSelf, gSrc]
        }
    }
}
