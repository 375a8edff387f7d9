import NNLang
import TensorRuntime

/// `torch.cartesian_prod`, `torch.block_diag` and `torch.atleast_1d/2d/3d`: functions of several
/// tensors given as `*tensors` (TensorRuntime/ShapeCombinations.swift).
extension TorchNamespace {
    static func installShaping(_ torch: Namespace) {
        func def(_ name: String, _ doc: String, _ body: @escaping ([Tensor]) throws -> Tensor) {
            torch[name] = .object(NativeFunction(name, "*tensors", doc: doc) { b, _ in
                .tensor(try body(try elements(b.extraPositional)))
            })
        }
        def("cartesian_prod", "Every combination of one element of each 1-D tensor, one row each.", Tensor.cartesianProd)
        def("block_diag", "The tensors (at most 2-D) along the diagonal of a matrix of zeros.", Tensor.blockDiag)
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
