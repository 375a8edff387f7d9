import XCTest
@testable import NNLang
@testable import TorchBindings

/// The constructor signatures of the normalisation, activation, container and loss layers added
/// for issue 13, as `inspect.signature(nn.Name.__init__)` prints them in PyTorch 2.15.
final class LayerFamilyDeclarationTests: XCTestCase {
    static let pytorchSignatures: [String: String] = [
        "GroupNorm": "num_groups, num_channels, eps=1e-05, affine=True, device=None, dtype=None, *, bias=True",
        "InstanceNorm1d": "num_features, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False, device=None, dtype=None, *, bias=True",
        "InstanceNorm2d": "num_features, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False, device=None, dtype=None, *, bias=True",
        "LocalResponseNorm": "size, alpha=0.0001, beta=0.75, k=1.0",
        "ParameterList": "values=None",
        "ParameterDict": "parameters=None",
        "ELU": "alpha=1.0, inplace=False",
        "CELU": "alpha=1.0, inplace=False",
        "SELU": "inplace=False",
        "SiLU": "inplace=False",
        "Mish": "inplace=False",
        "Softplus": "beta=1.0, threshold=20.0",
        "Hardtanh": "min_val=-1.0, max_val=1.0, inplace=False, min_value=None, max_value=None",
        "ReLU6": "inplace=False",
        "Hardsigmoid": "inplace=False",
        "Hardswish": "inplace=False",
        "Threshold": "threshold, value, inplace=False",
        "GLU": "dim=-1",
        "Softmin": "dim=None",
        "Softshrink": "lambd=0.5",
        "Hardshrink": "lambd=0.5",
        "Softsign": "*args, **kwargs",
        "LogSigmoid": "*args, **kwargs",
        "Tanhshrink": "*args, **kwargs",
        "PReLU": "num_parameters=1, init=0.25, device=None, dtype=None",
        "KLDivLoss": "size_average=None, reduce=None, reduction='mean', log_target=False",
        "HingeEmbeddingLoss": "margin=1.0, size_average=None, reduce=None, reduction='mean'",
        "MarginRankingLoss": "margin=0.0, size_average=None, reduce=None, reduction='mean'",
        "CosineEmbeddingLoss": "margin=0.0, size_average=None, reduce=None, reduction='mean'",
        "TripletMarginLoss": "margin=1.0, p=2.0, eps=1e-06, swap=False, size_average=None, reduce=None, reduction='mean'",
        "PoissonNLLLoss": "log_input=True, full=False, size_average=None, eps=1e-08, reduce=None, reduction='mean'",
        "GaussianNLLLoss": "*, full=False, eps=1e-06, reduction='mean'",
        "MultiLabelSoftMarginLoss": "weight=None, size_average=None, reduce=None, reduction='mean'",
        "SoftMarginLoss": "size_average=None, reduce=None, reduction='mean'",
        "MultiMarginLoss": "p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction='mean'",
        "CosineSimilarity": "dim=1, eps=1e-08",
        "PairwiseDistance": "p=2.0, eps=1e-06, keepdim=False",
        "Embedding": "num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None",
        "Bilinear": "in1_features, in2_features, out_features, bias=True, device=None, dtype=None",
        "Unflatten": "dim, unflattened_size",
        "Dropout1d": "p=0.5, inplace=False",
        "Dropout2d": "p=0.5, inplace=False",
        "AlphaDropout": "p=0.5, inplace=False",
        "RReLU": "lower=0.125, upper=0.3333333333333333, inplace=False",
        "ChannelShuffle": "groups",
        "LazyLinear": "out_features, bias=True, device=None, dtype=None",
        "EmbeddingBag": "num_embeddings, embedding_dim, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, mode='mean', sparse=False, _weight=None, include_last_offset=False, padding_idx=None, device=None, dtype=None",
    ]

    func testSignaturesArePyTorchs() {
        for (name, expected) in Self.pytorchSignatures {
            XCTAssertEqual(TorchDeclarations.nnClass(name)?.signature.text, expected, "nn.\(name)")
        }
    }
}
