import CKernels

/// In-place operations (`add_`, `mul_`, `zero_`, `fill_`, `copy_`, `clamp_`, …).
///
/// Rules (PyTorch's):
/// - each bumps `version` (shared by a base and its views), so saved tensors modified later are
///   reported at backward;
/// - on a leaf that requires grad (or a view of one) with grad mode on: PyTorch's error;
/// - on a non-leaf: the op's backward node becomes the tensor's `gradFn`; on a view, the base's
///   history is rebased (`CopySlices`) and the view's becomes `AsStridedBackward0` (ViewAutograd.swift);
/// - writing into an expanded tensor, or from an input that partially overlaps the written-to
///   tensor: PyTorch's "unsupported operation" errors.
extension Tensor {
    /// PyTorch's checks before mutating `self` in place (`others`: the op's other tensor inputs).
    func checkInPlace(others: [Tensor] = []) throws {
        guard GradMode.isEnabled, requiresGrad || others.contains(where: { $0.requiresGrad }) else { return }
        if let b = base {
            if let e = viewRebaseError(indirect: false) { throw e }
            if requiresGrad && b.isLeaf {
                throw TorchError.runtime("a view of a leaf Variable that requires grad is being used in an in-place operation.")
            }
        }
        if isLeaf && leafRequiresGrad {
            throw TorchError.runtime("a leaf Variable that requires grad is being used in an in-place operation.")
        }
    }

    /// Marks self (and the tensor it views) as modified: what an in-place op does, for kernels
    /// that write a tensor's elements directly (the optimizers' fused updates). Also bumps the
    /// storage's `writeGeneration`, which every alias shares.
    public func bumpVersion() {
        if let b = base { b.versionCounter &+= 1 } else { versionCounter &+= 1 }
        storage.writeGeneration &+= 1
    }

    /// Stores `result` (same shape as self after broadcasting checks) into self and adopts its graph.
    private func assignInPlace(_ result: Tensor) throws -> Tensor {
        guard result.shape == shape else {
            throw TorchError.runtime("output with shape \(shapeDescription(shape)) doesn't match the broadcast shape \(shapeDescription(result.shape))")
        }
        try copyElements(from: try result.cast(dtype), to: self)
        bumpVersion()
        if GradMode.isEnabled, let fn = result.gradFn {
            try rebaseHistory(fn)
        }
        return self
    }

    /// Result dtype check: an in-place op can't store a float result into an integer tensor.
    private func checkCast(_ resultType: DType) throws {
        if resultType.category > dtype.category {
            throw TorchError.runtime("result type \(resultType.shortName) can't be cast to the desired output type \(dtype.shortName)")
        }
    }

    /// A copy of self's current data that carries self's gradient edge, so an op computed from it
    /// saves stable values (self is about to be overwritten).
    private func snapshotForGrad() throws -> Tensor {
        let copy = try Tensor.uninitialized(shape, dtype)
        try copyElements(from: self, to: copy)
        copy.storedGradFn = gradFn
        copy.leafRequiresGrad = leafRequiresGrad && isLeaf
        return copy
    }

    /// Runs an out-of-place `op` on self (or a snapshot when autograd is involved) and stores the result.
    private func inPlace(_ others: [Tensor], checkOverlap: Bool = true, _ op: (Tensor, [Tensor]) throws -> Tensor) throws -> Tensor {
        try checkInPlace(others: others)
        if checkOverlap {
            try checkNoInternalOverlap()
            for o in others { try checkNoPartialOverlap(o) }
        }
        let tracking = GradMode.isEnabled && (requiresGrad || others.contains { $0.requiresGrad })
        guard tracking else { return try assignInPlace(try checkedResult(try op(self, others))) }
        // Operands that alias self's memory are snapshotted too, so saved values stay valid.
        let stable = try others.map { $0.storage === storage ? try $0.snapshotForGrad() : $0 }
        return try assignInPlace(try checkedResult(try op(try snapshotForGrad(), stable)))
    }

