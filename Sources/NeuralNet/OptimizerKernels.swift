import Foundation
import TensorRuntime

/// One optimizer's per-element update, written once for float32 and float64 parameters: `apply`
/// gets the parameter's, the gradient's and the state tensors' elements (a nil state pointer for
/// state the options leave out) and runs PyTorch's `_single_tensor_*` operations element by
/// element in the parameter's float type.
protocol ElementwiseUpdate {
    func apply<T: BinaryFloatingPoint>(_ p: UnsafeMutablePointer<T>, _ g: UnsafeMutablePointer<T>,
                                       _ state: [UnsafeMutablePointer<T>?], count: Int)
}

/// PyTorch's `lerp(start, end, weight)` as ATen computes it (two forms, by |weight|).
@inline(__always)
func lerp<T: BinaryFloatingPoint>(_ start: T, _ end: T, _ weight: T) -> T {
    Swift.abs(weight) < 0.5 ? start + weight * (end - start) : end - (end - start) * (1 - weight)
}

extension Optimizer {
    /// Merges script options over PyTorch's defaults (in the defaults' order).
    static func merging(_ defaults: [(String, OptionValue)], _ options: [(String, OptionValue)]) -> OrderedDict<String, OptionValue> {
        var merged = OrderedDict(defaults)
        for (k, v) in options { merged[k] = v }
        return merged
    }

    /// Runs `update` over a parameter with a gradient: `state` names the state tensors in
    /// PyTorch's order (nil entries are passed as nil pointers). `paramWrites`: how many in-place
    /// ops PyTorch's update applies to the parameter, each a version bump.
    func run<U: ElementwiseUpdate>(_ update: U, _ p: Tensor, _ grad: Tensor, _ state: [Tensor?], paramWrites: Int = 1) throws {
        try withFlatBuffers(p, grad) { b in
            switch b.dtype {
            case .float32:
                update.apply(b.pointer(b.param, Float.self), b.pointer(b.grad, Float.self),
                             state.map { $0.map { b.pointer($0, Float.self) } }, count: b.count)
            case .float64:
                update.apply(b.pointer(b.param, Double.self), b.pointer(b.grad, Double.self),
                             state.map { $0.map { b.pointer($0, Double.self) } }, count: b.count)
            default:
                throw TorchError.runtime("\(typeName): only floating point parameters can be optimized")
            }
        }
        for _ in 1..<Swift.max(paramWrites, 1) { p.bumpVersion() }
    }

    /// The state of `p`, filled by `initial` on first use (PyTorch's lazy `_init_group`).
    func lazyState(for p: Tensor, _ initial: (ParamState) throws -> Void) rethrows -> ParamState {
        let s = state(for: p)
        if s.entries.isEmpty { try initial(s) }
        return s
    }

    /// `state['step'] += 1` on the float32 step tensor; returns the new step as a Python float.
    func advanceStep(_ s: ParamState) throws -> Double {
        guard let t = s.entries["step"] else { throw TorchError(.keyError, "'step'") }
        let step = t.storage.double(at: t.storageOffset) + 1
        t.storage.setDouble(step, at: t.storageOffset)
        return t.storage.double(at: t.storageOffset)
    }

    /// A required state tensor.
    func entry(_ s: ParamState, _ key: String) throws -> Tensor {
        guard let t = s.entries[key] else { throw TorchError(.keyError, "'\(key)'") }
        return t
    }

    /// Checks `0 <= value` for each named option (PyTorch's constructor checks).
    func requireNonNegative(_ options: OrderedDict<String, OptionValue>, _ checks: [(String, String)]) throws {
        for (key, label) in checks {
            if let v = options[key], let d = v.number, !(d >= 0) { throw TorchError.value("Invalid \(label): \(v.pythonStr)") }
        }
    }

    /// The checks of Adam-like constructors: `eps`, `betas`, `weight_decay` (in PyTorch's order).
    func requireAdamOptions(_ options: OrderedDict<String, OptionValue>) throws {
        try requireNonNegative(options, [("eps", "epsilon value")])
        try requireBetas(options)
        try requireNonNegative(options, [("weight_decay", "weight_decay value")])
    }

    /// Checks `0 <= beta < 1` for both entries of `betas`.
    func requireBetas(_ options: OrderedDict<String, OptionValue>) throws {
        guard case .tuple(let betas)? = options["betas"], betas.count == 2 else { return }
        for (i, b) in betas.enumerated() {
            if let v = b.number, !(v >= 0 && v < 1) { throw TorchError.value("Invalid beta parameter at index \(i): \(b.pythonStr)") }
        }
    }
}

/// A float32 0-dim tensor holding `value` (PyTorch's `step` / `mu_product` state).
func scalarState(_ value: Double) throws -> Tensor { try Tensor(scalar: .double(value), dtype: .float32) }
