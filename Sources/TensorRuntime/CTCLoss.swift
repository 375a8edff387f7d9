import Foundation

/// `F.ctc_loss`: the connectionist temporal classification loss, as ATen's CPU kernel computes it
/// (LossCTC.cpp): log-space alpha (forward) and beta (backward) recursions over the extended
/// target `blank, l1, blank, l2, …, blank`, in the input's precision, with ATen's own gradient
/// formula `exp(lp) − exp(log(αβ) + nll − lp)` (the gradient through a log_softmax, as ATen
/// defines it). Then ATen's composite: `where(inf → 0)` with `zero_infinity`, and the division by
/// the clamped target lengths and mean for "mean".
extension Functional {
    public static func ctcLoss(_ logProbs: Tensor, targets: Tensor, inputLengths: [Int], targetLengths: [Int], blank: Int = 0,
                               reduction: String = "mean", zeroInfinity: Bool = false) throws -> Tensor {
        let red = try LossReduction(reduction)
        guard logProbs.dim == 3 || logProbs.dim == 2 else {
            throw TorchError.runtime("ctc_loss(): log_probs must be 2-D (T, C) or 3-D (T, N, C), but got \(logProbs.dim)-D")
        }
        guard logProbs.dtype.isFloatingPoint else { throw TorchError.runtime("ctc_loss(): log_probs must be a floating point tensor") }
        let batched = logProbs.dim == 3
        let lp = batched ? logProbs : try logProbs.unsqueeze(1)
        let tg = batched || targets.dim == 2 ? targets : try targets.unsqueeze(0)
        var losses = try ctcNegativeLogLikelihood(lp, tg, inputLengths, targetLengths, blank: blank, zeroInfinity: zeroInfinity)
        if zeroInfinity {
            losses = try Tensor.where(try losses.eq(.double(.infinity)), try Tensor.zeros([], dtype: losses.dtype), losses)
        }
        switch red {
        case .mean:
            let lengths = try Tensor(doubles: targetLengths.map { Double(Swift.max($0, 1)) }, shape: [targetLengths.count], dtype: losses.dtype)
            return try losses.div(lengths).mean()
        case .sum: return try losses.sum()
        case .none: return batched ? losses : try losses.squeeze(dim: 0)
        }
    }