    private func checkedResult(_ r: Tensor) throws -> Tensor {
        try checkCast(r.dtype)
        return r
    }

    /// Fast path: `self = op(self, other)` computed straight into self's buffer when no graph is
    /// involved, self is contiguous, the result keeps self's dtype and shape, and `other` does not alias self.
    private func binaryInPlaceFast<Op: BinaryOp>(_ op: Op, _ other: Tensor, resultType: DType) throws -> Bool {
        guard !(GradMode.isEnabled && (requiresGrad || other.requiresGrad)), isContiguous, resultType == dtype, !dtype.isReduced, other.storage !== storage,
              other.shape == shape || (try? broadcastShapes(other.shape, shape)) == shape else { return false }
        try checkInPlace(others: [other])
        let b = try other.cast(dtype)
        try dispatchArith(dtype, BinaryRunner(op: op, a: self, b: b, out: self))
        bumpVersion()
        return true
    }

    @discardableResult
    public func addInPlace(_ other: Tensor, alpha: Scalar = .int(1)) throws -> Tensor {
        let rt = TypePromotion.resultType(self, other)
        if alpha == .int(1), try binaryInPlaceFast(AddOp(), other, resultType: rt) { return self }
        if case .double(let a) = alpha, dtype.isFloatingPoint,
           try binaryInPlaceFast(AddScaledOp(alpha: a), other, resultType: rt) { return self }
        return try inPlace([other]) { try $0.add($1[0], alpha: alpha) }
    }
    @discardableResult
    public func addInPlace(_ s: Scalar, alpha: Scalar = .int(1)) throws -> Tensor {
        try inPlace([]) { x, _ in try x.add(s, alpha: alpha) }
    }
    @discardableResult
    public func subInPlace(_ other: Tensor, alpha: Scalar = .int(1)) throws -> Tensor {
        let rt = TypePromotion.resultType(self, other)
        if alpha == .int(1), dtype != .bool, try binaryInPlaceFast(SubOp(), other, resultType: rt) { return self }
        return try inPlace([other]) { try $0.sub($1[0], alpha: alpha) }
    }
    @discardableResult
    public func subInPlace(_ s: Scalar, alpha: Scalar = .int(1)) throws -> Tensor {
        try inPlace([]) { x, _ in try x.sub(s, alpha: alpha) }
    }
    @discardableResult
    public func mulInPlace(_ other: Tensor) throws -> Tensor {
        if try binaryInPlaceFast(MulOp(), other, resultType: TypePromotion.resultType(self, other)) { return self }
        return try inPlace([other]) { try $0.mul($1[0]) }
    }
    @discardableResult
    public func mulInPlace(_ s: Scalar) throws -> Tensor {
        let rt = TypePromotion.resultType(self, s)
        if rt == dtype, try binaryInPlaceFast(MulOp(), try Tensor(scalar: s, dtype: dtype), resultType: rt) { return self }
        return try inPlace([]) { x, _ in try x.mul(s) }
    }
    @discardableResult
    public func divInPlace(_ other: Tensor, roundingMode: String? = nil) throws -> Tensor {
        try inPlace([other]) { try $0.div($1[0], roundingMode: roundingMode) }
    }
    @discardableResult
    public func divInPlace(_ s: Scalar, roundingMode: String? = nil) throws -> Tensor {
        try inPlace([]) { x, _ in try x.div(s, roundingMode: roundingMode) }
    }
    /// `self = op(self, others)` for any out-of-place op, with the in-place checks (result dtype and
    /// shape, leaf, version): the bindings' `x op= y` for the operators without a dedicated method.
    @discardableResult
    public func applyInPlace(_ others: [Tensor] = [], checkOverlap: Bool = true,
                             _ op: (Tensor, [Tensor]) throws -> Tensor) throws -> Tensor {
        try inPlace(others, checkOverlap: checkOverlap, op)
    }
    @discardableResult
    public func powInPlace(_ s: Scalar) throws -> Tensor { try inPlace([]) { x, _ in try x.pow(s) } }
    @discardableResult
    public func clampInPlace(min lo: Scalar? = nil, max hi: Scalar? = nil) throws -> Tensor {
        try inPlace([]) { x, _ in try x.clamp(min: lo, max: hi) }
    }
    /// `relu_()`. Without autograd, a big contiguous float32 tensor is rewritten where it lies
    /// (the vector kernel reading and writing the same elements), not through a temporary and a
    /// copy back: what `nn.ReLU(inplace=True)` runs in a no_grad forward.
    @discardableResult
    public func reluInPlace() throws -> Tensor {
        if dtype == .float32, isContiguous, numel >= VectorElementwise.minimumCount, !(GradMode.isEnabled && requiresGrad) {
            try checkInPlace()
            let p = storage.pointer(Float.self) + storageOffset
            nn_relu_f32(p, p, numel)
            bumpVersion()
            return self
        }
        return try inPlace([]) { x, _ in try x.relu() }
    }
    @discardableResult
    public func negInPlace() throws -> Tensor { try inPlace([]) { x, _ in try x.neg() } }
    @discardableResult
    public func sigmoidInPlace() throws -> Tensor { try inPlace([]) { x, _ in try x.sigmoid() } }
    @discardableResult
    public func tanhInPlace() throws -> Tensor { try inPlace([]) { x, _ in try x.tanh() } }
    @discardableResult
    public func expInPlace() throws -> Tensor { try inPlace([]) { x, _ in try x.exp() } }
    @discardableResult
    public func sqrtInPlace() throws -> Tensor { try inPlace([]) { x, _ in try x.sqrt() } }

