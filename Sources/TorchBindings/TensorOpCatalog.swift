import Foundation
import NNLang
import TensorRuntime
import NeuralNet

/// The declarations of every tensor method nnrepl has (and of the `torch.` functions that are the
/// same op): one `TensorOp` each, with PyTorch's signature and a one-line description.
enum TensorOpCatalog {
    static let all: [TensorOp] = math + arithmetic + comparisons + reductions + shapes + indexing + conversions + inPlaceStores
        + matrix + sampling + autogradHooks + rearranging + counting
        + shaping
        + specialMath
        + statistics
        + pointwise
        + tutorial

    // MARK: Elementwise maths

    /// An elementwise function without arguments, with `torch.name` and `x.name_`.
    private static func unary(_ name: String, _ doc: String, aliases: [String] = [], inPlace: Bool = true,
                              _ f: @escaping (Tensor) throws -> Tensor) -> TensorOp {
        TensorOp(name, "input", doc, inPlace ? [.function, .inPlace] : [.function], aliases: aliases) { t, _, _ in .tensor(try f(t)) }
    }

    static let math: [TensorOp] = [
        unary("abs", "Absolute value, elementwise.") { try $0.abs() },
        unary("exp", "e to the power of each element.") { try $0.exp() },
        unary("expm1", "exp(x) - 1, accurate near zero.") { try $0.expm1() },
        unary("log", "Natural logarithm, elementwise.") { try $0.log() },
        unary("log1p", "log(1 + x), accurate near zero.") { try $0.log1p() },
        unary("sqrt", "Square root, elementwise.") { try $0.sqrt() },
        unary("rsqrt", "1 / sqrt(x), elementwise.") { try $0.rsqrt() },
        unary("square", "x * x, elementwise.") { try $0.square() },
        unary("reciprocal", "1 / x, elementwise.") { try $0.reciprocal() },
        unary("sin", "Sine, elementwise (radians).") { try $0.sin() },
        unary("cos", "Cosine, elementwise (radians).") { try $0.cos() },
        unary("tan", "Tangent, elementwise (radians).") { try $0.tan() },
        unary("tanh", "Hyperbolic tangent, elementwise.") { try $0.tanh() },
        unary("sigmoid", "1 / (1 + exp(-x)), elementwise.") { try $0.sigmoid() },
        unary("erf", "The error function, elementwise.") { try $0.erf() },
        unary("relu", "max(0, x), elementwise.") { try $0.relu() },
        unary("neg", "-x, elementwise.", aliases: ["negative"]) { try $0.neg() },
        unary("sign", "-1, 0 or 1 by the sign of each element.") { try $0.sign() },
        unary("floor", "Largest integer not above each element.") { try $0.floor() },
        unary("ceil", "Smallest integer not below each element.") { try $0.ceil() },
        unary("trunc", "Each element rounded toward zero.", aliases: ["fix"]) { try $0.trunc() },
        TensorOp("round", "input, *, decimals=0", "Each element rounded to the nearest integer (ties to even), or to `decimals` decimal places.",
                 [.function, .inPlace]) { t, b, _ in
            .tensor(try t.round(decimals: try b.int(0, "decimals")))
        },
        unary("logical_not", "Elementwise not (a bool tensor).", inPlace: false) { try $0.logicalNot() },
        unary("isnan", "True where an element is NaN.", inPlace: false) { try $0.isnan() },
        unary("isinf", "True where an element is +inf or -inf.", inPlace: false) { try $0.isinf() },
        unary("isfinite", "True where an element is neither inf nor NaN.", inPlace: false) { try $0.isfinite() },
        TensorOp("leaky_relu", "input, negative_slope=0.01", "x for x >= 0, negative_slope * x otherwise.") { t, b, _ in
            .tensor(try t.leakyRelu(negativeSlope: try b.double(0, "negative_slope")))
        },
        TensorOp("hardshrink", "input, lambd=0.5", "x outside [-lambd, lambd], 0 inside.", [.function]) { t, b, _ in
            .tensor(try t.hardshrink(lambda: try b.double(0, "lambd")))
        },
        TensorOp("prelu", "input, weight", "x for x >= 0, weight * x otherwise (one weight per channel or one shared).", [.function]) { t, b, _ in
            .tensor(try Functional.prelu(t, weight: try b.tensor(0, "weight")))
        },
        TensorOp("softmax", "input, dim", "Exponentials normalised to sum to 1 along dim.", [.function]) { t, b, _ in
            .tensor(try Functional.softmax(t, dim: try b.int(0, "dim")))
        },
        TensorOp("log_softmax", "input, dim", "log(softmax(x)) along dim, computed stably.", [.function]) { t, b, _ in
            .tensor(try Functional.logSoftmax(t, dim: try b.int(0, "dim")))
        },
        TensorOp("clamp", "input, min=None, max=None", "Each element limited to [min, max].", [.function, .inPlace], aliases: ["clip"]) { t, b, _ in
            if b[0].isTensor || b[1].isTensor { return try clampByTensors(t, b[0], b[1]) }
            let lo = try b.scalar(0), hi = try b.scalar(1)
            guard lo != nil || hi != nil else { throw PyError(.runtimeError, "torch.clamp: At least one of 'min' or 'max' must not be None") }
            return .tensor(try t.clamp(min: lo, max: hi))
        },
    ]

