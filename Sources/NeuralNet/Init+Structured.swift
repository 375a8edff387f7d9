import Foundation
import TensorRuntime

/// `nn.init.orthogonal_`, `trunc_normal_`, `eye_` and `dirac_`, drawing from the generator in
/// the order torch/nn/init.py does (so seeded results match PyTorch's).
extension Init {
    /// `orthogonal_(tensor, gain=1)`: Q of the QR factorisation of a standard normal
    /// `(rows, numel/rows)` matrix (transposed when wider than tall), columns signed by R's diagonal.
    public static func orthogonal_(_ t: Tensor, gain: Double = 1) throws {
        guard t.dim >= 2 else { throw TorchError(.valueError, "Only tensors with 2 or more dimensions are supported") }
        if t.numel == 0 || randomFillsDisabled { return }
        let rows = t.shape[0], columns = t.numel / rows
        try GradMode.withNoGrad {
            var flattened = try Tensor(shape: [rows, columns], dtype: t.dtype, zeroed: false)
            try flattened.normalInPlace(mean: 0, std: 1)
            if rows < columns { flattened = try flattened.transpose(0, 1) }
            let (q0, r) = try flattened.linalgQr()
            var q = try q0.mul(try r.diagonalOfMatrices().sign())
            if rows < columns { q = try q.transpose(0, 1) }
            _ = try t.copyInPlace(from: try q.reshape(t.shape))
            _ = try t.mulInPlace(.double(gain))
        }
    }

    /// `trunc_normal_(tensor, mean=0, std=1, a=-2, b=2)`, as PyTorch 2.15's init.py samples it:
    /// when [a, b] holds more than 30% of the mass, normal draws with the outside ones redrawn
    /// until none is left; otherwise uniform proposals on [a, b] accepted against the normal
    /// density (each round draws for every element, as PyTorch's).
    public static func truncNormal_(_ t: Tensor, mean: Double = 0, std: Double = 1, a: Double = -2, b: Double = 2) throws {
        func normalCDF(_ x: Double) -> Double { (1 + Foundation.erf(x / 2.0.squareRoot())) / 2 }
        if mean < a - 2 * std || mean > b + 2 * std {
            NNWarnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values may be incorrect.")
        }
        if randomFillsDisabled || t.numel == 0 { return }
        func anyTrue(_ mask: Tensor) throws -> Bool { try mask.sum().item().doubleValue > 0 }
        try GradMode.withNoGrad {
            if normalCDF((b - mean) / std) - normalCDF((a - mean) / std) > 0.3 {
                let lo = try Tensor(scalar: .double(a), dtype: t.dtype).item(), hi = try Tensor(scalar: .double(b), dtype: t.dtype).item()
                var result = try t.normalInPlace(mean: mean, std: std)
                while true {
                    let outside = try result.lt(lo).logicalOr(try result.gt(hi))
                    if !(try anyTrue(outside)) { break }
                    let redrawn = try Tensor(shape: result.shape, dtype: result.dtype, zeroed: false).normalInPlace(mean: mean, std: std)
                    result = try Tensor.where(outside, redrawn, result)
                }
                if result !== t { _ = try t.copyInPlace(from: result) }
                return
            }
            let mode = Swift.max(a, Swift.min(mean, b))
            let logPeak = -0.5 * ((mode - mean) / std) * ((mode - mean) / std)
            func logDensity(_ x: Tensor) throws -> Tensor {
                let z = try x.sub(.double(mean)).div(.double(std))
                return try z.mul(z).mul(.double(-0.5)).sub(.double(logPeak))
            }
            func rejected(_ candidates: Tensor) throws -> Tensor {
                try Tensor(shape: t.shape, dtype: t.dtype, zeroed: false).uniformInPlace(from: 0, to: 1).log().gt(try logDensity(candidates))
            }
            try t.uniformInPlace(from: a, to: b)
            var pending = try rejected(t)
            guard try anyTrue(pending) else { return }
            var result = t
            while true {
                let candidates = try Tensor(shape: t.shape, dtype: t.dtype, zeroed: false).uniformInPlace(from: a, to: b)
                result = try Tensor.where(pending, candidates, result)
                pending = try Tensor.where(pending, try rejected(candidates), pending)
                if !(try anyTrue(pending)) { break }
            }
            _ = try t.copyInPlace(from: result)
        }
    }

    /// `eye_(tensor)`: the identity on a 2-D tensor.
    public static func eye_(_ t: Tensor) throws {
        guard t.dim == 2 else { throw TorchError(.valueError, "Only tensors with 2 dimensions are supported") }
        try GradMode.withNoGrad { _ = try t.copyInPlace(from: try Tensor.eye(n: t.shape[0], m: t.shape[1], dtype: t.dtype)) }
    }

    /// `dirac_(tensor, groups=1)`: a 3-, 4- or 5-D convolution weight that passes each of the
    /// first min(out/groups, in) channels through at the kernel's centre.
    public static func dirac_(_ t: Tensor, groups: Int = 1) throws {
        guard (3...5).contains(t.dim) else { throw TorchError(.valueError, "Only tensors with 3, 4, or 5 dimensions are supported") }
        guard groups > 0, t.shape[0] % groups == 0 else { throw TorchError(.valueError, "dim 0 must be divisible by groups") }
        let perGroup = t.shape[0] / groups, channels = Swift.min(perGroup, t.shape[1])
        try GradMode.withNoGrad {
            _ = try t.zeroInPlace()
            let centre = t.shape.dropFirst(2).map { $0 / 2 }
            for g in 0..<groups {
                for d in 0..<channels {
                    let index = [g * perGroup + d, d] + centre
                    let offset = t.storageOffset + zip(index, t.strides).reduce(0) { $0 + $1.0 * $1.1 }
                    t.storage.setDouble(1, at: offset)
                }
            }
            t.bumpVersion()
        }
    }
}
