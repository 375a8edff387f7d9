import CKernels
import Foundation

/// The global random generator, bit-compatible with PyTorch's CPU generator: an MT19937 engine
/// seeded with the low 32 bits of the seed, with PyTorch's transformations (24-bit floats, 53-bit
/// doubles, Box–Muller normals with the cached second sample, `random() % range + low` integers),
/// so `manual_seed(s)` followed by rand/randn/randint gives PyTorch's numbers on every machine.
public final class RandomGenerator {
    var state = [UInt32](repeating: 0, count: 624)
    var next = 0
    var left = 1
    public internal(set) var seed: UInt64
    var nextDoubleNormal: Double? = nil
    var nextFloatNormal: Float? = nil

    public init(seed: UInt64) {
        self.seed = seed
        reseed(seed)
    }

    /// Resets the engine and the cached normal samples (`manual_seed`).
    public func reseed(_ s: UInt64) {
        seed = s
        state[0] = UInt32(truncatingIfNeeded: s)
        for j in 1..<624 {
            let prev = state[j - 1]
            state[j] = 1812433253 &* (prev ^ (prev >> 30)) &+ UInt32(j)
        }
        left = 1
        next = 0
        nextDoubleNormal = nil
        nextFloatNormal = nil
    }

    @inline(__always)
    private static func twist(_ u: UInt32, _ v: UInt32) -> UInt32 {
        let mixed = (u & 0x8000_0000) | (v & 0x7fff_ffff)
        return (mixed >> 1) ^ ((v & 1) != 0 ? 0x9908_b0df : 0)
    }

    @inline(__always)
    private static func temper(_ x: UInt32) -> UInt32 {
        var y = x
        y ^= (y >> 11)
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= (y >> 18)
        return y
    }

    /// Regenerates all 624 state words.
    private func nextState() {
        left = 624
        next = 0
        state.withUnsafeMutableBufferPointer { b in
            guard let s = b.baseAddress else { return }
            for i in 0..<(624 - 397) { s[i] = s[i + 397] ^ Self.twist(s[i], s[i + 1]) }
            for i in (624 - 397)..<623 { s[i] = s[i + 397 - 624] ^ Self.twist(s[i], s[i + 1]) }
            s[623] = s[396] ^ Self.twist(s[623], s[0])
        }
    }

    /// Calls `body(words, n, offset)` with the next `count` outputs of `random()` in chunks
    /// (`offset` = outputs delivered before this chunk; every chunk but the last holds a multiple of
    /// 624·2 words). The same stream as calling `random()` `count` times, a state block at a time.
    public func withRandomWords(count: Int, _ body: (UnsafePointer<UInt32>, Int, Int) -> Void) {
        let chunk = Swift.min(count, 624 * 8)
        if chunk <= 0 { return }
        let words = UnsafeMutablePointer<UInt32>.allocate(capacity: chunk)
        defer { words.deallocate() }
        var done = 0
        while done < count {
            let n = Swift.min(chunk, count - done)
            var filled = 0
            while filled < n {
                if left <= 1 { nextState(); left = 625 }   // as `random()`: the next call takes state[0]
                let take = Swift.min(left - 1, n - filled)
                let start = next, out = words + filled   // locals: the loop then vectorises
                state.withUnsafeBufferPointer { b in
                    guard let s = b.baseAddress else { return }
                    let src = s + start
                    for j in 0..<take { out[j] = Self.temper(src[j]) }
                }
                next += take
                left -= take
                filled += take
            }
            body(words, n, done)
            done += n
        }
    }

    /// Fills `out` with `count` uniform floats in [from, to), as `count` calls of `uniformFloat`.
    public func fillUniform(_ out: UnsafeMutablePointer<Float>, count: Int, from: Float = 0, to: Float = 1) {
        // CKernels/random_fill.c: the fused multiply-add inline (a libm call per element here).
        withRandomWords(count: count) { w, n, offset in nn_uniform_fill_f32(w, out + offset, n, from, to) }
    }

