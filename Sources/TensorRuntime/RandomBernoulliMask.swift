extension RandomGenerator {
    /// Writes `count` Bernoulli(`p`) draws as `value` (drawn true) or 0: the same stream and results
    /// as `count` calls of `uniformDouble() < p` (PyTorch's `bernoulli_(p)` on a contiguous
    /// tensor), compared in integers a state block at a time. `uniformDouble` is `b·2⁻⁵³` for the
    /// 53-bit `b`, and `p·2⁵³` is exact, so `b·2⁻⁵³ < p` exactly when `b < ⌈p·2⁵³⌉`.
    public func fillBernoulli<T: KernelFloat>(_ out: UnsafeMutablePointer<T>, count: Int, p: Double, value: T) {
        let threshold = UInt64((Swift.min(Swift.max(p, 0), 1) * 9_007_199_254_740_992.0).rounded(.up))
        let low53: UInt64 = (1 << 53) - 1
        withRandomWords(count: 2 * count) { w, n, offset in
            let o = out + offset / 2
            for j in 0..<(n / 2) {
                let bits = ((UInt64(w[2 * j]) << 32) | UInt64(w[2 * j + 1])) & low53
                o[j] = bits < threshold ? value : 0
            }
        }
    }
}