    // MARK: Arithmetic

    /// A binary op on a tensor or number (`x.add(y)`, `torch.mul(x, 2)`), through the operators' kernels.
    private static func binary(_ name: String, _ op: BinaryOperator, _ doc: String, _ signature: String = "input, other",
                               aliases: [String] = [], forms: TensorOp.Forms = [.function]) -> TensorOp {
        TensorOp(name, signature, doc, forms, aliases: aliases) { t, b, ev in
            guard let r = try TensorOperators.binary(op, .tensor(t), b[0], ev) else {
                throw PyError(.typeError, "\(name)(): argument 'other' must be Tensor or Number, not \(b[0].typeName)")
            }
            return r
        }
    }

    /// `add`/`sub` with `alpha` (`x + alpha * other`).
    private static func scaled(_ name: String, _ op: BinaryOperator, _ doc: String, aliases: [String] = []) -> TensorOp {
        TensorOp(name, "input, other, *, alpha=1", doc, [.function], aliases: aliases) { t, b, ev in
            var rhs = b[0]
            if b.given[1], let alpha = try b.scalar(1) {
                if case .tensor(let r) = rhs { rhs = .tensor(try r.mul(alpha)) }
                else if let s = rhs.scalar { rhs = .float(s.doubleValue * alpha.doubleValue) }
            }
            guard let r = try TensorOperators.binary(op, .tensor(t), rhs, ev) else {
                throw PyError(.typeError, "\(name)(): argument 'other' must be Tensor or Number, not \(b[0].typeName)")
            }
            return r
        }
    }

    static let arithmetic: [TensorOp] = [
        scaled("add", .add, "input + alpha * other."),
        scaled("sub", .sub, "input - alpha * other.", aliases: ["subtract"]),
        binary("mul", .mul, "input * other, elementwise with broadcasting.", aliases: ["multiply"]),
        TensorOp("div", "input, other, *, rounding_mode=None", "input / other; rounding_mode 'trunc' or 'floor' rounds the quotient.",
                 [.function], aliases: ["divide"]) { t, b, ev in
            if case .str(let mode) = b[1] {
                return .tensor(try t.div(try Operand(b[0]).orThrow().tensor(like: t), roundingMode: mode))
            }
            guard let r = try TensorOperators.binary(.div, .tensor(t), b[0], ev) else {
                throw PyError(.typeError, "div(): argument 'other' must be Tensor or Number, not \(b[0].typeName)")
            }
            return r
        },
        binary("true_divide", .div, "input / other (true division).", forms: [.function, .inPlace]),
        binary("pow", .pow, "input to the power exponent, elementwise.", "input, exponent", forms: [.function, .inPlace]),
        binary("remainder", .mod, "Python's modulus: the result takes the sign of the divisor.",
               forms: [.function, .inPlace]),
        binary("floor_divide", .floorDiv, "input // other, elementwise.", forms: [.function, .inPlace]),
        binary("matmul", .matMul, "Matrix product with broadcasting (the @ operator).", "input, other"),
        binary("__add__", .add, "self + other.", forms: []), binary("__sub__", .sub, "self - other.", forms: []),
        binary("__mul__", .mul, "self * other.", forms: []), binary("__truediv__", .div, "self / other.", forms: []),
        binary("__matmul__", .matMul, "self @ other.", forms: []),
        TensorOp("mm", "input, mat2", "Matrix product of two 2-D tensors.", [.function]) { t, b, _ in .tensor(try t.mm(try b.tensor(0, "mat2"))) },
        TensorOp("bmm", "input, mat2", "Batched matrix product of two 3-D tensors.", [.function]) { t, b, _ in .tensor(try t.bmm(try b.tensor(0, "mat2"))) },
        TensorOp("mv", "input, vec", "Matrix-vector product of a 2-D and a 1-D tensor.", [.function]) { t, b, _ in
            let vec = try b.tensor(0, "vec")
            guard t.dim == 2, vec.dim == 1 else {
                throw TorchError(.runtimeError, "vector + matrix @ vector expected, got 1, \(t.dim), \(vec.dim)")
            }
            guard t.shape[1] == vec.shape[0] else {
                throw TorchError(.runtimeError, "size mismatch, got input (\(t.shape[0])), mat (\(t.shape[0])x\(t.shape[1])), vec (\(vec.shape[0]))")
            }
            guard t.dtype == vec.dtype else {
                throw TorchError(.runtimeError, "addmv input tensors must have the same dtype, but got \(vec.dtype.atenName), \(t.dtype.atenName), and \(vec.dtype.atenName)")
            }
            return .tensor(try t.matmul(vec))
        },
        TensorOp("dot", "input, other", "Inner product of two 1-D tensors.", [.function]) { t, b, _ in .tensor(try t.dot(try b.tensor(0, "other"))) },
        TensorOp("maximum", "input, other", "Elementwise maximum of two tensors.", [.function]) { t, b, _ in .tensor(try t.maximum(try b.tensor(0, "other"))) },
        TensorOp("minimum", "input, other", "Elementwise minimum of two tensors.", [.function]) { t, b, _ in .tensor(try t.minimum(try b.tensor(0, "other"))) },
    ]

