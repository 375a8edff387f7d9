/// An n-dimensional array with PyTorch's identity semantics: a reference type over a shared
/// `Storage`, described by shape, strides and an element offset. Views (`view`, `t`, slicing …)
/// are new `Tensor` objects over the same storage. Autograd state lives here too.
public final class Tensor {
    public internal(set) var storage: Storage
    public internal(set) var shape: [Int]
    /// Strides in elements, one per dimension.
    public internal(set) var strides: [Int]
    /// Offset of element [0, 0, …] in `storage`, in elements.
    public internal(set) var storageOffset: Int

    /// Set by `requires_grad_()` / `Parameter`; a non-leaf requires grad through its `gradFn`.
    var leafRequiresGrad: Bool = false
    /// Accumulated gradient (leaves, or non-leaves that called `retain_grad()`).
    public var grad: Tensor?
    /// The node that produced this tensor; nil for leaves. A view whose base (or another view of
    /// it) was modified in place since its history was recorded gets PyTorch's regenerated
    /// `AsStridedBackward0` here (see ViewAutograd.swift); other tensors pay one nil check.
    public internal(set) var gradFn: Node? {
        get {
            if let b = base, viewAttrVersion != b.versionCounter { return regeneratedViewGradFn(b) }
            return storedGradFn
        }
        set { storedGradFn = newValue }
    }
    /// The recorded node (`gradFn` without the view regeneration).
    var storedGradFn: Node?
    /// True for `nn.Parameter` tensors (repr prints `Parameter containing:`; modules register them).
    public var isParameter: Bool = false
    /// `retain_grad()` was called on this non-leaf.
    public internal(set) var retainsGrad: Bool = false
    /// The tensor this one is a view of (PyTorch's `._base`), nil when it owns its storage view.
    public internal(set) var base: Tensor?
    /// The AccumulateGrad node of a leaf, created on first use and kept while a graph needs it.
    weak var gradAccumulator: Node?
    /// Bumped by in-place operations (PyTorch's `_version`); views share their base's counter.
    public var version: Int { base?.versionCounter ?? versionCounter }
    /// This tensor's version counter (only a base's is used by its views); shared with the
    /// tensors `detach()` made from it once there are any.
    var versionCounter: Int {
        get { sharedVersion?.value ?? ownVersion }
        set { if let s = sharedVersion { s.value = newValue } else { ownVersion = newValue } }
    }
    private var ownVersion: Int = 0
    /// The counter shared with detached aliases (PyTorch's detach shares `_version`), made on the
    /// first `detach()`.
    var sharedVersion: SharedVersion?
    /// For a view: the base's version when the view's history was last recorded (PyTorch's attr_version).
    var viewAttrVersion: Int = 0
    /// For a view: how it was created (grad mode, multi-output op), which decides whether it may be
    /// modified in place.
    var viewCreation: ViewCreation = .normal

    /// Wraps existing storage. The caller guarantees the view stays inside the storage
    /// (use `Tensor.checkedView` when the geometry comes from a file or a user).
    public init(storage: Storage, shape: [Int], strides: [Int], storageOffset: Int = 0) {
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.storageOffset = storageOffset
    }

    /// A new contiguous tensor, zero-filled unless `zeroed` is false.
    public convenience init(shape: [Int], dtype: DType = .float32, zeroed: Bool = true) throws {
        let count = try storageElementCount(shape, itemSize: dtype.itemSize)
        let storage = try Storage(count: count, dtype: dtype, zeroed: zeroed)
        self.init(storage: storage, shape: shape, strides: Tensor.contiguousStrides(shape))
    }

    /// A contiguous float32 tensor holding `values` with the given shape.
    public convenience init(_ values: [Float], shape: [Int]) throws {
        try self.init(shape: shape, dtype: .float32, zeroed: false)
        guard values.count == storage.count else {
            throw TorchError.runtime("shape '\(shapeDescription(shape))' is invalid for input of size \(values.count)")
        }
        let p = storage.pointer(Float.self)
        for i in 0..<values.count { p[i] = values[i] }
    }

    /// A contiguous tensor of `dtype` holding `values` (converted) with the given shape.
    public convenience init(doubles values: [Double], shape: [Int], dtype: DType) throws {
        try self.init(shape: shape, dtype: dtype, zeroed: false)
        guard values.count == storage.count else {
            throw TorchError.runtime("shape '\(shapeDescription(shape))' is invalid for input of size \(values.count)")
        }
        for i in 0..<values.count { storage.setDouble(values[i], at: i) }
    }

