import Foundation
import TensorRuntime

/// `torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
/// foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
/// decoupled_weight_decay=False)`. State per parameter: `step` (a float32 0-dim tensor),
/// `exp_avg`, `exp_avg_sq` (+ `max_exp_avg_sq` with amsgrad). One fused pass per parameter, with
/// PyTorch's float32 operation order (lerp, addcmul, addcdiv).
public class Adam: Optimizer {
    /// PyTorch's defaults in order.
    public class var defaultOptions: [(String, OptionValue)] {
        [("lr", .double(1e-3)), ("betas", .tuple([.double(0.9), .double(0.999)])), ("eps", .double(1e-8)),
         ("weight_decay", .int(0)), ("amsgrad", .bool(false)), ("maximize", .bool(false)), ("foreach", .none),
         ("capturable", .bool(false)), ("differentiable", .bool(false)), ("fused", .none),
         ("decoupled_weight_decay", .bool(false))]
    }

    /// Script form: options as given override the defaults.
    public required init(groups: [ParamGroupSpec], options: [(String, OptionValue)] = []) throws {
        try super.init(groups: groups, defaults: Optimizer.merging(Self.defaultOptions, options))
    }

    /// Swift form; only non-default values are recorded as given.
    public convenience init(_ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                            weightDecay: Double? = nil, amsgrad: Bool = false, maximize: Bool = false) throws {
        var options: [(String, OptionValue)] = [("lr", .double(lr))]
        if betas != (0.9, 0.999) { options.append(("betas", .tuple([.double(betas.0), .double(betas.1)]))) }
        if eps != 1e-8 { options.append(("eps", .double(eps))) }
        if let weightDecay { options.append(("weight_decay", .double(weightDecay))) }
        if amsgrad { options.append(("amsgrad", .bool(true))) }
        if maximize { options.append(("maximize", .bool(true))) }
        try self.init(groups: [ParamGroupSpec(params: params)], options: options)
    }

    override public func validate(_ options: OrderedDict<String, OptionValue>) throws {
        try super.validate(options)
        if let e = options["eps"], let v = e.number, v < 0 { throw TorchError.value("Invalid epsilon value: \(e.pythonStr)") }
        if case .tuple(let betas)? = options["betas"], betas.count == 2 {
            for (i, b) in betas.enumerated() {
                if let v = b.number, !(v >= 0 && v < 1) { throw TorchError.value("Invalid beta parameter at index \(i): \(b.pythonStr)") }
            }
        }
        if let w = options["weight_decay"], let v = w.number, v < 0 { throw TorchError.value("Invalid weight_decay value: \(w.pythonStr)") }
    }

    override public func update(group: ParamGroup) throws {
        let lr = try group.number("lr"), (beta1, beta2) = try group.pair("betas")
        let eps = try group.number("eps"), wd = try group.number("weight_decay")
        let amsgrad = group.flag("amsgrad"), maximize = group.flag("maximize"), decoupled = group.flag("decoupled_weight_decay")
        for p in group.params {
            guard let grad = p.grad else { continue }
            try withFlatBuffers(p, grad) { b in
                let s = state(for: p)
                if s.entries.isEmpty {
                    s.entries["step"] = try Tensor(scalar: .double(0), dtype: .float32)
                    s.entries["exp_avg"] = try b.zeros()
                    s.entries["exp_avg_sq"] = try b.zeros()
                    if amsgrad { s.entries["max_exp_avg_sq"] = try b.zeros() }
                }
                guard let stepT = s.entries["step"], let m = s.entries["exp_avg"], let v = s.entries["exp_avg_sq"] else {
                    throw TorchError(.keyError, "step")
                }
                if amsgrad && s.entries["max_exp_avg_sq"] == nil { s.entries["max_exp_avg_sq"] = try b.zeros() }
                let step = stepT.storage.double(at: stepT.storageOffset) + 1
                stepT.storage.setDouble(step, at: stepT.storageOffset)
                let k = AdamScalars(lr: lr, beta1: beta1, beta2: beta2, eps: eps, wd: wd, step: step,
                                    maximize: maximize, decoupled: decoupled)
                let vmax = amsgrad ? s.entries["max_exp_avg_sq"] : nil
                switch b.dtype {
                case .float32:
                    // Big parameters are split over the cores.
                    let n = b.count, parts = n >= 1 << 16 ? kernelThreads : 1
                    parallelParts(parts) { part in
                        adamVectorKernel(b, m, v, vmax, k, partRange(part, of: parts, count: n, align: 16))
                    }
                case .float64: adamKernel(b, Double.self, m, v, vmax, k, 0..<b.count)
                default: throw TorchError.runtime("Adam: only floating point parameters can be optimized")
                }
            }
            // Decoupled weight decay is PyTorch's separate `param.mul_`: a second version bump.
            if decoupled && wd != 0 { p.bumpVersion() }
        }
    }
}

