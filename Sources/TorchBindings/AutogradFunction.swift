import NNLang
import TensorRuntime
import NeuralNet

/// `torch.autograd.Function`: scripts derive from it and define `forward(ctx, *args)` and
/// `backward(ctx, *grad_outputs)` as static methods; `Sub.apply(*args)` runs `forward` without
/// recording, then gives each differentiable tensor output a `SubBackward` node whose backward
/// calls the script's `backward` and routes its results to the tensor arguments that require grad.
final class AutogradFunctionType: PyType {
    static let shared = AutogradFunctionType()

    private init() { super.init(name: "Function") }

    override var scriptsMayDerive: Bool { true }
    override func repr(_ ev: Evaluator) throws -> String { "<class 'torch.autograd.function.Function'>" }

    override func classAttribute(_ name: String, of subclass: PyType, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "apply": return method(name) { a, ev in try AutogradFunctionType.apply(subclass, a, ev) }
        case "forward", "backward":
            return method(name) { _, _ in
                throw PyError(.notImplementedError, "You must implement the \(name) function for custom autograd.Function.")
            }
        default: return try getAttribute(name, ev)
        }
    }

    /// `Sub.apply(*args, **kwargs)`.
    static func apply(_ cls: PyType, _ a: Arguments, _ ev: Evaluator) throws -> Value {
        let ctx = FunctionContext()
        let tensorInputs: [(index: Int, tensor: Tensor)] = a.positional.enumerated().compactMap { i, v in
            if case .tensor(let t) = v { return (i, t) }
            return nil
        }
        ctx.needsInputGrad = a.positional.map { v in
            if case .tensor(let t) = v { return t.requiresGrad }
            return false
        }
        var forwardArgs = a
        forwardArgs.positional.insert(.object(ctx), at: 0)
        let forward = try ev.getAttribute(.object(cls), "forward")
        let output = try GradMode.withNoGrad { try ev.call(forward, forwardArgs) }
        let differentiable = tensorInputs.filter { $0.tensor.requiresGrad }
        guard GradMode.isEnabled, !differentiable.isEmpty else { return output }

        let isTuple = ev.builtinKind(output) == .tuple
        var outputs = isTuple ? (ev.sequenceItems(output) ?? []) : [output]
        let tensorSlots = outputs.indices.filter { if case .tensor = outputs[$0] { return true } else { return false } }
        let backward = try ev.getAttribute(.object(cls), "backward")
        let name = "\(cls.name)Backward"
        let inputCount = a.positional.count
        let outputTensors = tensorSlots.compactMap { s -> Tensor? in if case .tensor(let t) = outputs[s] { return t } else { return nil } }
        /// The script's `backward` called once with one gradient per tensor output (zeros for
        /// outputs no gradient reached: PyTorch materialises them), its results routed to the inputs.
        let runBackward: ([Tensor]) throws -> [Tensor?] = { grads in
            let result = try ev.call(backward, Arguments([.object(ctx)] + grads.map { .tensor($0) }))
            let returned = ev.builtinKind(result) == .tuple ? (ev.sequenceItems(result) ?? []) : [result]
            guard returned.count == inputCount else {
                throw PyError(.runtimeError, "function \(name) returned an incorrect number of gradients (expected \(inputCount), got \(returned.count))")
            }
            return try differentiable.map { input in
                switch returned[input.index] {
                case .none: return nil
                case .tensor(let grad):
                    guard grad.numel == input.tensor.numel else {
                        throw PyError(.runtimeError, "Function \(name) returned an invalid gradient at index \(input.index) - got \(shapeDescription(grad.shape)) but expected shape compatible with \(shapeDescription(input.tensor.shape))")
                    }
                    return grad.shape == input.tensor.shape ? grad : try grad.reshape(input.tensor.shape)
                default:
                    throw PyError(.typeError, "expected Tensor or None (got \(returned[input.index].typeName))")
                }
            }
        }
        let live = tensorSlots.indices.filter { k in
            !ctx.isNonDifferentiable(outputTensors[k]) && outputTensors[k].dtype.isFloatingPoint
        }
        let fanIn = live.count > 1 ? try FunctionOutputs(outputTensors, name: name, inputs: differentiable.map(\.tensor), runBackward) : nil
        for k in live {
            var out = outputTensors[k]
            // An input returned as is (or a view made under no_grad) gets a fresh alias for its history.
            if out.base != nil || tensorInputs.contains(where: { $0.tensor === out }) || !out.isLeaf {
                out = out.detached()
            }
            if let fanIn {
                fanIn.record(out, position: k)
            } else {
                out.recordingGrad(name, inputs: differentiable.map(\.tensor)) { g in
                    try runBackward(try outputTensors.indices.map { j in j == k ? g : try Tensor.zeros(outputTensors[j].shape, dtype: outputTensors[j].dtype) })
                }
            }
            outputs[tensorSlots[k]] = .tensor(out)
        }
        return isTuple ? ev.makeTuple(outputs) : outputs[0]
    }
}

