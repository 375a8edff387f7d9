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
        // Out-of-range and NaN values saturate instead of trapping.
        if value.isNaN { self = 0 } else if value >= 9.2e18 { self = .max } else if value <= -9.2e18 { self = .min } else { self = Int64(value) }
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
