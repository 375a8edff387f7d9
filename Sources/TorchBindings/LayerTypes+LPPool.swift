import NNLang
import TensorRuntime
import NeuralNet

extension LayerTypes {
    /// `nn.LPPool1d`, `nn.LPPool2d`.
    static func installLPPool(into nn: Namespace, moduleBase base: PyType) {
        let signature = "norm_type, kernel_size, stride=None, ceil_mode=False"
        add(nn, base, "LPPool1d", LPPool1d.self, signature, "p-norm of each window of (N, C, L) input (stride defaults to kernel_size).") { s, ev in
            let args = try lpPoolArguments(s[0], s[1], s[2], ev, oneDimensional: true)
            return try LPPool1d(normType: args.normType, kernelSize: args.kernel, stride: args.stride, ceilMode: try ev.truthy(s[3]),
                                written: (try ev.repr(s[0]), try ev.repr(s[1]), try ev.repr(s[2])))
        }
        add(nn, base, "LPPool2d", LPPool2d.self, signature, "p-norm of each window of (N, C, H, W) input (stride defaults to kernel_size).") { s, ev in
            let args = try lpPoolArguments(s[0], s[1], s[2], ev, oneDimensional: false)
            return try LPPool2d(normType: args.normType, kernelSize: args.kernel, stride: args.stride, ceilMode: try ev.truthy(s[3]),
                                written: (try ev.repr(s[0]), try ev.repr(s[1]), try ev.repr(s[2])))
        }
    }

    /// norm_type, kernel_size and stride of an LP pool as (height, width) pairs (height 1 in 1-d).
    static func lpPoolArguments(_ norm: Value?, _ kernel: Value?, _ stride: Value?, _ ev: Evaluator,
                                oneDimensional: Bool) throws -> (normType: Scalar, kernel: (Int, Int), stride: (Int, Int)?) {
        guard let normType = try Convert.scalar(norm) else { throw PyError(.typeError, "norm_type must be a number, not NoneType") }
        if oneDimensional {
            let s = stride?.isNone ?? true ? nil : try single(stride, "stride", ev)
            return (normType, (1, try single(kernel, "kernel_size", ev)), s.map { (1, $0) })
        }
        return (normType, try requiredPair(kernel, ev, "kernel_size").pair, try intPair(stride, ev)?.pair)
    }
}

extension FunctionalNamespace {
    /// `F.lp_pool1d`, `F.lp_pool2d`.
    static func installLPPool(_ f: Namespace) {
        for (name, oneDimensional) in [("lp_pool1d", true), ("lp_pool2d", false)] {
            def(f, name, "input, norm_type, kernel_size, stride=None, ceil_mode=False",
                "p-norm of each window: (avg_pool(x^p) · window size)^(1/p).") { s, ev in
                let args = try LayerTypes.lpPoolArguments(s[1], s[2], s[3], ev, oneDimensional: oneDimensional)
                return .tensor(try Functional.lpPool(try tensor(s[0], "input"), normType: args.normType, kernelSize: args.kernel,
                                                     stride: args.stride, ceilMode: try Convert.bool(s[4], default: false, ev),
                                                     oneDimensional: oneDimensional, normText: try ev.repr(s[1] ?? .none)))
            }
        }
    }
}
