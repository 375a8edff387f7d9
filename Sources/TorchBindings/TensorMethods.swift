import NNLang
import TensorRuntime
import NeuralNet

/// The Python-facing attributes and methods of `torch.Tensor`.
enum TensorMethods {
    typealias Method = (Tensor, Arguments, Evaluator) throws -> Value

    /// Read-only and read-write properties (`x.shape`, `x.grad` …).
    static func property(_ t: Tensor, _ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "shape": return .object(TorchSize(t.shape))
        case "dtype": return .object(DTypeObject.of(t.dtype))
        case "device": return .object(DeviceObject.cpu)
        case "grad": return t.grad.map { .tensor($0) } ?? Value.none
        case "requires_grad": return .bool(t.requiresGrad)
        case "is_leaf": return .bool(t.isLeaf)
        case "grad_fn": return try t.checkedGradFn().map { .object(GradFnObject($0)) } ?? Value.none
        case "data": return .tensor(t.detached())
        case "ndim": return .int(t.dim)
        case "T": return .tensor(try t.permute(Array((0..<t.dim).reversed())))
        case "mT", "mH": return .tensor(try t.matrixTranspose(name))
        case "H":
            guard t.dim == 2 || t.dim == 0 else {
                throw PyError(.runtimeError, "tensor.H is only supported on matrices (2-D tensors). Got \(t.dim)-D tensor."
                              + (t.dim > 2 ? " For batches of matrices, consider using tensor.mH" : ""))
            }
            return .tensor(try t.matrixTranspose(name))
        case "is_cuda": return .bool(false)
        case "layout": return .str("torch.strided")
        case "itemsize": return .int(t.dtype.itemSize)
        case "nbytes": return .int(t.numel * t.dtype.itemSize)
        case "_version": return .int(t.version)
        case "_base": return t.base.map { .tensor($0) } ?? Value.none
        default: return nil
        }
    }

    static func setProperty(_ t: Tensor, _ name: String, _ value: Value, _ ev: Evaluator) throws {
        switch name {
        case "requires_grad": try t.setRequiresGrad(try ev.truthy(value))
        case "grad":
            switch value {
            case .none: t.grad = nil
            case .tensor(let g):
                guard g.shape == t.shape else {
                    throw PyError(.runtimeError, "assigned grad has data of a different size")
                }
                t.grad = g
            default: throw PyError(.typeError, "assigned grad expected to be a Tensor or None but got grad of type \(value.typeName)")
            }
        case "data":
            let src = try value.asTensor("data")
            try t.setData(src)
        default:
            throw PyError(.attributeError, "'Tensor' object has no attribute '\(name)'")
        }
    }

    /// Unary methods without arguments that map one-to-one onto runtime methods.
    static let unary: [String: (Tensor) throws -> Tensor] = [
        "abs": { try $0.abs() }, "exp": { try $0.exp() }, "log": { try $0.log() },
        "sqrt": { try $0.sqrt() }, "sin": { try $0.sin() }, "cos": { try $0.cos() },
        "tanh": { try $0.tanh() }, "sigmoid": { try $0.sigmoid() }, "relu": { try $0.relu() },
        "neg": { try $0.neg() }, "negative": { try $0.neg() }, "sign": { try $0.sign() },
        "floor": { try $0.floor() }, "ceil": { try $0.ceil() }, "reciprocal": { try $0.reciprocal() },
        "square": { try $0.square() }, "rsqrt": { try $0.rsqrt() }, "log1p": { try $0.log1p() },
        "t": { try $0.t() }, "contiguous": { try $0.contiguous() }, "clone": { try $0.cloned() },
        "detach": { $0.detach() }, "float": { try $0.converted(to: .float32) },
        "double": { try $0.converted(to: .float64) }, "long": { try $0.converted(to: .int64) },
        "int": { try $0.converted(to: .int64) }, "bool": { try $0.converted(to: .bool) },
        "cpu": { $0 }, "logical_not": { try $0.logicalNot() },
        "isnan": { try $0.ne($0) },
    ]

    /// Unary maths with an in-place `name_` variant.
    static let inPlaceMath: Set<String> = ["abs", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "neg", "negative",
                                           "sign", "floor", "ceil", "reciprocal", "square", "rsqrt", "log1p"]

    /// Binary methods taking a tensor or number (`x.add(y)`, `x.eq(0)`).
    static let binary: [String: BinaryOperator] = [
        "add": .add, "sub": .sub, "subtract": .sub, "mul": .mul, "multiply": .mul, "div": .div,
        "divide": .div, "true_divide": .div, "pow": .pow, "remainder": .mod, "fmod": .mod,
        "floor_divide": .floorDiv, "matmul": .matMul,
        "__add__": .add, "__sub__": .sub, "__mul__": .mul, "__truediv__": .div, "__matmul__": .matMul,
    ]

    static let comparisons: [String: ComparisonOperator] = [
        "eq": .eq, "ne": .ne, "lt": .lt, "le": .le, "gt": .gt, "ge": .ge,
        "greater": .gt, "less": .lt, "greater_equal": .ge, "less_equal": .le, "not_equal": .ne,
        "__eq__": .eq, "__ne__": .ne, "__lt__": .lt, "__le__": .le, "__gt__": .gt, "__ge__": .ge,
    ]

    /// Looks up `t.name`: a property, or a bound method.
    static func attribute(_ t: Tensor, _ name: String, _ ev: Evaluator) throws -> Value? {
        if let p = try property(t, name, ev) { return p }
        if let f = unary[name] {
            return method(name) { a, _ in
                if name == "float" || name == "double" || name == "long" || name == "int" || name == "bool" {
                    _ = try a.bind(name, ["memory_format"])
                } else {
                    _ = try a.bind(name, [])
                }
                return .tensor(try f(t))
            }
        }
        if let op = binary[name] {
            return method(name) { a, ev in
                let s = try a.bind(name, ["other", "alpha", "rounding_mode"], required: 1)
                var rhs = s[0]!
                if let alpha = try Convert.scalar(s[1]), case .tensor(let r) = rhs {
                    rhs = .tensor(try r.mul(alpha))
                } else if let alpha = try Convert.scalar(s[1]), let sc = rhs.scalar {
                    rhs = .float(sc.doubleValue * alpha.doubleValue)
                }
                if let mode = s[2], case .str(let m) = mode, op == .div {
                    return .tensor(try t.div(try Operand(rhs).orThrow().tensor(like: t), roundingMode: m))
                }
                guard let r = try TensorOperators.binary(op, .tensor(t), rhs, ev) else {
                    throw PyError(.typeError, "\(name)(): argument 'other' must be Tensor or Number, not \(rhs.typeName)")
                }
                return r
            }
        }
        if name.hasSuffix("_"), methods[name] == nil {  // exp_, sqrt_, pow_, …: the op, stored in place
            let base = String(name.dropLast())
            if inPlaceMath.contains(base), let f = unary[base] {
                return method(name) { a, _ in _ = try a.bind(name, []); return .tensor(try t.applyInPlace { x, _ in try f(x) }) }
            }
            if let op = binary[base] {
                return method(name) { a, _ in
                    let s = try a.bind(name, ["other"], required: 1)
                    guard let r = try TensorOperators.inPlace(op, t, s[0]!) else {
                        throw PyError(.typeError, "\(name)(): argument 'other' must be Tensor or Number, not \(s[0]!.typeName)")
                    }
                    return r
                }
            }
        }
        if name.hasPrefix("__i"), let op = BinaryOperator.allCases.first(where: { "__i\($0.dunderName)__" == name }) {
            return method(name) { a, _ in
                let s = try a.bind(name, ["other"], required: 1)
                return try TensorOperators.inPlace(op, t, s[0]!) ?? .object(NotImplemented.shared)
            }
        }
        if let op = comparisons[name] {
            return method(name) { a, ev in
                let s = try a.bind(name, ["other"], required: 1)
                guard let r = try TensorOperators.compare(op, .tensor(t), s[0]!, ev) else {
                    throw PyError(.typeError, "\(name)(): argument 'other' must be Tensor or Number, not \(s[0]!.typeName)")
                }
                return r
            }
        }
        guard let body = methods[name] else { return nil }
        return method(name) { a, ev in try body(t, a, ev) }
    }

    static var attributeNames: [String] {
        ["shape", "dtype", "device", "grad", "requires_grad", "is_leaf", "grad_fn", "data", "ndim", "T"]
            + unary.keys.sorted() + binary.keys.filter { !$0.hasPrefix("_") }.sorted()
            + comparisons.keys.filter { !$0.hasPrefix("_") }.sorted() + methods.keys.sorted()
    }

    static func reduction(_ name: String, _ t: Tensor, _ a: Arguments, _ ev: Evaluator,
                          _ body: (Tensor, [Int]?, Bool) throws -> Tensor) throws -> Value {
        let s = try a.bind(name, ["dim", "keepdim", "dtype"])
        var input = t
        if let dt = try Convert.dtype(s[2]) { input = try t.converted(to: dt) }
        return .tensor(try body(input, try Convert.dims(s[0], ev), try Convert.bool(s[1], default: false, ev)))
    }

    /// max/min: no dim → the global extreme; with a dim → (values, indices); with a tensor → elementwise.
    static func extreme(_ name: String, _ t: Tensor, _ a: Arguments, _ ev: Evaluator, isMax: Bool) throws -> Value {
        let s = try a.bind(name, ["dim", "keepdim"])
        guard let d = s[0], !d.isNone else { return .tensor(isMax ? try t.max() : try t.min()) }
        if case .tensor(let other) = d { return .tensor(isMax ? try t.maximum(other) : try t.minimum(other)) }
        let dim = try d.asInt("dim")
        let keep = try Convert.bool(s[1], default: false, ev)
        let (values, indices) = isMax ? try t.max(dim: dim, keepdim: keep) : try t.min(dim: dim, keepdim: keep)
        return .object(NamedTupleObject(typeName: "torch.return_types.\(name)", fields: ["values", "indices"],
                                        values: [.tensor(values), .tensor(indices)]))
    }

    static let methods: [String: Method] = [
        "size": { t, a, _ in
            let s = try a.bind("size", ["dim"])
            guard let d = try Convert.optionalInt(s[0], "dim") else { return .object(TorchSize(t.shape)) }
            return .int(t.shape[try t.normalizeDim(d)])
        },
        "dim": { t, a, _ in _ = try a.bind("dim", []); return .int(t.dim) },
        "ndimension": { t, _, _ in .int(t.dim) },
        "numel": { t, a, _ in _ = try a.bind("numel", []); return .int(t.numel) },
        "nelement": { t, _, _ in .int(t.numel) },
        "element_size": { t, _, _ in .int(t.dtype.itemSize) },
        "stride": { t, a, ev in
            let s = try a.bind("stride", ["dim"])
            if let d = try Convert.optionalInt(s[0], "dim") { return .int(t.strides[try t.normalizeDim(d)]) }
            return ev.makeTuple(t.strides.map { .int($0) })
        },
        "storage_offset": { t, _, _ in .int(t.storageOffset) },
        "is_contiguous": { t, _, _ in .bool(t.isContiguous) },
        "is_floating_point": { t, _, _ in .bool(t.dtype.isFloatingPoint) },
        "item": { t, a, _ in _ = try a.bind("item", []); return scalarValue(try t.item()) },
        "tolist": { t, a, ev in _ = try a.bind("tolist", []); return toList(t, ev) },
        "backward": { t, a, ev in
            let s = try a.bind("backward", ["gradient", "retain_graph", "create_graph", "inputs"])
            var gradient: Tensor? = nil
            if let g = s[0], !g.isNone { gradient = try g.asTensor("gradient") }
            try AutogradNamespace.backward([t], gradients: [gradient], retainGraph: s[1], createGraph: s[2], inputs: s[3], ev)
            return .none
        },
        "retain_grad": { t, _, _ in try t.retainGrad(); return .none },
        "requires_grad_": { t, a, ev in
            let s = try a.bind("requires_grad_", ["requires_grad"])
            let flag = try Convert.bool(s[0], default: true, ev)
            if flag, t.isLeaf, !t.dtype.isFloatingPoint {
                throw PyError(.runtimeError, "only Tensors of floating point dtype can require gradients")
            }
            try t.setRequiresGrad(flag)
            return .tensor(t)
        },
        "detach_": { t, _, _ in try t.detachInPlace(); return .tensor(t) },
        "view": { t, a, ev in
            if a.positional.count == 1, let dt = try? Convert.dtype(a.positional[0]), dt != nil {
                throw PyError(.notImplementedError, "view(dtype) is not supported by nnrepl")
            }
            return .tensor(try t.view(try Convert.shape(a.positional, ev)))
        },
        "view_as": { t, a, _ in .tensor(try t.view(try a.bind("view_as", ["other"], required: 1)[0]!.asTensor().shape)) },
        "reshape": { t, a, ev in .tensor(try t.reshape(try Convert.shape(a.positional, ev))) },
        "reshape_as": { t, a, _ in .tensor(try t.reshape(try a.bind("reshape_as", ["other"], required: 1)[0]!.asTensor().shape)) },
        "expand": { t, a, ev in .tensor(try t.expand(try Convert.shape(a.positional, ev))) },
        "expand_as": { t, a, _ in .tensor(try t.expand(try a.bind("expand_as", ["other"], required: 1)[0]!.asTensor().shape)) },
        "permute": { t, a, ev in .tensor(try t.permute(try Convert.shape(a.positional, ev))) },
        "transpose": { t, a, _ in
            let s = try a.bind("transpose", ["dim0", "dim1"], required: 2)
            return .tensor(try t.transpose(try s[0]!.asInt("dim0"), try s[1]!.asInt("dim1")))
        },
        "squeeze": { t, a, _ in
            let s = try a.bind("squeeze", ["dim"])
            return .tensor(try t.squeeze(dim: try Convert.optionalInt(s[0], "dim")))
        },
        "unsqueeze": { t, a, _ in .tensor(try t.unsqueeze(try a.bind("unsqueeze", ["dim"], required: 1)[0]!.asInt("dim"))) },
        "flatten": { t, a, _ in
            let s = try a.bind("flatten", ["start_dim", "end_dim"])
            return .tensor(try t.flatten(startDim: try Convert.optionalInt(s[0]) ?? 0, endDim: try Convert.optionalInt(s[1]) ?? -1))
        },
        "narrow": { t, a, _ in
            let s = try a.bind("narrow", ["dim", "start", "length"], required: 3)
            return .tensor(try t.narrow(dim: try s[0]!.asInt(), start: try s[1]!.asInt(), length: try s[2]!.asInt()))
        },
        "select": { t, a, _ in
            let s = try a.bind("select", ["dim", "index"], required: 2)
            return .tensor(try t.select(dim: try s[0]!.asInt(), index: try s[1]!.asInt()))
        },
        "unbind": { t, a, ev in
            let s = try a.bind("unbind", ["dim"])
            return ev.makeTuple(try t.unbind(dim: try Convert.optionalInt(s[0]) ?? 0).map { .tensor($0) })
        },
        "chunk": { t, a, ev in
            let s = try a.bind("chunk", ["chunks", "dim"], required: 1)
            return ev.makeTuple(try t.chunk(try s[0]!.asInt(), dim: try Convert.optionalInt(s[1]) ?? 0).map { .tensor($0) })
        },
        "split": { t, a, ev in
            let s = try a.bind("split", ["split_size", "dim"], required: 1)
            let dim = try Convert.optionalInt(s[1]) ?? 0
            let parts: [Tensor]
            if case .int(let n) = s[0]! { parts = try t.split(n, dim: dim) }
            else { parts = try t.split(sizes: try Convert.ints(s[0]!, ev), dim: dim) }
            return ev.makeTuple(parts.map { .tensor($0) })
        },
        "sum": { t, a, ev in try reduction("sum", t, a, ev) { try $0.sum(dims: $1, keepdim: $2) } },
        "mean": { t, a, ev in try reduction("mean", t, a, ev) { try $0.mean(dims: $1, keepdim: $2) } },
        "prod": { t, a, ev in try reduction("prod", t, a, ev) { try $0.prod(dims: $1, keepdim: $2) } },
        "all": { t, a, ev in try reduction("all", t, a, ev) { try $0.all(dims: $1, keepdim: $2) } },
        "any": { t, a, ev in try reduction("any", t, a, ev) { try $0.any(dims: $1, keepdim: $2) } },
        "var": { t, a, ev in try varStd("var", t, a, ev) },
        "std": { t, a, ev in try varStd("std", t, a, ev) },
        "sort": SortingBindings.sort, "argsort": SortingBindings.argsort, "topk": SortingBindings.topk,
        "cumsum": SortingBindings.cumsum, "flip": SortingBindings.flipMethod,
        "max": { t, a, ev in try extreme("max", t, a, ev, isMax: true) },
        "min": { t, a, ev in try extreme("min", t, a, ev, isMax: false) },
        "argmax": { t, a, ev in
            let s = try a.bind("argmax", ["dim", "keepdim"])
            return .tensor(try t.argmax(dim: try Convert.optionalInt(s[0]), keepdim: try Convert.bool(s[1], default: false, ev)))
        },
        "argmin": { t, a, ev in
            let s = try a.bind("argmin", ["dim", "keepdim"])
            return .tensor(try t.argmin(dim: try Convert.optionalInt(s[0]), keepdim: try Convert.bool(s[1], default: false, ev)))
        },
        "norm": { t, a, ev in
            let s = try a.bind("norm", ["p", "dim", "keepdim"])
            return .tensor(try t.norm(p: try Convert.optionalDouble(s[0]) ?? 2, dims: try Convert.dims(s[1], ev), keepdim: try Convert.bool(s[2], default: false, ev)))
        },
        "softmax": { t, a, _ in .tensor(try Functional.softmax(t, dim: try a.bind("softmax", ["dim"], required: 1)[0]!.asInt("dim"))) },
        "log_softmax": { t, a, _ in .tensor(try Functional.logSoftmax(t, dim: try a.bind("log_softmax", ["dim"], required: 1)[0]!.asInt("dim"))) },
        "clamp": { t, a, _ in try clamp("clamp", t, a, inPlace: false) },
        "clip": { t, a, _ in try clamp("clip", t, a, inPlace: false) },
        "clamp_": { t, a, _ in try clamp("clamp_", t, a, inPlace: true) },
        "leaky_relu": { t, a, _ in
            .tensor(try t.leakyRelu(negativeSlope: try Convert.optionalDouble(try a.bind("leaky_relu", ["negative_slope"])[0]) ?? 0.01))
        },
        "mm": { t, a, _ in .tensor(try t.mm(try a.bind("mm", ["mat2"], required: 1)[0]!.asTensor())) },
        "bmm": { t, a, _ in .tensor(try t.bmm(try a.bind("bmm", ["mat2"], required: 1)[0]!.asTensor())) },
        "dot": { t, a, _ in .tensor(try t.dot(try a.bind("dot", ["other"], required: 1)[0]!.asTensor())) },
        "equal": { t, a, _ in .bool(try tensorsEqual(t, try a.bind("equal", ["other"], required: 1)[0]!.asTensor())) },
        "allclose": { t, a, ev in try allclose(t, a, ev) },
        "to": { t, a, ev in
            var dtype: DType? = nil
            for v in a.positional {
                if let d = (try? Convert.dtype(v)) ?? nil { dtype = d; continue }
                if case .tensor(let other) = v { dtype = other.dtype; continue }
                try Convert.checkDevice(v, ev)
            }
            for (k, v) in a.keywords {
                if k == "dtype" { dtype = try Convert.dtype(v) }
                else if k == "device" { try Convert.checkDevice(v, ev) }
            }
            return .tensor(try dtype.map { try t.converted(to: $0) } ?? t)
        },
        "type_as": { t, a, _ in .tensor(try t.converted(to: try a.bind("type_as", ["other"], required: 1)[0]!.asTensor().dtype)) },
        "type": { t, a, _ in
            let s = try a.bind("type", ["dtype"])
            if let d = try Convert.dtype(s[0]) { return .tensor(try t.converted(to: d)) }
            return .str(t.dtype.legacyTypeName)
        },
        "numpy": { _, _, _ in throw PyError(.notImplementedError, "numpy() is not available in nnrepl (there is no NumPy); use tolist()") },
        "zero_": { t, _, _ in try t.zeroInPlace(); return .tensor(t) },
        "fill_": { t, a, _ in try t.fillInPlace(try Convert.requiredScalar(try a.bind("fill_", ["value"], required: 1)[0]!)); return .tensor(t) },
        "copy_": { t, a, _ in try t.copyInPlace(from: try a.bind("copy_", ["src"], required: 1)[0]!.asTensor()); return .tensor(t) },
        "add_": { t, a, _ in try inPlace("add_", t, a) { o, alpha in
            switch o {
            case .tensor(let x): try t.addInPlace(x, alpha: alpha ?? .int(1))
            case .scalar(let s): try t.addInPlace(s, alpha: alpha ?? .int(1))
            }
        } },
        "sub_": { t, a, _ in try inPlace("sub_", t, a) { o, alpha in
            switch o {
            case .tensor(let x): try t.subInPlace(x, alpha: alpha ?? .int(1))
            case .scalar(let s): try t.subInPlace(s, alpha: alpha ?? .int(1))
            }
        } },
        "mul_": { t, a, _ in try inPlace("mul_", t, a) { o, _ in
            switch o {
            case .tensor(let x): try t.mulInPlace(x)
            case .scalar(let s): try t.mulInPlace(s)
            }
        } },
        "div_": { t, a, _ in try inPlace("div_", t, a) { o, _ in
            switch o {
            case .tensor(let x): try t.divInPlace(x)
            case .scalar(let s): try t.divInPlace(s)
            }
        } },
        "uniform_": { t, a, _ in
            let s = try a.bind("uniform_", ["from", "to"])
            try t.uniformInPlace(from: try Convert.optionalDouble(s[0]) ?? 0, to: try Convert.optionalDouble(s[1]) ?? 1)
            return .tensor(t)
        },
        "normal_": { t, a, _ in
            let s = try a.bind("normal_", ["mean", "std"])
            try t.normalInPlace(mean: try Convert.optionalDouble(s[0]) ?? 0, std: try Convert.optionalDouble(s[1]) ?? 1)
            return .tensor(t)
        },
        "relu_": { t, _, _ in try t.reluInPlace(); return .tensor(t) },
        "masked_fill": { t, a, _ in
            let s = try a.bind("masked_fill", ["mask", "value"], required: 2)
            return .tensor(try t.maskedFill(try s[0]!.asTensor("mask"), try Convert.requiredScalar(s[1]!)))
        },
        "masked_fill_": { t, a, _ in
            let s = try a.bind("masked_fill_", ["mask", "value"], required: 2)
            let mask = try s[0]!.asTensor("mask"), value = try Convert.requiredScalar(s[1]!)
            return .tensor(try t.applyInPlace(checkOverlap: false) { x, _ in try x.maskedFill(mask, value) })
        },
        "index_select": { t, a, _ in
            let s = try a.bind("index_select", ["dim", "index"], required: 2)
            return .tensor(try t.indexSelect(dim: try s[0]!.asInt(), index: try s[1]!.asTensor()))
        },
        "gather": { t, a, _ in
            let s = try a.bind("gather", ["dim", "index"], required: 2)
            return .tensor(try t.gather(dim: try s[0]!.asInt(), index: try s[1]!.asTensor()))
        },
        "where": { t, a, _ in
            let s = try a.bind("where", ["condition", "other"], required: 2)
            return .tensor(try Tensor.where(try s[0]!.asTensor(), t, try Operand(s[1]!).orThrow().tensor(like: t)))
        },
        "maximum": { t, a, _ in .tensor(try t.maximum(try a.bind("maximum", ["other"], required: 1)[0]!.asTensor())) },
        "minimum": { t, a, _ in .tensor(try t.minimum(try a.bind("minimum", ["other"], required: 1)[0]!.asTensor())) },
        "repeat": { t, a, ev in .tensor(try t.repeated(try Convert.shape(a.positional, ev))) },
        "new_zeros": { t, a, ev in .tensor(try Tensor.zeros(try Convert.shape(a.positional, ev), dtype: t.dtype)) },
        "new_ones": { t, a, ev in .tensor(try Tensor.ones(try Convert.shape(a.positional, ev), dtype: t.dtype)) },
        "new_tensor": { t, a, ev in .tensor(try TensorFactory.tensor(from: a.positional.first ?? .none, dtype: t.dtype, ev)) },
        "__format__": { t, a, ev in .str(try TensorOperators.format(t, spec: try a.bind("__format__", ["spec"], required: 1)[0]!.asString(), ev)) },
        "__len__": { t, _, _ in .int(try TensorOperators.length(t)) },
    ]

    static func varStd(_ name: String, _ t: Tensor, _ a: Arguments, _ ev: Evaluator) throws -> Value {
        let s = try a.bind(name, ["dim", "unbiased", "keepdim", "correction"])
        var correction = 1.0
        if let u = s[1], case .bool(let b) = u { correction = b ? 1 : 0 }
        else if let u = s[1], !u.isNone, case .int = u {
            // var(dim_int) positional form has dim first; an int in the unbiased slot is not valid
            throw PyError(.typeError, "\(name)(): argument 'unbiased' must be bool, not int")
        }
        if let c = try Convert.optionalDouble(s[3], "correction") { correction = c }
        let dims = try Convert.dims(s[0], ev)
        let keep = try Convert.bool(s[2], default: false, ev)
        return .tensor(name == "var" ? try t.`var`(dims: dims, correction: correction, keepdim: keep)
                                      : try t.std(dims: dims, correction: correction, keepdim: keep))
    }

    static func clamp(_ name: String, _ t: Tensor, _ a: Arguments, inPlace: Bool) throws -> Value {
        let s = try a.bind(name, ["min", "max"])
        let lo = try Convert.scalar(s[0]), hi = try Convert.scalar(s[1])
        guard lo != nil || hi != nil else { throw PyError(.runtimeError, "torch.clamp: At least one of 'min' or 'max' must not be None") }
        if inPlace { try t.clampInPlace(min: lo, max: hi); return .tensor(t) }
        return .tensor(try t.clamp(min: lo, max: hi))
    }

    static func inPlace(_ name: String, _ t: Tensor, _ a: Arguments, _ body: (Operand, Scalar?) throws -> Void) throws -> Value {
        let s = try a.bind(name, ["other", "alpha"], required: 1)
        guard let o = Operand(s[0]!) else {
            throw PyError(.typeError, "\(name)(): argument 'other' must be Tensor or Number, not \(s[0]!.typeName)")
        }
        try body(o, try Convert.scalar(s[1]))
        return .tensor(t)
    }

    static func allclose(_ t: Tensor, _ a: Arguments, _ ev: Evaluator) throws -> Value {
        let s = try a.bind("allclose", ["other", "rtol", "atol", "equal_nan"], required: 1)
        let other = try s[0]!.asTensor("other")
        let rtol = try Convert.optionalDouble(s[1]) ?? 1e-5, atol = try Convert.optionalDouble(s[2]) ?? 1e-8
        let equalNaN = try Convert.bool(s[3], default: false, ev)
        let shape = try broadcastShapes(t.shape, other.shape)
        let x = try t.expand(shape).toDoubles(), y = try other.expand(shape).toDoubles()
        for (p, q) in zip(x, y) {
            if p.isNaN || q.isNaN { if equalNaN && p.isNaN && q.isNaN { continue } else { return .bool(false) } }
            if p == q { continue }
            if Swift.abs(p - q) > atol + rtol * Swift.abs(q) { return .bool(false) }
        }
        return .bool(true)
    }
}

