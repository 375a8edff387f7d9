import TensorRuntime

/// `torch.nn.utils.rnn.PackedSequence`: the steps of a batch of variable-length sequences, time
/// step after time step, `batchSizes[t]` rows at step t (sequences sorted longest first);
/// `sortedIndices` / `unsortedIndices` map between that order and the caller's (nil when the
/// input was already sorted).
public final class PackedSequence {
    public let data: Tensor
    /// int64 `[T]`.
    public let batchSizes: Tensor
    public let sortedIndices: Tensor?
    public let unsortedIndices: Tensor?

    public init(data: Tensor, batchSizes: Tensor, sortedIndices: Tensor?, unsortedIndices: Tensor?) {
        self.data = data
        self.batchSizes = batchSizes
        self.sortedIndices = sortedIndices
        self.unsortedIndices = unsortedIndices
    }

    /// `batch_sizes` as integers.
    public var batchSizeValues: [Int] { batchSizes.toDoubles().map { Int($0) } }

    /// `permute_hidden(hx, sorted_indices)`: a state `[L·D, B, H]` in the packed (sorted) batch order.
    func sortingBatch(_ state: Tensor) throws -> Tensor {
        guard let s = sortedIndices else { return state }
        return try state.indexSelect(dim: 1, index: s)
    }

    /// A state back in the caller's batch order.
    func unsortingBatch(_ state: Tensor) throws -> Tensor {
        guard let u = unsortedIndices else { return state }
        return try state.indexSelect(dim: 1, index: u)
    }
}

/// `torch.nn.utils.rnn`'s padding and packing functions. Rows are moved with `index_select`
/// (from a source with one extra row of padding), so gradients flow back to the inputs.
public enum SequencePacking {
    /// `invert_permutation`.
    public static func invertPermutation(_ p: [Int]) -> [Int] {
        var inverse = [Int](repeating: 0, count: p.count)
        for (i, v) in p.enumerated() where v >= 0 && v < p.count { inverse[v] = i }
        return inverse
    }

    /// `pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True)`.
    public static func packPadded(_ input: Tensor, lengths: [Int], batchFirst: Bool, enforceSorted: Bool) throws -> PackedSequence {
        guard input.dim >= 2 else { throw TorchError.runtime("input must have at least 2 dimensions, got \(input.dim)") }
        var lengths = lengths, sorted: [Int]? = nil, x = input
        if enforceSorted {
            guard zip(lengths, lengths.dropFirst()).allSatisfy({ $0 >= $1 }) else {
                throw TorchError.runtime("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this requirement if you do not need ONNX exportability.")
            }
        } else {
            let order = lengths.indices.sorted { lengths[$0] > lengths[$1] || (lengths[$0] == lengths[$1] && $0 < $1) }
            sorted = order
            lengths = order.map { lengths[$0] }
            x = try x.indexSelect(dim: batchFirst ? 0 : 1, index: try indexTensor(order))
        }
        if batchFirst { x = try x.transpose(0, 1) }
        let steps = x.shape[0], batch = x.shape[1]
        guard lengths.count == batch else {
            throw TorchError.runtime("Expected `len(lengths)` to be equal to batch_size, but got \(lengths.count) (batch_size=\(batch))")
        }
        guard let shortest = lengths.last, shortest > 0 else {
            throw TorchError.runtime("Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0")
        }
        guard let longest = lengths.first, longest <= steps else {
            throw TorchError.runtime("Expected sequence length to be at most \(steps), but got \(lengths.first ?? 0)")
        }
        _ = shortest
        var batchSizes: [Int] = [], rows: [Int] = []
        for t in 0..<longest {
            let b = lengths.filter { $0 > t }.count
            batchSizes.append(b)
            rows += (0..<b).map { t * batch + $0 }
        }
        let flat = try x.reshape([steps * batch] + Array(x.shape.dropFirst(2)))
        let data = try flat.indexSelect(dim: 0, index: try indexTensor(rows))
        return PackedSequence(data: data, batchSizes: try indexTensor(batchSizes), sortedIndices: try sorted.map(indexTensor),
                              unsortedIndices: try sorted.map { try indexTensor(invertPermutation($0)) })
    }

