import Foundation
import NNLang
import TensorRuntime

/// `torch.cartesian_prod`, `torch.block_diag`, `torch.broadcast_tensors/broadcast_shapes`,
/// `torch.atleast_1d/2d/3d`, `torch.dstack`,
/// `torch.column_stack` (functions of several tensors; TensorRuntime/ShapeCombinations.swift) and
/// `torch.logspace`.
extension TorchNamespace {
    static func installShaping(_ torch: Namespace) {
        func def(_ name: String, _ doc: String, _ body: @escaping ([Tensor]) throws -> Tensor) {
            torch[name] = .object(NativeFunction(name, "*tensors", doc: doc) { b, _ in
                .tensor(try body(try elements(b.extraPositional)))
            })
        }
        def("cartesian_prod", "Every combination of one element of each 1-D tensor, one row each.", Tensor.cartesianProd)
        def("block_diag", "The tensors (at most 2-D) along the diagonal of a matrix of zeros.", Tensor.blockDiag)
        torch["broadcast_tensors"] = .object(NativeFunction("broadcast_tensors", "*tensors", doc: "The tensors expanded (as views) to their common broadcast shape.") { b, ev in
            let tensors = try elements(b.extraPositional)
            let shape = try tensors.dropFirst().reduce(tensors.first?.shape ?? []) { try broadcastShapes($0, $1.shape) }
            return ev.makeTuple(try tensors.map { .tensor(try $0.expand(shape)) })
        })
        torch["broadcast_shapes"] = .object(NativeFunction("broadcast_shapes", "*shapes", doc: "The shape tensors of these shapes broadcast to, as a torch.Size.") { b, ev in
            .object(TorchSize(try commonShape(b.extraPositional, ev)))
        })
        torch["dstack"] = .object(NativeFunction("dstack", "tensors, *, out=None", doc: "Joins tensors along dim 2 (each viewed as at least 3-D).") { b, ev in
            .tensor(try Tensor.cat(try elements(try ev.iterate(b[0])).map { try $0.atLeast(3) }, dim: 2))
        })
        torch["column_stack"] = .object(NativeFunction("column_stack", "tensors, *, out=None", doc: "Joins tensors as columns (0-D and 1-D ones become columns).") { b, ev in
            .tensor(try Tensor.cat(try elements(try ev.iterate(b[0])).map { $0.dim <= 1 ? try $0.reshape([$0.numel, 1]) : $0 }, dim: 1))
        })
        torch["logspace"] = .object(NativeFunction("logspace", "start, end, steps, base=10.0, *, out=None, dtype=None, layout=torch.strided, device=None, requires_grad=False",
                                                   doc: "steps values base ** v for v evenly spaced from start to end.") { b, ev in
            try Convert.checkDevice(b[7], ev)
            let exponents = try Tensor.linspace(start: try b.double(0, "start"), end: try b.double(1, "end"), steps: try b.int(2, "steps"), dtype: .float64)
            let base = try b.double(3, "base")
            let t = try Tensor(doubles: exponents.toDoubles().map { Foundation.pow(base, $0) }, shape: exponents.shape, dtype: try b.dtype(5) ?? DType.defaultFloat)
            if try b.bool(8, ev) { try factoryRequiresGrad(t) }
            return .tensor(t)
        })
        for rank in 1...3 {
            let name = "atleast_\(rank)d"
            torch[name] = .object(NativeFunction(name, "*tensors", doc: "Each tensor viewed with at least \(rank) dims (a tuple for several).") { b, ev in
                let args = b.extraPositional
                if args.count == 1, case .tensor(let t) = args[0] { return .tensor(try t.atLeast(rank)) }
                var items = args
                if args.count == 1, case .object = args[0], let inner = ev.sequenceItems(args[0]) { items = inner }
                guard items.allSatisfy({ if case .tensor = $0 { return true } else { return false } }) else {
                    let got = args.map(\.typeName).joined(separator: ", ")
                    let marked = args.map { "!\($0.typeName)!" }.joined(separator: ", ")
                    throw PyError(.typeError, "\(name)() received an invalid combination of arguments - got (\(got)), but expected one of:\n"
                                  + " * (Tensor input)\n      didn't match because some of the arguments have invalid types: (\(marked))\n"
                                  + " * (tuple of Tensors tensors)\n      didn't match because some of the arguments have invalid types: (\(marked))\n")
                }
                return ev.makeTuple(try elements(items).map { .tensor(try $0.atLeast(rank)) })
            })
        }
    }

    /// `torch.broadcast_shapes(*shapes)`: PyTorch's `torch._refs._broadcast_shapes` (ints or
    /// sequences of ints, None skipped; its messages name the offending argument).
    private static func commonShape(_ values: [Value], _ ev: Evaluator) throws -> [Int] {
        let given = values.filter { !$0.isNone }
        let shapes: [(Value, [Int])] = try given.map { v in
            if case .int(let i) = v { return (v, [i]) }
            if case .object(let size as TorchSize) = v { return (v, size.dims) }
            guard case .object = v, let items = ev.sequenceItems(v) else {
                throw PyError(.runtimeError, "Input shapes should be of type ints, a tuple of ints, or a list of ints, got \(try ev.str(v))")
            }
            return (v, try items.map { try $0.asInt("shape") })
        }
        var common = [Int](repeating: 1, count: shapes.map { $0.1.count }.max() ?? 0)
        for (argIndex, (value, shape)) in shapes.enumerated() {
            for k in stride(from: 1, through: shape.count, by: 1) {
                let size = shape[shape.count - k], c = common.count - k
                if size == common[c] { continue }
                if common[c] == 1 {
                    guard size >= 0 else { throw PyError(.valueError, "Attempting to broadcast a dimension with negative length!") }
                    common[c] = size
                }
                if size == 1 || common[c] == size { continue }
                throw PyError(.runtimeError, "Attempting to broadcast a dimension of length \(size) at -\(k)! Mismatching argument at index \(argIndex) had \(try ev.repr(value)); but expected shape should be broadcastable to [\(common.map(String.init).joined(separator: ", "))]")
            }
        }
        return common
    }

    /// The `*tensors` of a joining function, with PyTorch's message for a non-tensor.
    private static func elements(_ values: [Value]) throws -> [Tensor] {
        try values.enumerated().map { i, v in
            guard case .tensor(let t) = v else {
                throw PyError(.typeError, "expected Tensor as element \(i) in argument 0, but got \(v.typeName)")
            }
            return t
        }
    }
}
