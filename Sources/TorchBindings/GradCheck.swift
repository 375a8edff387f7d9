import NNLang
import TensorRuntime
import NeuralNet

extension AutogradNamespace {
    /// `torch.autograd.gradcheck(func, inputs, *, eps=1e-06, atol=1e-05, rtol=0.001,
    /// raise_exception=True, …)`: compares the Jacobian autograd computes (one backward pass per
    /// output element) with central finite differences of `func` (each input element moved by
    /// ±eps in place), elementwise `|analytical - numerical| <= atol + rtol * |numerical|`.
    static func installGradcheck(_ ns: Namespace) {
        ns["gradcheck"] = .object(NativeFunction(
            "gradcheck",
            "func, inputs, *, eps=1e-06, atol=1e-05, rtol=0.001, raise_exception=True, nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False, check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True, fast_mode=False, masked=None",
            doc: "Checks the gradients autograd computes for func against finite differences.") { b, ev in
            let fn = b[0]
            let args: [Value] = { if case .tensor = b[1] { return [b[1]] } else { return (try? ev.iterate(b[1])) ?? [b[1]] } }()
            let eps = try b[2].asDouble("eps"), atol = try b[3].asDouble("atol"), rtol = try b[4].asDouble("rtol")
            let differentiable = args.enumerated().compactMap { i, v -> (Int, Tensor)? in
                if case .tensor(let t) = v, t.requiresGrad { return (i, t) }
                return nil
            }
            for (i, t) in differentiable where t.dtype != .float64 {
                NNWarnings.warn("Input #\(i) requires gradient and is not a double precision floating point or complex. This check will likely fail if all the inputs are not of double precision floating point or complex. ")
            }
            func outputs() throws -> [Tensor] {
                let r = try ev.call(fn, Arguments(args))
                if case .tensor(let t) = r { return [t] }
                return try ev.iterate(r).compactMap { if case .tensor(let t) = $0 { return t } else { return nil } }
            }
            let analyticOutputs = try outputs()
            for (oi, out) in analyticOutputs.enumerated() {
                // numerical[i][k][j]: d out[j] / d input_i[k]
                for (ii, (_, input)) in differentiable.enumerated() {
                    var numerical: [[Double]] = []
                    for k in 0..<input.numel {
                        let at = input.storageIndex(unravel(k, input.shape))
                        let original = input.storage.double(at: at)
                        input.storage.setDouble(original + eps, at: at)
                        let plus = try GradMode.withNoGrad { try outputs()[oi].toDoubles() }
                        input.storage.setDouble(original - eps, at: at)
                        let minus = try GradMode.withNoGrad { try outputs()[oi].toDoubles() }
                        input.storage.setDouble(original, at: at)
                        numerical.append(zip(plus, minus).map { ($0 - $1) / (2 * eps) })
                    }
                    for j in 0..<out.numel {
                        let seed = try Tensor.zeros(out.shape, dtype: out.dtype)
                        seed.storage.setDouble(1, at: j)
                        let grads = out.requiresGrad
                            ? try Autograd.grad(outputs: [out], inputs: [input], gradOutputs: [seed], retainGraph: true, allowUnused: true)
                            : [nil]
                        let analytic = grads[0]?.toDoubles() ?? Array(repeating: 0, count: input.numel)
                        for k in 0..<input.numel where !(abs(analytic[k] - numerical[k][j]) <= atol + rtol * abs(numerical[k][j])) {
                            guard try ev.truthy(b[5]) else { return .bool(false) }
                            throw PyError(.runtimeError, "Jacobian mismatch for output \(oi) with respect to input \(ii),\nnumerical:\(numerical[k][j])\nanalytical:\(analytic[k])\n")
                        }
                    }
                }
            }
            return .bool(true)
        })
    }

    /// The multi-index of flat (row-major) position `k` in `shape`.
    private static func unravel(_ k: Int, _ shape: [Int]) -> [Int] {
        var rest = k
        var index = [Int](repeating: 0, count: shape.count)
        for d in stride(from: shape.count - 1, through: 0, by: -1) where shape[d] > 0 {
            index[d] = rest % shape[d]
            rest /= shape[d]
        }
        return index
    }
}