    /// `pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None)`:
    /// the padded batch in the caller's order and each sequence's length.
    public static func padPacked(_ sequence: PackedSequence, batchFirst: Bool, paddingValue: Double,
                                 totalLength: Int?) throws -> (Tensor, Tensor) {
        let sizes = sequence.batchSizeValues
        var steps = sizes.count
        if let total = totalLength {
            guard total >= steps else {
                throw TorchError.value("Expected total_length to be at least the length of the longest sequence in input, but got total_length=\(total) and max sequence length being \(steps)")
            }
            steps = total
        }
        let batch = sizes.first ?? 0
        var lengths = [Int](repeating: 0, count: batch), offsets: [Int] = [], o = 0
        for s in sizes {
            offsets.append(o); o += s
            for b in 0..<s { lengths[b] += 1 }
        }
        let order = sequence.unsortedIndices.map { $0.toDoubles().map { Int($0) } } ?? Array(0..<batch)
        let padRow = o
        func row(_ t: Int, _ j: Int) -> Int {
            let b = order[j]
            return t < sizes.count && b < sizes[t] ? offsets[t] + b : padRow
        }
        var rows: [Int] = []
        if batchFirst {
            for j in 0..<batch { for t in 0..<steps { rows.append(row(t, j)) } }
        } else {
            for t in 0..<steps { for j in 0..<batch { rows.append(row(t, j)) } }
        }
        let padded = try gatherRows(sequence.data, rows: rows, paddingValue: paddingValue)
        let shape = (batchFirst ? [batch, steps] : [steps, batch]) + Array(sequence.data.shape.dropFirst())
        return (try padded.view(shape), try indexTensor(order.map { lengths[$0] }))
    }

    /// `pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side='right')`.
    public static func padSequence(_ sequences: [Tensor], batchFirst: Bool, paddingValue: Double, paddingLeft: Bool) throws -> Tensor {
        guard let first = sequences.first else { throw TorchError.runtime("received an empty list of sequences") }
        guard first.dim >= 1 else { throw TorchError.runtime("pad_sequence: the sequences must have at least one dimension") }
        let trailing = Array(first.shape.dropFirst())
        for s in sequences where Array(s.shape.dropFirst()) != trailing || s.dtype != first.dtype {
            throw TorchError.runtime("The size of tensor a (\(trailing.last ?? 0)) must match the size of tensor b (\(s.shape.last ?? 0)) at non-singleton dimension \(max(s.dim - 1, 0))")
        }
        let lengths = sequences.map { $0.shape[0] }
        let steps = lengths.max() ?? 0
        var starts: [Int] = [], o = 0
        for l in lengths { starts.append(o); o += l }
        func row(_ t: Int, _ b: Int) -> Int {
            let shift = paddingLeft ? steps - lengths[b] : 0
            let i = t - shift
            return i >= 0 && i < lengths[b] ? starts[b] + i : o
        }
        var rows: [Int] = []
        if batchFirst {
            for b in sequences.indices { for t in 0..<steps { rows.append(row(t, b)) } }
        } else {
            for t in 0..<steps { for b in sequences.indices { rows.append(row(t, b)) } }
        }
        let all = try Tensor.cat(sequences, dim: 0)
        let padded = try gatherRows(all, rows: rows, paddingValue: paddingValue)
        return try padded.view((batchFirst ? [sequences.count, steps] : [steps, sequences.count]) + trailing)
    }

    /// Rows of `source` (index `source.shape[0]` = a row of `paddingValue`), differentiably.
    private static func gatherRows(_ source: Tensor, rows: [Int], paddingValue: Double) throws -> Tensor {
        let pad = try Tensor.full([1] + Array(source.shape.dropFirst()), value: .double(paddingValue), dtype: source.dtype)
        let withPad = try Tensor.cat([source, pad], dim: 0)
        return try withPad.indexSelect(dim: 0, index: try indexTensor(rows))
    }

    /// An int64 tensor of `xs`.
    public static func indexTensor(_ xs: [Int]) throws -> Tensor {
        try Tensor(doubles: xs.map(Double.init), shape: [xs.count], dtype: .int64)
    }
}
