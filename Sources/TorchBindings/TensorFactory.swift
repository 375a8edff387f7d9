import NNLang
import TensorRuntime
import NeuralNet

/// `torch.tensor(data)`: builds a tensor from nested sequences (lists, tuples, ranges, deques …) of
/// numbers (or tensors).
enum TensorFactory {
    static func tensor(from data: Value, dtype: DType?, _ ev: Evaluator) throws -> Tensor {
        if case .tensor(let t) = data {
            return try (dtype.map { try t.converted(to: $0) } ?? t).detached().cloned()
        }
        var shape: [Int] = []
        var values: [Double] = []
        var kind = DType.bool
        var sawAny = false
        var leafDepth: Int?   // the depth of the numbers once one is seen
        func walk(_ v: Value, depth: Int) throws {
            if let items = try sequence(v, ev) {
                // PyTorch's MAX_DIMS: deeper nesting is refused before it is walked (or recursed into).
                guard depth < 128 else { throw PyError(.valueError, "too many dimensions '\(v.typeName)'") }
                if depth == shape.count {
                    // Scalars already stored at this depth: PyTorch fails converting the sequence to one.
                    if leafDepth != nil {
                        let float = (dtype ?? kind).isFloatingPoint
                        throw PyError(.typeError, float ? "must be real number, not \(v.typeName)" : "'\(v.typeName)' object cannot be interpreted as an integer")
                    }
                    shape.append(items.count)
                }
                else if depth > shape.count || shape[depth] != items.count {
                    throw PyError(.valueError, "expected sequence of length \(depth < shape.count ? shape[depth] : 0) at dim \(depth) (got \(items.count))")
                }
                for item in items { try walk(item, depth: depth + 1) }
                return
            }
            guard depth == shape.count else { throw PyError(.typeError, "not a sequence") }
            leafDepth = depth
            switch v {
            case .bool(let b): values.append(b ? 1 : 0)
            case .int(let i):
                try checkFits(Double(i), isInteger: true, dtype)
                values.append(Double(i)); if kind == .bool { kind = .int64 }
            case .float(let d):
                try checkFits(d, isInteger: false, dtype)
                values.append(d); kind = DType.defaultFloat
            case .tensor(let t) where t.numel == 1:
                values.append(try t.item().doubleValue)
                if t.dtype.rank > kind.rank { kind = t.dtype == .float64 ? .float32 : t.dtype }
            case .str:
                throw PyError(.typeError, "new(): invalid data type '\(v.typeName)'")
            default:
                throw PyError(.runtimeError, "Could not infer dtype of \(v.typeName)")
            }
            sawAny = true
        }
        try walk(data, depth: 0)
        if !sawAny && !shape.isEmpty { kind = DType.defaultFloat }
        return try Tensor(doubles: values, shape: shape, dtype: dtype ?? kind)
    }

    /// The items of `v` when PyTorch reads it as a sequence: a list, tuple or torch.Size, or any
    /// other object with a length that iterates (range, deque, a namedtuple); not a dict or set.
    private static func sequence(_ v: Value, _ ev: Evaluator) throws -> [Value]? {
        if let items = ev.sequenceItems(v) { return items }
        guard case .object(let o) = v else { return nil }
        if let size = o as? TorchSize { return size.dims.map { Value.int($0) } }
        switch ev.builtinKind(v) {
        case .dict?, .orderedDict?, .set?, .frozenset?: return nil
        default: break
        }
        guard try o.length(ev) != nil else { return nil }
        return try o.iterate(ev) ?? ev.iterate(v)
    }

    /// PyTorch's check on a Python number stored into a small integer dtype: a float must lie in
    /// the type's range, an int too (for uint8, within ±255: negative ints wrap).
    private static func checkFits(_ v: Double, isInteger: Bool, _ dtype: DType?) throws {
        guard let dtype, dtype.isReduced, !dtype.isFloatingPoint else { return }
        let half = Double(1 << (dtype.itemSize * 8 - 1))
        let (low, high): (Double, Double) = dtype == .uint8 ? (isInteger ? -255 : 0, 255) : (-half, half - 1)
        guard v >= low && v <= high else {
            throw PyError(.runtimeError, "value cannot be converted to type \(dtype.pythonName) without overflow")
        }
    }
}
