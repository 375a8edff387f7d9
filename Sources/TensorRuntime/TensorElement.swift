/// A Swift type that can be a tensor element: Float (float32), Double (float64), Int64, Bool, and
/// the storage types Float16, BFloat16, Int32, Int16, Int8, UInt8.
/// Kernels are generic over it and specialised by the compiler; `dtype` switches pick the type once per op.
public protocol TensorElement {
    static var dtype: DType { get }
    /// The value converted as PyTorch's casts convert a double: floats round to nearest even
    /// (float16/bfloat16 through float, as c10's constructors take a float), integers truncate
    /// toward zero and smaller integers then wrap.
    init(converting value: Double)
    var doubleValue: Double { get }
    /// An int64 converted exactly as a cast (integers wrap; no detour through Double).
    init(int64 value: Int64)
}

extension TensorElement {
    @inline(__always) public init(int64 value: Int64) { self.init(converting: Double(value)) }
}

extension Float: TensorElement {
    public static var dtype: DType { .float32 }
    @inline(__always) public init(converting value: Double) { self = Float(value) }
    @inline(__always) public var doubleValue: Double { Double(self) }
}

extension Double: TensorElement {
    public static var dtype: DType { .float64 }
    @inline(__always) public init(converting value: Double) { self = value }
    @inline(__always) public var doubleValue: Double { self }
}

extension Int64: TensorElement {
    public static var dtype: DType { .int64 }
    @inline(__always) public init(converting value: Double) {
        // As x86's cvttsd2si, which PyTorch's casts compile to: NaN, ±inf and values outside
        // [-2^63, 2^63) give Int64.min (never a trap); the rest truncate toward zero.
        self = value >= -0x1p63 && value < 0x1p63 ? Int64(value) : .min
    }
    @inline(__always) public init(int64 value: Int64) { self = value }
    @inline(__always) public var doubleValue: Double { Double(self) }
}

extension Bool: TensorElement {
    public static var dtype: DType { .bool }
    @inline(__always) public init(converting value: Double) { self = value != 0 }
    @inline(__always) public init(int64 value: Int64) { self = value != 0 }
    @inline(__always) public var doubleValue: Double { self ? 1 : 0 }
}

/// The small integer storage types. A double converts as PyTorch's x86 casts do: through int32
/// (cvttsd2si: NaN and out-of-range values give Int32.min), then wrapped (`int8(300.0) == 44`,
/// `int8(1e10) == 0`); uint8 goes through int64 instead (c10's rule). Integers wrap.
public protocol NarrowInteger: TensorElement, FixedWidthInteger {}

extension NarrowInteger {
    @inline(__always) public init(converting value: Double) {
        self.init(truncatingIfNeeded: value >= -0x1p31 && value < 0x1p31 ? Int32(value) : .min)
    }
    @inline(__always) public var doubleValue: Double { Double(self) }
    @inline(__always) public init(int64 value: Int64) { self.init(truncatingIfNeeded: value) }
}

extension Int32: NarrowInteger { public static var dtype: DType { .int32 } }
extension Int16: NarrowInteger { public static var dtype: DType { .int16 } }
extension Int8: NarrowInteger { public static var dtype: DType { .int8 } }
extension UInt8: NarrowInteger {
    public static var dtype: DType { .uint8 }
    @inline(__always) public init(converting value: Double) { self.init(truncatingIfNeeded: Int64(converting: value)) }
}

extension Float16: TensorElement {
    public static var dtype: DType { .float16 }
    @inline(__always) public init(converting value: Double) { self = Float16(Float(value)) }
    @inline(__always) public var doubleValue: Double { Double(self) }
}

/// bfloat16: the top 16 bits of a float32 (c10::BFloat16), rounded to nearest even on conversion.
public struct BFloat16: TensorElement, Sendable, Equatable {
    public var bits: UInt16
    public init(bits: UInt16) { self.bits = bits }

    /// c10's `round_to_nearest_even`; NaN becomes the quiet NaN 0x7FC0.
    @inline(__always) public init(_ f: Float) {
        if f.isNaN { bits = 0x7FC0; return }
        let u = f.bitPattern
        bits = UInt16(truncatingIfNeeded: (u &+ 0x7FFF &+ ((u >> 16) & 1)) >> 16)
    }

    @inline(__always) public var floatValue: Float { Float(bitPattern: UInt32(bits) << 16) }

    public static var dtype: DType { .bfloat16 }
    @inline(__always) public init(converting value: Double) { self.init(Float(value)) }
    @inline(__always) public var doubleValue: Double { Double(floatValue) }
}

/// Visits the element type of a dtype: `try dispatch(t.dtype, MyKernel(...))` calls `kernel.run(Float.self)` etc.
public protocol ElementKernel {
    associatedtype Result
    func run<T: TensorElement>(_ type: T.Type) throws -> Result
}

@inline(__always)
public func dispatch<K: ElementKernel>(_ dtype: DType, _ kernel: K) throws -> K.Result {
    switch dtype {
    case .float32: return try kernel.run(Float.self)
    case .float64: return try kernel.run(Double.self)
    case .int64: return try kernel.run(Int64.self)
    case .bool: return try kernel.run(Bool.self)
    case .int32: return try kernel.run(Int32.self)
    case .int16: return try kernel.run(Int16.self)
    case .int8: return try kernel.run(Int8.self)
    case .uint8: return try kernel.run(UInt8.self)
    case .float16: return try kernel.run(Float16.self)
    case .bfloat16: return try kernel.run(BFloat16.self)
    }
}