    // MARK: Comparisons

    private static func compare(_ name: String, _ op: ComparisonOperator, aliases: [String] = []) -> TensorOp {
        TensorOp(name, "input, other", "Elementwise \(op.rawValue) (a bool tensor).", [.function], aliases: aliases) { t, b, ev in
            guard let r = try TensorOperators.compare(op, .tensor(t), b[0], ev) else {
                throw PyError(.typeError, "\(name)(): argument 'other' must be Tensor or Number, not \(b[0].typeName)")
            }
            return r
        }
    }

    static let comparisons: [TensorOp] = [
        compare("eq", .eq, aliases: ["__eq__"]), compare("ne", .ne, aliases: ["not_equal", "__ne__"]),
        compare("lt", .lt, aliases: ["less", "__lt__"]), compare("le", .le, aliases: ["less_equal", "__le__"]),
        compare("gt", .gt, aliases: ["greater", "__gt__"]), compare("ge", .ge, aliases: ["greater_equal", "__ge__"]),
        TensorOp("equal", "input, other", "True if both tensors have the same shape and values.", [.function]) { t, b, _ in
            .bool(try tensorsEqual(t, try b.tensor(0, "other")))
        },
        TensorOp("allclose", "input, other, rtol=1e-05, atol=1e-08, equal_nan=False",
                 "True if |input - other| <= atol + rtol * |other| everywhere.", [.function]) { t, b, ev in
            try TensorMethods.allclose(t, try b.tensor(0, "other"), rtol: try b.double(1), atol: try b.double(2),
                                       equalNaN: try b.bool(3, ev))
        },
    ]

    // MARK: Reductions

    /// `name(dim=None, keepdim=False, *, dtype=None)`.
    private static func reduction(_ name: String, _ doc: String, _ body: @escaping (Tensor, [Int]?, Bool) throws -> Tensor) -> TensorOp {
        TensorOp(name, "input, dim=None, keepdim=False, *, dtype=None", doc, [.function]) { t, b, ev in
            var input = t
            if let dt = try b.dtype(2) { input = try t.converted(to: dt) }
            return .tensor(try body(input, try b.dims(0, ev), try b.bool(1, ev)))
        }
    }

    /// `var` / `std`, and `var_mean` / `std_mean` (a `(spread, mean)` tuple) with `withMean`.
    private static func spread(_ name: String, _ doc: String, withMean: Bool = false) -> TensorOp {
        TensorOp(name, "input, dim=None, unbiased=None, keepdim=False, *, correction=None", doc, [.function]) { t, b, ev in
            var correction = 1.0
            if case .bool(let u) = b[1] { correction = u ? 1 : 0 }
            else if case .int = b[1] {
                throw PyError(.typeError, "\(name)(): argument 'unbiased' must be bool, not int")
            }
            if let c = try b.optionalDouble(3, "correction") { correction = c }
            let dims = try b.dims(0, ev), keep = try b.bool(2, ev)
            let spread = name.hasPrefix("var") ? try t.`var`(dims: dims, correction: correction, keepdim: keep)
                                               : try t.std(dims: dims, correction: correction, keepdim: keep)
            guard withMean else { return .tensor(spread) }
            return ev.makeTuple([.tensor(spread), .tensor(try t.mean(dims: dims, keepdim: keep))])
        }
    }

