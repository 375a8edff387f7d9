/// `F.pad` with `mode='reflect'`, `'replicate'` or `'circular'`: each output element copies the
/// input element its index maps to along the padded (last 1-3) dims; the backward adds the
/// output gradient back at those indices.
public enum PaddingMode: String {
    case reflect, replicate, circular

    /// The input index output index `o` reads along a dim of `size` padded by `before`.
    func source(_ o: Int, before: Int, size: Int) -> Int {
        let i = o - before
        switch self {
        case .reflect:
            if i < 0 { return -i }
            return i >= size ? 2 * (size - 1) - i : i
        case .replicate: return Swift.min(Swift.max(i, 0), size - 1)
        case .circular: return ((i % size) + size) % size
        }
    }
}

extension Tensor {
    /// ATen's reflection_pad / replication_pad checks: planes not empty (a batch may be), for
    /// reflect each pad smaller than its dim (the last dim first), then every output size ≥ 1.
    private func checkReflectOrReplicatePad(_ pairs: [(dim: Int, before: Int, after: Int)], padded: Int, reflect: Bool) throws {
        guard !shape.dropFirst(dim == padded + 2 ? 1 : 0).contains(0) else {
            throw TorchError.runtime("Expected \(padded + 1)D or \(padded + 2)D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: \(shapeDescription(shape))")
        }
        for (i, (d, b, a)) in pairs.enumerated() where reflect && (b >= shape[d] || a >= shape[d]) {
            throw TorchError.runtime("Argument #\(4 + 2 * i): Padding size should be less than the corresponding input dimension, but got: padding (\(b), \(a)) at dimension \(d) of input \(shapeDescription(shape))")
        }
        let axes = Array(["D", "H", "W"].suffix(padded))
        let sizes = pairs.reversed().map { shape[$0.dim] }, outs = pairs.reversed().map { shape[$0.dim] + $0.before + $0.after }
        guard outs.allSatisfy({ $0 >= 1 }) else {
            if padded == 1 { throw TorchError.runtime("input (W: \(sizes[0])) is too small. Calculated output W: \(outs[0])") }
            let labelled = { (v: [Int], sep: String) in zip(axes, v).map { "\($0): \($1)" }.joined(separator: sep) }
            throw TorchError.runtime("Calculated output \(labelled(outs, " ")) must be >= 1 in every dimension (input \(labelled(sizes, ", ")))")
        }
    }

    /// `F.pad(self, pad, mode)` for the non-constant modes, with PyTorch's checks (ReflectionPad2DBackward0, …).
    public func modePad(_ pad: [Int], mode: PaddingMode) throws -> Tensor {
        let padded = pad.count / 2
        guard pad.count % 2 == 0 else { throw TorchError.runtime("Padding length must be divisible by 2") }
        guard (1...3).contains(padded), dim == padded + 1 || dim == padded + 2 else {
            throw TorchError(.notImplementedError, """
                Padding size \(pad.count) is not supported for \(dim)D input tensor.
                Supported combinations for non-constant padding:
                  - 2D or 3D input: padding size = 2 (pads last dimension)
                  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)
                  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)
                """)
        }
        guard pad.allSatisfy({ Swift.abs($0) < 1 << 40 }) else { throw TorchError.runtime("\(mode.rawValue)_pad: padding is too large") }
        let lead = dim - padded
        // Pairs in F.pad's order, the last dim first: (dim, before, after).
        let pairs = (0..<padded).map { i in (dim - 1 - i, pad[2 * i], pad[2 * i + 1]) }
        if mode == .circular {
            for (d, b, a) in pairs.reversed() {
                guard b <= shape[d] && a <= shape[d] else { throw TorchError.runtime("Padding value causes wrapping around more than once.") }
                guard shape[d] + b + a >= 0 else { throw TorchError.runtime("Negative padding value is resulting in an empty dimension") }
            }
        } else {
            try checkReflectOrReplicatePad(pairs, padded: padded, reflect: mode == .reflect)
        }
        var inSize = [Int](), outSize = [Int](), before = [Int]()
        for (d, b, a) in pairs.reversed() {
            inSize.append(shape[d]); outSize.append(shape[d] + b + a); before.append(b)
        }
        let outShape = Array(shape.prefix(lead)) + outSize
        _ = try checkedElementCount(outShape)
        // Flat in-plane source offset of every output element of a plane.
        var sources = [0]
        for j in 0..<padded {
            let map = (0..<outSize[j]).map { mode.source($0, before: before[j], size: inSize[j]) }
            sources = sources.flatMap { base in map.map { base * inSize[j] + $0 } }
        }
        let planes = shape.prefix(lead).reduce(1, *), inPlane = inSize.reduce(1, *)
        let xd = try dense()
        let out = try Tensor(shape: outShape, dtype: dtype, zeroed: false)
        func gather<T: TensorElement>(_: T.Type) {
            let xp = xd.elements(T.self), op = out.elements(T.self)
            for p in 0..<planes { for (o, s) in sources.enumerated() { op[p * sources.count + o] = xp[p * inPlane + s] } }
        }
        switch dtype {
        case .float32: gather(Float.self)
        case .float64: gather(Double.self)
        case .int64: gather(Int64.self)
        case .bool: gather(Bool.self)
        case .int32: gather(Int32.self)
        case .int16, .float16, .bfloat16: gather(Int16.self)   // a gather only moves 2-byte patterns
        case .int8, .uint8: gather(Int8.self)
        }
        guard GradMode.isEnabled && requiresGrad else { return out }
        let name = mode == .circular ? "CopySlices" : "\(mode == .reflect ? "Reflection" : "Replication")Pad\(padded)DBackward0"
        let xShape = shape, dt = dtype
        return out.recordingGrad(name, inputs: [self], savesTensors: false) { g in
            let gd = try g.dense()
            let gx = try Tensor(shape: xShape, dtype: dt, zeroed: true)
            func scatter<T: KernelFloat>(_: T.Type) {
                let gp = gd.elements(T.self), xp = gx.elements(T.self)
                for p in 0..<planes { for (o, s) in sources.enumerated() { xp[p * inPlane + s] += gp[p * sources.count + o] } }
            }
            if dt == .float32 { scatter(Float.self) } else { scatter(Double.self) }
            return [gx.recordedAsAdjoint(of: g, opName: name) { u in try u.modePad(pad, mode: mode) }]
        }
    }
}