    /// Fills `out` with `count` uniform doubles in [from, to), as `count` calls of `uniformDouble`.
    public func fillUniform(_ out: UnsafeMutablePointer<Double>, count: Int, from: Double = 0, to: Double = 1) {
        withRandomWords(count: 2 * count) { w, n, offset in nn_uniform_fill_f64(w, out + offset / 2, n / 2, from, to) }
    }

    /// 32 random bits (`random()`).
    @inline(__always)
    public func random() -> UInt32 {
        left -= 1
        if left == 0 { nextState() }
        let y = state[next]
        next += 1
        return Self.temper(y)
    }

    /// 64 random bits from two draws, the first as the high half (`random64()`).
    @inline(__always)
    public func random64() -> UInt64 {
        let hi = UInt64(random()), lo = UInt64(random())
        return (hi << 32) | lo
    }

    /// Uniform float in [from, to) from 24 random bits, computed in float as PyTorch: `x·(to -
    /// from) + from` with one rounding (GCC contracts ATen's expression into a fused multiply-add).
    @inline(__always)
    public func uniformFloat(_ from: Float = 0, _ to: Float = 1) -> Float {
        let x = Float(random() & ((1 << 24) - 1)) * (1.0 / 16_777_216.0)
        return from.addingProduct(x, to - from)
    }

    /// Uniform double in [from, to) from 53 random bits (a fused multiply-add, as `uniformFloat`).
    @inline(__always)
    public func uniformDouble(_ from: Double = 0, _ to: Double = 1) -> Double {
        let x = Double(random64() & ((1 << 53) - 1)) * (1.0 / 9_007_199_254_740_992.0)
        return from.addingProduct(x, to - from)
    }

    /// One normal sample (`at::normal_distribution<double>`), using and refilling the cached second sample.
    public func normalDouble(mean: Double, std: Double) -> Double {
        if let cached = nextDoubleNormal {
            nextDoubleNormal = nil
            return cached * std + mean
        }
        let u1 = uniformDouble(), u2 = uniformDouble()
        let r = (-2.0 * Foundation.log1p(-u2)).squareRoot()
        let theta = 2.0 * Double.pi * u1
        nextDoubleNormal = r * Foundation.sin(theta)
        return r * Foundation.cos(theta) * std + mean
    }
}

/// `torch.manual_seed`, `torch.initial_seed` and the default generator.
public enum TorchRandom {
    /// PyTorch's default seed for the CPU generator.
    public static let defaultSeed: UInt64 = 67_280_421_310_721
    nonisolated(unsafe) public static var generator = RandomGenerator(seed: defaultSeed)

    public static func manualSeed(_ seed: UInt64) { generator.reseed(seed) }
    /// `torch.manual_seed` with a Python int (negative seeds wrap as in PyTorch).
    public static func manualSeed(_ seed: Int64) { generator.reseed(UInt64(bitPattern: seed)) }
    public static var initialSeed: UInt64 { generator.seed }
    /// Conveniences mirroring the `Tensor` factories.
    public static func rand(_ shape: [Int], dtype: DType = DType.defaultFloat) throws -> Tensor { try Tensor.rand(shape, dtype: dtype) }
    public static func randn(_ shape: [Int], dtype: DType = DType.defaultFloat) throws -> Tensor { try Tensor.randn(shape, dtype: dtype) }
    public static func randint(low: Int = 0, high: Int, shape: [Int]) throws -> Tensor {
        try Tensor.randint(low: low, high: high, shape: shape)
    }
    /// `torch.seed()`: a fresh nondeterministic seed, applied and returned.
    public static func seed() -> UInt64 {
        var g = SystemRandomNumberGenerator()
        let s = g.next() & ((1 << 63) - 1)
        generator.reseed(s)
        return s
    }
}

