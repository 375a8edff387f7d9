import NNLang
import TensorRuntime

/// Tensor ops that draw from the global random stream as PyTorch does.
extension TensorOpCatalog {
    static let sampling: [TensorOp] = [
        TensorOp("multinomial", "input, num_samples, replacement=False, *, generator=None",
                 "Indices drawn from the categorical distribution each row's (unnormalised) probabilities give.", [.function]) { t, b, ev in
            let n = try b[0].asInt("num_samples"), replacement = try ev.truthy(b[1])
            return .tensor(try GeneratorObject.using(b[2]) { try t.multinomial(numSamples: n, replacement: replacement) })
        },
    ]
}
