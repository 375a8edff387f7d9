import CKernels

/// float32 `torch.sigmoid` as PyTorch computes it on this CPU (CKernels/sigmoid.c): SLEEF's exp
/// over pairs of vectors (32 elements on AVX-512, 16 on AVX2), libm's expf over each thread
/// chunk's tail, and the chunks ATen's `parallel_for` makes (grain 32768, `get_num_threads()`
/// tasks at most) — so results are PyTorch's bits, and the kernel uses the CPU's vector units.
/// PyTorch's build without AVX2 uses libm's expf throughout; so does this on such a CPU.
enum AtenSigmoid {
    static let block = CPUInfo.vectorLevel >= 2 ? 32 : (CPUInfo.vectorLevel == 1 ? 16 : 0)
    static let grain = 32_768

    /// Writes sigmoid(x) for `count` contiguous elements into `y` (distinct from `x`).
    static func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        chunks(count: count) { start, length in nn_sigmoid_f32(x + start, y + start, length, block) }
    }

    /// Runs `body(start, length)` over the chunks `cpu_kernel_vec`'s `parallel_for` makes of `count`
    /// elements, in parallel; each chunk has its own scalar tail.
    static func chunks(count: Int, _ body: (_ start: Int, _ length: Int) -> Void) {
        let tasks = count <= grain ? 1 : Swift.min(Swift.max(IntraOpThreads.current, 1), (count + grain - 1) / grain)
        let chunk = (count + tasks - 1) / tasks
        parallelParts(tasks) { task in
            let start = task * chunk
            guard start < count else { return }
            body(start, Swift.min(chunk, count - start))
        }
    }
}

extension Tensor {
    /// sigmoid(self) by `AtenSigmoid` for a float32 tensor whose elements tile their memory
    /// (contiguous, or a permutation such as `x.t()`): over that memory in order, into a result
    /// with the same strides, as ATen's TensorIterator does. nil otherwise (`SigmoidOp`).
    func atenSigmoidFloat32() throws -> Tensor? {
        guard dtype == .float32, numel > 0, isNonOverlappingAndDense else { return nil }
        let out = isContiguous ? try Tensor(shape: shape, dtype: .float32, zeroed: false)
            : Tensor(storage: try Storage(count: numel, dtype: .float32, zeroed: false), shape: shape, strides: strides)
        AtenSigmoid.apply(elements(Float.self), out.elements(Float.self), count: numel)
        return out
    }
}