    /// A 0-dim tensor holding one number.
    public convenience init(scalar: Scalar, dtype: DType? = nil) throws {
        let dt = dtype ?? scalar.defaultDType
        try self.init(shape: [], dtype: dt, zeroed: false)
        storage.set(scalar, at: 0)
    }

    /// Checks view geometry against the storage (used for views built from files or user input).
    public static func checkedView(storage: Storage, shape: [Int], strides: [Int], storageOffset: Int) throws -> Tensor {
        guard shape.count == strides.count else {
            throw TorchError.runtime("mismatch in length of strides and shape")
        }
        let n = try checkedElementCount(shape)
        guard storageOffset >= 0 else { throw TorchError.runtime("Tensor: invalid storage offset \(storageOffset)") }
        if n > 0 {
            var maxOffset = storageOffset
            for (d, s) in zip(shape, strides) {
                guard s >= 0 else { throw TorchError.runtime("as_strided: Negative strides are not supported at the moment, got strides: \(strides)") }
                let (span, o1) = (d - 1).multipliedReportingOverflow(by: s)
                let (sum, o2) = maxOffset.addingReportingOverflow(span)
                guard !o1, !o2 else { throw TorchError.runtime("Tensor: view geometry overflows") }
                maxOffset = sum
            }
            guard maxOffset < storage.count else {
                throw TorchError.runtime("setStorage: sizes \(shapeDescription(shape)), strides \(shapeDescription(strides)), storage offset \(storageOffset), and itemsize \(storage.dtype.itemSize) requiring a storage size of \((maxOffset + 1) * storage.dtype.itemSize) are out of bounds for storage of size \(storage.byteCount)")
            }
        }
        return Tensor(storage: storage, shape: shape, strides: strides, storageOffset: storageOffset)
    }

    // MARK: - Geometry

    public var dtype: DType { storage.dtype }
    public var dim: Int { shape.count }
    public var numel: Int { shape.reduce(1, *) }

    /// The strides of every contiguous 1-D tensor, one shared buffer (no allocation per result).
    private static let unitStrides = [1]

    /// Row-major strides for `shape`.
    public static func contiguousStrides(_ shape: [Int]) -> [Int] {
        if shape.count == 1 { return unitStrides }
        var strides = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = acc
            acc *= Swift.max(shape[i], 1)
        }
        return strides
    }

    /// True when the elements are laid out row-major without gaps (size-1 dims ignored), as PyTorch's `is_contiguous()`.
    public var isContiguous: Bool {
        var expected = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            if shape[i] == 1 { continue }
            if shape[i] == 0 { return true }
            if strides[i] != expected { return false }
            expected *= shape[i]
        }
        return true
    }

    /// Normalises a possibly negative dimension index, with PyTorch's error.
    public func normalizeDim(_ d: Int) throws -> Int {
        let n = Swift.max(dim, 1)
        guard d >= -n && d < n else {
            throw TorchError.index("Dimension out of range (expected to be in range of [\(-n), \(n - 1)], but got \(d))")
        }
        return d < 0 ? d + n : d
    }

    // MARK: - Autograd flags

    /// `requires_grad`: true for leaves that asked for it and for every tensor produced from one.
    /// A view also requires grad when its base does (as PyTorch, even for a view made under no_grad).
    public var requiresGrad: Bool { gradFn != nil || leafRequiresGrad || (base?.requiresGrad ?? false) }
    public var isLeaf: Bool { gradFn == nil }

    /// `x.requires_grad = flag` with PyTorch's checks.
    public func setRequiresGrad(_ flag: Bool) throws {
        if !isLeaf {
            if flag { return }
            throw TorchError.runtime("you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().")
        }
        if flag && !dtype.isFloatingPoint {
            throw TorchError.runtime("only Tensors of floating point and complex dtype can require gradients")
        }
        leafRequiresGrad = flag
    }

    /// `retain_grad()`: keep `.grad` on a non-leaf after backward.
    public func retainGrad() throws {
        if isLeaf { return }
        retainsGrad = true
        gradFn?.retainedOutput = self
    }

    // MARK: - Element access (slow paths: printing, item(), tolist())

    /// Storage index of a logical multi-index.
    public func storageIndex(_ index: [Int]) -> Int {
        var o = storageOffset
        for i in 0..<index.count { o += index[i] * strides[i] }
        return o
    }

    /// `item()`: the single element as a Scalar, with PyTorch's error for more than one.
    public func item() throws -> Scalar {
        guard numel == 1 else {
            throw TorchError.runtime("a Tensor with \(numel) elements cannot be converted to Scalar")
        }
        return storage.scalar(at: storageOffset)
    }

    /// All elements in logical (row-major) order, converted to Double.
    public func toDoubles() -> [Double] {
        var out = [Double]()
        out.reserveCapacity(numel)
        forEachStorageIndex { out.append(storage.double(at: $0)) }
        return out
    }

    /// All elements in logical order as Scalars of the tensor's kind.
    public func toScalars() -> [Scalar] {
        var out = [Scalar]()
        out.reserveCapacity(numel)
        forEachStorageIndex { out.append(storage.scalar(at: $0)) }
        return out
    }

    /// Calls `body` with the storage index of every element in logical order.
    @inline(__always)
    public func forEachStorageIndex(_ body: (Int) -> Void) {
        let n = numel
        if n == 0 { return }
        if isContiguous {
            for i in 0..<n { body(storageOffset + i) }
            return
        }
        let rank = shape.count
        var counter = [Int](repeating: 0, count: rank)
        var offset = storageOffset
        for _ in 0..<n {
            body(offset)
            var d = rank - 1
            while d >= 0 {
                counter[d] += 1
                offset += strides[d]
                if counter[d] < shape[d] { break }
                offset -= strides[d] * shape[d]
                counter[d] = 0
                d -= 1
            }
        }
    }
}

