import NNLang
import TensorRuntime

/// `torch.get_rng_state` / `set_rng_state`, `Generator.get_state` / `set_state`, and the
/// `torch.random` module (`fork_rng`): PyTorch's 5056-byte CPU generator state
/// (TensorRuntime/RandomState.swift), so a saved state replays the same stream.
extension TorchNamespace {
    static func installRandomState(_ torch: Namespace) {
        let random = Namespace("torch.random")
        for ns in [torch, random] {
            ns["get_rng_state"] = .object(NativeFunction("get_rng_state", "", doc: "The default generator's state as a uint8 tensor.") { _, _ in
                .tensor(try TorchRandom.generator.stateTensor())
            })
            ns["set_rng_state"] = .object(NativeFunction("set_rng_state", "new_state", doc: "Restores the default generator from get_rng_state().") { b, _ in
                try TorchRandom.generator.setState(try stateTensor(b[0]))
                return .none
            })
        }
        for name in ["manual_seed", "seed", "initial_seed", "default_generator"] { random[name] = torch[name] }
        random["fork_rng"] = .object(NativeFunction("fork_rng", "devices=None, enabled=True, _caller='fork_rng', _devices_kw='devices', device_type='cuda'",
                                                    doc: "Context manager that restores the random state on exit.") { b, ev in
            .object(ForkedRandomState(enabled: try ev.truthy(b[1])))
        })
        torch["random"] = .object(random)
    }

    /// The tensor argument of `set_rng_state` / `set_state`, with PyTorch's TypeError otherwise.
    static func stateTensor(_ v: Value) throws -> Tensor {
        guard case .tensor(let t) = v else { throw PyError(.typeError, "expected a torch.ByteTensor, but got \(v.typeName)") }
        return t
    }
}

/// `with torch.random.fork_rng():` — the default generator's state is saved on entry and
/// restored on exit (exceptions included).
final class ForkedRandomState: PyObject {
    private let enabled: Bool
    private var saved: [[UInt8]] = []

    init(enabled: Bool) { self.enabled = enabled }

    override var typeName: String { "_GeneratorContextManager" }
    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "__enter__":
            return method(name) { _, _ in
                if self.enabled { self.saved.append(TorchRandom.generator.stateBytes()) }
                return .none
            }
        case "__exit__":
            return method(name) { _, _ in
                if let state = self.saved.popLast() { try TorchRandom.generator.setState(bytes: state) }
                return .bool(false)
            }
        default: return nil
        }
    }
}
