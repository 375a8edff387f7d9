import NNLang
import TensorRuntime
import NeuralNet

/// `module.to(device/dtype)`, `float()`, `double()`: moves every floating-point parameter,
/// gradient and buffer to another dtype in place (the tensors keep their identity, as
/// `Module._apply` keeps `Parameter` objects). Only the CPU exists.
enum ModuleConversion {
    /// `to(device=None, dtype=None, non_blocking=False)`, `to(dtype)`, `to(tensor)`, `to("cpu")`.
    static func to(_ m: Module, _ a: Arguments, _ ev: Evaluator) throws -> Value {
        var dtype: DType? = nil
        let given = a.positional + a.keywords.filter { ["device", "dtype", "tensor", "other"].contains($0.name) }.map(\.value)
        for (k, _) in a.keywords where !["device", "dtype", "tensor", "other", "non_blocking", "copy", "memory_format"].contains(k) {
            throw PyError(.typeError, "to() received an invalid combination of arguments - got an unexpected keyword argument '\(k)'")
        }
        for v in given {
            switch v {
            case .object(let d as DTypeObject): dtype = d.dtype
            case .tensor(let t): dtype = t.dtype
            case .bool, .none: break
            default: try Convert.checkDevice(v, ev)
            }
        }
        if let dtype {
            guard dtype.isFloatingPoint else {
                throw PyError(.typeError, "nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=\(dtype.name)")
            }
            try convert(m, to: dtype)
        }
        if let format = try Convert.memoryFormat(a.keywords.first { $0.name == "memory_format" }?.value, "to") {
            try relayout(m, format)
        }
        return .module(m)
    }

    /// `to(memory_format=)`: the 4-d and 5-d parameters (and their grads) and buffers of every
    /// module below `m` take `format`'s strides, as `Module._apply` converts them.
    static func relayout(_ m: Module, _ format: MemoryFormat) throws {
        var seen = Set<ObjectIdentifier>()
        try GradMode.withNoGrad {
            for module in m.modules() {
                let tensors = module.ownParameters.values.compactMap { $0 } + module.ownBuffers.values.compactMap { $0 }
                for t in tensors where t.dim == 4 || t.dim == 5 {
                    guard seen.insert(ObjectIdentifier(t)).inserted else { continue }
                    try t.setData(try t.contiguous(format))
                    if let g = t.grad { t.grad = try g.contiguous(format) }
                }
            }
        }
    }

    /// Converts the floating-point parameters (and their grads) and buffers of every module below `m`.
    static func convert(_ m: Module, to dtype: DType) throws {
        var seen = Set<ObjectIdentifier>()
        try GradMode.withNoGrad {
            for module in m.modules() {
                let tensors = module.ownParameters.values.compactMap { $0 } + module.ownBuffers.values.compactMap { $0 }
                for t in tensors where t.dtype.isFloatingPoint && t.dtype != dtype {
                    guard seen.insert(ObjectIdentifier(t)).inserted else { continue }
                    try t.setData(try t.converted(to: dtype))
                    if let g = t.grad { t.grad = try g.converted(to: dtype) }
                }
            }
        }
    }
}