extension Tensor {
    /// Writes `value()` into every element in the order TensorIterator visits them: dimensions
    /// sorted by stride (memory order for a transposed or permuted view), as PyTorch's serial
    /// random kernels draw.
    func fillSequential<T: TensorElement>(_: T.Type, _ value: () -> T) {
        let p = storage.pointer(T.self)
        // TensorIterator.reorder_dimensions for one operand: innermost first, smaller strides
        // inner, equal strides with the smaller size inner; 0 strides are left in place.
        var perm = Array((0..<dim).reversed())
        for i in 1..<Swift.max(dim, 1) {
            var d1 = i, d0 = i - 1
            while d0 >= 0 {
                let a = perm[d0], b = perm[d1]
                let s0 = strides[a], s1 = strides[b]
                let order = s0 == 0 || s1 == 0 ? 0 : s0 < s1 ? -1 : s0 > s1 ? 1 : shape[a] > shape[b] ? 1 : 0
                if order > 0 { perm.swapAt(d0, d1); d1 = d0 } else if order < 0 { break }
                d0 -= 1
            }
        }
        let outerFirst = perm.reversed()
        let view = Tensor(storage: storage, shape: outerFirst.map { shape[$0] }, strides: outerFirst.map { strides[$0] },
                          storageOffset: storageOffset)
        view.forEachStorageIndex { p[$0] = value() }
    }

    private func requireFloat(_ op: String) throws {
        guard dtype.isFloatingPoint else { throw notImplemented(op, dtype) }
    }

    /// float16/bfloat16 random fills: drawn as float32 (one number per element), then rounded.
    func fillingViaFloat(_ fill: (Tensor) throws -> Tensor) throws -> Tensor? {
        guard dtype.isReduced && dtype.isFloatingPoint else { return nil }
        return try copyInPlace(from: try fill(try Tensor(shape: shape, dtype: .float32, zeroed: false)))
    }

    /// `uniform_(from, to)`.
    @discardableResult
    public func uniformInPlace(from: Double = 0, to: Double = 1) throws -> Tensor {
        try requireFloat("check_uniform_bounds")
        if let t = try fillingViaFloat({ try $0.uniformInPlace(from: from, to: to) }) { return t }
        guard from <= to else {
            throw TorchError.runtime("uniform_ expects to return a [from, to) range, but found from=\(formatNumber(from)) > to=\(formatNumber(to))")
        }
        try checkInPlace()
        try checkNoInternalOverlap()
        let previous = standInIfTracked()
        let g = TorchRandom.generator
        if isContiguous {
            if dtype == .float32 {
                g.fillUniform(elementPointer(self, Float.self), count: numel, from: Float(from), to: Float(to))
            } else {
                g.fillUniform(elementPointer(self, Double.self), count: numel, from: from, to: to)
            }
        } else if dtype == .float32 {
            let f = Float(from), t = Float(to)
            fillSequential(Float.self) { g.uniformFloat(f, t) }
        } else {
            fillSequential(Double.self) { g.uniformDouble(from, to) }
        }
        bumpVersion()
        try recordOverwrite("UniformBackward0", previous)
        return self
    }

    /// `normal_(mean, std)` with PyTorch's two algorithms (16-wide Box–Muller for ≥16 contiguous
    /// elements, the scalar generator otherwise).
    @discardableResult
    public func normalInPlace(mean: Double = 0, std: Double = 1) throws -> Tensor {
        try requireFloat("normal_kernel_cpu")
        if let t = try fillingViaFloat({ try $0.normalInPlace(mean: mean, std: std) }) { return t }
        guard std >= 0 else { throw TorchError.runtime("normal expects std >= 0.0, but found std \(formatNumber(std))") }
        try checkInPlace()
        try checkNoInternalOverlap()
        let previous = standInIfTracked()
        let g = TorchRandom.generator
        if numel >= 16 && isContiguous {
            if dtype == .float32 {
                normalFill(elementPointer(self, Float.self), Float(mean), Float(std)) { g.fillUniform($0, count: $1) }
            } else {
                normalFill(elementPointer(self, Double.self), mean, std) { g.fillUniform($0, count: $1) }
            }
        } else if dtype == .float32 {
            fillSequential(Float.self) { Float(g.normalDouble(mean: mean, std: std)) }
        } else {
            fillSequential(Double.self) { g.normalDouble(mean: mean, std: std) }
        }
        bumpVersion()
        try recordOverwrite("NormalBackward0", previous)
        return self
    }

