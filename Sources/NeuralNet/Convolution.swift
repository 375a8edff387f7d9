import TensorRuntime

/// A 2-d size argument as scripts pass it: an int (used for both dims) or a pair.
public enum IntPair: Equatable {
    case single(Int)
    case pair(Int, Int)

    public var pair: (Int, Int) {
        switch self {
        case .single(let v): return (v, v)
        case .pair(let a, let b): return (a, b)
        }
    }

    /// The value as the script gave it (`2` or `(2, 2)`), as PyTorch's pooling layers keep it.
    public var asGiven: HyperValue {
        switch self {
        case .single(let v): return .int(v)
        case .pair(let a, let b): return .tuple([.int(a), .int(b)])
        }
    }

    /// Always a pair (`_pair(x)`), as Conv2d stores its sizes.
    public var asPair: HyperValue { HyperValue.pair(pair) }

    /// A size a script assigns to a layer (`pool.stride = 1`, `= (2, 1)`); nil for anything else.
    public init?(_ v: HyperValue) {
        switch v {
        case .int(let i): self = .single(i)
        case .tuple(let items) where items.count == 2:
            guard case .int(let a) = items[0], case .int(let b) = items[1] else { return nil }
            self = .pair(a, b)
        default: return nil
        }
    }
}

/// Conv2d's `padding`: explicit sizes or `'same'` / `'valid'`.
public enum Conv2dPadding: Equatable {
    case explicit(Int, Int)
    case same
    case valid
}

