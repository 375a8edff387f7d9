/// A Swift type that can be a tensor element: Float (float32), Double (float64), Int64, Bool.
/// Kernels are generic over it and specialised by the compiler; `dtype` switches pick the type once per op.
public protocol TensorElement {
    static var dtype: DType { get }
    init(converting value: Double)
    var doubleValue: Double { get }
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
    @inline(__always) public var doubleValue: Double { Double(self) }
}

extension Bool: TensorElement {
    public static var dtype: DType { .bool }
    @inline(__always) public init(converting value: Double) { self = value != 0 }
    @inline(__always) public var doubleValue: Double { self ? 1 : 0 }
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
    }
}