/// The `ctx` of a custom Function: `save_for_backward` / `saved_tensors`, `needs_input_grad`,
/// `mark_non_differentiable`, `mark_dirty`, `set_materialize_grads`, and any attribute a script sets.
final class FunctionContext: PyObject {
    var needsInputGrad: [Bool] = []
    private var saved: [Value] = []
    private var nonDifferentiable: [ObjectIdentifier] = []
    private var attributes: [(String, Value)] = []

    override var typeName: String { "BackwardCFunction" }

    func isNonDifferentiable(_ t: Tensor) -> Bool { nonDifferentiable.contains(ObjectIdentifier(t)) }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "save_for_backward":
            return method(name) { a, _ in
                for v in a.positional where !(v.isNone || v.isTensor) {
                    throw PyError(.typeError, "save_for_backward can only save variables, but argument \(a.positional.firstIndex(where: { !($0.isNone || $0.isTensor) }) ?? 0) is of type \(v.typeName)")
                }
                self.saved = a.positional
                return .none
            }
        case "saved_tensors": return ev.makeTuple(saved)
        case "needs_input_grad": return ev.makeTuple(needsInputGrad.map { .bool($0) })
        case "mark_non_differentiable":
            return method(name) { a, _ in
                for v in a.positional { if case .tensor(let t) = v { self.nonDifferentiable.append(ObjectIdentifier(t)) } }
                return .none
            }
        case "mark_dirty", "set_materialize_grads": return method(name) { _, _ in .none }
        default: return attributes.last { $0.0 == name }?.1
        }
    }

    override func setAttribute(_ name: String, _ value: Value, _ ev: Evaluator) throws {
        attributes.removeAll { $0.0 == name }
        attributes.append((name, value))
    }

    override func attributeNames() -> [String] {
        ["mark_dirty", "mark_non_differentiable", "needs_input_grad", "save_for_backward", "saved_tensors",
         "set_materialize_grads"] + attributes.map(\.0)
    }
}

/// The outputs of a custom Function with several differentiable outputs share one backward call,
/// as in PyTorch: each output's node places its gradient in a flat float64 buffer at the output's
/// offset (zeros elsewhere), the engine sums those into one `packed` node, and that node splits
/// the sum back into per-output gradients and runs the script's `backward` once with all of them.
private final class FunctionOutputs {
    private let packed: Tensor
    private let offsets: [Int]
    private let total: Int
    private let name: String

    init(_ outputs: [Tensor], name: String, inputs: [Tensor], _ runBackward: @escaping ([Tensor]) throws -> [Tensor?]) throws {
        var offsets: [Int] = [], total = 0
        for t in outputs {
            offsets.append(total)
            total += t.numel
        }
        let shapes = outputs.map(\.shape), dtypes = outputs.map(\.dtype)
        self.offsets = offsets
        self.total = total
        self.name = name
        packed = try Tensor.zeros([total], dtype: .float64).recordingGrad(name, inputs: inputs) { flat in
            try runBackward(try shapes.indices.map { k in
                try flat.narrow(dim: 0, start: offsets[k], length: shapes[k].reduce(1, *)).reshape(shapes[k]).converted(to: dtypes[k])
            })
        }
    }

    /// Gives output `position` its node, feeding `packed`.
    func record(_ out: Tensor, position k: Int) {
        let offset = offsets[k], total = total
        out.recordingGrad(name, inputs: [packed]) { g in
            let flat = try g.converted(to: .float64).reshape([-1])
            return [try Tensor.cat([try Tensor.zeros([offset], dtype: .float64), flat,
                                    try Tensor.zeros([total - offset - flat.numel], dtype: .float64)])]
        }
    }
}
