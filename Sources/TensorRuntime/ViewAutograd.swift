/// Autograd for in-place operations on views (PyTorch's "view + inplace" rules).
///
/// - Every view keeps its base (`base`, always the root tensor that owns the geometry) and shares
///   the base's version counter. `viewAttrVersion` is the version its history was recorded at.
/// - An in-place op on a view whose history is tracked rebases the *base*: its `gradFn` becomes
///   `CopySlices`, which routes the gradient of the view's region through the in-place op's node
///   and the rest to the base's previous history.
/// - A view whose base (or another view of it) has been modified since its history was recorded
///   gets a regenerated `AsStridedBackward0` into the base's current history the next time its
///   `gradFn` is read (PyTorch regenerates lazily too).
/// - Views made under `no_grad` and the outputs of multi-view ops (unbind, split, chunk) may not be
///   modified in place when autograd is involved: PyTorch's errors.
/// - Writes into memory that overlaps itself (expanded tensors) or partially overlaps an input
///   raise PyTorch's "unsupported operation" errors.

/// A version counter shared by a tensor and its `detach()`ed aliases.
final class SharedVersion {
    var value: Int
    init(_ value: Int) { self.value = value }
}

/// How a view was created (PyTorch's CreationMeta).
enum ViewCreation {
    case normal
    /// Made while grad mode was off (or a view of such a view).
    case noGradMode
    /// One of the views returned by an op that returns several (unbind, split, chunk); `output`
    /// is its position (0 for views of such a view).
    case multiOutput(output: Int)
}

extension Tensor {
    // MARK: - view metadata

    /// Sets the view bookkeeping of `v`, a fresh view of self.
    func adoptAsView(_ v: Tensor) {
        let root = base ?? self
        v.base = root
        v.viewAttrVersion = root.versionCounter
        if !GradMode.isEnabled {
            v.viewCreation = .noGradMode
        } else if base != nil {
            switch viewCreation {
            case .normal: break
            case .noGradMode: v.viewCreation = .noGradMode
            case .multiOutput: v.viewCreation = .multiOutput(output: 0)
            }
        }
    }

    /// Marks self (a fresh view) as output `i` of an op that returns several views.
    func markMultiOutputView(_ i: Int) {
        if case .normal = viewCreation, GradMode.isEnabled { viewCreation = .multiOutput(output: i) }
    }

    /// PyTorch's error for modifying this view in place (`indirect`: its base or another view
    /// was modified), or nil when that is allowed.
    func viewRebaseError(indirect: Bool) -> TorchError? {
        let multi: Bool, output: Int
        switch viewCreation {
        case .normal: return nil
        case .noGradMode: multi = false; output = 0
        case .multiOutput(let i): multi = true; output = i
        }
        let modified = indirect ? "its base or another view of its base has been" : "is being"
        let fn = storedGradFn
        var msg: String
        if let fn, multi {
            msg = "Output \(output) of \(Tensor.opName(fn.name)) is a view and \(modified) modified inplace."
        } else {
            let prefix = fn.map { "Output \(output) of \(Tensor.opName($0.name)) is a view of a view which was created in" }
                ?? "A view was created in"
            msg = "\(prefix) no_grad mode and \(modified) modified inplace with grad mode enabled."
        }
        if multi {
            msg += " This view is the output of a function that returns multiple views. Such functions do not allow the output views to be modified inplace. You should replace the inplace operation by an out-of-place one."
        } else {
            msg += " Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked)."
        }
        return TorchError.runtime(msg)
    }

    /// `Unbind` for `UnbindBackward0` (as PyTorch names ops in these messages).
    static func opName(_ nodeName: String) -> String {
        var op = Substring(nodeName)
        while let last = op.last, last.isNumber { op = op.dropLast() }
        if op.hasSuffix("Backward") { op = op.dropLast("Backward".count) }
        return String(op)
    }

