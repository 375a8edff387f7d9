import NNLang
import TensorRuntime

/// `torch.normal` (its four overloads, drawing as ATen's normal_out_impl does: the samples
/// first, then `·std + mean`) and `torch.randint_like`.
extension TorchNamespace {
    static func installRandomDraws(_ torch: Namespace) {
        torch["normal"] = .object(NativeFunction("normal", "mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=torch.strided, device=None, requires_grad=False",
                                                 doc: "Normal samples: numbers mean/std with a size, or elementwise tensor means/stds (broadcast).") { b, ev in
            try GeneratorObject.using(b[3]) { try normal(b, ev) }
        })
        torch["randint_like"] = .object(NativeFunction("randint_like", "input, low=0, high=None, *, dtype=None, layout=torch.strided, device=None, requires_grad=False, memory_format=torch.preserve_format",
                                                       doc: "Random integers in [low, high) with input's size (and dtype unless given).") { b, ev in
            let t = try b.tensor(0, "input")
            // randint_like(input, high) binds high to `low`.
            let short = b[2].isNone
            let low = short ? 0 : try b.int(1, "low"), high = try b.int(short ? 1 : 2, "high")
            return .tensor(try Tensor.randint(low: low, high: high, shape: t.shape).converted(to: try b.dtype(3) ?? t.dtype))
        })
    }

    private static func normal(_ b: Bound, _ ev: Evaluator) throws -> Value {
        let dtype = try b.dtype(5)
        switch (b[0], b[1]) {
        case (.tensor(let mean), .tensor(let std)):
            try checkStd(std)
            let shape = try broadcastShapes(mean.shape, std.shape)
            let r = try Tensor(shape: shape, dtype: mean.dtype, zeroed: false).normalInPlace(mean: 0, std: 1)
            _ = try r.mulInPlace(std).addInPlace(mean)
            return .tensor(r.recordingGrad("NormalBackward3", inputs: [mean, std], savesTensors: false) { g in
                [try sumToShape(try Tensor.zerosLike(g), mean.shape), try sumToShape(try Tensor.zerosLike(g), std.shape)]
            })
        case (.tensor(let mean), let stdValue):
            let std = try stdValue.asDouble("std")
            let r = try Tensor(shape: mean.shape, dtype: mean.dtype, zeroed: false).normalInPlace(mean: 0, std: std)
            _ = try r.addInPlace(mean)
            return .tensor(r.recordingGrad("NormalBackward1", inputs: [mean], savesTensors: false) { g in [try Tensor.zerosLike(g)] })
        case (let meanValue, .tensor(let std)):
            try checkStd(std)
            let mean = try meanValue.asDouble("mean")
            let r = try Tensor(shape: std.shape, dtype: std.dtype, zeroed: false).normalInPlace(mean: 0, std: 1)
            _ = try r.mulInPlace(std).addInPlace(.double(mean))
            return .tensor(r.recordingGrad("NormalBackward2", inputs: [std], savesTensors: false) { g in [try Tensor.zerosLike(g)] })
        default:
            guard !b[2].isNone else {
                throw PyError(.typeError, "normal() received an invalid combination of arguments - got (\(b[0].typeName), \(b[1].typeName)), but expected one of a Tensor mean or std, or a size")
            }
            let shape = try Convert.sizes(b[2], function: "normal")
            let r = try Tensor(shape: shape, dtype: dtype ?? .float32, zeroed: false)
                .normalInPlace(mean: try b[0].asDouble("mean"), std: try b[1].asDouble("std"))
            if try b.bool(8, ev) { try r.setRequiresGrad(true) }
            return .tensor(r)
        }
    }

    /// ATen's CHECK_NORMAL_TENSOR_STD.
    private static func checkStd(_ std: Tensor) throws {
        guard std.dtype.isFloatingPoint else {
            throw PyError(.runtimeError, "normal expects standard deviation to be non-complex")
        }
        let negative = try std.lt(.int(0)).anyTrueValue()
        guard !negative else {
            throw PyError(.runtimeError, "normal expects all elements of std >= 0.0")
        }
    }
}

private extension Tensor {
    /// Whether any element of a bool tensor is true.
    func anyTrueValue() throws -> Bool { try sum().item().doubleValue > 0 }
}