/// PyTorch's `_ConvNd`: the settings, parameters and repr shared by `Conv1d/2d/3d` and
/// `ConvTranspose1d/2d/3d`. Sizes are kept per spatial dim (`_single`/`_pair`/`_triple`).
/// weight is `[out, in/groups, k…]` (transposed: `[in, out/groups, k…]`), bias `[out]`, both
/// initialised by `reset_parameters` (kaiming-uniform with a = √5) on PyTorch's random stream.
open class ConvNd: Module {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: [Int]
    /// stride, padding, dilation and output_padding may be assigned after construction
    /// (`conv.stride = 2`), as in PyTorch, where forward reads the attributes.
    public private(set) var stride: [Int]
    public private(set) var padding: ConvPadding
    public private(set) var dilation: [Int]
    public let transposed: Bool
    public private(set) var outputPadding: [Int]
    public let groups: Int
    public let paddingMode: String
    /// How the input is padded before the kernel runs (padding modes, 'same' with an even kernel).
    private(set) var paddingPlan: ConvPaddingPlan
    /// The settings assigned after construction, as the script gave them (`conv.stride = 1`
    /// reads back and prints as `1`, not `(1, 1)`).
    private var assignedSettings: [String: HyperValue] = [:]

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: [Int], stride: [Int], padding: ConvPadding, dilation: [Int],
                transposed: Bool, outputPadding: [Int], groups: Int, bias: Bool, paddingMode: String) throws {
        guard groups > 0 else { throw TorchError.value("groups must be a positive integer") }
        guard inChannels % groups == 0 else { throw TorchError.value("in_channels must be divisible by groups") }
        guard outChannels % groups == 0 else { throw TorchError.value("out_channels must be divisible by groups") }
        if padding == .same && stride.contains(where: { $0 != 1 }) {
            throw TorchError.value("padding='same' is not supported for strided convolutions")
        }
        guard ["zeros", "reflect", "replicate", "circular"].contains(paddingMode) else {
            throw TorchError.value("padding_mode must be one of {'circular', 'replicate', 'reflect', 'zeros'}, but got padding_mode='\(paddingMode)'")
        }
        // Like PyTorch, a negative stride, dilation or output padding is refused by forward; a
        // negative kernel size or channel count by the weight's creation.
        let weightShape = (transposed ? [inChannels, outChannels / groups] : [outChannels, inChannels / groups]) + kernelSize
        if let negative = weightShape.first(where: { $0 < 0 }) {
            throw TorchError.runtime("Trying to create tensor with negative dimension \(negative): \(shapeDescription(weightShape))")
        }
        guard (kernelSize + stride + dilation + outputPadding).allSatisfy({ abs($0) < 1 << 30 }) else {
            throw TorchError.runtime("Trying to create tensor with negative dimension")
        }
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = transposed
        self.outputPadding = outputPadding
        self.groups = groups
        self.paddingMode = paddingMode
        paddingPlan = try ConvPaddingPlan(padding, kernel: kernelSize, dilation: dilation, mode: paddingMode)
        super.init()
        let weight = try Tensor.newParameter(weightShape)
        let b = bias ? try Tensor.newParameter([outChannels]) : nil
        try registerParameter("weight", weight)
        try registerParameter("bias", b)
        try Init.resetLinearLike(weight: weight, bias: b)
    }

    override open var pythonModuleName: String { "torch.nn.modules.conv" }

    private var paddingValue: HyperValue {
        switch padding {
        case .explicit(let p): return .tuple(p.map { .int($0) })
        case .same: return .string("same")
        case .valid: return .string("valid")
        }
    }

    private static func sizes(_ v: [Int]) -> HyperValue { .tuple(v.map { .int($0) }) }

    override open var hyperparameters: [(String, HyperValue)] {
        [("in_channels", .int(inChannels)), ("out_channels", .int(outChannels)),
         ("kernel_size", Self.sizes(kernelSize)), ("stride", assignedSettings["stride"] ?? Self.sizes(stride)),
         ("padding", assignedSettings["padding"] ?? paddingValue), ("dilation", assignedSettings["dilation"] ?? Self.sizes(dilation)),
         ("transposed", .bool(transposed)), ("output_padding", assignedSettings["output_padding"] ?? Self.sizes(outputPadding)),
         ("groups", .int(groups)), ("padding_mode", .string(paddingMode))]
    }

    /// `conv.stride = 2`, `conv.padding = 'same'`, …: an int applies to every spatial dim, a
    /// tuple must give one size per dim (anything else stays a plain attribute).
    override open func setHyperparameter(_ name: String, _ value: HyperValue) throws -> Bool {
        let dims = kernelSize.count
        var sizes: [Int]?
        switch value {
        case .int(let v): sizes = [Int](repeating: v, count: dims)
        case .tuple(let items) where items.count == dims:
            sizes = items.compactMap { if case .int(let v) = $0 { return v } else { return nil } }
            if sizes?.count != dims { sizes = nil }
        default: sizes = nil
        }
        switch (name, value) {
        case ("padding", .string("same")): padding = .same
        case ("padding", .string("valid")): padding = .valid
        case ("padding", _): guard let sizes else { return false }; padding = .explicit(sizes)
        case ("stride", _): guard let sizes else { return false }; stride = sizes
        case ("dilation", _): guard let sizes else { return false }; dilation = sizes
        case ("output_padding", _): guard let sizes else { return false }; outputPadding = sizes
        default: return false
        }
        // A padding mode other than zeros pads by `_reversed_padding_repeated_twice`, which
        // PyTorch computes once in `__init__`: assigning padding or dilation later leaves it.
        if paddingMode == "zeros" {
            paddingPlan = try ConvPaddingPlan(padding, kernel: kernelSize, dilation: dilation, mode: paddingMode)
        }
        assignedSettings[name] = value
        return true
    }

    /// `str()` of a setting as `extra_repr`'s format fields print it (a string without quotes).
    private func setting(_ name: String) -> String {
        guard let v = hyperparameter(name) else { return "" }
        if case .string(let s) = v { return s }
        return v.description
    }

    override open func extraRepr() -> String {
        var s = "\(inChannels), \(outChannels), kernel_size=\(Self.sizes(kernelSize)), stride=\(setting("stride"))"
        if padding != .explicit([Int](repeating: 0, count: kernelSize.count)) { s += ", padding=\(setting("padding"))" }
        if dilation.contains(where: { $0 != 1 }) { s += ", dilation=\(setting("dilation"))" }
        if outputPadding.contains(where: { $0 != 0 }) { s += ", output_padding=\(setting("output_padding"))" }
        if groups != 1 { s += ", groups=\(groups)" }
        if parameter("bias") == nil { s += ", bias=False" }
        if paddingMode != "zeros" { s += ", padding_mode=\(paddingMode)" }
        return s
    }
}

/// A convolution layer's `padding`: explicit sizes per spatial dim, `'same'` or `'valid'`.
public enum ConvPadding: Equatable {
    case explicit([Int])
    case same
    case valid
}

/// How a convolution layer pads: PyTorch's `_reversed_padding_repeated_twice` through `F.pad`
/// for a `padding_mode` other than zeros (the kernel then pads nothing), else the kernel's own
/// symmetric padding, plus, for `'same'` with an even effective kernel, the one extra row/column
/// on the right that ATen's `_convolution_mode` pads with zeros first.
public struct ConvPaddingPlan {
    public let kernelPadding: [Int]
    let inputPad: [Int]?
    let inputPadMode: String

