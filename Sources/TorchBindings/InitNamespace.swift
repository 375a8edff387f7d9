import NNLang
import TensorRuntime
import NeuralNet

/// `torch.nn.init`: the in-place initialisers of NeuralNet's `Init` (each returns its tensor,
/// as PyTorch's do) and `calculate_gain`.
enum InitNamespace {
    static func make() -> Namespace {
        let ns = Namespace("torch.nn.init")
        /// Registers `name(tensor, parameters…)` running `body` on the tensor and returning it.
        func initialiser(_ name: String, _ parameters: [String], required: Int = 1,
                         _ body: @escaping (Tensor, [Value?]) throws -> Void) {
            ns.function(name) { a, _ in
                let s = try a.bind(name, ["tensor"] + parameters + ["generator"], required: required)
                let t = try s[0]!.asTensor("tensor")
                try body(t, Array(s.dropFirst()))
                return .tensor(t)
            }
        }
        func double(_ v: Value?, _ name: String, _ d: Double) throws -> Double { try Convert.optionalDouble(v, name) ?? d }
        func string(_ v: Value?, _ d: String) throws -> String { try ModuleMethods.optionalString(v) ?? d }

        initialiser("uniform_", ["a", "b"]) { t, s in try Init.uniform_(t, try double(s[0], "a", 0), try double(s[1], "b", 1)) }
        initialiser("normal_", ["mean", "std"]) { t, s in
            try Init.normal_(t, mean: try double(s[0], "mean", 0), std: try double(s[1], "std", 1))
        }
        initialiser("constant_", ["val"], required: 2) { t, s in try Init.constant_(t, try double(s[0], "val", 0)) }
        initialiser("zeros_", []) { t, _ in Init.zeros_(t) }
        initialiser("ones_", []) { t, _ in try Init.ones_(t) }
        initialiser("kaiming_uniform_", ["a", "mode", "nonlinearity"]) { t, s in
            try Init.kaimingUniform_(t, a: try double(s[0], "a", 0), mode: try string(s[1], "fan_in"),
                                     nonlinearity: try string(s[2], "leaky_relu"))
        }
        initialiser("kaiming_normal_", ["a", "mode", "nonlinearity"]) { t, s in
            try Init.kaimingNormal_(t, a: try double(s[0], "a", 0), mode: try string(s[1], "fan_in"),
                                    nonlinearity: try string(s[2], "leaky_relu"))
        }
        initialiser("xavier_uniform_", ["gain"]) { t, s in try Init.xavierUniform_(t, gain: try double(s[0], "gain", 1)) }
        initialiser("xavier_normal_", ["gain"]) { t, s in try Init.xavierNormal_(t, gain: try double(s[0], "gain", 1)) }
        installStructured(initialiser)
        installMore(ns, initialiser)
        ns.function("calculate_gain") { a, _ in
            let s = try a.bind("calculate_gain", ["nonlinearity", "param"], required: 1)
            let name = try s[0]!.asString("nonlinearity")
            let gain = try Init.calculateGain(name, param: try Convert.optionalDouble(s[1], "param"))
            // PyTorch returns the int 1 for the linear family and sigmoid.
            return gain == 1 && name != "leaky_relu" ? .int(1) : .float(gain)
        }
        return ns
    }
}