    /// max/min: no dim → the global extreme; with a dim → (values, indices); with a tensor → elementwise.
    private static func extreme(_ name: String, isMax: Bool) -> TensorOp {
        TensorOp(name, "input, dim=None, keepdim=False",
                 "The \(isMax ? "largest" : "smallest") element; with dim, (values, indices) along it; with a tensor, elementwise.",
                 [.function]) { t, b, ev in
            if b[0].isNone { return .tensor(isMax ? try t.max() : try t.min()) }
            if case .tensor(let other) = b[0] { return .tensor(isMax ? try t.maximum(other) : try t.minimum(other)) }
            let (values, indices) = isMax ? try t.max(dim: try b.int(0, "dim"), keepdim: try b.bool(1, ev))
                                          : try t.min(dim: try b.int(0, "dim"), keepdim: try b.bool(1, ev))
            return .object(NamedTupleObject(typeName: "torch.return_types.\(name)", fields: ["values", "indices"],
                                            values: [.tensor(values), .tensor(indices)]))
        }
    }

    private static func argExtreme(_ name: String, isMax: Bool) -> TensorOp {
        TensorOp(name, "input, dim=None, keepdim=False", "Index of the \(isMax ? "largest" : "smallest") element (flattened, or along dim).",
                 [.function]) { t, b, ev in
            .tensor(isMax ? try t.argmax(dim: try b.optionalInt(0, "dim"), keepdim: try b.bool(1, ev))
                          : try t.argmin(dim: try b.optionalInt(0, "dim"), keepdim: try b.bool(1, ev)))
        }
    }

    static let reductions: [TensorOp] = [
        reduction("sum", "Sum of the elements (over dim if given).") { try $0.sum(dims: $1, keepdim: $2) },
        reduction("mean", "Mean of the elements (over dim if given).") { try $0.mean(dims: $1, keepdim: $2) },
        reduction("prod", "Product of the elements (over dim if given).") { try $0.prod(dims: $1, keepdim: $2) },
        reduction("all", "True if every element is nonzero (over dim if given).") { try $0.all(dims: $1, keepdim: $2) },
        reduction("any", "True if some element is nonzero (over dim if given).") { try $0.any(dims: $1, keepdim: $2) },
        spread("var", "Variance (Bessel-corrected unless correction=0)."),
        spread("std", "Standard deviation (Bessel-corrected unless correction=0)."),
        spread("var_mean", "(variance, mean) in one call.", withMean: true),
        spread("std_mean", "(standard deviation, mean) in one call.", withMean: true),
        extreme("max", isMax: true), extreme("min", isMax: false),
        argExtreme("argmax", isMax: true), argExtreme("argmin", isMax: false),
        TensorOp("norm", "input, p='fro', dim=None, keepdim=False", "Vector norm (2-norm by default) of all elements or over dim.",
                 [.function]) { t, b, ev in
            let p: Double
            if case .str = b[0] { p = 2 } else { p = try b.optionalDouble(0, "p") ?? 2 }
            return .tensor(try t.norm(p: p, dims: try b.dims(1, ev), keepdim: try b.bool(2, ev)))
        },
        TensorOp("sort", "input, dim=-1, descending=False, *, stable=False", "Sorted values and their indices along dim.", [.function]) { t, b, ev in
            let (v, i) = try t.sort(dim: try b.int(0, "dim"), descending: try b.bool(1, ev), stable: try b.bool(2, ev))
            return SortingBindings.valuesIndices("sort", v, i)
        },
        TensorOp("argsort", "input, dim=-1, descending=False, *, stable=False", "The indices that sort input along dim.", [.function]) { t, b, ev in
            .tensor(try t.argsort(dim: try b.int(0, "dim"), descending: try b.bool(1, ev), stable: try b.bool(2, ev)))
        },
        TensorOp("topk", "input, k, dim=-1, largest=True, sorted=True", "The k largest (or smallest) values and their indices along dim.",
                 [.function]) { t, b, ev in
            guard case .int = b[0] else { throw PyError(.typeError, "topk(): argument 'k' must be int, not \(b[0].typeName)") }
            let (v, i) = try t.topk(try b.int(0, "k"), dim: try b.int(1, "dim"), largest: try b.bool(2, ev), sorted: try b.bool(3, ev))
            return SortingBindings.valuesIndices("topk", v, i)
        },
        TensorOp("bincount", "input, weights=None, minlength=0", "How often each non-negative integer occurs (or the sum of its weights).",
                 [.function]) { t, b, _ in
            let weights: Tensor? = b[0].isNone ? nil : try b.tensor(0, "weights")
            return .tensor(try t.bincount(weights: weights, minlength: try b.int(1, "minlength")))
        },
        TensorOp("cumsum", "input, dim, *, dtype=None", "Running sum along dim.", [.function]) { t, b, _ in
            guard !b[0].isNone else { throw PyError(.typeError, "cumsum(): argument 'dim' (position 1) must be int, not NoneType") }
            return .tensor(try t.cumsum(dim: try b.int(0, "dim"), dtype: try b.dtype(1)))
        },
    ]

