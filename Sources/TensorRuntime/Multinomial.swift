import Foundation

extension Tensor {
    /// `torch.multinomial(input, num_samples, replacement=False)` drawn as PyTorch's CPU kernel
    /// draws: without replacement (or for one sample) the exponential-race trick, argmax (or top
    /// k) of p / q with q ~ Exp(1) filled in memory order (`exponential_`: -log1p(-u), u from 53
    /// random bits); with replacement, one U(0, 1) double per sample searched in the row's
    /// normalised cumulative sums.
    public func multinomial(numSamples: Int, replacement: Bool = false) throws -> Tensor {
        guard dim == 1 || dim == 2 else { throw TorchError.runtime("prob_dist must be 1 or 2 dim") }
        guard dtype.isComputeFloat else {
            throw TorchError.runtime("multinomial only supports floating-point dtypes for input, got: \(dtype.atenName)")
        }
        guard numSamples > 0 else { throw TorchError.runtime("cannot sample n_sample <= 0 samples") }
        let categories = shape[dim - 1], rows = dim == 2 ? shape[0] : 1
        guard replacement || numSamples <= categories else {
            throw TorchError.runtime("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
        }
        let probs = try dense().toDoubles()
        // The two kernels check their input in their own words (as PyTorch's do).
        if !replacement || numSamples == 1 {
            guard probs.allSatisfy({ $0 >= 0 && $0 < .infinity }) else {
                throw TorchError.runtime("probability tensor contains either `inf`, `nan` or element < 0")
            }
        } else {
            if probs.contains(where: { $0 < 0 }) {
                throw TorchError.runtime("invalid multinomial distribution (encountering probability entry < 0)")
            }
            guard probs.allSatisfy({ $0.isFinite }) else {
                throw TorchError.runtime("invalid multinomial distribution (encountering probability entry = infinity or NaN)")
            }
        }
        for r in 0..<rows where probs[(r * categories)..<((r + 1) * categories)].reduce(0, +) <= 0 {
            throw TorchError.runtime("invalid multinomial distribution (sum of probabilities <= 0)")
        }
        let out = try Tensor(shape: dim == 2 ? [rows, numSamples] : [numSamples], dtype: .int64, zeroed: false)
        let o = out.elements(Int64.self)
        let gen = TorchRandom.generator
        if !replacement || numSamples == 1 {
            // q ~ Exp(1) in the input's dtype, then p / q in that dtype.
            let isFloat = dtype == .float32
            let ratios = probs.map { p -> Double in
                let q = -Foundation.log1p(-gen.uniformDouble())
                return isFloat ? Double(Float(p) / Float(q)) : p / q
            }
            for r in 0..<rows {
                let row = ratios[(r * categories)..<((r + 1) * categories)]
                let order = row.indices.sorted { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }
                for j in 0..<numSamples { o[r * numSamples + j] = Int64(order[j] - r * categories) }
            }
            return out
        }
        let isFloat = dtype == .float32
        for r in 0..<rows {
            // Cumulative sums in the input's dtype, normalised, the last forced to 1.
            var cumulative = [Double](repeating: 0, count: categories)
            var sum = 0.0, sumF: Float = 0
            for j in 0..<categories {
                if isFloat { sumF += Float(probs[r * categories + j]); cumulative[j] = Double(sumF) }
                else { sum += probs[r * categories + j]; cumulative[j] = sum }
            }
            let total = isFloat ? Double(sumF) : sum
            for j in 0..<categories { cumulative[j] = isFloat ? Double(Float(cumulative[j]) / Float(total)) : cumulative[j] / total }
            cumulative[categories - 1] = 1
            for j in 0..<numSamples {
                let u = gen.uniformDouble()
                var left = 0, right = categories
                while right - left > 0 {
                    let mid = left + (right - left) / 2
                    if cumulative[mid] < u { left = mid + 1 } else { right = mid }
                }
                o[r * numSamples + j] = Int64(left)
            }
        }
        return out
    }
}
