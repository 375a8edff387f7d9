import Foundation
import NeuralNet

/// `:freeze MODEL [PREFIX]` / `:unfreeze MODEL [PREFIX]` — set `requires_grad` to False / True
/// on the parameters whose name starts with PREFIX (whole name components).
enum FreezeCommand {
    static let freeze = make(name: "freeze", verb: "froze", flag: false)
    static let unfreeze = make(name: "unfreeze", verb: "unfroze", flag: true)

    private static func make(name: String, verb: String, flag: Bool) -> Command {
        Command(
            name: name, usage: ":\(name) MODEL [PREFIX]",
            summary: "set requires_grad=\(flag ? "True" : "False") on MODEL's parameters (those under PREFIX)",
            details: """
            Sets requires_grad=\(flag ? "True" : "False") on every parameter of MODEL.named_parameters()
            whose name starts with PREFIX, matching whole name components: "layer1" matches
            layer1.0.weight but not layer10.weight; "layer1.0.w" is not a component, so use
            "layer1.0.weight" or "layer1.0". Without PREFIX, on all parameters. Prints how many
            tensors (and elements) actually changed. A PREFIX that matches nothing is an error.
            """,
            isReplayable: true
        ) { session, arguments in
            let parts = CommandText.splitTopLevel(arguments)
            guard parts.count == 1 || parts.count == 2 else { throw CommandError.usage }
            let module = try session.evaluateModule(parts[0])
            let prefix = parts.count == 2 ? parts[1] : ""
            let result = try setRequiresGrad(module, prefix: prefix, to: flag)
            if result.matched == 0 {
                throw CommandError.failed(prefix.isEmpty ? "\(parts[0]) has no parameters"
                                                         : "no parameter of \(parts[0]) is named \(prefix) or \(prefix).*")
            }
            let tensors = result.changed == 1 ? "tensor" : "tensors"
            let elements = CommandText.grouped(result.elements)
            let already = result.matched - result.changed
            var line = "\(verb) \(result.changed) \(tensors) (\(elements) parameters)"
            if already > 0 { line += "; \(already) already \(flag ? "trainable" : "frozen")" }
            session.writeLine(line)
            return .ok
        }
    }

    /// Whether `name` lies under `prefix` (component-wise); every name is under "".
    static func matches(_ name: String, prefix: String) -> Bool {
        let p = prefix.hasSuffix(".") ? String(prefix.dropLast()) : prefix
        return p.isEmpty || name == p || name.hasPrefix(p + ".")
    }

    /// Sets the flag; returns how many parameters matched, changed, and their element count.
    static func setRequiresGrad(_ module: Module, prefix: String, to flag: Bool) throws
        -> (matched: Int, changed: Int, elements: Int) {
        var matched = 0, changed = 0, elements = 0
        for (name, p) in module.namedParameters() where matches(name, prefix: prefix) {
            matched += 1
            guard p.requiresGrad != flag else { continue }
            try p.setRequiresGrad(flag)
            changed += 1
            elements += p.numel
        }
        return (matched, changed, elements)
    }
}
