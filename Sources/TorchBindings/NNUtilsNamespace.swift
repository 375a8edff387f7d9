import NNLang
import TensorRuntime
import NeuralNet

/// `torch.nn.utils`: gradient clipping (`clip_grad_norm_`, `clip_grad_value_`) and
/// `parameters_to_vector`.
enum NNUtilsNamespace {
    static func make(moduleBase: PyType) -> Namespace {
        let ns = Namespace("torch.nn.utils")
        ns.function("clip_grad_norm_") { a, ev in
            let s = try a.bind("clip_grad_norm_", ["parameters", "max_norm", "norm_type", "error_if_nonfinite", "foreach"], required: 2)
            let grads = try tensors(s[0]!, ev).compactMap(\.grad)
            let maxNorm = try s[1]!.asDouble("max_norm")
            let p = try Convert.optionalDouble(s[2], "norm_type") ?? 2
            guard !grads.isEmpty else { return .tensor(try Tensor(scalar: .double(0))) }
            let total = try totalNorm(grads, p, errorIfNonfinite: try Convert.bool(s[3], default: false, ev))
            try scale(grads, maxNorm: maxNorm, total: try total.item().doubleValue)
            return .tensor(total)
        }
        ns.function("clip_grad_value_") { a, ev in
            let s = try a.bind("clip_grad_value_", ["parameters", "clip_value", "foreach"], required: 2)
            let limit = try s[1]!.asDouble("clip_value")
            try GradMode.withNoGrad {
                for g in try tensors(s[0]!, ev).compactMap(\.grad) {
                    try copyElements(from: try g.maximum(try Tensor(scalar: .double(-limit), dtype: g.dtype))
                                         .minimum(try Tensor(scalar: .double(limit), dtype: g.dtype)), to: g)
                }
            }
            return .none
        }
        ns.function("parameters_to_vector") { a, ev in
            let s = try a.bind("parameters_to_vector", ["parameters"], required: 1)
            return .tensor(try Tensor.cat(try tensors(s[0]!, ev).map { try $0.reshape([-1]) }))
        }
        ns["rnn"] = .object(makeRNN())
        installReparametrizations(ns)
        installParametrize(ns, moduleBase: moduleBase)
        installVectorToParameters(ns)
        return ns
    }