    // MARK: Shapes and views

    static let shapes: [TensorOp] = [
        TensorOp("size", "input, dim=None", "The shape (torch.Size), or the length of one dim.") { t, b, _ in
            guard let d = try b.optionalInt(0, "dim") else { return .object(TorchSize(t.shape)) }
            return .int(t.shape[try t.normalizeDim(d)])
        },
        TensorOp("dim", "input", "Number of dimensions.", aliases: ["ndimension"]) { t, _, _ in .int(t.dim) },
        TensorOp("numel", "input", "Number of elements.", [.function], aliases: ["nelement"]) { t, _, _ in .int(t.numel) },
        TensorOp("element_size", "input", "Bytes per element.") { t, _, _ in .int(t.dtype.itemSize) },
        TensorOp("stride", "input, dim=None", "Elements to step in storage per index of each dim.") { t, b, ev in
            if let d = try b.optionalInt(0, "dim") { return .int(t.strides[try t.normalizeDim(d)]) }
            return ev.makeTuple(t.strides.map { .int($0) })
        },
        TensorOp("storage_offset", "input", "Offset of the first element in the storage.") { t, _, _ in .int(t.storageOffset) },
        TensorOp("is_contiguous", "input, memory_format=torch.contiguous_format",
                 "True if the elements are laid out row-major (or in memory_format's order) without gaps.") { t, b, _ in
            .bool(try Convert.memoryFormat(b[0], "is_contiguous").map { t.isContiguous($0) } ?? t.isContiguous)
        },
        TensorOp("is_inference", "input", "True for a tensor made under torch.inference_mode() (or a view of one).", [.function]) { t, _, _ in .bool(t.isInference) },
        TensorOp("is_floating_point", "input", "True for floating-point tensors (float16, bfloat16, float32, float64).", [.function]) { t, _, _ in .bool(t.dtype.isFloatingPoint) },
        TensorOp("view", "input, *size", "A view with a new shape (same storage; -1 infers one dim).") { t, b, ev in
            if b.extraPositional.count == 1, let dt = try? Convert.dtype(b.extraPositional[0]), dt != nil {
                throw PyError(.notImplementedError, "view(dtype) is not supported by nnrepl")
            }
            return .tensor(try t.view(try Convert.shape(b.extraPositional, ev, function: "view", argument: "size")))
        },
        TensorOp("view_as", "input, other", "A view with other's shape.") { t, b, _ in .tensor(try t.view(try b.tensor(0, "other").shape)) },
        TensorOp("reshape", "input, *shape", "The same elements in a new shape (a view when possible).", [.function]) { t, b, ev in
            .tensor(try t.reshape(try Convert.shape(b.extraPositional, ev, function: "reshape", argument: "shape")))
        },
        TensorOp("reshape_as", "input, other", "reshape to other's shape.") { t, b, _ in .tensor(try t.reshape(try b.tensor(0, "other").shape)) },
        TensorOp("expand", "input, *sizes", "A broadcast view with size-1 dims repeated (-1 keeps a dim).") { t, b, ev in
            .tensor(try t.expand(try Convert.shape(b.extraPositional, ev, function: "expand", argument: "size")))
        },
        TensorOp("broadcast_to", "input, size", "expand to size (a broadcast view).", [.function]) { t, b, ev in
            .tensor(try t.expand(try Convert.shape([b[0]], ev, function: "broadcast_to", argument: "size")))
        },
        TensorOp("expand_as", "input, other", "expand to other's shape.") { t, b, _ in .tensor(try t.expand(try b.tensor(0, "other").shape)) },
        TensorOp("permute", "input, *dims", "A view with the dims reordered.", [.function]) { t, b, ev in
            .tensor(try t.permute(try Convert.shape(b.extraPositional, ev, function: "permute", argument: "dims")))
        },
        TensorOp("t", "input", "Transpose of a tensor of at most 2 dims.", [.function]) { t, _, _ in .tensor(try t.t()) },
        TensorOp("transpose", "input, dim0, dim1", "A view with two dims swapped.", [.function], aliases: ["swapaxes", "swapdims"]) { t, b, _ in
            .tensor(try t.transpose(try b.int(0, "dim0"), try b.int(1, "dim1")))
        },
        TensorOp("squeeze", "input, dim=None", "Drops size-1 dims (only dim if given).", [.function]) { t, b, _ in
            .tensor(try t.squeeze(dim: try b.optionalInt(0, "dim")))
        },
        TensorOp("unsqueeze", "input, dim", "Inserts a size-1 dim at dim.", [.function]) { t, b, _ in .tensor(try t.unsqueeze(try b.int(0, "dim"))) },
        TensorOp("flatten", "input, start_dim=0, end_dim=-1", "Merges dims start_dim..end_dim into one.", [.function]) { t, b, _ in
            .tensor(try t.flatten(startDim: try b.int(0, "start_dim"), endDim: try b.int(1, "end_dim")))
        },
        TensorOp("narrow", "input, dim, start, length", "A view of length elements of dim from start.", [.function]) { t, b, _ in
            .tensor(try t.narrow(dim: try b.int(0, "dim"), start: try b.int(1, "start"), length: try b.int(2, "length")))
        },
        TensorOp("select", "input, dim, index", "The slice at index of dim (that dim removed).", [.function]) { t, b, _ in
            .tensor(try t.select(dim: try b.int(0, "dim"), index: try b.int(1, "index")))
        },
        TensorOp("unbind", "input, dim=0", "A tuple of the slices along dim.", [.function]) { t, b, ev in
            ev.makeTuple(try t.unbind(dim: try b.int(0, "dim")).map { .tensor($0) })
        },
        TensorOp("chunk", "input, chunks, dim=0", "Splits into (at most) chunks equal parts along dim.", [.function]) { t, b, ev in
            ev.makeTuple(try t.chunk(try b.int(0, "chunks"), dim: try b.int(1, "dim")).map { .tensor($0) })
        },
        TensorOp("split", "input, split_size, dim=0", "Splits into parts of split_size (an int or a list of sizes) along dim.",
                 [.function]) { t, b, ev in
            let dim = try b.int(1, "dim")
            let parts: [Tensor]
            if case .int(let n) = b[0] { parts = try t.split(n, dim: dim) }
            else { parts = try t.split(sizes: try Convert.ints(b[0], ev), dim: dim) }
            return ev.makeTuple(parts.map { .tensor($0) })
        },
        TensorOp("flip", "input, *dims", "Reverses the order of elements along dims.") { t, b, ev in
            guard !b.extraPositional.isEmpty else { throw SortingBindings.missing("flip", "dims") }
            return .tensor(try t.flip(try Convert.shape(b.extraPositional, ev, function: "flip", argument: "dims")))
        },
        TensorOp("repeat", "input, *repeats", "Tiles the tensor repeats times along each dim.") { t, b, ev in
            guard !b.extraPositional.isEmpty else { throw SortingBindings.missing("repeat", "repeats") }
            return .tensor(try t.repeated(try Convert.shape(b.extraPositional, ev, function: "repeat", argument: "repeats")))
        },
        TensorOp("contiguous", "input, memory_format=torch.contiguous_format",
                 "The tensor, copied to row-major layout (or memory_format's) if it is not already.") { t, b, _ in
            .tensor(try Convert.memoryFormat(b[0], "contiguous").map { try t.contiguous($0) } ?? t.contiguous())
        },
    ]

