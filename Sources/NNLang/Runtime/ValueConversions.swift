import TensorRuntime
import NeuralNet

/// An object that is also a built-in value: an instance of a script class deriving from `str`,
/// `int`, `list` … (Interpreter/Objects/DerivedValueInstance.swift). Conversions to Swift values
/// (`asString`, `asInt`, `asDouble`) that fail on the object use its value.
public protocol BuiltinValueCarrier: AnyObject {
    var builtinValue: Value { get }
}

extension Value {
    /// `type(v).__name__` for immediate values; objects report their own.
    public var typeName: String {
        switch self {
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .str: return "str"
        case .tensor(let t): return t.isParameter ? "Parameter" : "Tensor"
        case .module(let m): return m.typeName
        case .object(let o): return o.typeName
        }
    }

    /// The built-in value an object is too (a `str` subclass's string), for conversions that
    /// failed on the object itself; nil for everything else.
    var carriedValue: Value? {
        if case .object(let o) = self, let c = o as? BuiltinValueCarrier { return c.builtinValue }
        return nil
    }

    public var isNone: Bool { if case .none = self { return true } else { return false } }
    public var isTensor: Bool { if case .tensor = self { return true } else { return false } }

    /// An int (bools count, as in Python), or TypeError naming `what`.
    public func asInt(_ what: String = "argument") throws -> Int {
        switch self {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        case .tensor(let t) where t.numel == 1 && !t.dtype.isFloatingPoint:
            if case .int(let i) = try t.item() { return Int(i) }
            if case .bool(let b) = try t.item() { return b ? 1 : 0 }
        default: break
        }
        if let v = carriedValue { return try v.asInt(what) }
        throw PyError(.typeError, "\(what) must be int, not \(typeName)")
    }

    /// A float (ints and bools convert), or TypeError naming `what`.
    public func asDouble(_ what: String = "argument") throws -> Double {
        switch self {
        case .int(let i): return Double(i)
        case .bool(let b): return b ? 1 : 0
        case .float(let d): return d
        case .tensor(let t) where t.numel == 1: return try t.item().doubleValue
        default:
            if let v = carriedValue { return try v.asDouble(what) }
            throw PyError(.typeError, "\(what) must be a real number, not \(typeName)")
        }
    }

    public func asBool(_ what: String = "argument") throws -> Bool {
        switch self {
        case .bool(let b): return b
        case .int(let i): return i != 0
        default: throw PyError(.typeError, "\(what) must be bool, not \(typeName)")
        }
    }

    public func asString(_ what: String = "argument") throws -> String {
        if case .str(let s) = self { return s }
        if let v = carriedValue { return try v.asString(what) }
        throw PyError(.typeError, "\(what) must be str, not \(typeName)")
    }

    public func asTensor(_ what: String = "argument") throws -> Tensor {
        if case .tensor(let t) = self { return t }
        throw PyError(.typeError, "\(what) must be Tensor, not \(typeName)")
    }

    public func asModule(_ what: String = "argument") throws -> Module {
        if case .module(let m) = self { return m }
        throw PyError(.typeError, "\(what) must be Module, not \(typeName)")
    }

    /// A Python number as a tensor-operand Scalar, or nil when not a number.
    public var scalar: Scalar? {
        switch self {
        case .int(let i): return .int(Int64(i))
        case .float(let d): return .double(d)
        case .bool(let b): return .bool(b)
        default: return nil
        }
    }
}

/// Converters from bound argument slots (nil when not given) to Swift values, with Python's errors.
/// Host targets extend it with their own (TorchBindings: shapes, dtypes, devices).
public enum Convert {
    /// An optional int (None or not given → nil).
    public static func optionalInt(_ v: Value?, _ what: String = "argument") throws -> Int? {
        guard let v, !v.isNone else { return nil }
        return try v.asInt(what)
    }

    /// An optional float (None or not given → nil).
    public static func optionalDouble(_ v: Value?, _ what: String = "argument") throws -> Double? {
        guard let v, !v.isNone else { return nil }
        return try v.asDouble(what)
    }

    /// Python truthiness of a slot, `d` when not given.
    public static func bool(_ v: Value?, default d: Bool, _ ev: Evaluator) throws -> Bool {
        guard let v else { return d }
        return try ev.truthy(v)
    }
}
