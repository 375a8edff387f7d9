import NNLang
import TensorRuntime
import NeuralNet

/// `F.` convolution (1-d, 3-d, transposed), pooling, resampling and block functions beyond
/// conv2d/max_pool2d/avg_pool2d/adaptive_avg_pool2d/pad (FunctionalNamespace.swift).
extension FunctionalNamespace {
    static func installConvolution(_ f: Namespace) {
        for dims in [1, 3] {
            def(f, "conv\(dims)d", "input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1",
                "\(dims)-D convolution of an (N, C, \(dims == 1 ? "L" : "D, H, W")) or unbatched input.") { s, ev in
                let x = try tensor(s[0], "input"), w = try tensor(s[1], "weight")
                let dilation = try LayerTypes.sizes(s[5], dims, ev)
                var padded = x
                var padding = [Int](repeating: 0, count: dims)
                switch s[4] {
                case .str(let mode)?:
                    let kernel = w.dim == dims + 2 ? Array(w.shape.suffix(dims)) : [Int](repeating: 1, count: dims)
                    let spec: ConvPadding
                    switch mode {
                    case "same": spec = .same
                    case "valid": spec = .valid
                    default: throw PyError(.runtimeError, "Invalid padding string '\(mode)', should be one of {'valid', 'same'}")
                    }
                    let plan = try ConvPaddingPlan(spec, kernel: kernel, dilation: dilation, mode: "zeros")
                    (padded, padding) = (try plan.prepared(x), plan.kernelPadding)
                default: padding = try LayerTypes.sizes(s[4], dims, ev)
                }
                return .tensor(try Functional.convolutionNd(padded, weight: w, bias: try LayerTypes.optionalTensor(s[2]),
                                                            stride: try LayerTypes.sizes(s[3], dims, ev), padding: padding, dilation: dilation,
                                                            groups: try Convert.optionalInt(s[6], "groups") ?? 1, op: "conv\(dims)d"))
            }
        }
        for dims in 1...3 {
            def(f, "conv_transpose\(dims)d", "input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1",
                "\(dims)-D transposed convolution (the gradient of conv\(dims)d with respect to its input).") { s, ev in
                .tensor(try Functional.convTransposeNd(try tensor(s[0], "input"), weight: try tensor(s[1], "weight"),
                                                       bias: try LayerTypes.optionalTensor(s[2]), stride: try LayerTypes.sizes(s[3], dims, ev),
                                                       padding: try LayerTypes.sizes(s[4], dims, ev), outputPadding: try LayerTypes.sizes(s[5], dims, ev),
                                                       dilation: try LayerTypes.sizes(s[7], dims, ev),
                                                       groups: try Convert.optionalInt(s[6], "groups") ?? 1, op: "conv_transpose\(dims)d"))
            }
        }

        // Pooling.
        def(f, "max_pool1d", "input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False",
            "1-D max pooling (stride defaults to kernel_size).") { s, ev in
            let stride = s[2].map { $0.isNone } ?? true ? nil : try LayerTypes.single(s[2], "stride", ev)
            let (v, i) = try Functional.maxPool1d(try tensor(s[0], "input"), kernelSize: try LayerTypes.single(s[1], "kernel_size", ev),
                                                  stride: stride, padding: try LayerTypes.single(s[3], "padding", ev),
                                                  dilation: try LayerTypes.single(s[4], "dilation", ev),
                                                  ceilMode: try Convert.bool(s[5], default: false, ev),
                                                  returnIndices: try Convert.bool(s[6], default: false, ev))
            return withIndices(v, i, ev)
        }
        def(f, "avg_pool1d", "input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True",
            "1-D average pooling (stride defaults to kernel_size).") { s, ev in
            let stride = s[2].map { $0.isNone } ?? true ? nil : try LayerTypes.single(s[2], "stride", ev)
            return .tensor(try Functional.avgPool1d(try tensor(s[0], "input"), kernelSize: try LayerTypes.single(s[1], "kernel_size", ev),
                                                    stride: stride, padding: try LayerTypes.single(s[3], "padding", ev),
                                                    ceilMode: try Convert.bool(s[4], default: false, ev),
                                                    countIncludePad: try Convert.bool(s[5], default: true, ev)))
        }
        def(f, "adaptive_avg_pool1d", "input, output_size", "1-D average pooling to a fixed output length.") { s, ev in
            .tensor(try Functional.adaptiveAvgPool1d(try tensor(s[0], "input"), outputSize: try LayerTypes.single(s[1], "output_size", ev)))
        }
        def(f, "adaptive_max_pool1d", "input, output_size, return_indices=False", "1-D max pooling to a fixed output length.") { s, ev in
            let (v, i) = try Functional.adaptiveMaxPool1d(try tensor(s[0], "input"), outputSize: try LayerTypes.single(s[1], "output_size", ev))
            return withIndices(v, try Convert.bool(s[2], default: false, ev) ? i : nil, ev)
        }
        def(f, "adaptive_max_pool2d", "input, output_size, return_indices=False", "2-D max pooling to a fixed output size.") { s, ev in
            let (v, i) = try Functional.adaptiveMaxPool2d(try tensor(s[0], "input"), outputSize: try optionalPair(s[1] ?? .none, ev))
            return withIndices(v, try Convert.bool(s[2], default: false, ev) ? i : nil, ev)
        }
        def(f, "max_unpool2d", "input, indices, kernel_size, stride=None, padding=0, output_size=None",
            "Inverse of max_pool2d: each value put back at its index, zeros elsewhere.") { s, ev in
            let size: [Int]? = s[5].map { $0.isNone } ?? true ? nil : try Convert.ints(s[5] ?? .none, ev, "output_size")
            return .tensor(try Functional.maxUnpool2d(try tensor(s[0], "input"), indices: try tensor(s[1], "indices"),
                                                      kernelSize: try LayerTypes.requiredPair(s[2], ev, "kernel_size").pair,
                                                      stride: try LayerTypes.intPair(s[3], ev)?.pair,
                                                      padding: try LayerTypes.intPair(s[4], ev)?.pair ?? (0, 0), outputSize: size))
        }

        // Resampling and blocks.
        def(f, "interpolate", "input, size=None, scale_factor=None, mode='nearest', align_corners=None, recompute_scale_factor=None, antialias=False",
            "Resizes (N, C, …) input to size or by scale_factor: nearest, nearest-exact, (bi/tri)linear, area.") { s, ev in
            if try Convert.bool(s[6], default: false, ev) {
                throw PyError(.notImplementedError, "F.interpolate(antialias=True) is not supported by nnrepl")
            }
            return .tensor(try Functional.interpolate(try tensor(s[0], "input"), size: try spatialSize(s[1], ev),
                                                      scaleFactor: try spatialScale(s[2], ev), mode: try ModuleMethods.optionalString(s[3]) ?? "nearest",
                                                      alignCorners: try LayerTypes.optionalBool(s[4], ev),
                                                      recomputeScaleFactor: try LayerTypes.optionalBool(s[5], ev),
                                                      written: (try writtenSequence(s[1], ev), try writtenSequence(s[2], ev))))
        }
        def(f, "pixel_shuffle", "input, upscale_factor", "(*, C·r², H, W) → (*, C, H·r, W·r).") { s, _ in
            .tensor(try Functional.pixelShuffle(try tensor(s[0], "input"), upscaleFactor: try (s[1] ?? .none).asInt("upscale_factor")))
        }
        def(f, "pixel_unshuffle", "input, downscale_factor", "(*, C, H·r, W·r) → (*, C·r², H, W).") { s, _ in
            .tensor(try Functional.pixelUnshuffle(try tensor(s[0], "input"), downscaleFactor: try (s[1] ?? .none).asInt("downscale_factor")))
        }
        def(f, "unfold", "input, kernel_size, dilation=1, padding=0, stride=1", "Extracts sliding blocks: (N, C, H, W) → (N, C·kH·kW, L).") { s, ev in
            .tensor(try Functional.unfold(try tensor(s[0], "input"), kernelSize: try LayerTypes.requiredPair(s[1], ev, "kernel_size").pair,
                                          dilation: try LayerTypes.sizeArgument(s[2], ev).pair, padding: try LayerTypes.sizeArgument(s[3], ev).pair,
                                          stride: try LayerTypes.sizeArgument(s[4], ev).pair))
        }
        def(f, "fold", "input, output_size, kernel_size, dilation=1, padding=0, stride=1",
            "Sums sliding blocks back into an image: (N, C·kH·kW, L) → (N, C, H, W).") { s, ev in
            .tensor(try Functional.fold(try tensor(s[0], "input"), outputSize: try LayerTypes.requiredPair(s[1], ev, "output_size").pair,
                                        kernelSize: try LayerTypes.requiredPair(s[2], ev, "kernel_size").pair,
                                        dilation: try LayerTypes.sizeArgument(s[3], ev).pair, padding: try LayerTypes.sizeArgument(s[4], ev).pair,
                                        stride: try LayerTypes.sizeArgument(s[5], ev).pair))
        }
    }