/// `[2, 3]` as PyTorch writes shapes inside messages.
public func shapeDescription(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}

extension Storage {
    /// Element `i` converted to Double (slow path).
    public func double(at i: Int) -> Double {
        switch dtype {
        case .float32: return Double(pointer(Float.self)[i])
        case .float64: return pointer(Double.self)[i]
        case .int64: return Double(pointer(Int64.self)[i])
        case .bool: return pointer(Bool.self)[i] ? 1 : 0
        default: return (try? dispatch(dtype, ElementAccess(storage: self, index: i, write: nil))) ?? 0
        }
    }

    /// Element `i` as a Scalar of the storage's kind (slow path).
    public func scalar(at i: Int) -> Scalar {
        switch dtype {
        case .float32: return .double(Double(pointer(Float.self)[i]))
        case .float64: return .double(pointer(Double.self)[i])
        case .int64: return .int(pointer(Int64.self)[i])
        case .bool: return .bool(pointer(Bool.self)[i])
        case .float16, .bfloat16: return .double(double(at: i))
        case .uint8, .int8, .int16, .int32: return .int(Int64(double(at: i)))
        }
    }

    /// Stores a Double at element `i`, converting as a cast would (slow path).
    public func setDouble(_ v: Double, at i: Int) {
        writeGeneration &+= 1
        switch dtype {
        case .float32: pointer(Float.self)[i] = Float(v)
        case .float64: pointer(Double.self)[i] = v
        case .int64: pointer(Int64.self)[i] = v.isFinite ? Int64(clamping: Int(exactly: v.rounded(.towardZero)) ?? (v > 0 ? Int.max : Int.min)) : 0
        case .bool: pointer(Bool.self)[i] = v != 0
        default: _ = try? dispatch(dtype, ElementAccess(storage: self, index: i, write: v))
        }
    }

    /// Stores a Scalar at element `i`, converting to the storage's dtype.
    public func set(_ s: Scalar, at i: Int) {
        writeGeneration &+= 1
        switch (dtype, s) {
        case (.int64, .int(let v)): pointer(Int64.self)[i] = v
        case (.bool, .bool(let b)): pointer(Bool.self)[i] = b
        default: setDouble(s.doubleValue, at: i)
        }
    }
}

/// Reads element `index` as a Double, or converts and writes `write` there (slow paths for the
/// storage types).
private struct ElementAccess: ElementKernel {
    let storage: Storage, index: Int, write: Double?
    func run<T: TensorElement>(_: T.Type) -> Double {
        let p = storage.pointer(T.self)
        if let write { p[index] = T(converting: write) }
        return p[index].doubleValue
    }
}
