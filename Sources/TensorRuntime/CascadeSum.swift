/// Float sums in PyTorch's order, so float32 results match it bit for bit: ATen's `cascade_sum`
/// (aten/src/ATen/native/cpu/SumKernel.cpp) driven the way TensorIterator drives it.
///
/// - Geometry: reduced dimensions first (innermost), ordered by input stride, then the kept
///   dimensions innermost-first; neighbours that are contiguous for both input and output
///   merge. The kernel then sees 2-D chunks (`size0` × `size1`) and adds each result into
///   the zero-filled output.
/// - Kernel: sums run in lanes of ATen's vectors (8 floats / 4 doubles); each lane
///   is a 4-level cascade (chunks of ≥ 16 terms), rows are split 4 ways (ILP), and the lanes
///   are added at the end in order. A lane is an ordinary scalar accumulator here: vector adds
///   round lane by lane exactly like scalar adds.
/// - Threads: PyTorch splits inputs of ≥ 32768 elements over its threads (two-pass for a
///   single output, by output columns otherwise); the split is reproduced (serially) for
///   `CascadeSum.threads` threads, since the grouping changes the rounding.
enum CascadeSum {
    /// PyTorch's intra-op thread count on this machine (`torch.get_num_threads()`: the cores).
    static var threads: Int { IntraOpThreads.current }
    /// `at::internal::GRAIN_SIZE`.
    static let grainSize = 32768
    /// Bytes in one ATen vector as PyTorch's sum kernel runs here: 32 (AVX2: 8 floats, 4
    /// doubles), even on AVX-512 machines (measured: 16-float lanes disagree with torch).
    static let vectorBytes = 32

    /// Sums `input` over the reduced dimensions of `plan` into the contiguous `out`.
    static func run<T: KernelFloat>(_: T.Type, _ input: Tensor, _ plan: ReducePlan, _ out: Tensor) {
        let outPointer = out.elements(T.self)
        for i in 0..<out.numel { outPointer[i] = 0 }
        let numel = input.numel
        if numel == 0 { return }
        let geometry = SumGeometry(input, reduced: plan.reduced, keepShape: plan.keepShape)
        let kernel = CascadeKernel<T>()
        defer { kernel.release() }
        let inPointer = input.elements(T.self)
        if numel < grainSize || threads == 1 {
            geometry.forEach(range: 0..<numel, input: inPointer, output: outPointer, kernel)
        } else if out.numel == 1 {
            // Two passes: one partial sum per thread, then a sum of the partials.
            let buffer = UnsafeMutablePointer<T>.allocate(capacity: threads)
            defer { buffer.deallocate() }
            buffer.initialize(repeating: 0, count: threads)
            let used = Swift.min(threads, (numel + grainSize - 1) / grainSize)
            let chunk = (numel + used - 1) / used
            for t in 0..<used where t * chunk < numel {
                geometry.forEach(range: (t * chunk)..<Swift.min(numel, (t + 1) * chunk), input: inPointer, output: buffer + t, kernel)
            }
            let partials = SumGeometry(shape: [threads], inStrides: [1], outStrides: [0])
            partials.forEach(range: 0..<threads, input: buffer, output: outPointer, kernel)
        } else {
            geometry.splitOverColumns(threads: threads, elementSize: MemoryLayout<T>.size) { part in
                part.forEach(range: 0..<part.numel, input: inPointer, output: outPointer, kernel)
            }
        }
    }
}

/// A reduction's dimensions as TensorIterator lays them out (innermost first, merged), with
/// element strides of the input and of the output (0 along reduced dimensions) and the
/// offsets of the first element (non-zero for a column range of a split).
struct SumGeometry {
    var shape: [Int]
    var inStrides: [Int]
    var outStrides: [Int]
    var inOffset = 0, outOffset = 0

    var numel: Int { shape.reduce(1, *) }

