#if arch(x86_64) && canImport(_Builtin_intrinsics)
import _Builtin_intrinsics.intel
#endif

/// Correctly rounded square roots of four floats in one instruction. `SIMD4.squareRoot()`
/// compiles to four scalar square roots (each with a libm call for errno on negative input)
/// on Linux; SSE's `sqrtps` gives the same IEEE results.
@inlinable @inline(__always)
public func laneSquareRoot(_ v: SIMD4<Float>) -> SIMD4<Float> {
    #if arch(x86_64) && canImport(_Builtin_intrinsics)
    return _mm_sqrt_ps(v)
    #else
    return v.squareRoot()
    #endif
}

/// Loads four floats from `p + i` (any alignment).
@inlinable @inline(__always)
public func loadLanes(_ p: UnsafeMutablePointer<Float>, _ i: Int) -> SIMD4<Float> {
    UnsafeRawPointer(p + i).loadUnaligned(as: SIMD4<Float>.self)
}

/// Stores four floats at `p + i` (any alignment).
@inlinable @inline(__always)
public func storeLanes(_ v: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
    UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: SIMD4<Float>.self)
}