    /// `grad_fn` as the bindings read it: PyTorch raises here for a view made under no_grad or by a
    /// multi-view op whose base was modified in place since.
    public func checkedGradFn() throws -> Node? {
        if let b = base, viewAttrVersion != b.versionCounter, storedGradFn != nil || b.requiresGrad,
           let e = viewRebaseError(indirect: true) {
            throw e
        }
        return gradFn
    }

    /// The history of a view whose base changed since it was recorded: `AsStridedBackward0` into
    /// the base's current history (kept until the next change).
    func regeneratedViewGradFn(_ b: Tensor) -> Node? {
        if storedGradFn == nil && !b.requiresGrad { return nil }
        guard case .normal = viewCreation, let geometry = ViewGeometry(view: self, base: b) else { return storedGradFn }
        let node = Node(name: "AsStridedBackward0", next: [b.gradEdge], savesTensors: false) { g in
            [try geometry.scatter(g)]
        }
        storedGradFn = node
        viewAttrVersion = b.versionCounter
        if retainsGrad { node.retainedOutput = self }
        return node
    }

    // MARK: - recording in-place ops

    /// A stand-in for self's value before an in-place op: same geometry, self's history. Used as
    /// the first input of the op's node.
    func historyStandIn() -> Tensor {
        let t = Tensor(storage: storage, shape: shape, strides: strides, storageOffset: storageOffset)
        t.storedGradFn = gradFn
        return t
    }

    /// The stand-in when autograd tracks an overwrite of self (fill_, zero_, random fills), else nil.
    func standInIfTracked() -> Tensor? {
        GradMode.isEnabled && requiresGrad ? historyStandIn() : nil
    }

    /// Records an overwrite that cuts the gradient to self's old value (`name`: FillBackward2, …).
    func recordOverwrite(_ name: String, _ previous: Tensor?) throws {
        guard let previous else { return }
        try recordInPlace(name, inputs: [previous]) { g in [try Tensor.zerosLike(g)] }
    }

    /// Records the node of an in-place op whose inputs are `inputs` (the first a stand-in for
    /// self's previous value) and makes it self's history.
    func recordInPlace(_ name: String, inputs: [Tensor], savesTensors: Bool = false,
                       backward: @escaping (Tensor) throws -> [Tensor?]) throws {
        let node = Node(name: name, next: inputs.map { $0.requiresGrad ? $0.gradEdge : nil },
                        savesTensors: savesTensors, backward: backward)
        try rebaseHistory(node)
    }

    /// Makes `fn` (the node of an in-place op on self, whose first input is self's previous value)
    /// self's history: directly for a non-view, through the base's `CopySlices` for a view.
    func rebaseHistory(_ fn: Node) throws {
        guard let b = base else {
            gradFn = fn
            if retainsGrad { fn.retainedOutput = self }
            return
        }
        guard let geometry = ViewGeometry(view: self, base: b), let inner = fn.backwardFn else {
            throw TorchError.runtime("in-place operation on a view whose base no longer shares its memory is not supported")
        }
        let node = Node(name: "CopySlices", next: [b.gradEdge] + fn.next.dropFirst(), savesTensors: fn.savesTensors) { g in
            // The base's gradient, with the view's region replaced by what the op sends to its input.
            let result = try geometry.baseZeros()
            try copyElements(from: try g.cast(geometry.dtype), to: result)
            let region = geometry.region(of: result)
            let grads = try inner(try region.cloned())
            if let first = grads.first, let gv = first {
                try copyElements(from: try gv.cast(geometry.dtype), to: region)
            } else {
                try region.fillRaw(.int(0))
            }
            return [result] + grads.dropFirst()
        }
        b.storedGradFn = node
        if b.retainsGrad { node.retainedOutput = b }
    }

    // MARK: - memory overlap (PyTorch's assert_no_internal_overlap / assert_no_partial_overlap)

