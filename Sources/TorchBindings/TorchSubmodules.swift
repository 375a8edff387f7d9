import NNLang

/// The submodules PyTorch code imports names from although the names also live in their parent
/// (`from torch.utils.data.dataset import Dataset`, `from torch.nn.parameter import Parameter`,
/// `from torch.optim.optimizer import Optimizer`, `torch.nn.modules.loss._Loss`): each is a
/// module of its own holding the parent's objects (the same objects, so `isinstance` and
/// subclassing agree), reachable as an attribute of the parent and by import.
enum TorchSubmodules {
    /// Submodule → the names it takes from its parent (nil: every class of the parent).
    private static let table: [String: [String: [String]?]] = [
        "torch.nn": [
            "parameter": ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer"],
            "modules": nil,
        ],
        "torch.nn.modules": [
            "module": ["Module"], "loss": nil, "linear": nil, "conv": nil, "activation": nil, "container": nil,
            "batchnorm": nil, "normalization": nil, "pooling": nil, "dropout": nil, "rnn": nil, "sparse": nil,
            "transformer": nil, "flatten": nil, "padding": nil,
        ],
        "torch.utils.data": [
            "dataset": ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "ChainDataset",
                        "StackDataset", "random_split"],
            "sampler": ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
                        "WeightedRandomSampler", "BatchSampler"],
            "dataloader": ["DataLoader", "default_collate", "get_worker_info", "Dataset", "Sampler"],
        ],
        "torch.optim": [
            "optimizer": ["Optimizer"],
        ],
    ]

    /// Adds `parent`'s submodules (and theirs, recursively) to it and to `modules`, the host's
    /// table of importable modules.
    static func install(in parent: Namespace, _ modules: inout [String: Value]) {
        guard let subs = table[parent.name] else { return }
        for (sub, names) in subs.sorted(by: { $0.key < $1.key }) {
            let full = parent.name + "." + sub
            let ns = Namespace(full)
            let wanted = names ?? parent.attributeNames().filter { n in
                if case .object(let o)? = parent[n] { return o is PyType }
                return false
            }
            for n in wanted { if let v = parent[n] { ns[n] = v } }
            parent[sub] = .object(ns)
            modules[full] = .object(ns)
            install(in: ns, &modules)
        }
    }
}
