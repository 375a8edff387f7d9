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
        for slot in tensorSlots {
            guard case .tensor(var out) = outputs[slot], !ctx.isNonDifferentiable(out) else { continue }
            // An input returned as is (or a view made under no_grad) gets a fresh alias for its history.
            if out.base != nil || tensorInputs.contains(where: { $0.tensor === out }) || !out.isLeaf {
                out = out.detached()
            }
            let shapes = tensorSlots.map { s -> [Int] in if case .tensor(let t) = outputs[s] { return t.shape } else { return [] } }
            let dtypes = tensorSlots.map { s -> DType in if case .tensor(let t) = outputs[s] { return t.dtype } else { return .float32 } }
            let position = tensorSlots.firstIndex(of: slot) ?? 0
            out.recordingGrad(name, inputs: differentiable.map(\.tensor)) { g in
                // Gradients of the other outputs are zeros (PyTorch materialises undefined ones).
                var grads: [Value] = []
                for (k, shape) in shapes.enumerated() {
                    grads.append(.tensor(k == position ? g : try Tensor.zeros(shape, dtype: dtypes[k])))
                }
                let result = try ev.call(backward, Arguments([.object(ctx)] + grads))
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
            outputs[slot] = .tensor(out)
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