    /// PyTorch's `normal_fill`: uniforms for all elements, then Box–Muller on blocks of 16
    /// (the tail is redone with fresh uniforms over the last 16 elements). `uniforms(p, n)` fills
    /// `n` elements; the blocks are independent, so big fills transform them on all cores.
    private func normalFill<T: FloatElement>(_ data: UnsafeMutablePointer<T>, _ mean: T, _ std: T,
                                             _ uniforms: (UnsafeMutablePointer<T>, Int) -> Void) {
        let size = numel
        uniforms(data, size)
        func fill16(_ d: UnsafeMutablePointer<T>, blocks: Int = 1) {
            if T.self == Float.self {
                // PyTorch's float32 path: avx_mathfun's log and sincos (CKernels/random_fill.c).
                nn_normal_fill16_f32(UnsafeMutableRawPointer(d).assumingMemoryBound(to: Float.self), blocks, Float(mean), Float(std))
                return
            }
            for b in 0..<blocks { fill16Libm(d + 16 * b) }
        }
        func fill16Libm(_ d: UnsafeMutablePointer<T>) {
            // normal_fill_16 in T: std::log/cos/sin, `radius·cos·std + mean` fused as GCC does.
            for j in 0..<8 {
                let u1 = 1 - d[j], u2 = d[j + 8]
                let radius = (-2 * T.logF(u1)).squareRoot()
                let theta = T(2.0 * Double.pi * Double(u2))
                d[j] = mean.addingProduct(radius * T.cosF(theta), std)
                d[j + 8] = mean.addingProduct(radius * T.sinF(theta), std)
            }
        }
        let blocks = size / 16, parts = size >= 1 << 16 ? kernelThreads : 1
        parallelParts(parts) { p in
            let r = partRange(p, of: parts, count: blocks)
            fill16(data + r.lowerBound * 16, blocks: r.count)
        }
        if size % 16 != 0 {
            let tail = data + (size - 16)
            uniforms(tail, 16)
            fill16(tail)
        }
    }

    /// `bernoulli_(p)`: 1 with probability p (53-bit uniform < p).
    @discardableResult
    public func bernoulliInPlace(p: Double = 0.5) throws -> Tensor {
        guard p >= 0 && p <= 1 else { throw TorchError.runtime("bernoulli_ expects p to be in [0, 1], but got p=\(formatNumber(p))") }
        try checkInPlace()
        try checkNoInternalOverlap()
        let previous = standInIfTracked()
        let g = TorchRandom.generator
        // Draws in TensorIterator's order of self's own layout (a transposed tensor is drawn in
        // memory order, as PyTorch), a contiguous float tensor a state block at a time.
        switch dtype {
        case .float32 where isContiguous: g.fillBernoulli(elements(Float.self), count: numel, p: p, value: 1)
        case .float64 where isContiguous: g.fillBernoulli(elements(Double.self), count: numel, p: p, value: 1)
        case .float32: fillSequential(Float.self) { g.uniformDouble() < p ? 1 : 0 }
        case .float64: fillSequential(Double.self) { g.uniformDouble() < p ? 1 : 0 }
        default:
            let out = try Tensor.uninitialized(shape, .bool)
            out.fillSequential(Bool.self) { g.uniformDouble() < p }
            try copyElements(from: out, to: self)
        }
        bumpVersion()
        try recordOverwrite("BernoulliBackward2", previous)
        return self
    }