    /// `torch._ctc_loss`: the per-sample negative log likelihood `[N]` (CtcLossBackward0).
    static func ctcNegativeLogLikelihood(_ logProbs: Tensor, _ targets: Tensor, _ inputLengths: [Int], _ targetLengths: [Int],
                                         blank: Int, zeroInfinity: Bool) throws -> Tensor {
        let (maxT, n, c) = (logProbs.shape[0], logProbs.shape[1], logProbs.shape[2])
        guard blank >= 0 && blank < c else { throw TorchError.runtime("blank must be in label range") }
        guard inputLengths.count == n else { throw TorchError.runtime("input_lengths must be of size batch_size") }
        guard targetLengths.count == n else { throw TorchError.runtime("target_lengths must be of size batch_size") }
        let flatTargets = targets.toScalars().map { Int($0.doubleValue) }
        var offsets: [Int] = []
        if targets.dim == 1 {
            var position = 0
            for length in targetLengths {
                offsets.append(position)
                position += length
            }
            guard targets.shape[0] >= position else {
                throw TorchError.runtime("Expected tensor for argument #2 'targets' to have size \(position) at dimension 0, but got size \(targets.shape[0]) (while checking arguments for ctc_loss_allocate_outputs)")
            }
        } else {
            guard targets.dim == 2, targets.shape[0] == n else {
                throw TorchError.runtime("Expected tensor for argument #2 'targets' to have size \(n) at dimension 0, but got size \(targets.dim == 0 ? 1 : targets.shape[0]) (while checking arguments for ctc_loss_allocate_outputs)")
            }
            let maxTarget = targetLengths.max() ?? 0
            guard targets.shape[1] >= maxTarget else {
                throw TorchError.runtime("Expected tensor to have size at least \(maxTarget) at dimension 1, but got size \(targets.shape[1]) for argument #2 'targets' (while checking arguments for ctc_loss_allocate_outputs)")
            }
            offsets = (0..<n).map { $0 * targets.shape[1] }
        }
        for b in 0..<n {
            guard inputLengths[b] <= maxT else {
                throw TorchError.runtime("Expected input_lengths to have value at most \(maxT), but got value \(inputLengths[b]) (while checking arguments for ctc_loss_allocate_outputs)")
            }
            guard inputLengths[b] >= 0, targetLengths[b] >= 0 else { throw TorchError.runtime("ctc_loss(): lengths must be non-negative") }
            for i in 0..<targetLengths[b] where flatTargets[offsets[b] + i] < 0 || flatTargets[offsets[b] + i] >= c {
                throw TorchError.index("Target \(flatTargets[offsets[b] + i]) is out of bounds.")
            }
        }
        let problem = CTCProblem(logProbs: try logProbs.dense().toDoubles(), targets: flatTargets, offsets: offsets,
                                 inputLengths: inputLengths, targetLengths: targetLengths, maxT: maxT, n: n, c: c, blank: blank)
        let dtype = logProbs.dtype, shape = logProbs.shape
        let nll = dtype == .float32 ? problem.forward(Float.self) : problem.forward(Double.self)
        let out = try Tensor(doubles: nll, shape: [n], dtype: dtype)
        return out.recordingGrad("CtcLossBackward0", inputs: [logProbs]) { g in
            let gradOut = try g.converted(to: dtype).toDoubles()
            let grad = dtype == .float32
                ? problem.backward(Float.self, nll: nll, gradOut: gradOut, zeroInfinity: zeroInfinity)
                : problem.backward(Double.self, nll: nll, gradOut: gradOut, zeroInfinity: zeroInfinity)
            return [try Tensor(doubles: grad, shape: shape, dtype: dtype)
                .recordedWithoutDerivative(inputs: [g, logProbs], atenName: "aten::_ctc_loss_backward")]
        }
    }
}

/// The exp and log the CTC recursions use, in the element's own precision (expf/logf for float32).
protocol CTCFloat: BinaryFloatingPoint {
    static func exponential(_ x: Self) -> Self
    static func logarithm(_ x: Self) -> Self
}

extension Float: CTCFloat {
    static func exponential(_ x: Float) -> Float { Foundation.exp(x) }
    static func logarithm(_ x: Float) -> Float { Foundation.log(x) }
}

extension Double: CTCFloat {
    static func exponential(_ x: Double) -> Double { Foundation.exp(x) }
    static func logarithm(_ x: Double) -> Double { Foundation.log(x) }
}

/// One CTC batch: log-probabilities `[T, N, C]` (row-major), targets with each sample's offset.
private struct CTCProblem {
    let logProbs: [Double]
    let targets: [Int]
    let offsets: [Int]
    let inputLengths: [Int]
    let targetLengths: [Int]
    let maxT, n, c, blank: Int

    /// The extended target's label at position `s` (blank at even positions).
    func label(_ b: Int, _ s: Int) -> Int { s % 2 == 0 ? blank : targets[offsets[b] + s / 2] }

    func lp<T: CTCFloat>(_: T.Type, _ t: Int, _ b: Int, _ k: Int) -> T { T(logProbs[(t * n + b) * c + k]) }

    /// log(e^a + e^b + e^c) as ATen writes it: shifted by the largest (0 when all are −inf).
    static func logSumExp<T: CTCFloat>(_ a: T, _ b: T, _ c: T) -> T {
        var m = Swift.max(a, Swift.max(b, c))
        if m == -T.infinity { m = 0 }
        return T.logarithm(T.exponential(a - m) + T.exponential(b - m) + T.exponential(c - m)) + m
    }

