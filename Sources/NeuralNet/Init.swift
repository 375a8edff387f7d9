import Foundation
import TensorRuntime

/// Where NeuralNet's Python warnings go (`UserWarning: Implicit dimension choice for softmax …`).
/// The interpreter replaces `handler` to print them Python-style; the default writes to stderr.
public enum NNWarnings {
    nonisolated(unsafe) public static var handler: (_ category: String, _ message: String) -> Void = { category, message in
        FileHandle.standardError.write(Data("\(category): \(message)\n".utf8))
    }

    public static func warn(_ message: String, category: String = "UserWarning") { handler(category, message) }
}

/// `torch.nn.init`: in-place initialisers, all run under no_grad and drawing from the global RNG
/// exactly as PyTorch does (same formulas, same single `uniform_`/`normal_` call per tensor), so a
/// seeded model matches PyTorch's when the runtime's generator does.
public enum Init {
    /// Random fills become no-ops: structure tests of 100M-parameter models, and modules rebuilt
    /// for `copy.deepcopy` (which must not draw from the random stream).
    nonisolated(unsafe) public static var randomFillsDisabled = false

    /// `calculate_gain(nonlinearity, param=None)`.
    public static func calculateGain(_ nonlinearity: String, param: Double? = nil) throws -> Double {
        switch nonlinearity {
        case "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid":
            return 1
        case "tanh": return 5.0 / 3
        case "relu": return 2.0.squareRoot()
        case "leaky_relu":
            let slope = param ?? 0.01
            guard slope.isFinite else { throw TorchError.value("negative_slope \(pythonFloatRepr(slope)) not a valid number") }
            return (2.0 / (1 + slope * slope)).squareRoot()
        case "selu": return 3.0 / 4
        default: throw TorchError.value("Unsupported nonlinearity \(nonlinearity)")
        }
    }

    /// `_calculate_fan_in_and_fan_out(tensor)`.
    public static func fanInAndFanOut(_ t: Tensor) throws -> (fanIn: Int, fanOut: Int) {
        guard t.dim >= 2 else {
            throw TorchError.value("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
        }
        let receptive = t.shape.dropFirst(2).reduce(1, *)
        return (t.shape[1] * receptive, t.shape[0] * receptive)
    }

    private static func fan(_ t: Tensor, mode: String) throws -> Int {
        guard mode == "fan_in" || mode == "fan_out" else {
            throw TorchError.value("Mode \(mode) not supported, please use one of ['fan_in', 'fan_out']")
        }
        let f = try fanInAndFanOut(t)
        return mode == "fan_in" ? f.fanIn : f.fanOut
    }

    /// PyTorch skips zero-element tensors with a warning.
    private static func isEmpty(_ t: Tensor) -> Bool {
        guard t.shape.contains(0) else { return false }
        NNWarnings.warn("Initializing zero-element tensors is a no-op")
        return true
    }

    /// `uniform_(tensor, a=0, b=1)`.
    public static func uniform_(_ t: Tensor, _ a: Double = 0, _ b: Double = 1) throws {
        if randomFillsDisabled { return }
        try GradMode.withNoGrad { _ = try t.uniformInPlace(from: a, to: b) }
    }

    /// `normal_(tensor, mean=0, std=1)`.
    public static func normal_(_ t: Tensor, mean: Double = 0, std: Double = 1) throws {
        if randomFillsDisabled { return }
        try GradMode.withNoGrad { _ = try t.normalInPlace(mean: mean, std: std) }
    }

    /// `constant_(tensor, val)`.
    public static func constant_(_ t: Tensor, _ value: Double) throws {
        GradMode.withNoGrad { t.forEachStorageIndex { t.storage.setDouble(value, at: $0) } }
    }

    /// `zeros_(tensor)`.
    public static func zeros_(_ t: Tensor) { fillZero(t) }

    /// `ones_(tensor)`.
    public static func ones_(_ t: Tensor) throws { try constant_(t, 1) }

    /// `kaiming_uniform_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu')`.
    public static func kaimingUniform_(_ t: Tensor, a: Double = 0, mode: String = "fan_in", nonlinearity: String = "leaky_relu") throws {
        if isEmpty(t) { return }
        let std = try calculateGain(nonlinearity, param: a) / Double(try fan(t, mode: mode)).squareRoot()
        let bound = 3.0.squareRoot() * std
        try uniform_(t, -bound, bound)
    }

    /// `kaiming_normal_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu')`.
    public static func kaimingNormal_(_ t: Tensor, a: Double = 0, mode: String = "fan_in", nonlinearity: String = "leaky_relu") throws {
        if isEmpty(t) { return }
        let std = try calculateGain(nonlinearity, param: a) / Double(try fan(t, mode: mode)).squareRoot()
        try normal_(t, mean: 0, std: std)
    }

    /// `xavier_uniform_(tensor, gain=1.0)`.
    public static func xavierUniform_(_ t: Tensor, gain: Double = 1) throws {
        let f = try fanInAndFanOut(t)
        let std = gain * (2.0 / Double(f.fanIn + f.fanOut)).squareRoot()
        let a = 3.0.squareRoot() * std
        try uniform_(t, -a, a)
    }

    /// `xavier_normal_(tensor, gain=1.0)`.
    public static func xavierNormal_(_ t: Tensor, gain: Double = 1) throws {
        let f = try fanInAndFanOut(t)
        let std = gain * (2.0 / Double(f.fanIn + f.fanOut)).squareRoot()
        try normal_(t, mean: 0, std: std)
    }

    /// The default initialisation of Linear and Conv layers (their `reset_parameters`):
    /// `kaiming_uniform_(weight, a=√5)`, then bias ~ U(±1/√fan_in) (0 when fan_in is 0).
    public static func resetLinearLike(weight: Tensor, bias: Tensor?) throws {
        try kaimingUniform_(weight, a: 5.0.squareRoot())
        if let bias {
            let fanIn = try fanInAndFanOut(weight).fanIn
            let bound = fanIn > 0 ? 1 / Double(fanIn).squareRoot() : 0
            try uniform_(bias, -bound, bound)
        }
    }
}
