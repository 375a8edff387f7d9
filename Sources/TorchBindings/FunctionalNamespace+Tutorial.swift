import NNLang
import TensorRuntime
import NeuralNet

extension FunctionalNamespace {
    /// `F.gumbel_softmax`, `F.rrelu`, `F.channel_shuffle`.
    static func installTutorial(_ f: Namespace) {
        def(f, "gumbel_softmax", "logits, tau=1, hard=False, eps=1e-10, dim=-1",
            "softmax((logits + Gumbel noise) / tau); hard=True gives one-hot values with the soft gradient.") { s, ev in
            let logits = try tensor(s[0], "logits"), tau = try (s[1] ?? .int(1)).asDouble("tau")
            let dim = try Convert.optionalInt(s[4], "dim") ?? -1
            // PyTorch: -empty_like(logits).exponential_().log()
            let gumbels = try GradMode.withNoGrad {
                try Tensor.zeros(logits.shape, dtype: logits.dtype).exponentialInPlace().log().neg()
            }
            let soft = try logits.add(gumbels).div(.double(tau)).softmax(dim: dim)
            guard try ev.truthy(s[2] ?? .bool(false)) else { return .tensor(soft) }
            let index = try soft.max(dim: dim, keepdim: true).indices
            let hard = try Tensor.zeros(logits.shape, dtype: logits.dtype)
                .scatter(dim: dim, index: index, src: try Tensor.full(index.shape, value: .double(1), dtype: logits.dtype))
            return .tensor(try hard.sub(soft.detach()).add(soft))
        }
        def(f, "rrelu", "input, lower=0.125, upper=0.3333333333333333, training=False, inplace=False",
            "Randomized leaky ReLU: slopes drawn from U(lower, upper) when training, their mean otherwise.") { s, ev in
            let x = try tensor(s[0], "input")
            let out = try x.rrelu(lower: try (s[1] ?? .none).asDouble("lower"), upper: try (s[2] ?? .none).asDouble("upper"),
                                  training: try ev.truthy(s[3] ?? .bool(false)))
            guard try ev.truthy(s[4] ?? .bool(false)) else { return .tensor(out) }
            return .tensor(try x.applyInPlace { _, _ in out })
        }
        def(f, "channel_shuffle", "input, groups", "Channels regrouped: (N, g·k, …) read as (N, g, k, …), transposed to (N, k, g, …).") { s, _ in
            .tensor(try tensor(s[0], "input").channelShuffle(groups: try (s[1] ?? .none).asInt("groups")))
        }
    }
}