    /// `torch.bernoulli(probs)`: a new tensor of 0/1 drawn with the probabilities in self.
    public func bernoulli() throws -> Tensor {
        let probs = toDoubles()
        guard probs.allSatisfy({ $0 >= 0 && $0 <= 1 }) else {
            throw TorchError.runtime("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        }
        let g = TorchRandom.generator
        let out = try Tensor.uninitialized(shape, dtype)
        var k = 0
        out.forEachStorageIndex { i in
            out.storage.setDouble(g.uniformFloat() < Float(probs[k]) ? 1 : 0, at: i)
            k += 1
        }
        return out
    }

    /// `random_(from, to)`: integers in [low, high) as `random() % range + low`.
    @discardableResult
    public func randomInPlace(low: Int, high: Int) throws -> Tensor {
        guard low < high else {
            throw TorchError.runtime("random_ expects 'from' to be less than 'to', but got from=\(low) >= to=\(high)")
        }
        try checkInPlace()
        try checkNoInternalOverlap()
        let previous = standInIfTracked()
        let range = UInt64(bitPattern: Int64(high) &- Int64(low))
        let g = TorchRandom.generator
        let wide = range >= (1 << 32)
        let p = storage
        forEachStorageIndex { i in
            let r = wide ? g.random64() : UInt64(g.random())
            let v = Int64(bitPattern: (r % range) &+ UInt64(bitPattern: Int64(low)))
            p.set(.int(v), at: i)
        }
        bumpVersion()
        try recordOverwrite("RandomBackward0", previous)
        return self
    }

    // MARK: - Factories

    /// `torch.rand(*shape)`.
    public static func rand(_ shape: [Int], dtype: DType = DType.defaultFloat) throws -> Tensor {
        try Tensor(shape: shape, dtype: dtype, zeroed: false).uniformInPlace()
    }

    /// `torch.randn(*shape)`.
    public static func randn(_ shape: [Int], dtype: DType = DType.defaultFloat) throws -> Tensor {
        try Tensor(shape: shape, dtype: dtype, zeroed: false).normalInPlace()
    }

    /// `torch.randint(low, high, shape)` (int64 by default).
    public static func randint(low: Int = 0, high: Int, shape: [Int], dtype: DType = .int64) throws -> Tensor {
        try Tensor(shape: shape, dtype: dtype, zeroed: false).randomInPlace(low: low, high: high)
    }

    /// `torch.randperm(n)`: PyTorch's CPU shuffle (`random() % (n - i)` swaps).
    public static func randperm(_ n: Int, dtype: DType = .int64) throws -> Tensor {
        // A negative n fails in the allocation with ATen's "Trying to create tensor with negative dimension" message.
        let out = try Tensor(shape: [n], dtype: .int64, zeroed: false)
        let r = out.storage.pointer(Int64.self)
        for i in 0..<n { r[i] = Int64(i) }
        let g = TorchRandom.generator
        if n > 1 {
            for i in 0..<(n - 1) {
                let z = Int(UInt64(g.random()) % UInt64(n - i))
                let tmp = r[i]; r[i] = r[z + i]; r[z + i] = tmp
            }
        }
        return try out.cast(dtype)
    }

    public static func randLike(_ t: Tensor, dtype: DType? = nil) throws -> Tensor { try rand(t.shape, dtype: dtype ?? t.dtype) }
    public static func randnLike(_ t: Tensor, dtype: DType? = nil) throws -> Tensor { try randn(t.shape, dtype: dtype ?? t.dtype) }
    public static func randintLike(_ t: Tensor, low: Int = 0, high: Int, dtype: DType? = nil) throws -> Tensor {
        try randint(low: low, high: high, shape: t.shape, dtype: dtype ?? t.dtype)
    }
}

/// A number as PyTorch prints it in messages (`2` for integral doubles, else Swift's shortest form).
func formatNumber(_ x: Double) -> String {
    if x.isFinite && x == x.rounded() && Swift.abs(x) < 1e15 { return String(Int64(x)) }
    return String(x)
}
