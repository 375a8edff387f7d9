import NNLang
import TensorRuntime
import NeuralNet

/// The torch-specific converters (shapes, dims, dtypes, devices, scalars); the language's own
/// (`optionalInt`, `optionalDouble`, `bool`) are in NNLang.
extension Convert {
    /// A list of ints from an int, a list/tuple of ints, or a torch.Size.
    static func ints(_ v: Value, _ ev: Evaluator, _ what: String = "size") throws -> [Int] {
        switch v {
        case .int, .bool: return [try v.asInt(what)]
        case .object(let o as TorchSize): return o.dims
        default:
            guard let items = ev.sequenceItems(v) else {
                throw PyError(.typeError, "\(what) must be tuple of ints, but found element of type \(v.typeName) at pos 0")
            }
            return try items.enumerated().map { i, item in
                guard case .int = item else {
                    if case .bool = item { return try item.asInt() }
                    throw PyError(.typeError, "\(what) must be tuple of ints, but found element of type \(item.typeName) at pos \(i)")
                }
                return try item.asInt(what)
            }
        }
    }

    /// A shape given either as varargs (`view(2, 3)`) or as one sequence (`view((2, 3))`). With
    /// `function`, a wrong argument gets PyTorch's argument-parser message naming `function()` and
    /// `argument` (`zeros(): argument 'size' (position 1) must be tuple of ints, not str`).
    static func shape(_ positional: [Value], _ ev: Evaluator, function: String? = nil, argument: String = "size") throws -> [Int] {
        guard let function else {
            if positional.count == 1, case .int = positional[0] { return [try positional[0].asInt()] }
            if positional.count == 1 { return try ints(positional[0], ev) }
            return try positional.map { try $0.asInt("size") }
        }
        guard let first = positional.first else { return [] }
        switch first {   // an int (or a 0-d tensor, read as its int) starts varargs sizes
        case .int: return try sizeItems(positional, function: function, argument: argument)
        case .tensor(let t) where t.dim == 0: return try sizeItems(positional, function: function, argument: argument)
        default: break
        }
        guard positional.count == 1 else {
            throw PyError(.typeError, "\(function)() takes 1 positional argument but \(positional.count) were given")
        }
        return try sizes(first, function: function, argument: argument)
    }

    /// A size argument that must be a sequence of ints (`torch.full(size, …)`), with PyTorch's
    /// argument-parser messages.
    static func sizes(_ v: Value, function: String, argument: String = "size", position: Int = 1) throws -> [Int] {
        let prefix = "\(function)(): argument '\(argument)' (position \(position)) must be tuple of ints"
        switch v {
        case .object(let o as TorchSize): return o.dims
        case .object(let o as PyTuple): return try sizeItems(o.items, function: function, argument: argument, prefix: prefix)
        case .object(let o as PyList): return try sizeItems(o.items, function: function, argument: argument, prefix: prefix)
        default: throw PyError(.typeError, "\(prefix), not \(v.typeName)")
        }
    }

    /// The ints of a size sequence. PyTorch's parser takes the sequence for sizes when its first
    /// item is an int (else: "…, but found element of type float at pos 0"); a later non-int
    /// fails to unpack.
    private static func sizeItems(_ items: [Value], function: String, argument: String, prefix: String? = nil) throws -> [Int] {
        try items.enumerated().map { i, item in
            switch item {
            case .int, .bool, .tensor: return try item.asInt(argument)
            default:
                if i == 0, let prefix { throw PyError(.typeError, "\(prefix), but found element of type \(item.typeName) at pos 0") }
                throw PyError(.typeError, "\(function)(): argument '\(argument)' failed to unpack the object at pos \(i + 1) with error \"type must be tuple of ints,but got \(item.typeName)\"")
            }
        }
    }

    /// `dim=` accepting None, an int, or a tuple/list of ints.
    static func dims(_ v: Value?, _ ev: Evaluator) throws -> [Int]? {
        guard let v, !v.isNone else { return nil }
        return try ints(v, ev, "dim")
    }

    static func dtype(_ v: Value?) throws -> DType? {
        guard let v, !v.isNone else { return nil }
        if case .object(let o as DTypeObject) = v { return o.dtype }
        if case .object(let o as PyType) = v {
            switch o.name {
            case "float": return .float64
            case "int": return .int64
            case "bool": return .bool
            default: break
            }
        }
        throw PyError(.typeError, "dtype must be torch.dtype, not \(v.typeName)")
    }

    /// A Python number as a Scalar (tensors of one element count too), or nil.
    static func scalar(_ v: Value?) throws -> Scalar? {
        guard let v, !v.isNone else { return nil }
        if let s = v.scalar { return s }
        if case .tensor(let t) = v, t.numel == 1 { return try t.item() }
        throw PyError(.typeError, "expected a number, got \(v.typeName)")
    }

    /// A Python number that must be given (None or a missing value is a TypeError).
    static func requiredScalar(_ v: Value?, _ what: String = "value") throws -> Scalar {
        guard let s = try scalar(v) else {
            throw PyError(.typeError, "\(what) must be a number, not \(v?.typeName ?? "NoneType")")
        }
        return s
    }

    /// A pair such as kernel_size=3 or (3, 3).
    static func pair(_ v: Value?, _ ev: Evaluator, default d: (Int, Int)) throws -> (Int, Int) {
        guard let v, !v.isNone else { return d }
        let xs = try ints(v, ev)
        if xs.count == 1 { return (xs[0], xs[0]) }
        guard xs.count == 2 else { throw PyError(.valueError, "expected a pair of ints, got \(xs.count) values") }
        return (xs[0], xs[1])
    }

    /// A device argument: only "cpu" exists.
    static func checkDevice(_ v: Value?, _ ev: Evaluator) throws {
        guard let v, !v.isNone else { return }
        var name = ""
        if case .str(let s) = v { name = s } else if case .object(let o as DeviceObject) = v { _ = o; return }
        else { name = try ev.str(v) }
        let kind = name.split(separator: ":").first.map(String.init) ?? name
        if kind == "cpu" { return }
        if ["cuda", "mps", "xpu", "meta", "hip"].contains(kind) {
            throw PyError(.runtimeError, "nnrepl runs on the CPU only: device '\(name)' is not available (use 'cpu')")
        }
        // Anything else is not a device string at all: NeuralNet's check raises PyTorch's message.
        try NeuralNet.checkDevice(name)
    }
}

/// A tensor or a Python number: the right operand of arithmetic.
enum Operand {
    case tensor(Tensor)
    case scalar(Scalar)

    init?(_ v: Value) {
        if case .tensor(let t) = v { self = .tensor(t); return }
        guard let s = v.scalar else { return nil }
        self = .scalar(s)
    }

    /// As a tensor (a number becomes a 0-dim tensor of the given dtype, defaulting to the
    /// number's own dtype).
    func tensor(like other: Tensor? = nil) throws -> Tensor {
        switch self {
        case .tensor(let t): return t
        case .scalar(let s):
            var dt = s.defaultDType
            if let other, other.dtype.isFloatingPoint, !dt.isFloatingPoint { dt = other.dtype }
            if let other, other.dtype.isFloatingPoint, dt.isFloatingPoint { dt = other.dtype }
            return try Tensor(scalar: s, dtype: dt)
        }
    }
}
