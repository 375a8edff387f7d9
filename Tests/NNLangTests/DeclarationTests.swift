import XCTest
@testable import NNLang
@testable import TorchBindings
import TensorRuntime

/// The single declarations behind the torch bindings: PyTorch's signatures, and every form
/// (method, `torch.` function, in-place method, help) derived from one declaration.
final class DeclarationTests: XCTestCase {
    /// `inspect.signature(cls.__init__)` of real PyTorch 2.15 (annotations removed), for the
    /// `torch.nn` classes nnrepl declares.
    static let pytorchSignatures: [String: String] = [
        "Linear": "in_features, out_features, bias=True, device=None, dtype=None",
        "Conv2d": "in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True, padding_mode='zeros', device=None, dtype=None",
        "Conv1d": "in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True, padding_mode='zeros', device=None, dtype=None",
        "Conv3d": "in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True, padding_mode='zeros', device=None, dtype=None",
        "ConvTranspose1d": "in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True, dilation=1, padding_mode='zeros', device=None, dtype=None",
        "ConvTranspose2d": "in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True, dilation=1, padding_mode='zeros', device=None, dtype=None",
        "ConvTranspose3d": "in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True, dilation=1, padding_mode='zeros', device=None, dtype=None",
        "Upsample": "size=None, scale_factor=None, mode='nearest', align_corners=None, recompute_scale_factor=None",
        "UpsamplingNearest2d": "size=None, scale_factor=None",
        "UpsamplingBilinear2d": "size=None, scale_factor=None",
        "PixelShuffle": "upscale_factor",
        "PixelUnshuffle": "downscale_factor",
        "Unfold": "kernel_size, dilation=1, padding=0, stride=1",
        "Fold": "output_size, kernel_size, dilation=1, padding=0, stride=1",
        "MaxPool1d": "kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False",
        "AvgPool1d": "kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True",
        "AdaptiveAvgPool1d": "output_size",
        "AdaptiveMaxPool1d": "output_size, return_indices=False",
        "AdaptiveMaxPool2d": "output_size, return_indices=False",
        "MaxUnpool2d": "kernel_size, stride=None, padding=0",
        "ZeroPad1d": "padding",
        "ZeroPad2d": "padding",
        "ZeroPad3d": "padding",
        "ConstantPad1d": "padding, value",
        "ConstantPad2d": "padding, value",
        "ConstantPad3d": "padding, value",
        "ReflectionPad1d": "padding",
        "ReflectionPad2d": "padding",
        "ReflectionPad3d": "padding",
        "ReplicationPad1d": "padding",
        "ReplicationPad2d": "padding",
        "ReplicationPad3d": "padding",
        "CircularPad1d": "padding",
        "CircularPad2d": "padding",
        "CircularPad3d": "padding",
        "ReLU": "inplace=False",
        "LeakyReLU": "negative_slope=0.01, inplace=False",
        "GELU": "approximate='none'",
        "Softmax": "dim=None",
        "LogSoftmax": "dim=None",
        "Dropout": "p=0.5, inplace=False",
        "BatchNorm1d": "num_features, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True, device=None, dtype=None, *, bias=True",
        "BatchNorm2d": "num_features, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True, device=None, dtype=None, *, bias=True",
        "Flatten": "start_dim=1, end_dim=-1",
        "MaxPool2d": "kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False",
        "AvgPool2d": "kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None",
        "AdaptiveAvgPool2d": "output_size",
        "Embedding": "num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None",
        "MSELoss": "size_average=None, reduce=None, reduction='mean'",
        "L1Loss": "size_average=None, reduce=None, reduction='mean'",
        "CrossEntropyLoss": "weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean', label_smoothing=0.0",
        "NLLLoss": "weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean'",
        "BCELoss": "weight=None, size_average=None, reduce=None, reduction='mean'",
        "SmoothL1Loss": "size_average=None, reduce=None, reduction='mean', beta=1.0",
        "HuberLoss": "reduction='mean', delta=1.0",
        "BCEWithLogitsLoss": "weight=None, size_average=None, reduce=None, reduction='mean', pos_weight=None",
        "LayerNorm": "normalized_shape, eps=1e-05, elementwise_affine=True, bias=True, device=None, dtype=None",
        "RMSNorm": "normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None",
        "MultiheadAttention": "embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None, dtype=None",
        "TransformerEncoder": "encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True",
        "TransformerDecoder": "decoder_layer, num_layers, norm=None",
        "ModuleList": "modules=None",
        "RNNCell": "input_size, hidden_size, bias=True, nonlinearity='tanh', device=None, dtype=None",
        "LSTMCell": "input_size, hidden_size, bias=True, device=None, dtype=None",
        "GRUCell": "input_size, hidden_size, bias=True, device=None, dtype=None",
        "ModuleDict": "modules=None",
    ]