    /// `values` alone, or `(values, indices)` when indices were asked for.
    static func withIndices(_ values: Tensor, _ indices: Tensor?, _ ev: Evaluator) -> Value {
        guard let indices else { return .tensor(values) }
        return ev.makeTuple([.tensor(values), .tensor(indices)])
    }

    /// `size=` of interpolate/Upsample: None, an int, or a sequence of ints.
    static func spatialSize(_ v: Value?, _ ev: Evaluator) throws -> SpatialArgument<Int>? {
        guard let v, !v.isNone else { return nil }
        if case .int(let i) = v { return .all(i) }
        return .each(try Convert.ints(v, ev, "size"))
    }

    /// Python's repr of a size or scale argument given as a sequence (nil otherwise), for messages.
    static func writtenSequence(_ v: Value?, _ ev: Evaluator) throws -> String? {
        guard let v, ev.sequenceItems(v) != nil else { return nil }
        return try ev.repr(v)
    }

    /// `scale_factor=`: None, a number, or a sequence of numbers.
    static func spatialScale(_ v: Value?, _ ev: Evaluator) throws -> SpatialArgument<Double>? {
        guard let v, !v.isNone else { return nil }
        if let items = ev.sequenceItems(v) {
            return .each(try items.map { item in
                guard let d = try Convert.optionalDouble(item, "scale_factor") else {
                    throw PyError(.typeError, "scale_factor must be a float or a sequence of floats")
                }
                return d
            })
        }
        guard let d = try Convert.optionalDouble(v, "scale_factor") else { return nil }
        return .all(d)
    }
}