    init(shape: [Int], inStrides: [Int], outStrides: [Int]) {
        (self.shape, self.inStrides, self.outStrides) = (shape, inStrides, outStrides)
    }

    init(_ t: Tensor, reduced: [Bool], keepShape: [Int]) {
        let n = t.dim
        let outContiguous = Tensor.contiguousStrides(keepShape)
        let outAll = (0..<n).map { reduced[$0] ? 0 : outContiguous[$0] }
        // TensorIterator.reorder_dimensions: insertion sort of the reversed dims with ATen's
        // ambiguous comparison (reduced dims first, then smaller strides, output first).
        var perm = Array((0..<n).reversed())
        func compare(_ d0: Int, _ d1: Int) -> Int {
            for (strides, isOutput) in [(outAll, true), (t.strides, false)] {
                let s0 = strides[d0], s1 = strides[d1]
                if isOutput && (s0 == 0) != (s1 == 0) { return s1 == 0 ? 1 : -1 }
                if s0 == 0 || s1 == 0 { continue }
                if s0 < s1 { return -1 }
                if s0 > s1 { return 1 }
                if t.shape[d0] > t.shape[d1] { return 1 }
            }
            return 0
        }
        for i in 1..<Swift.max(n, 1) {
            var d1 = i
            var d0 = i - 1
            while d0 >= 0 {
                let c = compare(perm[d0], perm[d1])
                if c > 0 { perm.swapAt(d0, d1); d1 = d0 } else if c < 0 { break }
                d0 -= 1
            }
        }
        var shape = perm.map { t.shape[$0] }, ins = perm.map { t.strides[$0] }, outs = perm.map { outAll[$0] }
        // TensorIterator.coalesce_dimensions.
        if shape.count > 1 {
            var prev = 0
            for d in 1..<shape.count {
                let mergeable = shape[prev] == 1 || shape[d] == 1
                    || (shape[prev] * ins[prev] == ins[d] && shape[prev] * outs[prev] == outs[d])
                if mergeable {
                    if shape[prev] == 1 { ins[prev] = ins[d]; outs[prev] = outs[d] }
                    shape[prev] *= shape[d]
                } else {
                    prev += 1
                    if prev != d { ins[prev] = ins[d]; outs[prev] = outs[d]; shape[prev] = shape[d] }
                }
            }
            shape.removeLast(shape.count - prev - 1)
            ins.removeLast(ins.count - prev - 1)
            outs.removeLast(outs.count - prev - 1)
        }
        self.init(shape: shape, inStrides: ins, outStrides: outs)
    }

    /// TensorIterator's serial_for_each over the flat index range: 2-D chunks of the two
    /// innermost dims (a chunk starts mid-row only at the range's start).
    func forEach<T: KernelFloat>(range: Range<Int>, input: UnsafePointer<T>, output: UnsafeMutablePointer<T>, _ kernel: CascadeKernel<T>) {
        if range.isEmpty { return }
        let n = shape.count
        if n <= 1 {
            let s0 = n == 0 ? 0 : inStrides[0], o0 = n == 0 ? 0 : outStrides[0]
            kernel.loop(input + inOffset + range.lowerBound * s0, output + outOffset + range.lowerBound * o0,
                        size0: range.count, size1: 1, in: (s0, 0), out: (o0, 0))
            return
        }
        var values = [Int](repeating: 0, count: n)
        var rest = range.lowerBound
        for d in 0..<n { values[d] = rest % shape[d]; rest /= shape[d] }
        var offset = range.lowerBound
        while offset < range.upperBound {
            let step0 = Swift.min(shape[0] - values[0], range.upperBound - offset)
            var step1 = 1
            if step0 == shape[0] { step1 = Swift.min(shape[1] - values[1], (range.upperBound - offset) / shape[0]) }
            var ip = inOffset, op = outOffset
            for d in 0..<n { ip += values[d] * inStrides[d]; op += values[d] * outStrides[d] }
            kernel.loop(input + ip, output + op, size0: step0, size1: step1,
                        in: (inStrides[0], inStrides[1]), out: (outStrides[0], outStrides[1]))
            // DimCounter.increment
            offset += step0 * step1
            var overflow = step0, d = 0
            if step1 != 1 { d = 1; overflow = step1 }
            while d < n && overflow > 0 {
                var v = values[d] + overflow
                if v >= shape[d] { overflow = 1; v -= shape[d] } else { overflow = 0 }
                values[d] = v
                d += 1
            }
        }
    }