    // MARK: Indexing

    static let indexing: [TensorOp] = [
        TensorOp("masked_fill", "input, mask, value", "value where mask is True, input elsewhere.", [.function]) { t, b, _ in
            .tensor(try t.maskedFill(try b.tensor(0, "mask"), try Convert.requiredScalar(b[1])))
        },
        TensorOp("index_select", "input, dim, index", "The entries of dim at the given indices.", [.function]) { t, b, _ in
            .tensor(try t.indexSelect(dim: try b.int(0, "dim"), index: try b.tensor(1, "index")))
        },
        TensorOp("gather", "input, dim, index", "Values along dim at index (same shape as index).", [.function]) { t, b, _ in
            .tensor(try t.gather(dim: try b.int(0, "dim"), index: try b.tensor(1, "index")))
        },
        TensorOp("where", "input, condition, other", "input where condition is True, other elsewhere.") { t, b, _ in
            .tensor(try Tensor.where(try b.tensor(0, "condition"), t, try Operand(b[1]).orThrow().tensor(like: t)))
        },
    ]

    // MARK: Copies, conversions, autograd

    private static func cast(_ name: String, _ dtype: DType) -> TensorOp {
        TensorOp(name, "input, memory_format=None", "A copy converted to \(dtype.name) (the tensor itself if it already is).") { t, _, _ in
            .tensor(try t.convertedPreservingLayout(to: dtype))
        }
    }

