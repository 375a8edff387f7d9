import TensorRuntime

/// PyTorch's padding layers (`torch.nn.modules.padding`): `F.pad(input, padding, mode, value)`
/// with the padding stored as a tuple `(left, right, top, bottom, …)` (an int given is repeated).
open class PaddingLayer: Module {
    public private(set) var padding: [Int] = []
    public private(set) var mode = "constant"
    @WrittenFloat public private(set) var value = 0.0
    /// ConstantPad's repr shows `padding=…, value=…`; the others show the tuple alone.
    private var showsValue = false
    /// CircularPadNd checks its input's rank itself (N+1 or N+2 dims) before padding.
    private var checkedDims: Int?

    public required override init() { super.init() }

    /// A layer of class `cls` (one of the subclasses below).
    public static func make(_ cls: Module.Type, padding: [Int], mode: String, value: HyperValue, showsValue: Bool,
                            checkedDims: Int? = nil) throws -> PaddingLayer {
        guard let layerClass = cls as? PaddingLayer.Type else { throw TorchError.type("\(cls) is not a padding layer") }
        let layer = layerClass.init()
        (layer.padding, layer.mode, layer.$value, layer.showsValue, layer.checkedDims) = (padding, mode, value, showsValue, checkedDims)
        return layer
    }

    override open var pythonModuleName: String { "torch.nn.modules.padding" }

    private var paddingValue: HyperValue { .tuple(padding.map { .int($0) }) }

    override open var hyperparameters: [(String, HyperValue)] {
        [("padding", paddingValue)] + (mode == "constant" ? [("value", $value)] : [])
    }

    override open func extraRepr() -> String { showsValue ? "padding=\(paddingValue), value=\($value)" : "\(paddingValue)" }

    override open func forward(_ input: Tensor) throws -> Tensor {
        if let d = checkedDims, input.dim != d + 1 && input.dim != d + 2 {
            throw TorchError.value("expected \(d + 1)D or \(d + 2)D input (got \(input.dim)D input)")
        }
        return try Functional.pad(input, padding, mode: mode, value: .double(value))
    }
}

/// `nn.ZeroPad1d(padding)`.
open class ZeroPad1d: PaddingLayer {}
/// `nn.ZeroPad2d(padding)`.
open class ZeroPad2d: PaddingLayer {}
/// `nn.ZeroPad3d(padding)`.
open class ZeroPad3d: PaddingLayer {}
/// `nn.ConstantPad1d(padding, value)`.
open class ConstantPad1d: PaddingLayer {}
/// `nn.ConstantPad2d(padding, value)`.
open class ConstantPad2d: PaddingLayer {}
/// `nn.ConstantPad3d(padding, value)`.
open class ConstantPad3d: PaddingLayer {}
/// `nn.ReflectionPad1d(padding)`.
open class ReflectionPad1d: PaddingLayer {}
/// `nn.ReflectionPad2d(padding)`.
open class ReflectionPad2d: PaddingLayer {}
/// `nn.ReflectionPad3d(padding)`.
open class ReflectionPad3d: PaddingLayer {}
/// `nn.ReplicationPad1d(padding)`.
open class ReplicationPad1d: PaddingLayer {}
/// `nn.ReplicationPad2d(padding)`.
open class ReplicationPad2d: PaddingLayer {}
/// `nn.ReplicationPad3d(padding)`.
open class ReplicationPad3d: PaddingLayer {}
/// `nn.CircularPad1d(padding)`.
open class CircularPad1d: PaddingLayer {}
/// `nn.CircularPad2d(padding)`.
open class CircularPad2d: PaddingLayer {}
/// `nn.CircularPad3d(padding)`.
open class CircularPad3d: PaddingLayer {}
