/// CPython's `hash(n)` for an int: n reduced modulo the Mersenne prime 2**61 - 1, keeping its
/// sign, -1 mapped to -2.
@inline(__always)
func intHash(_ n: Int) -> Int {
    let modulus = (1 << 61) - 1
    if n >= 0 && n < modulus { return n }
    if n < -1 && n > -modulus { return n }
    let r = Int(n.magnitude % ((1 << 61) - 1))
    let h = n < 0 ? -r : r
    return h == -1 ? -2 : h
}

/// CPython's `hash(x)` for a finite or infinite float: x reduced modulo 2**61 - 1 as `intHash`
/// reduces ints (so `hash(2.0) == hash(2)`), ±314159 for ±inf, -1 mapped to -2.
func floatHash(_ x: Double) -> Int {
    if x.isInfinite { return x > 0 ? 314159 : -314159 }
    let bits = 61, modulus: UInt64 = (1 << 61) - 1
    var m = Swift.abs(x).significand / 2   // m in [0.5, 1), abs(x) = m * 2**e
    var e = Int(Swift.abs(x).exponent) + 1
    if x == 0 { return 0 }
    var h: UInt64 = 0
    while m != 0 {
        h = ((h << 28) & modulus) | (h >> UInt64(bits - 28))
        m *= 268435456.0   // 2**28
        e -= 28
        let y = UInt64(m)
        m -= Double(y)
        h += y
        if h >= modulus { h -= modulus }
    }
    let shift = e >= 0 ? e % bits : bits - 1 - ((-1 - e) % bits)
    h = ((h << UInt64(shift)) & modulus) | (h >> UInt64(bits - shift))
    var result = Int(h)
    if x < 0 { result = -result }
    return result == -1 ? -2 : result
}
