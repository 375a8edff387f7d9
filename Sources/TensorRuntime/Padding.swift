/// `F.pad` (constant mode: PyTorch's `constant_pad_nd`, ConstantPadNdBackward0).
extension Functional {
    /// `F.pad(input, pad, mode='constant', value=0)`: `pad` lists (before, after) pairs starting
    /// from the last dim; negative amounts crop. The other modes are PaddingModes.swift's.
    public static func pad(_ input: Tensor, _ pad: [Int], mode: String = "constant", value: Scalar = .int(0)) throws -> Tensor {
        switch mode {
        case "constant": return try input.constantPad(pad, value: value)
        case "reflect", "replicate", "circular":
            return try input.modePad(pad, mode: PaddingMode(rawValue: mode) ?? .reflect)
        default:
            throw TorchError(.notImplementedError, "Unrecognised padding mode \(mode)")
        }
    }
}

extension Tensor {
    /// `constant_pad_nd(pad, value)`: crops (negative pads, narrowing before then after, with
    /// narrow's errors) and then fills the positive pads with `value`.
    public func constantPad(_ pad: [Int], value: Scalar = .int(0)) throws -> Tensor {
        guard pad.count % 2 == 0 else { throw TorchError.runtime("Padding length must be divisible by 2") }
        guard pad.count / 2 <= dim else {
            throw TorchError.runtime("Padding length should be less than or equal to two times the input dimension but got padding length \(pad.count) and input of dimension \(dim)")
        }
        // (dim, before, after) for every padded dim.
        let pairs = (0..<(pad.count / 2)).map { i in (dim - 1 - i, pad[2 * i], pad[2 * i + 1]) }
        var kept = shape                  // input extent left after cropping
        var start = [Int](repeating: 0, count: dim)   // first input element kept
        var outShape = shape
        var placed = [Int](repeating: 0, count: dim)  // where it lands in the output
        for (d, before, after) in pairs.sorted(by: { $0.0 < $1.0 }) {
            // PyTorch's check on the wrapped sum (it only fires when narrowing below succeeds).
            let wrapped = shape[d] &+ before &+ after
            if before < 0 {
                let (length, overflow) = kept[d].addingReportingOverflow(before)
                guard !overflow, length >= 0 else { throw TorchError.runtime("narrow(): length must be non-negative.") }
                start[d] = -before
                kept[d] = length
            }
            if after < 0 {
                let (length, overflow) = kept[d].addingReportingOverflow(after)
                guard !overflow, length >= 0 else { throw TorchError.runtime("narrow(): length must be non-negative.") }
                kept[d] = length
            }
            guard wrapped >= 0 else {
                throw TorchError.runtime("The input size \(shape[d]), plus negative padding \(before) and \(after) resulted in a negative output size, which is invalid. Check dimension \(d) of your input.")
            }
            let (grown, o1) = kept[d].addingReportingOverflow(Swift.max(before, 0))
            let (total, o2) = grown.addingReportingOverflow(Swift.max(after, 0))
            guard !o1, !o2 else { throw TorchError.runtime("constant_pad_nd: padding is too large") }
            outShape[d] = total
            placed[d] = Swift.max(before, 0)
        }
        let out = try Tensor.full(outShape, value: value, dtype: dtype)
        if kept.reduce(1, *) > 0 {
            try GradMode.withNoGrad {
                var src = self, dst = out
                for d in 0..<dim {
                    src = try src.slice(dim: d, start: start[d], end: start[d] + kept[d])
                    dst = try dst.slice(dim: d, start: placed[d], end: placed[d] + kept[d])
                }
                try copyElements(from: src, to: dst)
            }
        }
        guard GradMode.isEnabled && requiresGrad else { return out }
        let negated = pad.map { -$0 }
        return out.recordingGrad("ConstantPadNdBackward0", inputs: [self], savesTensors: false) { g in
            [try g.constantPad(negated)]
        }
    }
}