    static let conversions: [TensorOp] = [
        cast("float", .float32), cast("double", .float64), cast("long", .int64), cast("int", .int32), cast("bool", .bool),
        cast("half", .float16), cast("bfloat16", .bfloat16), cast("short", .int16), cast("char", .int8), cast("byte", .uint8),
        TensorOp("cpu", "input, memory_format=None", "The tensor itself (nnrepl runs on the CPU).") { t, _, _ in .tensor(t) },
        TensorOp("clone", "input, *, memory_format=torch.preserve_format", "A copy that autograd differentiates through.", [.function]) { t, b, _ in
            let format = try Convert.memoryFormat(b[0], "clone") ?? .preserveFormat
            return .tensor(format == .preserveFormat && t.suggestedMemoryFormat == .contiguousFormat ? try t.cloned() : try t.cloned(format))
        },
        TensorOp("detach", "input", "The same data, cut off from the autograd graph.", [.function]) { t, _, _ in .tensor(t.detach()) },
        TensorOp("detach_", "input", "Cuts this tensor off from the autograd graph, in place.") { t, _, _ in
            try t.detachInPlace()
            return .tensor(t)
        },
        TensorOp("item", "input", "The value of a one-element tensor as a Python number.") { t, _, _ in scalarValue(try t.item()) },
        TensorOp("tolist", "input", "The elements as (nested) Python lists of numbers.") { t, _, ev in toList(t, ev) },
        TensorOp("type_as", "input, other", "A copy converted to other's dtype.") { t, b, _ in
            .tensor(try t.converted(to: try b.tensor(0, "other").dtype))
        },
        TensorOp("type", "input, dtype=None, non_blocking=False", "The legacy type name ('torch.FloatTensor'), or a copy converted to dtype.") { t, b, _ in
            if let d = try b.dtype(0) { return .tensor(try t.converted(to: d)) }
            return .str(t.dtype.legacyTypeName)
        },
        TensorOp("to", "input, *args, **kwargs", "A copy converted to a dtype (or another tensor's); device 'cpu' only.") { t, b, ev in
            var dtype: DType? = nil, format: MemoryFormat? = nil
            for v in b.extraPositional {
                if let d = (try? Convert.dtype(v)) ?? nil { dtype = d; continue }
                if case .tensor(let other) = v { dtype = other.dtype; continue }
                try Convert.checkDevice(v, ev)
            }
            for (k, v) in b.extraKeywords {
                if k == "dtype" { dtype = try Convert.dtype(v) }
                else if k == "device" { try Convert.checkDevice(v, ev) }
                else if k == "memory_format" { format = try Convert.memoryFormat(v, "to") }
            }
            let converted = try dtype.map { try t.convertedPreservingLayout(to: $0) } ?? t
            guard let format, format != .preserveFormat, !converted.isContiguous(format) else { return .tensor(converted) }
            return .tensor(try converted.cloned(format, gradName: "ToCopyBackward0"))
        },
        TensorOp("numpy", "input, *, force=False", "Not available: nnrepl has no NumPy (use tolist()).") { _, _, _ in
            throw PyError(.notImplementedError, "numpy() is not available in nnrepl (there is no NumPy); use tolist()")
        },
        TensorOp("backward", "input, gradient=None, retain_graph=None, create_graph=False, inputs=None",
                 "Computes the gradients of this tensor with respect to the graph leaves (accumulated into .grad).") { t, b, ev in
            let gradient = b[0].isNone ? nil : try b.tensor(0, "gradient")
            try AutogradNamespace.backward([t], gradients: [gradient], retainGraph: b.given[1] ? b[1] : nil,
                                           createGraph: b.given[2] ? b[2] : nil, inputs: b.given[3] ? b[3] : nil, ev)
            return .none
        },
        TensorOp("retain_grad", "input", "Keeps .grad of this non-leaf tensor after backward().") { t, _, _ in
            try t.retainGrad()
            return .none
        },
        TensorOp("requires_grad_", "input, requires_grad=True", "Sets requires_grad in place; returns the tensor.") { t, b, ev in
            let flag = try b.bool(0, ev)
            if flag, t.isLeaf, !t.dtype.isFloatingPoint {
                throw PyError(.runtimeError, "only Tensors of floating point dtype can require gradients")
            }
            try t.setRequiresGrad(flag)
            return .tensor(t)
        },
        TensorOp("__format__", "input, format_spec", "format(x, spec): a 0-dim tensor formats as its number.") { t, b, ev in
            .str(try TensorOperators.format(t, spec: try b[0].asString(), ev))
        },
        TensorOp("__len__", "input", "len(x): the size of the first dim.") { t, _, _ in .int(try TensorOperators.length(t)) },
    ]

