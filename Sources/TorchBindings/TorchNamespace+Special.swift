import NNLang
import TensorRuntime
import NeuralNet

/// `torch.special`: mostly other names for torch functions (expit is sigmoid, gammaln lgamma, psi
/// digamma), plus entr, ndtr and softmax/log_softmax with `dtype`.
extension TorchNamespace {
    static func installSpecial(_ torch: Namespace) {
        let special = Namespace("torch.special")
        let sameAsTorch = ["erf", "erfc", "erfinv", "log1p", "expm1", "xlogy", "digamma", "sinc", "i0", "exp2", "logit",
                           "logsumexp", "round"]
        for name in sameAsTorch { special[name] = torch[name] }
        for (name, torchName) in [("expit", "sigmoid"), ("gammaln", "lgamma"), ("psi", "digamma")] { special[name] = torch[torchName] }
        func def(_ name: String, _ signature: String, _ doc: String, _ body: @escaping (Bound, Evaluator) throws -> Value) {
            let sig = Signature(signature, style: .torch)
            special[name] = .object(NativeFunction(name, signature: sig, doc: doc) { a, ev in try body(try sig.bind(a, name), ev) })
        }
        def("entr", "input", "-x log(x) for x > 0, 0 at 0, -inf for x < 0, elementwise.") { b, _ in
            .tensor(try b.tensor(0, "input").apply(.entr))
        }
        def("ndtr", "input", "The standard normal CDF, elementwise.") { b, _ in
            .tensor(try b.tensor(0, "input").mul(.double(-0.5.squareRoot())).apply(.erfc).mul(.double(0.5)))
        }
        for (name, isLog) in [("softmax", false), ("log_softmax", true)] {
            def(name, "input, dim, *, dtype=None", isLog ? "log(softmax(x)) along dim, in dtype if given." : "softmax along dim, in dtype if given.") { b, _ in
                var x = try b.tensor(0, "input")
                if let dtype = try b.dtype(2) { x = try x.converted(to: dtype) }
                let dim = try b.int(1, "dim")
                return .tensor(isLog ? try Functional.logSoftmax(x, dim: dim) : try Functional.softmax(x, dim: dim))
            }
        }
        torch["special"] = .object(special)
    }
}
