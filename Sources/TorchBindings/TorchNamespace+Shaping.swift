import Foundation
import NNLang
import TensorRuntime

/// `torch.cartesian_prod`, `torch.block_diag`, `torch.atleast_1d/2d/3d`, `torch.dstack`,
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
