import NNLang
import TensorRuntime

/// `torch.utils` and `torch.utils.data`: datasets, samplers, `DataLoader`, `random_split`, `default_collate`.
enum DataNamespace {
    /// `torch.utils.data.default_collate`.
    static let defaultCollate: Value = .object(NativeFunction("default_collate", "batch",
        doc: "Merges a list of samples into a batch (tensors stacked, numbers into tensors, dicts and tuples per element).") { b, ev in
        guard let samples = ev.sequenceItems(b[0]) else {
            throw PyError(.typeError, "default_collate: batch must be a list of samples, not \(b[0].typeName)")
        }
        return try Collate.collate(samples, ev)
    })

    static func make() -> (utils: Namespace, data: Namespace) {
        let data = Namespace("torch.utils.data")
        let dataset = DatasetType.shared
        data["Dataset"] = .object(dataset)
        data["TensorDataset"] = .object(datasetType("TensorDataset", "*tensors", "Samples are the rows of the tensors, as tuples.",
                                                    TensorDataset.self) { b, ev in
            let tensors = try b.extraPositional.map { v -> Tensor in
                guard case .tensor(let t) = v else { throw PyError(.attributeError, "'\(v.typeName)' object has no attribute 'size'") }
                return t
            }
            return try TensorDataset(tensors)
        })
        data["Subset"] = .object(datasetType("Subset", "dataset, indices", "The samples of dataset at indices.", Subset.self) { b, ev in
            try Subset(b[0], b[1], ev)
        })
        data["ConcatDataset"] = .object(datasetType("ConcatDataset", "datasets", "Datasets one after another.",
                                                    ConcatDataset.self) { b, ev in
            try ConcatDataset(try ev.iterate(b[0]), ev)
        })
        data["DataLoader"] = .object(HostType("DataLoader", signature: DataLoader.signature,
                                              doc: "Batches of a dataset's samples, in order or shuffled.", check: { v in
            if case .object(let o) = v { return o is DataLoader }
            return false
        }, construct: { a, ev in .object(try DataLoader(try DataLoader.signature.bind(a, "DataLoader"), ev)) }))
        data["random_split"] = .object(NativeFunction("random_split", "dataset, lengths, generator=default_generator",
                                                      doc: "Subsets of the given lengths (or fractions) over one random permutation.") { b, ev in
            try RandomSplit.split(b[0], b[1], generator: b[2], ev)
        })
        data["default_collate"] = defaultCollate
        data["IterableDataset"] = .object(IterableDatasetType.shared)
        data["Sampler"] = .object(SamplerType.shared)
        for (name, type) in HostSampler.types() { data[name] = .object(type) }
        data["get_worker_info"] = .object(NativeFunction("get_worker_info", "", doc: "None: nnrepl loads data in the main process.") { _, _ in .none })
        let utils = Namespace("torch.utils")
        utils["data"] = .object(data)
        utils["checkpoint"] = .object(CheckpointNamespace.make())
        return (utils, data)
    }

    /// A built-in dataset class: constructed from its declared signature, an instance of
    /// `Dataset` and of itself.
    private static func datasetType<D: HostDataset>(_ name: String, _ signature: String, _ doc: String, _: D.Type,
                                                     _ make: @escaping (Bound, Evaluator) throws -> D) -> HostType {
        let sig = Signature(signature)
        return HostType(name, parent: DatasetType.shared, signature: sig, doc: doc, check: { v in
            if case .object(let o) = v { return o is D }
            return false
        }, construct: { a, ev in .object(try make(try sig.bind(a, name), ev)) })
    }
}
