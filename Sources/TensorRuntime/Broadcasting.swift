/// Broadcasting: shape inference with PyTorch's messages, stride-0 expansion, the row walker the
/// elementwise loops use, and `sumToShape` for reducing gradients of broadcast inputs.

/// The broadcast shape of `a` and `b`, or PyTorch's error
/// (`The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1`).
public func broadcastShapes(_ a: [Int], _ b: [Int]) throws -> [Int] {
    let n = Swift.max(a.count, b.count)
    var out = [Int](repeating: 1, count: n)
    for i in (0..<n).reversed() {  // PyTorch reports the rightmost mismatch
        let da = i - (n - a.count), db = i - (n - b.count)
        let sa = da >= 0 ? a[da] : 1, sb = db >= 0 ? b[db] : 1
        if sa == sb || sb == 1 { out[i] = sa } else if sa == 1 { out[i] = sb } else {
            throw TorchError.runtime("The size of tensor a (\(sa)) must match the size of tensor b (\(sb)) at non-singleton dimension \(i)")
        }
    }
    return out
}

/// Strides that read `t` as if expanded to `shape` (0 on broadcast dimensions). `shape` must be
/// a valid broadcast target of `t.shape`.
func broadcastStrides(_ t: Tensor, to shape: [Int]) -> [Int] {
    let lead = shape.count - t.shape.count
    var out = [Int](repeating: 0, count: shape.count)
    for i in 0..<t.shape.count where t.shape[i] != 1 || shape[i + lead] == 1 {
        out[i + lead] = t.shape[i] == 1 ? 0 : t.strides[i]
    }
    return out
}

/// Up to three strided layouts of one shape, with dimensions merged where every layout allows it,
/// walked one innermost row at a time (so per-element loops are plain strided loops).
struct StridedGeometry {
    private(set) var shape: [Int] = []
    private(set) var strides: [[Int]] = [[], [], []]

    /// `layouts` holds 2 or 3 stride arrays, each with `shape.count` entries (missing ones repeat the last).
    init(shape fullShape: [Int], _ layouts: [[Int]]) {
        let k = 3
        var ls = layouts
        while ls.count < k { ls.append(ls[ls.count - 1]) }
        // Walk from the innermost dimension outwards, dropping size-1 dims and merging where possible.
        var revShape: [Int] = []
        var revStrides: [[Int]] = [[], [], []]
        for d in stride(from: fullShape.count - 1, through: 0, by: -1) {
            let size = fullShape[d]
            if size == 1 { continue }
            if let innerSize = revShape.last {
                var mergeable = true
                for j in 0..<k where ls[j][d] != revStrides[j][revStrides[j].count - 1] * innerSize { mergeable = false; break }
                if mergeable {
                    revShape[revShape.count - 1] = innerSize * size
                    continue
                }
            }
            revShape.append(size)
            for j in 0..<k { revStrides[j].append(ls[j][d]) }
        }
        shape = revShape.reversed()
        for j in 0..<k { strides[j] = revStrides[j].reversed() }
        if fullShape.contains(0) { shape = [0]; strides = [[0], [0], [0]] }
    }

    /// Calls `body(offsets, count, strides)` for every innermost row (offsets relative to element 0).
    @inline(__always)
    func forEachRow(_ body: ((Int, Int, Int), Int, (Int, Int, Int)) -> Void) {
        let rank = shape.count
        if rank == 0 { body((0, 0, 0), 1, (0, 0, 0)); return }
        if shape.contains(0) { return }
        let s0 = strides[0], s1 = strides[1], s2 = strides[2]
        let inner = shape[rank - 1]
        let innerStrides = (s0[rank - 1], s1[rank - 1], s2[rank - 1])
        var rows = 1
        for i in 0..<(rank - 1) { rows *= shape[i] }
        if rows == 1 { body((0, 0, 0), inner, innerStrides); return }
        var counter = [Int](repeating: 0, count: rank)
        var o0 = 0, o1 = 0, o2 = 0
        for _ in 0..<rows {
            body((o0, o1, o2), inner, innerStrides)
            var d = rank - 2
            while d >= 0 {
                counter[d] += 1
                o0 += s0[d]; o1 += s1[d]; o2 += s2[d]
                if counter[d] < shape[d] { break }
                o0 -= s0[d] * shape[d]; o1 -= s1[d] * shape[d]; o2 -= s2[d] * shape[d]
                counter[d] = 0
                d -= 1
            }
        }
    }
}

/// Sums a gradient `g` down to `shape` (the shape of an input that was broadcast to `g.shape`).
/// Returns `g` itself when nothing needs reducing.
public func sumToShape(_ g: Tensor, _ shape: [Int]) throws -> Tensor {
    if g.shape == shape { return g }
    let lead = g.dim - shape.count
    guard lead >= 0 else { return try g.reshape(shape) }
    var dims: [Int] = Array(0..<lead)
    for i in 0..<shape.count where shape[i] == 1 && g.shape[i + lead] != 1 { dims.append(i + lead) }
    // Recorded only while a backward pass builds a graph (create_graph); backward runs without grad mode otherwise.
    let summed = dims.isEmpty ? g : try g.sum(dims: dims, keepdim: true)
    return try summed.reshape(shape)
}

/// The gradient for `input` from the gradient `g` of a broadcasting op: summed to its shape and
/// converted to its dtype; nil when `input` does not require grad.
func gradient(_ g: Tensor, for input: Tensor) throws -> Tensor? {
    guard input.requiresGrad else { return nil }
    let r = try sumToShape(g, input.shape)
    return try r.cast(input.dtype)
}
