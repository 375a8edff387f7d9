import NNLang
import TensorRuntime

/// One tensor operation, declared once: its name, its Python signature (first parameter `input`,
/// the tensor), a one-line description and its body. From the declaration come the method
/// `x.name(…)`, the function `torch.name(input, …)` (`.function`), the in-place method
/// `x.name_(…)` that stores the result into `x` (`.inPlace`), aliases, argument binding with
/// Python's errors, `help()`, `dir(x)` and keyword completion.
struct TensorOp {
    /// Which spellings the op has besides the method.
    struct Forms: OptionSet {
        let rawValue: Int
        /// `torch.name(input, …)`.
        static let function = Forms(rawValue: 1)
        /// `x.name_(…)`: the result written into `x` (autograd records it as an in-place op).
        static let inPlace = Forms(rawValue: 2)
    }

    /// `(x, arguments without input, evaluator) -> result`.
    typealias Body = (Tensor, Bound, Evaluator) throws -> Value

    let name: String
    /// The function form's signature (`input, dim=None, …`); the method's drops `input`.
    let signature: Signature
    let methodSignature: Signature
    let doc: String
    let forms: Forms
    /// Other names for the same op (`multiply` for `mul`), with the same forms.
    let aliases: [String]
    let body: Body

    init(_ name: String, _ signature: String, _ doc: String, _ forms: Forms = [], aliases: [String] = [],
         _ body: @escaping Body) {
        self.name = name
        self.signature = Signature(signature, style: .torch)
        self.methodSignature = self.signature.droppingFirst()
        self.doc = doc
        self.forms = forms
        self.aliases = aliases
        self.body = body
    }

    /// `x.name` as a bound method value.
    func method(bound t: Tensor, as spelled: String) -> Value {
        .object(NativeFunction(spelled, signature: methodSignature, doc: doc) { a, ev in
            try body(t, try methodSignature.bind(a, spelled), ev)
        })
    }

    /// `x.name_` as a bound method: the op's result copied into `x`.
    func inPlaceMethod(bound t: Tensor, as spelled: String) -> Value {
        .object(NativeFunction(spelled, signature: methodSignature, doc: doc + " In place.") { a, ev in
            let b = try methodSignature.bind(a, spelled)
            return .tensor(try t.applyInPlace { x, _ in
                guard case .tensor(let r) = try body(x, b, ev) else {
                    throw PyError(.runtimeError, "\(spelled)(): the op did not produce a tensor")
                }
                return r
            })
        })
    }

    /// `torch.name_(input)` for a one-argument op with both forms (`torch.sin_(x)`, as PyTorch
    /// has for its unary ops): `input.name_()`.
    func inPlaceFunction(as spelled: String) -> Value {
        .object(NativeFunction(spelled, signature: signature, doc: doc + " In place.") { a, ev in
            let b = try signature.bind(a, spelled)
            guard case .tensor(let t) = b[0] else {
                throw PyError(.typeError, "\(spelled)(): argument 'input' (position 1) must be Tensor, not \(b[0].typeName)")
            }
            return try ev.call(inPlaceMethod(bound: t, as: spelled), Arguments([]))
        })
    }

    /// Whether PyTorch also spells it `torch.name_(input)`: a unary op with a function and an
    /// in-place form.
    var hasInPlaceFunction: Bool {
        forms.contains(.function) && forms.contains(.inPlace) && signature.parameters.count == 1
    }

    /// `torch.name` as a function value (a number as `input` becomes a 0-dim tensor); it takes
    /// PyTorch's `out=` too (`OutArgument`).
    func function(as spelled: String) -> Value {
        .object(NativeFunction(spelled, signature: signature, doc: doc) { a, ev in
            var a = a
            let out = try OutArgument.take(from: &a, spelled)
            let b = try signature.bind(a, spelled)
            let first = b[0]
            let t: Tensor
            if case .tensor(let x) = first { t = x }
            else if let s = first.scalar { t = try Tensor(scalar: s) }
            else { throw PyError(.typeError, "\(spelled)(): argument 'input' (position 1) must be Tensor, not \(first.typeName)") }
            let result = try body(t, b.droppingFirst(), ev)
            guard let out else { return result }
            return try OutArgument.store(result, into: out, spelled, ev)
        })
    }
}

/// Every declared tensor op by each name it answers to.
struct TensorOpTable {
    /// `x.NAME` → (op, in place?).
    let methods: [String: (op: TensorOp, inPlace: Bool)]
    /// `torch.NAME` → op.
    let functions: [String: TensorOp]

    init(_ ops: [TensorOp]) {
        var methods: [String: (op: TensorOp, inPlace: Bool)] = [:]
        var functions: [String: TensorOp] = [:]
        for op in ops {
            for name in [op.name] + op.aliases {
                methods[name] = (op, false)
                if op.forms.contains(.inPlace) { methods[name + "_"] = (op, true) }
                if op.forms.contains(.function) { functions[name] = op }
            }
        }
        self.methods = methods
        self.functions = functions
    }

    /// `x.name` for a declared op, or nil.
    func method(_ t: Tensor, _ name: String) -> Value? {
        guard let (op, inPlace) = methods[name] else { return nil }
        return inPlace ? op.inPlaceMethod(bound: t, as: name) : op.method(bound: t, as: name)
    }
}

extension Bound {
    /// The arguments after the first (a function form's `input` removed).
    func droppingFirst() -> Bound {
        Bound(values: Array(values.dropFirst()), given: Array(given.dropFirst()),
              extraPositional: extraPositional, extraKeywords: extraKeywords)
    }

    /// Parameter `i` as a tensor (TypeError naming `what` otherwise).
    func tensor(_ i: Int, _ what: String = "argument") throws -> Tensor { try values[i].asTensor(what) }
    func int(_ i: Int, _ what: String = "argument") throws -> Int { try values[i].asInt(what) }
    func optionalInt(_ i: Int, _ what: String = "argument") throws -> Int? { try Convert.optionalInt(values[i], what) }
    func double(_ i: Int, _ what: String = "argument") throws -> Double { try values[i].asDouble(what) }
    func optionalDouble(_ i: Int, _ what: String = "argument") throws -> Double? { try Convert.optionalDouble(values[i], what) }
    func bool(_ i: Int, _ ev: Evaluator) throws -> Bool { try ev.truthy(values[i]) }
    func dims(_ i: Int, _ ev: Evaluator) throws -> [Int]? { try Convert.dims(values[i], ev) }
    func dtype(_ i: Int) throws -> DType? { try Convert.dtype(values[i]) }
    func scalar(_ i: Int) throws -> Scalar? { try Convert.scalar(values[i]) }
}