    /// Log alpha of sample `b`, `[input_length][2·target_length + 1]`.
    func alpha<T: CTCFloat>(_: T.Type, _ b: Int) -> [[T]] {
        let length = inputLengths[b], states = 2 * targetLengths[b] + 1
        var la = [[T]](repeating: [T](repeating: -T.infinity, count: states), count: length)
        guard length > 0 else { return la }
        la[0][0] = lp(T.self, 0, b, blank)
        if states > 1 { la[0][1] = lp(T.self, 0, b, label(b, 1)) }
        for t in 1..<Swift.max(length, 1) where t < length {
            for s in 0..<states {
                let current = label(b, s)
                let la2 = s > 0 ? la[t - 1][s - 1] : -T.infinity
                let la3 = s > 1 && label(b, s - 2) != current ? la[t - 1][s - 2] : -T.infinity
                la[t][s] = CTCProblem.logSumExp(la[t - 1][s], la2, la3) + lp(T.self, t, b, current)
            }
        }
        return la
    }

    /// The negative log likelihood of every sample.
    func forward<T: CTCFloat>(_: T.Type) -> [Double] {
        (0..<n).map { b in
            let length = inputLengths[b], target = targetLengths[b]
            guard length > 0 else { return target == 0 ? 0 : .infinity }
            let la = alpha(T.self, b)
            if target == 0 { return Double(-la[length - 1][0]) }
            let l1 = la[length - 1][2 * target], l2 = la[length - 1][2 * target - 1]
            var m = Swift.max(l1, l2)
            if m == -T.infinity { m = 0 }
            return Double(-(T.logarithm(T.exponential(l1 - m) + T.exponential(l2 - m)) + m))
        }
    }

    /// The gradient with respect to the log-probabilities `[T, N, C]`, given d(loss_b) = gradOut[b].
    func backward<T: CTCFloat>(_: T.Type, nll: [Double], gradOut: [Double], zeroInfinity: Bool) -> [Double] {
        var grad = [Double](repeating: 0, count: maxT * n * c)
        for b in 0..<n {
            let length = inputLengths[b], target = targetLengths[b], states = 2 * target + 1
            let sampleNLL = T(nll[b])
            if (zeroInfinity && sampleNLL == T.infinity) || length == 0 { continue }
            let la = alpha(T.self, b)
            var lb = [[T]](repeating: [T](repeating: -T.infinity, count: states), count: length)
            // lcab[t][k]: log of the sum of alpha·beta over the positions labelled k.
            var lcab = [[T]](repeating: [T](repeating: -T.infinity, count: c), count: length)
            let last = length - 1
            lb[last][2 * target] = lp(T.self, last, b, blank)
            lcab[last][blank] = la[last][2 * target] + lb[last][2 * target]
            if target > 0 {
                let k = label(b, 2 * target - 1)
                lb[last][2 * target - 1] = lp(T.self, last, b, k)
                lcab[last][k] = la[last][2 * target - 1] + lb[last][2 * target - 1]
            }
            var t = length - 2
            while t >= 0 {
                for s in stride(from: 2 * target, through: 0, by: -1) {
                    let current = label(b, s)
                    let lb2 = s < 2 * target ? lb[t + 1][s + 1] : -T.infinity
                    let lb3 = s < 2 * target - 1 && label(b, s + 2) != current ? lb[t + 1][s + 2] : -T.infinity
                    lb[t][s] = CTCProblem.logSumExp(lb[t + 1][s], lb2, lb3) + lp(T.self, t, b, current)
                    let logAlphaBeta = la[t][s] + lb[t][s]
                    if lcab[t][current] == -T.infinity {
                        lcab[t][current] = logAlphaBeta
                    } else {
                        let m = Swift.max(lcab[t][current], logAlphaBeta)
                        lcab[t][current] = T.logarithm(T.exponential(lcab[t][current] - m) + T.exponential(logAlphaBeta - m)) + m
                    }
                }
                t -= 1
            }
            let gr = T(gradOut[b])
            for t in 0..<length {
                for k in 0..<c {
                    let p = lp(T.self, t, b, k)
                    grad[(t * n + b) * c + k] = Double((T.exponential(p) - T.exponential(lcab[t][k] + sampleNLL - p)) * gr)
                }
            }
        }
        return grad
    }
}
