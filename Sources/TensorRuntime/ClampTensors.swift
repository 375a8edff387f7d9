/// `torch.clamp(x, min=tensor, max=tensor)`: bounds that are tensors, broadcast against `x`
/// (ClampBackward0, with gradients for the bounds as PyTorch's `clamp_backward_min_max`).
extension Tensor {
    public func clamp(minTensor lo: Tensor?, maxTensor hi: Tensor?) throws -> Tensor {
        guard lo != nil || hi != nil else {
            throw TorchError.runtime("torch.clamp: At least one of 'min' or 'max' must not be None")
        }
        // max(x, lo) then min(·, hi), NaN in x kept; lo > hi gives hi, as PyTorch.
        let out = try GradMode.withNoGrad { () -> Tensor in
            var r: Tensor = self
            if let lo { r = try Tensor.where(try r.lt(lo), lo, r) }
            if let hi { r = try Tensor.where(try r.gt(hi), hi, r) }
            return r
        }
        let inputs = [self] + [lo, hi].compactMap { $0 }
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return out }
        let tx = GradTarget(self), sx = SavedTensor(self)
        let tlo = lo.map(GradTarget.init), thi = hi.map(GradTarget.init)
        let slo = lo.map { SavedTensor($0) }, shi = hi.map { SavedTensor($0) }
        return out.recordingGrad("ClampBackward0", inputs: inputs) { g in
            let x = try sx.get(), lo = try slo?.get(), hi = try shi?.get()
            func pass(_ keep: Tensor) throws -> Tensor { try Tensor.where(keep, g, .int(0)) }
            var grads: [Tensor?] = []
            switch (lo, hi) {
            case let (lo?, hi?):
                grads.append(try tx.reduce(try pass(try x.ge(lo).logicalAnd(try x.le(hi)))))
                grads.append(try tlo?.reduce(try pass(try x.lt(lo).logicalAnd(try lo.lt(hi)))))
                grads.append(try thi?.reduce(try pass(try x.gt(hi).logicalOr(try hi.lt(lo)))))
            case let (lo?, nil):
                grads.append(try tx.reduce(try pass(try x.ge(lo))))
                grads.append(try tlo?.reduce(try pass(try x.lt(lo))))
            case let (nil, hi?):
                grads.append(try tx.reduce(try pass(try x.le(hi))))
                grads.append(try thi?.reduce(try pass(try x.gt(hi))))
            case (nil, nil):
                break
            }
            return grads
        }
    }
}
