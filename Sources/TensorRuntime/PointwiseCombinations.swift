import Foundation

/// `addcmul`/`addcdiv` (`input + value·t1·t2`, `input + value·t1/t2`), `copysign`, `sgn`,
/// `signbit`, `gcd`/`lcm` and `cross`: computed without a graph from the existing kernels, then
/// recorded as one node with PyTorch's name and derivative formula (FunctionsManual's).
extension Tensor {
    /// `torch.addcmul(input, tensor1, tensor2, value=1)` (AddcmulBackward0). The three tensors
    /// broadcast and promote; `value` is cast to the result's kind as ATen does.
    public static func addcmul(_ input: Tensor, _ t1: Tensor, _ t2: Tensor, value: Scalar = .int(1)) throws -> Tensor {
        try addCombined("AddcmulBackward0", input, t1, t2, value, combine: { try $0.mul($1) }) { g, a, b, v in
            (try g.mul(try b.mul(v)), try g.mul(try a.mul(v)))
        }
    }

    /// `torch.addcdiv(input, tensor1, tensor2, value=1)` (AddcdivBackward0); integer division
    /// raises PyTorch's RuntimeError.
    public static func addcdiv(_ input: Tensor, _ t1: Tensor, _ t2: Tensor, value: Scalar = .int(1)) throws -> Tensor {
        guard t1.dtype.isFloatingPoint || t2.dtype.isFloatingPoint else {
            throw TorchError.runtime("Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes.")
        }
        return try addCombined("AddcdivBackward0", input, t1, t2, value, combine: { try $0.div($1) }) { g, a, b, v in
            (try g.mul(try Tensor(scalar: v, dtype: b.dtype).div(b)), try g.neg().mul(try a.mul(v).div(try b.mul(b))))
        }
    }

    /// `input + combine(value·t1, t2)` in the promoted dtype, recorded as `name`; `gradients(g, t1,
    /// t2, value)` gives the two factors' gradients (input's is g).
    private static func addCombined(_ name: String, _ input: Tensor, _ t1: Tensor, _ t2: Tensor, _ value: Scalar,
                                    combine: (Tensor, Tensor) throws -> Tensor,
                                    gradients: @escaping (Tensor, Tensor, Tensor, Scalar) throws -> (Tensor, Tensor)) throws -> Tensor {
        let dtype = promotedType(input, t1, t2)
        let v = value.cast(to: dtype)
        let result = try GradMode.withNoGrad {
            try input.converted(to: dtype).add(try combine(try t1.converted(to: dtype).mul(v), try t2.converted(to: dtype)))
        }
        let ti = GradTarget(input), ta = GradTarget(t1), tb = GradTarget(t2), s1 = SavedTensor(t1), s2 = SavedTensor(t2)
        return result.recordingGrad(name, inputs: [input, t1, t2]) { g in
            let (ga, gb) = try gradients(g, try s1.get(), try s2.get(), v)
            return [try ti.reduce(g), try ta.reduce(ga), try tb.reduce(gb)]
        }
    }

    /// `torch.copysign(input, other)`: |input| with other's sign bit (CopysignBackward0, or
    /// CopysignBackward1 for a number `other`). Integer and bool inputs give float32.
    public static func copysign(_ input: Tensor, _ other: Tensor, otherIsNumber: Bool = false) throws -> Tensor {
        var dtype = TypePromotion.resultType(input, other)
        if !dtype.isFloatingPoint { dtype = .float32 }
        let shape = try broadcastShapes(input.shape, other.shape)
        let x = try input.expand(shape).toDoubles(), y = try other.expand(shape).toDoubles()
        let result = try Tensor(doubles: zip(x, y).map { Foundation.copysign($0, $1) }, shape: shape, dtype: dtype)
        let ti = GradTarget(input), to = GradTarget(other), sx = SavedTensor(input), sr = SavedTensor(output: result)
        let name = otherIsNumber ? "CopysignBackward1" : "CopysignBackward0"
        return result.recordingGrad(name, inputs: otherIsNumber ? [input] : [input, other]) { g in
            // d/dx copysign(x, y) = result / x, 0 where x is 0; `other` gets zeros, as PyTorch's.
            let x = try sx.get()
            let ratio = try sr.get().div(x).maskedFill(try x.eq(.int(0)), .int(0))
            let gx = try ti.reduce(try g.mul(ratio))
            return otherIsNumber ? [gx] : [gx, try to.reduce(try Tensor.zerosLike(g))]
        }
    }

