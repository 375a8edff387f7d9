import NNLang
import TensorRuntime
import NeuralNet

/// `torch.func.functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
/// tie_weights=True, strict=False)` (also `torch.nn.utils.stateless.functional_call`): the module
/// called with the given tensors standing in for its parameters and buffers (NeuralNet's
/// Module.withSubstitutedTensors). `vmap`, `grad` and the other transforms: FuncTransforms.swift.
enum FuncNamespace {
    static let functionalCall = NativeFunction("functional_call",
        "module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False",
        doc: "module(*args, **kwargs) with the dict's tensors in place of its parameters and buffers.") { b, ev in
        let m = try b[0].asModule("module")
        var tensors: [(String, Tensor)] = []
        let dicts = ev.mappingItems(b[1]) != nil ? [b[1]] : try ev.iterate(b[1])
        for d in dicts {
            guard let items = ev.mappingItems(d) else {
                throw PyError(.valueError, "Expected all elements of parameter_and_buffer_dicts to be dictionaries")
            }
            for (k, v) in items {
                let name = try k.asString("key")
                if tensors.contains(where: { $0.0 == name }) {
                    throw PyError(.valueError, "['\(name)'] appeared in multiple dictionaries; behavior of functional call is ambiguous")
                }
                tensors.append((name, try v.asTensor(name)))
            }
        }
        var positional: [Value] = []
        if b[2].isTensor { positional = [b[2]] } else if !b[2].isNone {
            positional = ev.builtinKind(b[2]) == .tuple ? try ev.iterate(b[2]) : [b[2]]
        }
        let keywords = try (ev.mappingItems(b[3]) ?? []).map { (name: try $0.0.asString("keyword"), value: $0.1) }
        return try m.withSubstitutedTensors(tensors, strict: try b.bool(5, ev)) {
            try ev.call(b[0], Arguments(positional, keywords: keywords))
        }
    }

    static func make() -> Namespace {
        let ns = Namespace("torch.func")
        ns["functional_call"] = .object(functionalCall)
        FuncTransforms.install(ns)
        return ns
    }
}
