import NNLang
import TensorRuntime
import NeuralNet

/// `nn.init.sparse_`, the private helpers tutorials call (`_calculate_fan_in_and_fan_out`,
/// `_calculate_correct_fan`), and the deprecated spellings without the trailing underscore
/// (`nn.init.uniform` …: the same initialiser after PyTorch's FutureWarning).
extension InitNamespace {
    static func installMore(_ ns: Namespace,
                            _ register: (String, [String], Int, @escaping (Tensor, [Value?]) throws -> Void) -> Void) {
        register("sparse_", ["sparsity", "std"], 2) { t, s in
            try Init.sparse_(t, sparsity: try (s[0] ?? .none).asDouble("sparsity"), std: try Convert.optionalDouble(s[1], "std") ?? 0.01)
        }
        ns["_calculate_fan_in_and_fan_out"] = .object(NativeFunction("_calculate_fan_in_and_fan_out", "tensor",
            doc: "(fan_in, fan_out) of a weight: in/out features times the receptive field size.") { b, ev in
            let (fanIn, fanOut) = try Init.fanInAndFanOut(try b.tensor(0, "tensor"))
            return ev.makeTuple([.int(fanIn), .int(fanOut)])
        })
        ns["_calculate_correct_fan"] = .object(NativeFunction("_calculate_correct_fan", "tensor, mode",
            doc: "fan_in or fan_out of a weight, as mode says.") { b, _ in
            let mode = try b[1].asString("mode").lowercased()
            guard mode == "fan_in" || mode == "fan_out" else {
                throw PyError(.valueError, "Mode \(mode) not supported, please use one of ['fan_in', 'fan_out']")
            }
            let fans = try Init.fanInAndFanOut(try b.tensor(0, "tensor"))
            return .int(mode == "fan_in" ? fans.fanIn : fans.fanOut)
        })
        for old in ["uniform", "normal", "constant", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal",
                    "orthogonal", "sparse"] {
            guard case .object(let current)? = ns[old + "_"] else { continue }
            ns[old] = .object(NativeFunction(old) { a, ev in
                ev.warn("FutureWarning: `nn.init.\(old)` is now deprecated in favor of `nn.init.\(old)_`.")
                return try current.call(a, ev)
            })
        }
    }
}
