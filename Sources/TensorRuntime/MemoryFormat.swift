/// `torch.memory_format`: the order a 4-d (channels_last) or 5-d (channels_last_3d) tensor keeps
/// its elements in. nnrepl makes and recognises these strides (`contiguous`, `clone`, `to` and
/// `is_contiguous` with `memory_format=`), and the ops PyTorch keeps the layout through give
/// their results the layout of their input (`adoptLayout`): elementwise ops, convolutions,
/// batch norm, pooling, upsampling, `cat` and the `*_like` factories. Other ops give row-major
/// results whatever the layout of their inputs.
public enum MemoryFormat: String, CaseIterable {
    case contiguousFormat = "contiguous_format"
    case channelsLast = "channels_last"
    case channelsLast3d = "channels_last_3d"
    case preserveFormat = "preserve_format"

    /// The dims from the fastest-varying to the slowest (channels first, then width, height …).
    fileprivate func dimOrder(rank: Int) -> [Int]? {
        switch self {
        case .channelsLast where rank == 4: return [1, 3, 2, 0]
        case .channelsLast3d where rank == 5: return [1, 4, 3, 2, 0]
        default: return nil
        }
    }

    /// PyTorch's check that the format suits a tensor of `rank` dims.
    fileprivate func checkRank(_ rank: Int) throws {
        switch self {
        case .channelsLast where rank != 4: throw TorchError.runtime("required rank 4 tensor to use channels_last format")
        case .channelsLast3d where rank != 5: throw TorchError.runtime("required rank 5 tensor to use channels_last_3d format")
        default: break
        }
    }
}

extension Tensor {
    /// `is_contiguous(memory_format=)`: the strides are those of `format`, size-1 dims ignored
    /// (c10's `is_channels_last_strides` contiguity rule).
    public func isContiguous(_ format: MemoryFormat) -> Bool {
        if format == .contiguousFormat || format == .preserveFormat { return isContiguous }
        guard let order = format.dimOrder(rank: dim) else { return false }
        var expected = 1
        for d in order where shape[d] != 1 {
            if strides[d] != expected { return false }
            expected *= shape[d]
        }
        return true
    }

    /// `contiguous(memory_format=)`: self when already laid out so, else `cloned(format)`.
    public func contiguous(_ format: MemoryFormat) throws -> Tensor {
        if isContiguous(format) { return self }
        if format == .preserveFormat { throw TorchError.runtime("preserve memory format is unsupported by the contiguous operator") }
        return try cloned(format)
    }

    /// The format `preserve_format` keeps: channels_last(_3d) for a tensor laid out so (and not
    /// also row-major), else contiguous_format (PyTorch's `suggest_memory_format`, simplified).
    public var suggestedMemoryFormat: MemoryFormat {
        if isContiguous { return .contiguousFormat }
        return [MemoryFormat.channelsLast, .channelsLast3d].first { $0.dimOrder(rank: dim) != nil && isContiguous($0) } ?? .contiguousFormat
    }

    /// `clone(memory_format=)` (and `to(memory_format=)` with `gradName` ToCopyBackward0): a copy
    /// with `format`'s strides (preserve_format: `suggestedMemoryFormat`'s).
    public func cloned(_ format: MemoryFormat, gradName: String = "CloneBackward0") throws -> Tensor {
        let format = format == .preserveFormat ? suggestedMemoryFormat : format
        try format.checkRank(dim)
        let out = try copiedUngraphed(format)
        return out.recordingGrad(gradName, inputs: [self], savesTensors: false) { g in [g] }
    }

    /// The strides of `format` (a rank it suits, or contiguous_format) for this tensor's shape.
    private func strides(of format: MemoryFormat) -> [Int] {
        let order = format.dimOrder(rank: dim) ?? Array((0..<dim).reversed())
        var layout = [Int](repeating: 1, count: dim), step = 1
        for d in order {
            layout[d] = step
            step *= Swift.max(shape[d], 1)
        }
        return layout
    }

    /// A copy with `format`'s strides (a rank it suits, or contiguous_format), recording no graph.
    private func copiedUngraphed(_ format: MemoryFormat) throws -> Tensor {
        let out = Tensor(storage: try Storage(count: numel, dtype: dtype, zeroed: false), shape: shape, strides: strides(of: format))
        try copyElements(from: self, to: out)
        return out
    }

    /// A fresh row-major factory result (`zeros_like`, `randn_like` …) laid out like `source`:
    /// the same buffer read with `source`'s channels_last(_3d) strides, so values fill memory in
    /// order as PyTorch's factories fill them. Self when `source` is row-major or not of its shape.
    public func filledInLayout(of source: Tensor) -> Tensor {
        guard dim >= 4, shape == source.shape, isContiguous, !source.isContiguous else { return self }
        let format = source.suggestedMemoryFormat
        guard format != .contiguousFormat else { return self }
        return Tensor(storage: storage, shape: shape, strides: strides(of: format), storageOffset: storageOffset)
    }

    /// Gives a fresh op result (row-major, shared with nothing yet) the layout PyTorch gives it:
    /// channels_last(_3d) when the first of `a`, `b` with the result's shape is laid out so
    /// (TensorIterator follows its first full-size operand). The elements move to a new buffer with
    /// that format's strides; results below rank 4 pay one comparison.
    @inline(__always)
    public func adoptLayout(of a: Tensor, _ b: Tensor) throws {
        guard dim >= 4 else { return }
        if a.shape == shape { try adoptLayout(following: a) } else if b.shape == shape { try adoptLayout(following: b) }
    }

    /// `adoptLayout` for results that follow one input (elementwise ops of one operand, and
    /// convolutions, norms, pools and upsampling, whose result shape differs): channels_last(_3d)
    /// when `source`, of the same rank, is laid out so.
    @inline(__always)
    public func adoptLayout(following source: Tensor) throws {
        guard dim >= 4, dim == source.dim else { return }
        try moveToLayout(of: source)
    }

    private func moveToLayout(of source: Tensor) throws {
        guard isContiguous, !source.isContiguous else { return }
        let format = source.suggestedMemoryFormat
        guard format != .contiguousFormat else { return }
        let moved = try copiedUngraphed(format)
        storage = moved.storage
        strides = moved.strides
        storageOffset = 0
    }
}
