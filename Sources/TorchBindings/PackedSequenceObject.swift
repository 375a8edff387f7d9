import NNLang
import TensorRuntime
import NeuralNet

/// A `torch.nn.utils.rnn.PackedSequence` in the language: the named tuple
/// `(data, batch_sizes, sorted_indices, unsorted_indices)` (indexable, unpackable, `len` 4) with
/// PyTorch's repr and its dtype conversions; recurrent layers take it as input.
final class PackedSequenceObject: PyObject {
    let sequence: PackedSequence

    init(_ sequence: PackedSequence) {
        self.sequence = sequence
        super.init()
    }

    static let fieldNames = ["data", "batch_sizes", "sorted_indices", "unsorted_indices"]

    override var typeName: String { "PackedSequence" }

    var fields: [Value] {
        [.tensor(sequence.data), .tensor(sequence.batchSizes),
         sequence.sortedIndices.map { .tensor($0) } ?? .none, sequence.unsortedIndices.map { .tensor($0) } ?? .none]
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        if let i = Self.fieldNames.firstIndex(of: name) { return fields[i] }
        switch name {
        case "is_cuda": return .bool(false)
        case "double", "float":
            let dtype: DType = name == "double" ? .float64 : .float32
            return .object(NativeFunction("PackedSequence.\(name)", "", doc: "The sequence with its data converted to \(dtype.name).") { _, _ in
                .object(try self.converted(to: dtype))
            })
        case "to":
            return .object(NativeFunction("PackedSequence.to", "*args, **kwargs", doc: "The sequence with its data converted to a dtype.") { b, _ in
                let args = b.values.first.flatMap { $0 }.map { ev.sequenceItems($0) ?? [] } ?? []
                for a in args { if let dt = try? Convert.dtype(a) { return .object(try self.converted(to: dt)) } }
                return .object(self)
            })
        default: return nil
        }
    }

    private func converted(to dtype: DType) throws -> PackedSequenceObject {
        guard sequence.data.dtype != dtype else { return self }
        return PackedSequenceObject(PackedSequence(data: try sequence.data.converted(to: dtype), batchSizes: sequence.batchSizes,
                                                   sortedIndices: sequence.sortedIndices, unsortedIndices: sequence.unsortedIndices))
    }

    override func attributeNames() -> [String] { Self.fieldNames + ["double", "float", "is_cuda", "to"] }
    override func length(_ ev: Evaluator) throws -> Int? { 4 }
    override func iterate(_ ev: Evaluator) throws -> [Value]? { fields }

    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? {
        if let bounds = try ev.sliceBounds(key) {
            let items = fields
            let step = bounds.step ?? 1
            guard step > 0 else { throw PyError(.notImplementedError, "PackedSequence[::-k] is not supported by nnrepl") }
            func clamp(_ i: Int?, _ d: Int) -> Int { max(0, min(4, i.map { $0 < 0 ? $0 + 4 : $0 } ?? d)) }
            let lo = clamp(bounds.start, 0), hi = clamp(bounds.stop, 4)
            return ev.makeTuple(stride(from: lo, to: max(lo, hi), by: step).map { items[$0] })
        }
        guard case .int(let i) = key else { throw PyError(.typeError, "tuple indices must be integers or slices, not \(key.typeName)") }
        guard i >= -4 && i < 4 else { throw PyError(.indexError, "tuple index out of range") }
        return fields[i < 0 ? i + 4 : i]
    }

    override func repr(_ ev: Evaluator) throws -> String {
        let parts = try zip(Self.fieldNames, fields).map { "\($0)=\(try ev.repr($1))" }
        return "PackedSequence(" + parts.joined(separator: ", ") + ")"
    }
}
