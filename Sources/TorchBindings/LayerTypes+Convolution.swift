import NNLang
import TensorRuntime
import NeuralNet

/// `torch.nn`'s convolution, pooling, resampling and padding layers beyond Conv2d/MaxPool2d/
/// AvgPool2d/AdaptiveAvgPool2d (declared in LayerTypes.swift).
extension LayerTypes {
    static func installConvolution(into nn: Namespace, moduleBase base: PyType) {
        let convs: [(String, Int, Module.Type)] = [("Conv1d", 1, Conv1d.self), ("Conv3d", 3, Conv3d.self)]
        for (name, dims, cls) in convs {
            add(nn, base, name, cls, "in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True, padding_mode='zeros'",
                "\(dims)-D convolution over an (N, C, \(spatialNames(dims))) or unbatched input.", factory: true) { s, ev in
                let layer: (Int, Int, [Int], [Int], ConvPadding, [Int], Int, Bool, String) throws -> ConvNd = dims == 1
                    ? { try Conv1d($0, $1, kernelSize: $2, stride: $3, padding: $4, dilation: $5, transposed: false, outputPadding: [0], groups: $6, bias: $7, paddingMode: $8) }
                    : { try Conv3d($0, $1, kernelSize: $2, stride: $3, padding: $4, dilation: $5, transposed: false, outputPadding: [0, 0, 0], groups: $6, bias: $7, paddingMode: $8) }
                return try layer(try s[0].asInt("in_channels"), try s[1].asInt("out_channels"), try sizes(s[2], dims, ev),
                                 try sizes(s[3], dims, ev), try convPadding(s[4], dims, ev), try sizes(s[5], dims, ev),
                                 try Convert.optionalInt(s[6], "groups") ?? 1, try Convert.bool(s[7], default: true, ev),
                                 try ModuleMethods.optionalString(s[8]) ?? "zeros")
            }
        }
        let transposed: [(String, Int, Module.Type)] = [("ConvTranspose1d", 1, ConvTranspose1d.self), ("ConvTranspose2d", 2, ConvTranspose2d.self),
                                                        ("ConvTranspose3d", 3, ConvTranspose3d.self)]
        for (name, dims, cls) in transposed {
            add(nn, base, name, cls, "in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True, dilation=1, padding_mode='zeros'",
                "\(dims)-D transposed convolution (the gradient of Conv\(dims)d with respect to its input); forward(input, output_size=None).",
                factory: true) { s, ev in
                installSizeBridge(ev)
                let mode = try ModuleMethods.optionalString(s[9]) ?? "zeros"
                guard mode == "zeros" else { throw PyError(.valueError, "Only \"zeros\" padding mode is supported for \(name)") }
                let args = (try s[0].asInt("in_channels"), try s[1].asInt("out_channels"), try sizes(s[2], dims, ev), try sizes(s[3], dims, ev),
                            ConvPadding.explicit(try sizes(s[4], dims, ev)), try sizes(s[5], dims, ev), try Convert.optionalInt(s[6], "groups") ?? 1,
                            try Convert.bool(s[7], default: true, ev), try sizes(s[8], dims, ev))
                let make: [Int: (Int, Int, [Int], [Int], ConvPadding, [Int], Int, Bool, [Int]) throws -> ConvNd] = [
                    1: { try ConvTranspose1d($0, $1, kernelSize: $2, stride: $3, padding: $4, dilation: $8, transposed: true, outputPadding: $5, groups: $6, bias: $7, paddingMode: "zeros") },
                    2: { try ConvTranspose2d($0, $1, kernelSize: $2, stride: $3, padding: $4, dilation: $8, transposed: true, outputPadding: $5, groups: $6, bias: $7, paddingMode: "zeros") },
                    3: { try ConvTranspose3d($0, $1, kernelSize: $2, stride: $3, padding: $4, dilation: $8, transposed: true, outputPadding: $5, groups: $6, bias: $7, paddingMode: "zeros") },
                ]
                return try make[dims]!(args.0, args.1, args.2, args.3, args.4, args.5, args.6, args.7, args.8)
            }
        }
        installPooling(into: nn, moduleBase: base)
        installResampling(into: nn, moduleBase: base)
        installPadding(into: nn, moduleBase: base)
    }

