import NNLang
import TensorRuntime
import NeuralNet

/// `nn.init.orthogonal_`, `trunc_normal_`, `eye_`, `dirac_` (NeuralNet's Init+Structured.swift).
extension InitNamespace {
    /// `register(name, parameters, required, body)` is `make()`'s initialiser registration.
    static func installStructured(_ register: (String, [String], Int, @escaping (Tensor, [Value?]) throws -> Void) -> Void) {
        func double(_ v: Value?, _ name: String, _ d: Double) throws -> Double { try Convert.optionalDouble(v, name) ?? d }
        register("orthogonal_", ["gain"], 1) { t, s in try Init.orthogonal_(t, gain: try double(s[0], "gain", 1)) }
        register("trunc_normal_", ["mean", "std", "a", "b"], 1) { t, s in
            try Init.truncNormal_(t, mean: try double(s[0], "mean", 0), std: try double(s[1], "std", 1),
                                  a: try double(s[2], "a", -2), b: try double(s[3], "b", 2))
        }
        register("eye_", [], 1) { t, _ in try Init.eye_(t) }
        register("dirac_", ["groups"], 1) { t, s in try Init.dirac_(t, groups: try Convert.optionalInt(s[0], "groups") ?? 1) }
    }
}