    /// parallel_dim_reduction: the outermost kept dimension (or the largest below it when it
    /// is smaller than the thread count) is cut into one column range per thread, rounded to
    /// 128-byte groups when its columns are adjacent in memory.
    func splitOverColumns(threads: Int, elementSize: Int, _ body: (SumGeometry) -> Void) {
        var dim = shape.count - 1
        var best = dim
        var d = dim
        while d >= 0 && outStrides[d] != 0 {
            if shape[d] >= threads { best = d; break }
            if shape[d] > shape[best] { best = d }
            d -= 1
        }
        dim = best
        let cols = shape[dim]
        let used = Swift.min(threads, cols)
        if used == 0 { return }
        let chunk = (cols + used - 1) / used
        let multiple = 128 / elementSize
        for t in 0..<used {
            var begin = t * chunk, end = Swift.min(cols, begin + chunk)
            if begin >= cols { continue }
            if inStrides[dim] == 1 {
                begin -= begin % multiple
                if end != cols { end -= end % multiple }
            }
            if begin == end { continue }
            var part = self
            part.shape[dim] = end - begin
            part.inOffset += begin * inStrides[dim]
            part.outOffset += begin * outStrides[dim]
            body(part)
        }
    }
}

/// ATen's `cascade_sum` loop body over one 2-D chunk, with lanes as scalar accumulators.
final class CascadeKernel<T: KernelFloat> {
    /// Lanes of one ATen vector.
    let width = CascadeSum.vectorBytes / MemoryLayout<T>.size
    /// Scratch for `multiRowSum`: 4 levels × up to 4 vectors of lanes, plus its result.
    private let scratch: UnsafeMutablePointer<T>
    private let lanesMax: Int

    init() {
        lanesMax = 4 * (CascadeSum.vectorBytes / MemoryLayout<T>.size)
        scratch = .allocate(capacity: 5 * lanesMax)
    }

    func release() { scratch.deallocate() }

    /// `cascade_sum`'s lambda: `in`/`out` are the strides of dims 0 and 1.
    func loop(_ input: UnsafePointer<T>, _ output: UnsafeMutablePointer<T>, size0 s0: Int, size1 s1: Int,
              in inStrides: (Int, Int), out outStrides: (Int, Int)) {
        var (size0, size1, ins, outs) = (s0, s1, inStrides, outStrides)
        if outs.0 != 0 && outs.1 == 0 {
            swap(&ins.0, &ins.1); swap(&outs.0, &outs.1); swap(&size0, &size1)
        }
        if outs.0 != 0 && outs.1 != 0 {
            // Not a reduction: out += in elementwise.
            for j in 0..<size1 {
                for i in 0..<size0 { output[i * outs.0 + j * outs.1] += input[i * ins.0 + j * ins.1] }
            }
            return
        }
        let os = outs.1
        if ins.0 == 1 && size0 >= width {
            // Contiguous inner reduction.
            let vectors = size0 / width
            for j in 0..<size1 {
                let row = input + j * ins.1
                let lanes = rowSum(row, stride: width, width: width, size: vectors)
                var total: T = 0
                for k in (vectors * width)..<size0 { total += row[k] }
                for l in 0..<width { total += lanes[l] }
                output[j * os] += total
            }
        } else if ins.1 == 1 && size1 >= width {
            // Contiguous outer reduction.
            var j = 0
            while j + 4 * width <= size1 {
                let sums = multiRowSum(input + j, rowStride: ins.0, rows: 4, columnStride: width, width: width, size: size0)
                for m in 0..<(4 * width) { output[(j + m) * os] += sums[m] }
                j += 4 * width
            }
            while j + width <= size1 {
                let sums = rowSum(input + j, stride: ins.0, width: width, size: size0)
                for m in 0..<width { output[(j + m) * os] += sums[m] }
                j += width
            }
            while j < size1 {
                output[j * os] += rowSum(input + j, stride: ins.0, width: 1, size: size0)[0]
                j += 1
            }
        } else if ins.0 < ins.1 {
            for j in 0..<size1 { output[j * os] += rowSum(input + j * ins.1, stride: ins.0, width: 1, size: size0)[0] }
        } else {
            var j = 0
            while j + 3 < size1 {
                let sums = multiRowSum(input + j * ins.1, rowStride: ins.0, rows: 4, columnStride: ins.1, width: 1, size: size0)
                for m in 0..<4 { output[(j + m) * os] += sums[m] }
                j += 4
            }
            while j < size1 {
                output[j * os] += rowSum(input + j * ins.1, stride: ins.0, width: 1, size: size0)[0]
                j += 1
            }
        }
    }