    func testLayerDeclarationsArePyTorchsSignatures() {
        for (name, expected) in Self.pytorchSignatures {
            XCTAssertEqual(TorchDeclarations.nnClass(name)?.signature.text, expected, "nn.\(name)")
        }
        for name in TorchDeclarations.nnClassNames {
            XCTAssertNotNil(TorchDeclarations.nnClass(name), "nn.\(name) has no declaration")
        }
    }

    private func run(_ source: String) -> (out: String, err: String) {
        var out = "", err = ""
        let interpreter = Interpreter(host: TorchHost(moduleBase: Interpreter.moduleBaseType))
        interpreter.output = { out += $0 }
        interpreter.errorOutput = { err += $0 }
        do { _ = try interpreter.execute(source: source, fileName: "<test>") } catch { err += "\(error)" }
        return (out, err)
    }

    /// Each declared op answers as a method and, where declared, as `torch.X` and `x.X_`, with the
    /// same values; ops that were implemented in the runtime but unreachable (tan, erf, expm1) work.
    func testEveryFormOfAnOpComesFromItsDeclaration() {
        let r = run("""
        import torch
        x = torch.tensor([0.5, -1.25, 2.0])
        for name in ['tan', 'erf', 'expm1', 'exp', 'trunc', 'sigmoid']:
            m = getattr(x, name)()
            f = getattr(torch, name)(x)
            y = x.clone()
            getattr(y, name + '_')()
            print(name, torch.equal(m, f), torch.equal(m, y))
        print(torch.round(torch.tensor([1.2345, -0.0051]), decimals=2).tolist())
        print(x.sum(dim=0, keepdim=True).shape, torch.sum(x, 0).item(), x.view(size=(3, 1)).shape)
        """)
        XCTAssertEqual(r.err, "")
        XCTAssertEqual(r.out, """
        tan True True
        erf True True
        expm1 True True
        exp True True
        trunc True True
        sigmoid True True
        [1.2300000190734863, -0.009999999776482582]
        torch.Size([1]) 1.25 torch.Size([3, 1])

        """)
    }

    func testHelpAndDirComeFromTheDeclarations() {
        let r = run("""
        import torch
        import torch.nn as nn
        help(nn.Linear)
        help(torch.sum)
        x = torch.zeros(2)
        help(x.transpose)
        print('tan' in dir(x), 'share_memory' in dir(x))
        """)
        XCTAssertEqual(r.err, "")
        XCTAssertEqual(r.out, """
        Linear(in_features, out_features, bias=True, device=None, dtype=None)
            Affine map y = x @ weight.T + bias on the last dimension.
        sum(input, dim=None, keepdim=False, *, dtype=None)
            Sum of the elements (over dim if given).
        transpose(dim0, dim1)
            A view with two dims swapped.
        True False

        """)
    }

    func testConfigShowNamesTheBLASKernel() {
        let r = run("import torch\nprint(torch.__config__.show())\n")
        XCTAssertEqual(r.err, "")
        XCTAssertTrue(r.out.hasPrefix("nnrepl built with:\n  - BLAS: OpenBLAS"), r.out)
        XCTAssertTrue(r.out.contains("kernel \(BLASInfo.current.kernel)"), r.out)
        XCTAssertTrue(r.out.contains("CPU: "), r.out)
    }

    /// `dir(model)` lists the methods the bindings have, not every name PyTorch's Module has.
    func testDirOfAModuleListsOnlyRealMethods() {
        let r = run("""
        import torch.nn as nn
        class N(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(1, 1)
            def go(self):
                pass
        for m in [nn.Linear(2, 3), N()]:
            d = dir(m)
            print([n in d for n in ['share_memory', 'dump_patches', 'call_super_init', 'parameters', 'state_dict']])
            print([n for n in d if not hasattr(m, n)])
        """)
        XCTAssertEqual(r.err, "")
        XCTAssertEqual(r.out, """
        [False, False, False, True, True]
        []
        [False, False, False, True, True]
        []

        """)
    }
}
