import Foundation

/// Factory functions: zeros, ones, full, eye, arange, linspace and the `*_like` forms
/// (random ones live in Random.swift).

/// Writes one value into every element of a (possibly strided) tensor.
struct FillKernel: ElementKernel {
    let target: Tensor
    let value: Scalar
    func run<T: TensorElement>(_: T.Type) {
        let v: T = elementValue(value)
        let p = elementPointer(target, T.self)
        if target.isContiguous {
            for i in 0..<target.numel { p[i] = v }
            return
        }
        let geo = StridedGeometry(shape: target.shape, [target.strides, target.strides])
        geo.forEachRow { o, count, s in
            var i = o.0
            for _ in 0..<count { p[i] = v; i += s.0 }
        }
    }
}

/// A Scalar converted to an element type (exact for integers).
@inline(__always)
func elementValue<T: TensorElement>(_ s: Scalar) -> T {
    switch s {
    case .int(let v): if let x = v as? T { return x }
    case .bool(let b): if let x = b as? T { return x }
    case .double: break
    }
    return T(converting: s.doubleValue)
}

extension Tensor {
    /// Sets every element to `value` without autograd or version bookkeeping.
    func fillRaw(_ value: Scalar) throws {
        try dispatch(dtype, FillKernel(target: self, value: value))
    }

    /// `torch.zeros(*shape, dtype=)`.
    public static func zeros(_ shape: [Int], dtype: DType = DType.defaultFloat) throws -> Tensor {
        try Tensor(shape: shape, dtype: dtype, zeroed: true)
    }

    /// `torch.zeros(*size)` as a script calls it: ATen's zeros checks the sizes itself, with its
    /// own message (internal allocations and the other factories use the generic one).
    public static func zerosFactory(_ shape: [Int], dtype: DType = DType.defaultFloat) throws -> Tensor {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw TorchError.runtime("zeros: Dimension size must be non-negative.") }
        return try zeros(shape, dtype: dtype)
    }

    /// `torch.ones(*shape, dtype=)`.
    public static func ones(_ shape: [Int], dtype: DType = DType.defaultFloat) throws -> Tensor {
        try full(shape, value: .int(1), dtype: dtype)
    }

    /// `torch.full(shape, value, dtype=)`; without a dtype it follows the value (int → int64,
    /// float → float32, bool → bool), as PyTorch.
    public static func full(_ shape: [Int], value: Scalar, dtype: DType? = nil) throws -> Tensor {
        let t = try Tensor(shape: shape, dtype: dtype ?? value.defaultDType, zeroed: false)
        try t.fillRaw(value)
        return t
    }

    /// `torch.empty` (zero-filled here: uninitialised memory is never exposed).
    public static func empty(_ shape: [Int], dtype: DType = DType.defaultFloat) throws -> Tensor { try zeros(shape, dtype: dtype) }

    /// `torch.eye(n, m)`.
    public static func eye(n: Int, m: Int? = nil, dtype: DType = DType.defaultFloat) throws -> Tensor {
        let cols = m ?? n
        guard n >= 0 else { throw TorchError.runtime("n must be greater or equal to 0, got \(n)") }
        guard cols >= 0 else { throw TorchError.runtime("m must be greater or equal to 0, got \(cols)") }
        guard !n.multipliedReportingOverflow(by: cols).overflow else { throw TorchError.runtime("numel: integer multiplication overflow") }
        let t = try zeros([n, cols], dtype: dtype)
        for i in 0..<Swift.min(n, cols) { t.storage.set(.int(1), at: i * cols + i) }
        return t
    }

    /// `torch.arange(start, end, step)`: int64 when all arguments are integers, else float32;
    /// length `ceil((end - start) / step)`.
    public static func arange(start: Scalar = .int(0), end: Scalar, step: Scalar = .int(1), dtype: DType? = nil) throws -> Tensor {
        let allInt = [start, end, step].allSatisfy { if case .double = $0 { return false } else { return true } }
        let dt = dtype ?? (allInt ? .int64 : DType.defaultFloat)
        guard dt != .bool else { throw TorchError(.notImplementedError, "\"arange_cpu\" not implemented for 'Bool'") }
        let s = start.doubleValue, e = end.doubleValue, st = step.doubleValue
        guard st != 0 else { throw TorchError.runtime("step must be nonzero") }
        guard s.isFinite && e.isFinite else {
            throw TorchError.runtime("unsupported range: \(start.cxxDescription) -> \(end.cxxDescription)")
        }
        guard (st > 0 && e >= s) || (st < 0 && e <= s) else {
            throw TorchError.runtime("upper bound and lower bound inconsistent with step sign")
        }
        // ATen sizes the result in double first (so an int range past Int64 is caught here too).
        let sizeEstimate = ((e - s) / st).rounded(.up)
        guard sizeEstimate >= 0 && sizeEstimate <= 9.223372036854775807e18 else {
            throw TorchError.runtime("invalid size, possible overflow?")
        }
        let count: Int
        if allInt, case .int(let si) = start, case .int(let ei) = end, case .int(let sti) = step {
            let (span, o) = ei.subtractingReportingOverflow(si)
            guard !o else { throw TorchError.runtime("invalid size, possible overflow?") }
            count = Int((span / sti) + (span % sti != 0 ? 1 : 0))
        } else {
            count = Int(sizeEstimate)
        }
        let t = try Tensor(shape: [count], dtype: dt, zeroed: false)
        if case .int(let si) = start, case .int(let sti) = step, dt == .int64 {
            let p = t.storage.pointer(Int64.self)
            for i in 0..<count { p[i] = si &+ Int64(i) &* sti }
        } else {
            for i in 0..<count { t.storage.setDouble(s + Double(i) * st, at: i) }
        }
        return t
    }

    /// `torch.arange(end)`.
    public static func arange(_ end: Scalar, dtype: DType? = nil) throws -> Tensor {
        try arange(start: .int(0), end: end, step: .int(1), dtype: dtype)
    }

    /// `torch.linspace(start, end, steps)` with PyTorch's two-sided formula (first half counts up
    /// from start, second half down from end), computed in the result dtype.
    public static func linspace(start: Double, end: Double, steps: Int, dtype: DType = DType.defaultFloat) throws -> Tensor {
        guard steps >= 0 else { throw TorchError.runtime("number of steps must be non-negative") }
        if dtype == .bool { throw TorchError(.notImplementedError, "\"linspace_cpu\" not implemented for 'Bool'") }
        let t = try Tensor(shape: [steps], dtype: dtype.computeType, zeroed: false)
        try dispatchArith(t.dtype, LinspaceKernel(t: t, start: start, end: end, steps: steps))
        return try t.cast(dtype)
    }

    // MARK: - *_like

    public static func zerosLike(_ t: Tensor, dtype: DType? = nil) throws -> Tensor { try zeros(t.shape, dtype: dtype ?? t.dtype) }
    public static func onesLike(_ t: Tensor, dtype: DType? = nil) throws -> Tensor { try ones(t.shape, dtype: dtype ?? t.dtype) }
    public static func fullLike(_ t: Tensor, value: Scalar, dtype: DType? = nil) throws -> Tensor {
        try full(t.shape, value: value, dtype: dtype ?? t.dtype)
    }
    public static func emptyLike(_ t: Tensor, dtype: DType? = nil) throws -> Tensor { try zeros(t.shape, dtype: dtype ?? t.dtype) }
}

