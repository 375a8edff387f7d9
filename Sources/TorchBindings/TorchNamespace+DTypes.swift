import Foundation
import NNLang
import TensorRuntime

/// The dtype objects (`torch.float16`, aliases `torch.half`, `torch.int` …) and the dtype
/// queries: `result_type`, `promote_types`, `can_cast`, `iinfo`, `finfo`.
extension TorchNamespace {
    static func installDTypes(into torch: Namespace) {
        for dtype in DType.allCases { torch[dtype.pythonName] = .object(DTypeObject.of(dtype)) }
        for (alias, dtype) in [("float", DType.float32), ("double", .float64), ("half", .float16), ("long", .int64),
                               ("int", .int32), ("short", .int16)] {
            torch[alias] = .object(DTypeObject.of(dtype))
        }
        func def(_ name: String, _ signature: String, _ doc: String, _ body: @escaping (Bound, Evaluator) throws -> Value) {
            let sig = Signature(signature, style: .torch)
            torch[name] = .object(NativeFunction(name, signature: sig, doc: doc) { a, ev in try body(try sig.bind(a, name), ev) })
        }
        def("result_type", "tensor1, tensor2", "The dtype an operation on the two operands (tensors or numbers) gives.") { b, _ in
            var promotion = TypePromotion()
            for (i, v) in b.values.enumerated() {
                if case .tensor(let t) = v { promotion.add(t) }
                else if let s = v.scalar { promotion.add(s) }
                else { throw PyError(.typeError, "result_type(): argument 'tensor\(i + 1)' must be Tensor or Number, not \(v.typeName)") }
            }
            return .object(DTypeObject.of(promotion.result))
        }
        def("promote_types", "type1, type2", "The smallest dtype both dtypes convert to without losing their category.") { b, _ in
            .object(DTypeObject.of(DType.promote(try dtypeArgument(b[0], "type1"), try dtypeArgument(b[1], "type2"))))
        }
        def("can_cast", "from_, to", "Whether PyTorch's casting rules allow from_ to become to (no float to integer, nothing to bool).") { b, _ in
            .bool(try dtypeArgument(b[0], "from_").canCast(to: try dtypeArgument(b[1], "to")))
        }
        def("iinfo", "type", "Limits of an integer dtype: bits, min, max.") { b, _ in
            let dtype = try dtypeArgument(b[0], "type")
            guard !dtype.isFloatingPoint && dtype != .bool else {
                throw PyError(.typeError, "torch.iinfo() requires an integer input type. Use torch.finfo to handle 'torch.iinfo'")
            }
            return .object(DTypeLimits(integer: dtype))
        }
        def("finfo", "type=None", "Limits of a floating-point dtype: bits, eps, max, min, tiny, resolution.") { b, _ in
            let dtype = b[0].isNone ? DType.float32 : try dtypeArgument(b[0], "type")
            guard dtype.isFloatingPoint else {
                throw PyError(.typeError, "torch.finfo() requires a floating point input type. Use torch.iinfo to handle 'torch.finfo'")
            }
            return .object(DTypeLimits(floating: dtype))
        }
    }

    private static func dtypeArgument(_ v: Value, _ name: String) throws -> DType {
        guard case .object(let o as DTypeObject) = v else {
            throw PyError(.typeError, "argument '\(name)' must be torch.dtype, not \(v.typeName)")
        }
        return o.dtype
    }
}

/// `torch.iinfo(dtype)` / `torch.finfo(dtype)`: a dtype's limits as attributes, with PyTorch's repr.
final class DTypeLimits: PyObject {
    private let isInteger: Bool
    /// Attribute names in repr order (after `bits`, which the repr leaves out), with their values.
    private let fields: [(String, Value)]
    private let dtype: DType

    init(integer dtype: DType) {
        let bits = dtype.itemSize * 8
        let max: Int64 = dtype == .uint8 ? 255 : Int64.max >> (64 - bits)
        let min: Int64 = dtype == .uint8 ? 0 : ~max
        isInteger = true
        self.dtype = dtype
        fields = [("bits", .int(bits)), ("min", .int(Int(min))), ("max", .int(Int(max)))]
    }

    init(floating dtype: DType) {
        // (mantissa bits, largest exponent, smallest normal exponent)
        let (m, e, low): (Int, Int, Int) = switch dtype {
            case .float16: (10, 15, -14)
            case .bfloat16: (7, 127, -126)
            case .float32: (23, 127, -126)
            default: (52, 1023, -1022)
        }
        let eps = Double(sign: .plus, exponent: -m, significand: 1)
        let max = Double(sign: .plus, exponent: e, significand: 2 - eps)
        let tiny = Double(sign: .plus, exponent: low, significand: 1)
        let resolution = Double("1e-\(Int(floor(-log10(eps))))") ?? eps
        isInteger = false
        self.dtype = dtype
        fields = [("bits", .int(dtype.itemSize * 8)), ("resolution", .float(resolution)), ("min", .float(-max)), ("max", .float(max)),
                  ("eps", .float(eps)), ("smallest_normal", .float(tiny)), ("tiny", .float(tiny))]
    }

    override var typeName: String { isInteger ? "iinfo" : "finfo" }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        if name == "dtype" { return .str(dtype.pythonName) }
        return fields.first { $0.0 == name }?.1
    }

    override func attributeNames() -> [String] { fields.map(\.0) + ["dtype"] }

    override func repr(_ ev: Evaluator) throws -> String {
        let shown = try fields.dropFirst().map { name, value in
            // Python's `{:g}`, ints included (`min=-2.14748e+09`).
            let number: Value = if case .int(let i) = value { .float(Double(i)) } else { value }
            return "\(name)=" + (try ev.format(number, spec: "g"))
        }
        return "\(typeName)(" + (shown + ["dtype=\(dtype.pythonName)"]).joined(separator: ", ") + ")"
    }
}