    // MARK: Writes in place

    /// `add_`/`sub_`/`mul_`/`div_` on their dedicated in-place kernels (no temporary result).
    private static func storeInPlace(_ name: String, _ signature: String, _ doc: String,
                                     _ body: @escaping (Tensor, Operand, Bound) throws -> Void) -> TensorOp {
        TensorOp(name, signature, doc) { t, b, _ in
            guard let o = Operand(b[0]) else {
                throw PyError(.typeError, "\(name)(): argument 'other' must be Tensor or Number, not \(b[0].typeName)")
            }
            try body(t, o, b)
            return .tensor(t)
        }
    }

    static let inPlaceStores: [TensorOp] = [
        storeInPlace("add_", "input, other, *, alpha=1", "input += alpha * other, in place.") { t, o, b in
            let alpha = try b.scalar(1) ?? .int(1)
            switch o {
            case .tensor(let x): try t.addInPlace(x, alpha: alpha)
            case .scalar(let s): try t.addInPlace(s, alpha: alpha)
            }
        },
        storeInPlace("sub_", "input, other, *, alpha=1", "input -= alpha * other, in place.") { t, o, b in
            let alpha = try b.scalar(1) ?? .int(1)
            switch o {
            case .tensor(let x): try t.subInPlace(x, alpha: alpha)
            case .scalar(let s): try t.subInPlace(s, alpha: alpha)
            }
        },
        storeInPlace("mul_", "input, other", "input *= other, in place.") { t, o, _ in
            switch o {
            case .tensor(let x): try t.mulInPlace(x)
            case .scalar(let s): try t.mulInPlace(s)
            }
        },
        storeInPlace("div_", "input, other, *, rounding_mode=None", "input /= other, in place.") { t, o, b in
            let mode: String? = b[1].isNone ? nil : try b[1].asString("rounding_mode")
            switch o {
            case .tensor(let x): try t.divInPlace(x, roundingMode: mode)
            case .scalar(let s): try t.divInPlace(s, roundingMode: mode)
            }
        },
        TensorOp("zero_", "input", "Fills with zeros, in place.") { t, _, _ in try t.zeroInPlace(); return .tensor(t) },
        TensorOp("fill_", "input, value", "Fills with value, in place.") { t, b, _ in
            try t.fillInPlace(try Convert.requiredScalar(b[0]))
            return .tensor(t)
        },
        TensorOp("copy_", "input, src, non_blocking=False", "Copies src's values (broadcast) into this tensor.") { t, b, _ in
            try t.copyInPlace(from: try b.tensor(0, "src"))
            return .tensor(t)
        },
        TensorOp("uniform_", "input, from=0, to=1, *, generator=None", "Fills with samples from U(from, to), in place.") { t, b, _ in
            try t.uniformInPlace(from: try b.double(0, "from"), to: try b.double(1, "to"))
            return .tensor(t)
        },
        TensorOp("normal_", "input, mean=0, std=1, *, generator=None", "Fills with samples from N(mean, std²), in place.") { t, b, _ in
            try t.normalInPlace(mean: try b.double(0, "mean"), std: try b.double(1, "std"))
            return .tensor(t)
        },
        TensorOp("masked_fill_", "input, mask, value", "Writes value where mask is True, in place.") { t, b, _ in
            let mask = try b.tensor(0, "mask"), value = try Convert.requiredScalar(b[1])
            return .tensor(try t.applyInPlace(checkOverlap: false) { x, _ in try x.maskedFill(mask, value) })
        },
    ]
}
