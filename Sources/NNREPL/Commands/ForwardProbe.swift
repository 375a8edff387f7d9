import Foundation
import NNLang
import NeuralNet
import TensorRuntime

/// One forward pass of a model with temporary hooks on every submodule: records each module
/// call (its dotted name and output) in call order, and when the pass raises, which module
/// was running (the innermost one entered and not left). Used by `:acts`.
final class ForwardProbe {
    /// One module call.
    struct Call {
        let name: String
        let module: Module
        var output: Any?
    }

    private let model: Module
    private let names: [ObjectIdentifier: String]
    private(set) var calls: [Call] = []
    /// Indices into `calls` of the modules entered and not yet left.
    private var open: [Int] = []

    /// `rootName` names the model itself (the expression the user typed).
    init(_ model: Module, rootName: String) {
        self.model = model
        var names: [ObjectIdentifier: String] = [:]
        for (name, m) in model.namedModules() {
            names[ObjectIdentifier(m)] = name.isEmpty ? rootName : name
        }
        self.names = names
    }

    /// The module running when the pass raised (nil before `run` or after a pass that succeeded).
    private(set) var failedCall: Call?

    /// Calls the model on `input` in eval mode (each module's mode restored afterwards) under
    /// `no_grad`, with the hooks in place; they are removed before it returns or throws.
    func run(_ input: Value, _ interpreter: Interpreter) throws {
        var handles: [RemovableHandle] = []
        for (_, module) in model.namedModules() {
            let name = names[ObjectIdentifier(module)] ?? module.typeName
            handles.append(module.registerForwardPreHook(.positional { [unowned self] m, _ in
                calls.append(Call(name: name, module: m, output: nil))
                open.append(calls.count - 1)
                return nil
            }))
            handles.append(module.registerForwardHook(.positional { [unowned self] _, _, output in
                if let index = open.popLast() { calls[index].output = output }
                return nil
            }))
        }
        defer { handles.forEach { $0.remove() } }
        do {
            try ForwardProbe.inEvalMode(model) {
                _ = try GradMode.withNoGrad { try interpreter.call(.module(model), Arguments([input])) }
            }
        } catch {
            failedCall = open.last.map { calls[$0] }
            throw error
        }
    }

    /// Runs `body` with `model` and its descendants in eval mode, restoring each one's mode.
    static func inEvalMode<T>(_ model: Module, _ body: () throws -> T) rethrows -> T {
        let modes = model.modules().map { ($0, $0.training) }
        defer { for (m, training) in modes { m.training = training } }
        _ = model.eval()
        return try body()
    }

    /// A module as a failure names it: a leaf's one-line repr (cut after 60 characters),
    /// a container's type name.
    static func describe(_ m: Module) -> String {
        let text = SwapCommand.describe(m)
        return text.count > 60 ? String(text.prefix(59)) + "…)" : text
    }
}