    /// `zero_()` (ZeroBackward0 when tracked).
    @discardableResult
    public func zeroInPlace() throws -> Tensor { try overwrite(.int(0), "ZeroBackward0") }

    /// `fill_(value)`: sets every element; on a tracked tensor the gradient stops here (FillBackward2).
    @discardableResult
    public func fillInPlace(_ value: Scalar) throws -> Tensor { try overwrite(value, "FillBackward2") }

    private func overwrite(_ value: Scalar, _ nodeName: String) throws -> Tensor {
        try checkInPlace()
        let previous = standInIfTracked()
        try fillRaw(value)
        bumpVersion()
        try recordOverwrite(nodeName, previous)
        return self
    }

    /// `copy_(src)`: broadcast and convert `src` into self (CopyBackwards).
    @discardableResult
    public func copyInPlace(from src: Tensor) throws -> Tensor {
        try checkInPlace(others: [src])
        let s = try broadcastShapes(shape, src.shape)
        guard s == shape else {
            throw TorchError.runtime("output with shape \(shapeDescription(shape)) doesn't match the broadcast shape \(shapeDescription(s))")
        }
        try checkNoInternalOverlap()
        try checkNoPartialOverlap(src)
        let tracking = GradMode.isEnabled && (requiresGrad || src.requiresGrad) && dtype.isFloatingPoint
        let previous = tracking ? historyStandIn() : nil
        let expanded = Tensor(storage: src.storage, shape: shape, strides: broadcastStrides(src, to: shape), storageOffset: src.storageOffset)
        if src.storage === storage {
            try copyElements(from: try expanded.cloned(), to: self)
        } else {
            try copyElements(from: expanded, to: self)
        }
        bumpVersion()
        if let previous {
            let ts = GradTarget(src)
            try recordInPlace("CopyBackwards", inputs: [previous, src]) { g in
                [try Tensor.zerosLike(g), try ts.reduce(g)]
            }
        }
        return self
    }

    /// `requires_grad_()` convenience mirror.
    @discardableResult
    public func requiresGradInPlace(_ flag: Bool = true) throws -> Tensor {
        try setRequiresGrad(flag)
        return self
    }
}