    /// `torch.sgn` for real tensors: sign(x) (SgnBackward0, a zero gradient).
    public func sgn() throws -> Tensor {
        let result = try GradMode.withNoGrad { dtype == .bool ? try cloned() : try sign() }
        let target = GradTarget(self)
        return result.recordingGrad("SgnBackward0", inputs: [self], savesTensors: false) { g in
            [try target.reduce(try Tensor.zerosLike(g))]
        }
    }

    /// `torch.signbit`: true where the sign bit is set (-0.0 and negative NaNs included).
    public func signbit() throws -> Tensor {
        try Tensor(doubles: toDoubles().map { $0.sign == .minus ? 1 : 0 }, shape: shape, dtype: .bool)
    }

    /// `torch.gcd` / `torch.lcm` of integer tensors (broadcast), non-negative as C++'s std::gcd/lcm.
    public static func gcd(_ a: Tensor, _ b: Tensor, lcm: Bool = false) throws -> Tensor {
        let dtype = TypePromotion.resultType(a, b)
        guard !dtype.isFloatingPoint, dtype != .bool else {
            throw TorchError(.notImplementedError, "\"\(lcm ? "lcm" : "gcd")_cpu\" not implemented for '\(dtype.shortName)'")
        }
        let shape = try broadcastShapes(a.shape, b.shape)
        let x = try a.expand(shape).toScalars(), y = try b.expand(shape).toScalars()
        func value(_ s: Scalar) -> Int64 { if case .int(let i) = s { return i }; return Int64(s.doubleValue) }
        let out = zip(x, y).map { p -> Scalar in
            let u = value(p.0).magnitude, v = value(p.1).magnitude
            var m = u, n = v
            while n != 0 { (m, n) = (n, m % n) }
            if !lcm { return .int(Int64(truncatingIfNeeded: m)) }
            if m == 0 { return .int(0) }
            return .int(Int64(truncatingIfNeeded: (u / m) &* v))
        }
        let result = try Tensor(shape: shape, dtype: dtype)
        for (i, s) in out.enumerated() { result.storage.set(s, at: i) }
        return result
    }

    /// `torch.linalg.cross(input, other, dim=-1)` (LinalgCrossBackward0): the cross product of
    /// 3-vectors along `dim`; batch dims broadcast.
    public static func cross(_ a: Tensor, _ b: Tensor, dim requested: Int) throws -> Tensor {
        guard a.dim == b.dim else {
            throw TorchError.runtime("linalg.cross: inputs must have the same number of dimensions.")
        }
        let d = try a.normalizeDim(requested)
        guard a.shape[d] == 3, b.shape[d] == 3 else {
            throw TorchError.runtime("linalg.cross: inputs dimension \(requested) must have length 3. Got \(a.shape[d]) and \(b.shape[d])")
        }
        let result = try GradMode.withNoGrad { try crossProduct(a, b, d) }
        let ta = GradTarget(a), tb = GradTarget(b), sa = SavedTensor(a), sb = SavedTensor(b)
        return result.recordingGrad("LinalgCrossBackward0", inputs: [a, b]) { g in
            [try ta.reduce(try crossProduct(try sb.get(), g, d)), try tb.reduce(try crossProduct(g, try sa.get(), d))]
        }
    }

    /// a × b along dim d from three rolled copies: (a₁b₂ − a₂b₁, a₂b₀ − a₀b₂, a₀b₁ − a₁b₀).
    private static func crossProduct(_ a: Tensor, _ b: Tensor, _ d: Int) throws -> Tensor {
        let next = try Tensor(doubles: [1, 2, 0], shape: [3], dtype: .int64), after = try Tensor(doubles: [2, 0, 1], shape: [3], dtype: .int64)
        let a1 = try a.indexSelect(dim: d, index: next), a2 = try a.indexSelect(dim: d, index: after)
        let b1 = try b.indexSelect(dim: d, index: next), b2 = try b.indexSelect(dim: d, index: after)
        return try a1.mul(b2).sub(try a2.mul(b1))
    }
}

extension Tensor {
    /// `torch.result_type` of three tensor operands.
    static func promotedType(_ a: Tensor, _ b: Tensor, _ c: Tensor) -> DType {
        var p = TypePromotion()
        p.add(a); p.add(b); p.add(c)
        return p.result
    }
}

extension Scalar {
    /// The number as the kind `dtype` holds (a float `value` truncated for integer results).
    func cast(to dtype: DType) -> Scalar {
        if dtype == .bool { return .bool(doubleValue != 0) }
        if dtype.isFloatingPoint { return .double(doubleValue) }
        if case .int = self { return self }
        return .int(Int64(doubleValue))
    }
}
