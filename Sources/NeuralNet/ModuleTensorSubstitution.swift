import TensorRuntime

extension Module {
    /// Runs `body` with some parameters and buffers (dotted names: `0.weight`) replaced by the
    /// given tensors, then puts the originals back: `torch.func.functional_call`. Names that are
    /// neither are ignored unless `strict`, which also wants every parameter and buffer given
    /// (PyTorch's "Error(s) in reparametrizing for …" RuntimeError).
    public func withSubstitutedTensors<R>(_ tensors: [(String, Tensor)], strict: Bool, _ body: () throws -> R) throws -> R {
        if strict {
            let known = namedParameters().map(\.0) + namedBuffers().map(\.0), given = tensors.map(\.0)
            var errors: [String] = []
            let unexpected = given.filter { !known.contains($0) }, missing = known.filter { !given.contains($0) }
            if !unexpected.isEmpty { errors.append("Unexpected key(s): \(unexpected.map { "'\($0)'" }.joined(separator: ", ")).") }
            if !missing.isEmpty { errors.append("Missing key(s): \(missing.map { "'\($0)'" }.joined(separator: ", ")).") }
            if !errors.isEmpty {
                throw TorchError.runtime("Error(s) in reparametrizing for \(typeName):\n\t" + errors.joined(separator: "\n\t"))
            }
        }
        var saved: [(module: Module, name: String, buffer: Bool, original: Tensor?)] = []
        defer {
            for s in saved.reversed() {
                if s.buffer { s.module.ownBuffers[s.name] = .some(s.original) } else { s.module.ownParameters[s.name] = .some(s.original) }
            }
        }
        for (name, t) in tensors {
            var parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard let leaf = parts.popLast() else { continue }
            var owner: Module? = self
            for p in parts { owner = owner?.child(p) }
            guard let m = owner else { continue }
            if let original = m.ownParameters[leaf] {
                saved.append((m, leaf, false, original))
                m.ownParameters[leaf] = .some(t)
            } else if let original = m.ownBuffers[leaf] {
                saved.append((m, leaf, true, original))
                m.ownBuffers[leaf] = .some(t)
            }
        }
        return try body()
    }
}