    /// `row_sum`: `size` elements of `width` lanes, `stride` apart, summed 4 ways then combined.
    private func rowSum(_ p: UnsafePointer<T>, stride: Int, width: Int, size: Int) -> UnsafeMutablePointer<T> {
        let ilp = size / 4
        let partial = multiRowSum(p, rowStride: stride * 4, rows: 4, columnStride: stride, width: width, size: ilp)
        for i in (ilp * 4)..<Swift.max(size, ilp * 4) {
            for l in 0..<width { partial[l] += p[i * stride + l] }
        }
        for k in 1..<4 {
            for l in 0..<width { partial[l] += partial[k * width + l] }
        }
        return partial
    }

    /// `multi_row_sum`: `rows` × `width` lanes (lane (r, l) reads `columnStride`·r + l) over
    /// `size` steps `rowStride` apart, each lane a 4-level cascade. Returns the lanes (scratch).
    private func multiRowSum(_ p: UnsafePointer<T>, rowStride: Int, rows: Int, columnStride: Int, width: Int, size: Int) -> UnsafeMutablePointer<T> {
        let lanes = rows * width
        let acc = scratch
        for j in 0..<4 { (acc + j * lanesMax).update(repeating: 0, count: lanes) }
        let levelPower = Swift.max(4, ceilLog2(size) / 4)
        let levelStep = 1 << levelPower, levelMask = levelStep - 1
        @inline(__always) func addRow(_ i: Int) {
            let base = p + i * rowStride
            for r in 0..<rows {
                let column = base + r * columnStride, a = acc + r * width
                for l in 0..<width { a[l] += column[l] }
            }
        }
        var i = 0
        while i + levelStep <= size {
            for _ in 0..<levelStep { addRow(i); i += 1 }
            for j in 1..<4 {
                let upper = acc + j * lanesMax, lower = acc + (j - 1) * lanesMax
                for k in 0..<lanes { upper[k] += lower[k]; lower[k] = 0 }
                if i & (levelMask << (j * levelPower)) != 0 { break }
            }
        }
        while i < size { addRow(i); i += 1 }
        let result = scratch + 4 * lanesMax
        for k in 0..<lanes { result[k] = acc[k] }
        for j in 1..<4 {
            for k in 0..<lanes { result[k] += acc[j * lanesMax + k] }
        }
        return result
    }
}

/// ATen's `CeilLog2`: 1 for x ≤ 2, else ⌈log2 x⌉.
@inline(__always)
func ceilLog2(_ x: Int) -> Int {
    x <= 2 ? 1 : Int.bitWidth - (x - 1).leadingZeroBitCount
}