    private static func installPooling(into nn: Namespace, moduleBase base: PyType) {
        add(nn, base, "MaxPool1d", MaxPool1d.self, "kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False",
            "1-D max pooling (stride defaults to kernel_size).") { s, ev in
            MaxPool1d(kernelSize: try single(s[0], "kernel_size", ev), stride: s[1].isNone ? nil : try single(s[1], "stride", ev),
                      padding: try single(s[2], "padding", ev), dilation: try single(s[3], "dilation", ev),
                      returnIndices: try Convert.bool(s[4], default: false, ev), ceilMode: try Convert.bool(s[5], default: false, ev))
        }
        add(nn, base, "AvgPool1d", AvgPool1d.self, "kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True",
            "1-D average pooling (stride defaults to kernel_size).") { s, ev in
            AvgPool1d(kernelSize: try single(s[0], "kernel_size", ev), stride: s[1].isNone ? nil : try single(s[1], "stride", ev),
                      padding: try single(s[2], "padding", ev), ceilMode: try Convert.bool(s[3], default: false, ev),
                      countIncludePad: try Convert.bool(s[4], default: true, ev))
        }
        add(nn, base, "AdaptiveAvgPool1d", AdaptiveAvgPool1d.self, "output_size",
            "1-D average pooling to a fixed output length, whatever the input length.") { s, ev in
            AdaptiveAvgPool1d(outputSize: try single(s[0], "output_size", ev))
        }
        add(nn, base, "AdaptiveMaxPool1d", AdaptiveMaxPool1d.self, "output_size, return_indices=False",
            "1-D max pooling to a fixed output length, whatever the input length.") { s, ev in
            AdaptiveMaxPool1d(outputSize: try single(s[0], "output_size", ev), returnIndices: try Convert.bool(s[1], default: false, ev))
        }
        add(nn, base, "AdaptiveMaxPool2d", AdaptiveMaxPool2d.self, "output_size, return_indices=False",
            "2-D max pooling to a fixed output size, whatever the input size.") { s, ev in
            AdaptiveMaxPool2d(outputSize: try FunctionalNamespace.optionalPair(s[0], ev), given: ModuleValues.hyperValue(s[0], ev) ?? .none,
                              returnIndices: try Convert.bool(s[1], default: false, ev))
        }
        add(nn, base, "MaxUnpool2d", MaxUnpool2d.self, "kernel_size, stride=None, padding=0",
            "Inverse of MaxPool2d: forward(input, indices, output_size=None) puts each value back at its index, zeros elsewhere.") { s, ev in
            installSizeBridge(ev)
            return MaxUnpool2d(kernelSize: try requiredPair(s[0], ev, "kernel_size"), stride: try intPair(s[1], ev),
                               padding: try intPair(s[2], ev) ?? .single(0))
        }
    }

    private static func installResampling(into nn: Namespace, moduleBase base: PyType) {
        add(nn, base, "Upsample", Upsample.self, "size=None, scale_factor=None, mode='nearest', align_corners=None, recompute_scale_factor=None",
            "Resizes (N, C, …) input to size or by scale_factor: nearest, (bi/tri)linear, area.") { s, ev in
            Upsample(size: try FunctionalNamespace.spatialSize(s[0], ev), scaleFactor: try FunctionalNamespace.spatialScale(s[1], ev),
                     mode: try ModuleMethods.optionalString(s[2]) ?? "nearest", alignCorners: try optionalBool(s[3], ev),
                     recomputeScaleFactor: try optionalBool(s[4], ev))
        }
        for (name, mode) in [("UpsamplingNearest2d", "nearest"), ("UpsamplingBilinear2d", "bilinear")] {
            add(nn, base, name, name == "UpsamplingNearest2d" ? UpsamplingNearest2d.self : UpsamplingBilinear2d.self, "size=None, scale_factor=None",
                "Upsample(mode='\(mode)'\(mode == "bilinear" ? ", align_corners=True" : "")) on (N, C, H, W) input.") { s, ev in
                let size = try FunctionalNamespace.spatialSize(s[0], ev), scale = try FunctionalNamespace.spatialScale(s[1], ev)
                return mode == "nearest" ? UpsamplingNearest2d(size: size, scaleFactor: scale) : UpsamplingBilinear2d(size: size, scaleFactor: scale)
            }
        }
        add(nn, base, "PixelShuffle", PixelShuffle.self, "upscale_factor",
            "(N, C·r², H, W) → (N, C, H·r, W·r).") { s, _ in PixelShuffle(upscaleFactor: try s[0].asInt("upscale_factor")) }
        add(nn, base, "PixelUnshuffle", PixelUnshuffle.self, "downscale_factor",
            "(N, C, H·r, W·r) → (N, C·r², H, W).") { s, _ in PixelUnshuffle(downscaleFactor: try s[0].asInt("downscale_factor")) }
        add(nn, base, "Unfold", Unfold.self, "kernel_size, dilation=1, padding=0, stride=1",
            "Extracts sliding blocks: (N, C, H, W) → (N, C·kH·kW, L).") { s, ev in
            Unfold(kernelSize: try sizeArgument(s[0], ev), dilation: try sizeArgument(s[1], ev), padding: try sizeArgument(s[2], ev),
                   stride: try sizeArgument(s[3], ev))
        }
        add(nn, base, "Fold", Fold.self, "output_size, kernel_size, dilation=1, padding=0, stride=1",
            "Sums sliding blocks back into an image: (N, C·kH·kW, L) → (N, C, H, W).") { s, ev in
            Fold(outputSize: try sizeArgument(s[0], ev), kernelSize: try sizeArgument(s[1], ev), dilation: try sizeArgument(s[2], ev),
                 padding: try sizeArgument(s[3], ev), stride: try sizeArgument(s[4], ev))
        }
    }