    /// Throws when several elements of self share one memory location (an expanded tensor).
    func checkNoInternalOverlap() throws {
        if isContiguous { return }
        for i in 0..<dim where strides[i] == 0 && shape[i] > 1 {
            throw TorchError.runtime("unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.")
        }
    }

    /// Throws when `input` and self (the written-to tensor) share some but not all of their memory.
    func checkNoPartialOverlap(_ input: Tensor) throws {
        guard input.storage === storage, input !== self, numel > 0, input.numel > 0,
              isNonOverlappingAndDense, input.isNonOverlappingAndDense else { return }
        let aBegin = storageOffset, aEnd = storageOffset + numel
        let bBegin = input.storageOffset, bEnd = input.storageOffset + input.numel
        if aBegin == bBegin && aEnd == bEnd && strides == input.strides { return }
        if aBegin < bEnd && bBegin < aEnd {
            throw TorchError.runtime("unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory location. Please clone() the tensor before performing the operation.")
        }
    }

    /// True when the elements fill a gap-free block of memory in some dimension order.
    var isNonOverlappingAndDense: Bool {
        if isContiguous { return true }
        let dims = (0..<dim).filter { shape[$0] != 1 }.sorted { strides[$0] < strides[$1] }
        var expected = 1
        for d in dims {
            if strides[d] != expected { return false }
            expected *= shape[d]
        }
        return true
    }
}

/// Where a view lies inside its base, for CopySlices and AsStridedBackward0 (PyTorch's as_strided
/// geometry): gradients are built in a fresh buffer with the base's strides.
struct ViewGeometry {
    let dtype: DType
    let baseShape: [Int], baseStrides: [Int], baseSpan: Int
    let shape: [Int], strides: [Int], offset: Int

    init?(view v: Tensor, base b: Tensor) {
        guard v.storage === b.storage, let bs = ViewGeometry.span(b.shape, b.strides),
              let vs = ViewGeometry.span(v.shape, v.strides) else { return nil }
        let offset = v.storageOffset - b.storageOffset
        guard offset >= 0, vs == 0 || offset + vs <= bs else { return nil }
        dtype = b.dtype
        baseShape = b.shape; baseStrides = b.strides; baseSpan = bs
        shape = v.shape; strides = v.strides; self.offset = offset
    }

    /// Elements from the first to one past the last (0 when empty); nil on negative strides or overflow.
    static func span(_ shape: [Int], _ strides: [Int]) -> Int? {
        var last = 0
        for (n, s) in zip(shape, strides) {
            if n == 0 { return 0 }
            guard s >= 0 else { return nil }
            let (m, o1) = (n - 1).multipliedReportingOverflow(by: s)
            let (t, o2) = last.addingReportingOverflow(m)
            guard !o1, !o2 else { return nil }
            last = t
        }
        return last + 1
    }

    /// Zeros with the base's shape and strides, in a buffer of their own.
    func baseZeros() throws -> Tensor {
        let storage = try Storage(count: baseSpan, dtype: dtype, zeroed: true)
        return Tensor(storage: storage, shape: baseShape, strides: baseStrides, storageOffset: 0)
    }

    /// The view's region of a `baseZeros()` tensor.
    func region(of t: Tensor) -> Tensor {
        Tensor(storage: t.storage, shape: shape, strides: strides, storageOffset: offset)
    }

    /// AsStridedBackward0: the view's gradient placed in a zero base gradient; the elements of an
    /// expanded (stride-0) dimension share a location, so their gradients are summed.
    func scatter(_ g: Tensor) throws -> Tensor {
        let out = try baseZeros()
        var regionShape = shape, summed: [Int] = []
        for i in 0..<shape.count where strides[i] == 0 && shape[i] > 1 {
            summed.append(i)
            regionShape[i] = 1
        }
        let src = summed.isEmpty ? g : try g.sum(dims: summed, keepdim: true)
        try copyElements(from: try src.cast(dtype),
                         to: Tensor(storage: out.storage, shape: regionShape, strides: strides, storageOffset: offset))
        return out
    }
}