    public init(_ padding: ConvPadding, kernel: [Int], dilation: [Int], mode: String) throws {
        let dims = kernel.count
        var left = [Int](repeating: 0, count: dims), right = left
        switch padding {
        case .explicit(let p): (left, right) = (p, p)
        case .valid: break
        case .same:
            for d in 0..<dims {
                let (total, overflow) = dilation[d].multipliedReportingOverflow(by: kernel[d] - 1)
                guard !overflow else { throw TorchError.runtime("convolution: arguments are too large") }
                left[d] = total / 2
                right[d] = total - left[d]
            }
        }
        // F.pad lists (before, after) from the last dim.
        let reversedPairs = (0..<dims).reversed().flatMap { [left[$0], right[$0]] }
        if mode != "zeros" {
            (kernelPadding, inputPad, inputPadMode) = ([Int](repeating: 0, count: dims), reversedPairs, mode)
        } else if left != right {
            let extra = (0..<dims).reversed().flatMap { [0, right[$0] - left[$0]] }
            (kernelPadding, inputPad, inputPadMode) = (left, extra, "constant")
        } else {
            (kernelPadding, inputPad, inputPadMode) = (left, nil, "constant")
        }
    }

    /// The input as the kernel gets it.
    public func prepared(_ x: Tensor) throws -> Tensor {
        guard let inputPad else { return x }
        return try Functional.pad(x, inputPad, mode: inputPadMode)
    }
}

/// `nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
/// bias=True, padding_mode='zeros')` on `[N, C, H, W]` or `[C, H, W]` (ConvolutionBackward0).
open class Conv2d: ConvNd {
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: IntPair, stride: IntPair = .single(1),
                padding: Conv2dPadding = .explicit(0, 0), dilation: IntPair = .single(1), groups: Int = 1,
                bias: Bool = true, paddingMode: String = "zeros") throws {
        let pad: ConvPadding
        switch padding {
        case .explicit(let a, let b): pad = .explicit([a, b])
        case .same: pad = .same
        case .valid: pad = .valid
        }
        func list(_ p: IntPair) -> [Int] { [p.pair.0, p.pair.1] }
        try super.init(inChannels, outChannels, kernelSize: list(kernelSize), stride: list(stride), padding: pad,
                       dilation: list(dilation), transposed: false, outputPadding: [0, 0], groups: groups, bias: bias,
                       paddingMode: paddingMode)
    }

    /// Convenience for Swift callers: square kernel, int stride and padding.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                            groups: Int = 1, bias: Bool = true) throws {
        try self.init(inChannels, outChannels, kernelSize: .single(kernelSize), stride: .single(stride),
                      padding: .explicit(padding, padding), groups: groups, bias: bias)
    }

    private var pairs: (stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int)) {
        let p = paddingPlan.kernelPadding
        return ((stride[0], stride[1]), (p[0], p[1]), (dilation[0], dilation[1]))
    }

    override open func forward(_ input: Tensor) throws -> Tensor {
        let (s, p, d) = pairs
        return try Functional.conv2d(try paddingPlan.prepared(input), weight: try requiredParameter("weight", of: "conv2d"),
                                     bias: parameter("bias"), stride: s, padding: p, dilation: d, groups: groups)
    }

    /// True when `Sequential` may run this layer and `next` as one fused `conv2dReLU`: both are
    /// the built-in classes (not subclasses with their own forward) and neither has hooks, so
    /// nothing could observe the convolution's own output.
    func fusesWithReLU(_ next: Module) -> Bool {
        type(of: self) == Conv2d.self && type(of: next) == ReLU.self
            && hookCounts == (0, 0) && next.hookCounts == (0, 0)
    }

    /// `ReLU()(self(input))` in one pass (`Functional.conv2dReLU`: same values and graph).
    func forwardFusingReLU(_ input: Tensor) throws -> Tensor {
        let (s, p, d) = pairs
        return try Functional.conv2dReLU(try paddingPlan.prepared(input), weight: try requiredParameter("weight", of: "conv2d"),
                                         bias: parameter("bias"), stride: s, padding: p, dilation: d, groups: groups)
    }
}

/// `nn.Conv1d` / `nn.Conv3d`: the same settings as Conv2d per spatial dim, run by the vol2col
/// kernels of TensorRuntime/ConvolutionNd.swift.
open class ConvolutionLayer: ConvNd {
    override open func forward(_ input: Tensor) throws -> Tensor {
        try Functional.convolutionNd(try paddingPlan.prepared(input), weight: try requiredParameter("weight", of: "conv\(kernelSize.count)d"),
                                     bias: parameter("bias"), stride: stride, padding: paddingPlan.kernelPadding, dilation: dilation,
                                     groups: groups, op: "conv\(kernelSize.count)d")
    }
}