/// `torch.optim.AdamW`: Adam with decoupled weight decay (default 1e-2).
public final class AdamW: Adam {
    override public class var defaultOptions: [(String, OptionValue)] {
        Adam.defaultOptions.map { k, v in
            k == "weight_decay" ? (k, .double(1e-2)) : k == "decoupled_weight_decay" ? (k, .bool(true)) : (k, v)
        }
    }
}

struct AdamScalars {
    let lr, beta1, beta2, eps, wd, step: Double
    let maximize, decoupled: Bool
}

/// The per-step constants of the update, in the parameter's float type.
private struct AdamConstants<T: BinaryFloatingPoint> {
    let negStepSize, bc2Sqrt, weight, oneMinusWeight, beta2, oneMinusBeta2, eps, wd, decayFactor: T
    let useLow: Bool

    init(_ k: AdamScalars) {
        let bc1 = 1 - Foundation.pow(k.beta1, k.step), bc2 = 1 - Foundation.pow(k.beta2, k.step)
        negStepSize = T(-(k.lr / bc1)); bc2Sqrt = T(bc2.squareRoot())
        weight = T(1 - k.beta1); oneMinusWeight = 1 - weight; useLow = abs(1 - k.beta1) < 0.5
        beta2 = T(k.beta2); oneMinusBeta2 = T(1 - k.beta2); eps = T(k.eps); wd = T(k.wd)
        decayFactor = T(1 - k.lr * k.wd)
    }
}

/// One fused Adam pass over `range`: PyTorch's `_single_tensor_adam` element by element.
@inline(__always)
private func adamKernel<T: BinaryFloatingPoint>(_ b: FlatBuffers, _: T.Type, _ mT: Tensor, _ vT: Tensor, _ vmaxT: Tensor?,
                                                _ k: AdamScalars, _ range: Range<Int>) {
    let p = b.pointer(b.param, T.self), g = b.pointer(b.grad, T.self)
    let m = b.pointer(mT, T.self), v = b.pointer(vT, T.self), vmax = vmaxT.map { b.pointer($0, T.self) }
    let c = AdamConstants<T>(k)
    for i in range {
        var d = k.maximize ? -g[i] : g[i]
        if k.wd != 0 {
            if k.decoupled { p[i] = p[i] * c.decayFactor } else { d = d + c.wd * p[i] }
        }
        m[i] = c.useLow ? m[i] + c.weight * (d - m[i]) : d - (d - m[i]) * c.oneMinusWeight
        v[i] = v[i] * c.beta2 + c.oneMinusBeta2 * d * d
        var second = v[i]
        if let vmax {
            vmax[i] = Swift.max(vmax[i], v[i])
            second = vmax[i]
        }
        let denom = second.squareRoot() / c.bc2Sqrt + c.eps
        p[i] = p[i] + c.negStepSize * m[i] / denom
    }
}

/// `adamKernel` for float32 with the CPU's widest vectors (the same operations per element, so
/// the same results; CKernels/adam_update.c).
private func adamVectorKernel(_ b: FlatBuffers, _ mT: Tensor, _ vT: Tensor, _ vmaxT: Tensor?, _ k: AdamScalars, _ range: Range<Int>) {
    let c = AdamConstants<Float>(k)
    let step = AdamFloatStep(negStepSize: c.negStepSize, bc2Sqrt: c.bc2Sqrt, weight: c.weight, oneMinusWeight: c.oneMinusWeight,
                             beta2: c.beta2, oneMinusBeta2: c.oneMinusBeta2, eps: c.eps, weightDecay: c.wd,
                             decayFactor: c.decayFactor, useLow: c.useLow, maximize: k.maximize, hasDecay: k.wd != 0,
                             decoupled: k.decoupled)
    let start = range.lowerBound
    step.apply(b.pointer(b.param, Float.self) + start, b.pointer(b.grad, Float.self) + start,
               expAvg: b.pointer(mT, Float.self) + start, expAvgSq: b.pointer(vT, Float.self) + start,
               maxExpAvgSq: vmaxT.map { b.pointer($0, Float.self) + start }, count: range.count)
}