    /// A tensor or an iterable of tensors (`model.parameters()`).
    /// `_get_total_norm`: the p-norm of the tensors' p-norms (0 for none); non-finite is an
    /// error when asked.
    static func totalNorm(_ tensors: [Tensor], _ p: Double, errorIfNonfinite: Bool) throws -> Tensor {
        guard !tensors.isEmpty else { return try Tensor(scalar: .double(0)) }
        let total = try GradMode.withNoGrad { try Tensor.stack(try tensors.map { try $0.norm(p: p) }).norm(p: p) }
        if try errorIfNonfinite && !total.item().doubleValue.isFinite {
            throw PyError(.runtimeError, "The total norm of order \(TensorRuntime.pythonFloatRepr(p)) for gradients from `parameters` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
        }
        return total
    }

    /// `_clip_grads_with_norm_`: each gradient times min(1, max_norm / (total + 1e-6)).
    static func scale(_ grads: [Tensor], maxNorm: Double, total: Double) throws {
        let coefficient = Swift.min(maxNorm / (total + 1e-6), 1)
        try GradMode.withNoGrad {
            for g in grads { try copyElements(from: try g.mul(.double(coefficient)), to: g) }
        }
    }

    static func tensors(_ v: Value, _ ev: Evaluator) throws -> [Tensor] {
        if case .tensor(let t) = v { return [t] }
        return try ev.iterate(v).map { try $0.asTensor("parameters") }
    }
}

/// `torch.nn.utils.rnn`: PackedSequence and the padding/packing functions.
extension NNUtilsNamespace {
    static func makeRNN() -> Namespace {
        let ns = Namespace("torch.nn.utils.rnn")
        ns["PackedSequence"] = .object(HostType("PackedSequence", signature: Signature("data, batch_sizes=None, sorted_indices=None, unsorted_indices=None"),
                                                doc: "A batch of variable-length sequences packed time step by time step.", check: { v in
            if case .object(let o) = v { return o is PackedSequenceObject }
            return false
        }, construct: { a, ev in
            let s = try Signature("data, batch_sizes=None, sorted_indices=None, unsorted_indices=None").bind(a, "PackedSequence").values
            let sorted = try LayerTypes.optionalTensor(s[2])
            var unsorted = try LayerTypes.optionalTensor(s[3])
            if unsorted == nil, let sorted {
                unsorted = try SequencePacking.indexTensor(SequencePacking.invertPermutation(sorted.toDoubles().map { Int($0) }))
            }
            return .object(PackedSequenceObject(PackedSequence(data: try s[0].asTensor("data"), batchSizes: try s[1].asTensor("batch_sizes"),
                                                               sortedIndices: sorted, unsortedIndices: unsorted)))
        }))
        ns["pad_sequence"] = .object(NativeFunction("pad_sequence", "sequences, batch_first=False, padding_value=0.0, padding_side='right'",
                                                    doc: "Stacks variable-length sequences into one padded tensor (T x B x * or B x T x *).") { b, ev in
            let s = b.values
            let sequences: [Tensor]
            if case .tensor(let t) = s[0] { sequences = try t.unbind(dim: 0) } else { sequences = try NNUtilsNamespace.tensors(s[0], ev) }
            let side = try s[3].asString("padding_side")
            guard side == "left" || side == "right" else {
                throw PyError(.valueError, "Expected padding_side to be one of left or right, but got \(side).")
            }
            return .tensor(try SequencePacking.padSequence(sequences, batchFirst: try Convert.bool(s[1], default: false, ev),
                                                           paddingValue: try s[2].asDouble("padding_value"), paddingLeft: side == "left"))
        })
        ns["pack_padded_sequence"] = .object(NativeFunction("pack_padded_sequence", "input, lengths, batch_first=False, enforce_sorted=True",
                                                            doc: "Packs a padded batch of sequences of the given lengths into a PackedSequence.") { b, ev in
            let s = b.values
            return .object(PackedSequenceObject(try SequencePacking.packPadded(
                try s[0].asTensor("input"), lengths: try lengths(s[1], ev), batchFirst: try Convert.bool(s[2], default: false, ev),
                enforceSorted: try Convert.bool(s[3], default: true, ev))))
        })
        ns["pack_sequence"] = .object(NativeFunction("pack_sequence", "sequences, enforce_sorted=True",
                                                     doc: "Packs a list of variable-length sequences (pad_sequence, then pack_padded_sequence).") { b, ev in
            let s = b.values
            let sequences = try NNUtilsNamespace.tensors(s[0], ev)
            let padded = try SequencePacking.padSequence(sequences, batchFirst: false, paddingValue: 0, paddingLeft: false)
            return .object(PackedSequenceObject(try SequencePacking.packPadded(padded, lengths: sequences.map { $0.shape.first ?? 0 }, batchFirst: false,
                                                                              enforceSorted: try Convert.bool(s[1], default: true, ev))))
        })
        ns["unpad_sequence"] = .object(NativeFunction("unpad_sequence", "padded_sequences, lengths, batch_first=False",
                                                      doc: "The sequences of a padded batch, each cut to its length.") { b, ev in
            var padded = try b.tensor(0, "padded_sequences")
            if !(try b.bool(2, ev)) { padded = try padded.transpose(0, 1) }
            let sizes = try lengths(b[1], ev)
            guard padded.dim >= 2, sizes.count <= padded.shape[0] else {
                throw PyError(.indexError, "index \(sizes.count - 1) is out of bounds for dimension 0 with size \(padded.dim > 0 ? padded.shape[0] : 0)")
            }
            return ev.makeList(try sizes.enumerated().map { i, n in
                .tensor(try padded.select(dim: 0, index: i).narrow(dim: 0, start: 0, length: Swift.min(Swift.max(n, 0), padded.shape[1])))
            })
        })
        ns["pad_packed_sequence"] = .object(NativeFunction("pad_packed_sequence", "sequence, batch_first=False, padding_value=0.0, total_length=None",
                                                           doc: "Unpacks a PackedSequence into a padded batch and the lengths of its sequences.") { b, ev in
            let s = b.values
            guard case .object(let o) = s[0], let packed = (o as? PackedSequenceObject)?.sequence else {
                throw PyError(.attributeError, "'\(s[0].typeName)' object has no attribute 'batch_sizes'")
            }
            let (padded, lengths) = try SequencePacking.padPacked(packed, batchFirst: try Convert.bool(s[1], default: false, ev),
                                                                  paddingValue: try s[2].asDouble("padding_value"),
                                                                  totalLength: try Convert.optionalInt(s[3], "total_length"))
            return ev.makeTuple([.tensor(padded), .tensor(lengths)])
        })
        return ns
    }

    /// `lengths`: a list of ints or a 1-D tensor.
    private static func lengths(_ v: Value, _ ev: Evaluator) throws -> [Int] {
        if case .tensor(let t) = v { return t.toDoubles().map { Int($0) } }
        return try Convert.ints(v, ev, "lengths")
    }
}