/// `torch.equal`: same shape and same values.
func tensorsEqual(_ a: Tensor, _ b: Tensor) throws -> Bool {
    guard a.shape == b.shape else { return false }
    let x = a.toDoubles(), y = b.toDoubles()
    return x == y
}

/// A Python number for a tensor element.
func scalarValue(_ s: Scalar) -> Value {
    switch s {
    case .bool(let b): return .bool(b)
    case .int(let i): return .int(Int(i))
    case .double(let d): return .float(d)
    }
}

/// `tolist()`: nested lists of Python numbers.
func toList(_ t: Tensor, _ ev: Evaluator) -> Value {
    let items = t.toScalars().map(scalarValue)
    if t.dim == 0 { return items.first ?? Value.none }
    func build(_ dim: Int, _ offset: Int) -> (Value, Int) {
        if dim == t.dim - 1 {
            let n = t.shape[dim]
            return (ev.makeList(Array(items[offset..<(offset + n)])), offset + n)
        }
        var out: [Value] = []
        var o = offset
        for _ in 0..<t.shape[dim] {
            let (v, next) = build(dim + 1, o)
            out.append(v)
            o = next
        }
        return (ev.makeList(out), o)
    }
    return build(0, 0).0
}

extension Optional where Wrapped == Operand {
    func orThrow() throws -> Operand {
        guard let self else { throw PyError(.typeError, "expected a Tensor or a number") }
        return self
    }
}