/// `nn.Conv1d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
/// bias=True, padding_mode='zeros')` on `[N, C, L]` or `[C, L]`.
open class Conv1d: ConvolutionLayer {}

/// `nn.Conv3d(...)` on `[N, C, D, H, W]` or `[C, D, H, W]`.
open class Conv3d: ConvolutionLayer {}

/// `nn.ConvTranspose1d/2d/3d(in_channels, out_channels, kernel_size, stride=1, padding=0,
/// output_padding=0, groups=1, bias=True, dilation=1, padding_mode='zeros')`; `forward(input,
/// output_size=None)` picks the output padding that reaches `output_size`.
open class ConvTransposeLayer: ConvNd {
    override open func forward(_ input: Tensor) throws -> Tensor { try forward(input, outputSize: nil) }

    /// PyTorch's `_output_padding`: `output_size` (the spatial sizes, optionally with N and C in
    /// front) must lie within `stride - 1` above the smallest output size.
    public func forward(_ input: Tensor, outputSize: [Int]?) throws -> Tensor {
        let dims = kernelSize.count, op = "conv_transpose\(dims)d"
        guard case .explicit(let pad) = padding else {
            throw TorchError.value("Only \"zeros\" padding mode is supported for \(typeName)")
        }
        var extra = outputPadding
        if let outputSize {
            let spatial = outputSize.count == dims + 2 || (outputSize.count == dims + 1 && input.dim == dims + 1)
                ? Array(outputSize.suffix(dims)) : outputSize
            guard spatial.count == dims else {
                throw TorchError.value("ConvTranspose\(dims)D: for \(input.dim)D input, output_size must have \(dims) or \(dims + (input.dim == dims + 1 ? 1 : 2)) elements (got \(outputSize.count))")
            }
            let inSpatial = Array(input.shape.suffix(dims))
            let minSizes: [Int] = (0..<dims).map { d -> Int in
                let span: Int = dilation[d] * (kernelSize[d] - 1) + 1
                return (inSpatial[d] - 1) * stride[d] - 2 * pad[d] + span
            }
            let maxSizes = (0..<dims).map { minSizes[$0] + stride[$0] - 1 }
            if (0..<dims).contains(where: { spatial[$0] < minSizes[$0] || spatial[$0] > maxSizes[$0] }) {
                func list(_ v: [Int]) -> String { "[" + v.map(String.init).joined(separator: ", ") + "]" }
                throw TorchError.value("requested an output size of \(HyperValue.tuple(spatial.map { .int($0) })), but valid sizes range from \(list(minSizes)) to \(list(maxSizes)) (for an input of torch.Size(\(list(inSpatial))))")
            }
            extra = (0..<dims).map { spatial[$0] - minSizes[$0] }
        }
        return try Functional.convTransposeNd(input, weight: try requiredParameter("weight", of: op), bias: parameter("bias"),
                                              stride: stride, padding: pad, outputPadding: extra, dilation: dilation, groups: groups, op: op)
    }

    override open func forward(arguments: [Any], keywords: [(String, Any)]) throws -> Any {
        let sizeKeyword = keywords.first { $0.0 == "output_size" }
        guard arguments.count == 2 || sizeKeyword != nil else { return try super.forward(arguments: arguments, keywords: keywords) }
        let rest = keywords.filter { $0.0 != "output_size" }
        let input = try singleTensorArgument(Array(arguments.prefix(1)), rest, parameterName: "input")
        let sizeValue: Any? = arguments.count == 2 ? arguments[1] : sizeKeyword?.1
        let size = try sizeValue.flatMap { try SizeArgumentBridge.ints($0) }
        return ModuleValueBridge.wrap(try forward(input, outputSize: size))
    }
}

/// How layers with an `output_size=` forward argument (ConvTranspose, MaxUnpool2d) read it:
/// the bindings install a converter from their value type (a tuple, list or torch.Size of ints;
/// nil for None), as `ModuleValueBridge` does for tensors.
public enum SizeArgumentBridge {
    nonisolated(unsafe) public static var ints: (Any) throws -> [Int]? = { $0 as? [Int] }
}

/// `nn.ConvTranspose1d` on `[N, C, L]` or `[C, L]`.
open class ConvTranspose1d: ConvTransposeLayer {}

/// `nn.ConvTranspose2d` on `[N, C, H, W]` or `[C, H, W]`.
open class ConvTranspose2d: ConvTransposeLayer {}

/// `nn.ConvTranspose3d` on `[N, C, D, H, W]` or `[C, D, H, W]`.
open class ConvTranspose3d: ConvTransposeLayer {}
