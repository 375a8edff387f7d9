import Foundation
/// Signatures and one-line descriptions of the `torch.nn` classes nnrepl provides, for
/// `:help Linear` (PyTorch's signatures; `device`/`dtype` factory keywords omitted).
enum LayerHelp {
    struct Entry {
        let signature: String
        let description: String
    }

    /// By class name.
    static let entries: [String: Entry] = {
        var all: [String: Entry] = [:]
        func add(_ name: String, _ parameters: String, _ description: String) {
            all[name] = Entry(signature: "nn.\(name)(\(parameters))", description: description)
        }
        add("Module", "", "Base class of every layer and model: subclass it, create layers in __init__, compute in forward.")
        add("Parameter", "data=None, requires_grad=True", "A tensor that a module registers as a learnable parameter when assigned as an attribute.")
        add("Buffer", "data=None, *, persistent=True", "A tensor that a module registers as a buffer (saved in state_dict unless persistent=False) when assigned as an attribute.")
        add("Sequential", "*args", "Chains modules: forward passes the input through each child in order.")
        add("ModuleList", "modules=None", "A list of submodules, registered so their parameters are found (no forward of its own).")
        add("ModuleDict", "modules=None", "A dict of submodules, registered so their parameters are found (no forward of its own).")
        add("Linear", "in_features, out_features, bias=True", "Affine map y = x @ weight.T + bias on the last dimension.")
        add("Conv2d", "in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True, padding_mode='zeros'",
            "2-D convolution over an (N, C, H, W) or (C, H, W) input.")
        add("ReLU", "inplace=False", "max(0, x) elementwise.")
        add("LeakyReLU", "negative_slope=0.01, inplace=False", "x for x >= 0, negative_slope * x otherwise.")
        add("Sigmoid", "", "1 / (1 + exp(-x)) elementwise.")
        add("Tanh", "", "Hyperbolic tangent elementwise.")
        add("GELU", "approximate='none'", "Gaussian error linear unit (exact, or the tanh approximation).")
        add("Softmax", "dim=None", "Exponentials normalised to sum to 1 along dim.")
        add("LogSoftmax", "dim=None", "log(softmax(x)) along dim, computed stably.")
        add("Dropout", "p=0.5, inplace=False", "In training mode zeroes elements with probability p and scales the rest by 1/(1-p); identity in eval mode.")
        for (name, input) in [("BatchNorm1d", "(N, C) or (N, C, L)"), ("BatchNorm2d", "(N, C, H, W)")] {
            add(name, "num_features, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True",
                "Batch normalisation over \(input) input; running statistics are used in eval mode.")
        }
        add("Flatten", "start_dim=1, end_dim=-1", "Flattens dimensions start_dim..end_dim into one.")
        add("MaxPool2d", "kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False",
            "2-D max pooling (stride defaults to kernel_size).")
        add("AvgPool2d", "kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None",
            "2-D average pooling (stride defaults to kernel_size).")
        add("AdaptiveAvgPool2d", "output_size", "2-D average pooling to a fixed output size, whatever the input size.")
        add("Identity", "*args, **kwargs", "Returns its input unchanged (arguments are ignored).")
        add("Embedding", "num_embeddings, embedding_dim, padding_idx=None", "A lookup table of embedding_dim vectors indexed by integer tensors.")
        add("MSELoss", "reduction='mean'", "Mean squared error between input and target.")
        add("L1Loss", "reduction='mean'", "Mean absolute error between input and target.")
        add("CrossEntropyLoss", "weight=None, ignore_index=-100, reduction='mean', label_smoothing=0.0",
            "Cross entropy between logits and class indices (or class probabilities).")
        add("NLLLoss", "weight=None, ignore_index=-100, reduction='mean'", "Negative log likelihood of log-probabilities at the target classes.")
        add("BCELoss", "weight=None, reduction='mean'", "Binary cross entropy between probabilities and targets (log clamped at -100).")
        add("SmoothL1Loss", "reduction='mean', beta=1.0", "Squared error (scaled by 1/beta) below beta, absolute error minus beta/2 above it.")
        add("HuberLoss", "reduction='mean', delta=1.0", "Squared error below delta, delta-scaled absolute error above it.")
        add("BCEWithLogitsLoss", "weight=None, reduction='mean', pos_weight=None", "Binary cross entropy on logits (sigmoid built in, numerically stable).")
        return all
    }()

    /// The entry for `topic` (`Linear`, `nn.Linear`, `torch.nn.Linear`); nil when unknown.
    static func entry(for topic: String) -> Entry? {
        var name = Substring(topic)
        for prefix in ["torch.nn.", "nn."] where name.hasPrefix(prefix) { name = name.dropFirst(prefix.count) }
        return entries[String(name)]
    }
}