/// `x.grad_fn`: prints `<AddBackward0 object at 0x…>`; `name()` and `next_functions` work.
final class GradFnObject: PyObject {
    let node: TensorRuntime.Node
    init(_ node: TensorRuntime.Node) { self.node = node }
    override var typeName: String { node.name }
    override func repr(_ ev: Evaluator) throws -> String {
        "<\(node.name) object at 0x\(String(UInt(bitPattern: ObjectIdentifier(node).hashValue), radix: 16))>"
    }
    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "name":  // PyTorch's C++ name for the leaf node
            let cppNodes: Set<String> = ["AccumulateGrad", "CopySlices", "CopyBackwards"]
            let full = cppNodes.contains(node.name) ? "torch::autograd::" + node.name : node.name
            return method(name) { _, _ in .str(full) }
        case "next_functions":
            return ev.makeTuple(node.nextFunctions.map { n in
                ev.makeTuple([n.map { .object(GradFnObject($0)) } ?? .none, .int(0)])
            })
        default: return nil
        }
    }
    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        if case .object(let o as GradFnObject) = other { return o.node === node }
        return false
    }
}

/// A small named tuple (`torch.return_types.max(values=..., indices=...)`).
final class NamedTupleObject: PyObject {
    let name: String
    let fields: [String]
    let values: [Value]
    init(typeName: String, fields: [String], values: [Value]) {
        self.name = typeName
        self.fields = fields
        self.values = values
    }
    override var typeName: String { String(name.split(separator: ".").last ?? "tuple") }
    override func repr(_ ev: Evaluator) throws -> String {
        let parts = try zip(fields, values).map { "\($0)=\(try ev.repr($1))" }
        return "\(name)(\n" + parts.joined(separator: ",\n") + ")"
    }
    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        fields.firstIndex(of: name).map { values[$0] }
    }
    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? {
        let i = try key.asInt("tuple indices")
        let j = i < 0 ? i + values.count : i
        guard j >= 0 && j < values.count else { throw PyError(.indexError, "tuple index out of range") }
        return values[j]
    }
    override func length(_ ev: Evaluator) throws -> Int? { values.count }
    override func iterate(_ ev: Evaluator) throws -> [Value]? { values }
}
