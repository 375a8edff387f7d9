import NNLang
import TensorRuntime

/// `torch.tril_indices` / `torch.triu_indices` (the coordinates of a matrix's lower or upper
/// triangle, row by row) and `torch.isin` (membership of each element in a set of values).
extension TorchNamespace {
    static func installIndices(_ torch: Namespace) {
        for (name, lower) in [("tril_indices", true), ("triu_indices", false)] {
            torch[name] = .object(NativeFunction(
                name, "row, col, offset=0, *, dtype=torch.int64, device=None, layout=torch.strided",
                doc: "A 2 x N tensor of the (row, column) coordinates of the \(lower ? "lower" : "upper") triangle, row by row.") { b, ev in
                try Convert.checkDevice(b[4], ev)
                let rows = try b.int(0, "row"), cols = try b.int(1, "col"), offset = try b.int(2, "offset")
                guard rows >= 0 else { throw PyError(.runtimeError, "row must be non-negative, got\(rows)") }
                guard cols >= 0 else { throw PyError(.runtimeError, "col must be non-negative, got\(cols)") }
                var r: [Double] = [], c: [Double] = []
                for i in 0..<rows {
                    // Column j is in the triangle when j - i <= offset (lower) or >= offset (upper).
                    let first = lower ? 0 : Swift.max(0, Swift.min(cols, i + offset))
                    let end = lower ? Swift.max(0, Swift.min(cols, i + offset + 1)) : cols
                    for j in first..<Swift.max(first, end) {
                        r.append(Double(i))
                        c.append(Double(j))
                    }
                }
                return .tensor(try Tensor(doubles: r + c, shape: [2, r.count], dtype: try b.dtype(3) ?? .int64))
            })
        }
        torch["isin"] = .object(NativeFunction(
            "isin", "elements, test_elements, *, assume_unique=False, invert=False",
            doc: "A bool tensor: whether each element of elements is among test_elements (or not, with invert=True).") { b, ev in
            guard b[0].isTensor || b[1].isTensor else {
                throw PyError(.typeError, "isin() received an invalid combination of arguments - got (\(b[0].typeName), \(b[1].typeName)), but expected one of:\n * (Tensor elements, Tensor test_elements, *, bool assume_unique = False, bool invert = False, Tensor out = None)\n * (Number element, Tensor test_elements, *, bool assume_unique = False, bool invert = False, Tensor out = None)\n * (Tensor elements, Number test_element, *, bool assume_unique = False, bool invert = False, Tensor out = None)\n")
            }
            func values(_ v: Value, _ what: String) throws -> (values: [Double], shape: [Int]) {
                if case .tensor(let t) = v { return (t.toDoubles(), t.shape) }
                return ([try v.asDouble(what)], [])
            }
            let elements = try values(b[0], "elements"), tests = Set(try values(b[1], "test_elements").values)
            let invert = try b.bool(3, ev)
            // NaN is in no set (NaN != NaN), as PyTorch's comparison-based isin.
            let found = elements.values.map { (tests.contains($0) != invert) ? 1.0 : 0.0 }
            return .tensor(try Tensor(doubles: found, shape: elements.shape, dtype: .bool))
        })
    }
}