    private static func installPadding(into nn: Namespace, moduleBase base: PyType) {
        let families: [(String, String, String, [Int: Module.Type])] = [
            ("ZeroPad", "constant", "with zeros", [1: ZeroPad1d.self, 2: ZeroPad2d.self, 3: ZeroPad3d.self]),
            ("ConstantPad", "constant", "with value", [1: ConstantPad1d.self, 2: ConstantPad2d.self, 3: ConstantPad3d.self]),
            ("ReflectionPad", "reflect", "by reflecting the input at its border", [1: ReflectionPad1d.self, 2: ReflectionPad2d.self, 3: ReflectionPad3d.self]),
            ("ReplicationPad", "replicate", "by repeating the border", [1: ReplicationPad1d.self, 2: ReplicationPad2d.self, 3: ReplicationPad3d.self]),
            ("CircularPad", "circular", "by wrapping around", [1: CircularPad1d.self, 2: CircularPad2d.self, 3: CircularPad3d.self]),
        ]
        for (family, mode, how, classes) in families {
            for dims in 1...3 {
                guard let cls = classes[dims] else { continue }
                let constant = family == "ConstantPad"
                add(nn, base, "\(family)\(dims)d", cls, constant ? "padding, value" : "padding",
                    "Pads the last \(dims) dimension\(dims > 1 ? "s" : "") \(how).") { s, ev in
                    // An int is repeated; a sequence is kept as given (F.pad checks its length on each call).
                    let amounts: [Int]
                    if case .int(let p) = s[0] { amounts = [Int](repeating: p, count: 2 * dims) } else {
                        amounts = try Convert.ints(s[0], ev, "padding")
                    }
                    let value = constant ? try number(s[1] ?? .float(0), "value", ev) : .double(0)
                    return try PaddingLayer.make(cls, padding: amounts, mode: mode, value: value, showsValue: constant,
                                                 checkedDims: mode == "circular" ? dims : nil)
                }
            }
        }
    }

    /// The N-d form of a size argument: an int repeated, or a sequence of exactly `dims` ints.
    static func sizes(_ v: Value?, _ dims: Int, _ ev: Evaluator) throws -> [Int] {
        guard let v, !v.isNone else { throw PyError(.typeError, "expected an int or a tuple of \(dims) ints, not NoneType") }
        if case .int(let i) = v { return [Int](repeating: i, count: dims) }
        let xs = try Convert.ints(v, ev)
        if xs.count == 1 { return [Int](repeating: xs[0], count: dims) }
        guard xs.count == dims else { throw PyError(.valueError, "expected an int or a tuple of \(dims) ints, got \(xs.count) values") }
        return xs
    }

    /// A 1-d size: an int or a 1-tuple.
    static func single(_ v: Value?, _ what: String, _ ev: Evaluator) throws -> Int {
        if case .int(let i)? = v { return i }
        let xs = try Convert.ints(v ?? .none, ev, what)
        guard xs.count == 1 else { throw PyError(.valueError, "\(what) must be an int or a 1-tuple, got \(xs.count) values") }
        return xs[0]
    }

    /// Unfold/Fold sizes: an int or a pair, kept as given.
    static func sizeArgument(_ v: Value?, _ ev: Evaluator) throws -> IntPair {
        try intPair(v, ev) ?? .single(0)
    }

    /// Conv1d/3d's `padding`: sizes, `'same'` or `'valid'`.
    static func convPadding(_ v: Value?, _ dims: Int, _ ev: Evaluator) throws -> ConvPadding {
        if case .str(let s)? = v {
            switch s {
            case "same": return .same
            case "valid": return .valid
            default: throw PyError(.valueError, "Invalid padding string '\(s)', should be one of {'valid', 'same'}")
            }
        }
        return .explicit(try sizes(v, dims, ev))
    }

    static func optionalBool(_ v: Value?, _ ev: Evaluator) throws -> Bool? {
        guard let v, !v.isNone else { return nil }
        return try ev.truthy(v)
    }

    /// Lets layers read `output_size=` arguments (tuples need the evaluator to be read).
    static func installSizeBridge(_ ev: Evaluator) {
        SizeArgumentBridge.ints = { any in
            guard let v = any as? Value else { return any as? [Int] }
            return v.isNone ? nil : try Convert.ints(v, ev, "output_size")
        }
    }

    private static func spatialNames(_ dims: Int) -> String { ["L", "H, W", "D, H, W"][dims - 1] }
}