private struct LinspaceKernel: ArithKernel {
    let t: Tensor, start: Double, end: Double, steps: Int
    /// PyTorch's `linspace_kernel`: start and end converted to the dtype, `step` in the dtype
    /// (double for integers); the first half is `start + step * i`, the rest `end - step * (steps - 1 - i)`.
    /// PyTorch's build contracts both into fused multiply-adds (GCC's default -ffp-contract=fast),
    /// so they are fused here too.
    func run<T: ArithElement>(_: T.Type) {
        let p = t.storage.pointer(T.self)
        if steps == 0 { return }
        if steps == 1 { p[0] = T(converting: start); return }
        let half = steps / 2, last = steps - 1
        if T.self == Float.self {
            let q = UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
            let s = Float(start), e = Float(end), step = (e - s) / Float(last)
            for i in 0..<half { q[i] = s.addingProduct(step, Float(i)) }
            for i in half..<steps { q[i] = e.addingProduct(-step, Float(last - i)) }
        } else if T.self == Double.self {
            let q = UnsafeMutableRawPointer(p).assumingMemoryBound(to: Double.self)
            let step = (end - start) / Double(last)
            for i in 0..<half { q[i] = start.addingProduct(step, Double(i)) }
            for i in half..<steps { q[i] = end.addingProduct(-step, Double(last - i)) }
        } else {
            // Integers: start and end truncated to the dtype first, the step in double.
            let s = Double(Int64(converting: start)), e = Double(Int64(converting: end))
            let step = (e - s) / Double(last)
            for i in 0..<half { p[i] = T(converting: s.addingProduct(step, Double(i))) }
            for i in half..<steps { p[i] = T(converting: e.addingProduct(-step, Double(last - i))) }
        }
    }
}

/// The element count of a new contiguous tensor, with ATen's checks in its order: every size
/// non-negative (the first negative one is named), then the byte count within Int64 ("Storage
/// size calculation overflowed", even when a later zero size makes the count 0).
public func storageElementCount(_ shape: [Int], itemSize: Int) throws -> Int {
    var bytes: UInt64 = 1, overflowed = false
    for d in shape {
        guard d >= 0 else {
            throw TorchError.runtime("Trying to create tensor with negative dimension \(d): \(shapeDescription(shape))")
        }
        let (product, o) = bytes.multipliedReportingOverflow(by: UInt64(d))
        overflowed = overflowed || o
        bytes = product
    }
    let (total, o) = bytes.multipliedReportingOverflow(by: UInt64(itemSize))
    overflowed = overflowed || o
    bytes = total
    guard !overflowed, bytes <= UInt64(Int64.max) else {
        throw TorchError.runtime("Storage size calculation overflowed with sizes=\(shapeDescription(shape))")
    }
    return bytes == 0 ? 0 : Int(bytes) / itemSize
}

extension Scalar {
    /// The number as ATen's messages print a Scalar (C++ `ostream <<`: ints in full, doubles with
    /// six significant digits, `0`, `1.5`, `1e+20`, `inf`, `nan`).
    var cxxDescription: String {
        switch self {
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return String(format: "%g", d)
        }
    }
}
