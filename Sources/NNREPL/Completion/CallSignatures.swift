import NNLang
import TorchBindings

/// The parameter names of a callee, for keyword-argument completion (`x.sum(di` → `dim=`):
/// declared bindings (tensor methods, `torch.` tensor ops, nn layers) from their single declarations,
/// the not-yet-declared optimizers and schedulers from the table below (PyTorch's signatures,
/// for what nnrepl accepts; an entry goes when its binding is declared), and functions and classes
/// defined in the session from their `def` in the session's inputs. Static: nothing is called.
struct CallSignatures {
    let session: Session

    /// PyTorch's parameter lists, keyed `Tensor.sum`, `torch.zeros`, `torch.nn.functional.relu`
    /// (`*` marks keyword-only parameters; `*size` takes the positional arguments).
    static let builtins: [String: String] = [
        "torch.optim.SGD": "params, lr=0.001, momentum=0, dampening=0, weight_decay=0, nesterov=False",
        "torch.optim.Adam": "params, lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0, amsgrad=False",
        "torch.optim.AdamW": "params, lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.01, amsgrad=False",
        "torch.optim.lr_scheduler.StepLR": "optimizer, step_size, gamma=0.1, last_epoch=-1",
    ]

    /// The names a call of the chain `callee` accepts as keywords, or nil when unknown.
    func keywordNames(callee segments: [ChainSegment]) -> [String]? {
        let resolver = StaticResolver(interpreter: session.interpreter)
        if segments.count > 1, case .attribute(let member)? = segments.last,
           let owner = resolver.resolve(Array(segments.dropLast())) {
            switch owner {
            case .tensor: return TorchDeclarations.tensorMethod(member)?.signature.keywordNames
            case .object(let o as Namespace):
                if let declared = o[member]?.declaration { return declared.signature.keywordNames }
                return Self.builtins["\(o.name).\(member)"].map(Self.names)
            default: break
            }
        }
        guard let callee = resolver.resolve(segments) else { return nil }
        switch callee {
        case .module(let m):
            return scriptParameters(of: "forward", inClass: m.typeName)
        case .object(let type as PyType):
            if let declared = Value.object(type).declaration { return declared.signature.keywordNames }
            return scriptParameters(of: "__init__", inClass: type.name)
        default:
            guard case .name(let name)? = segments.first, segments.count == 1 else { return nil }
            return scriptParameters(ofFunction: name)
        }
    }

    /// Keyword-capable names in a parameter list (`Signature`'s, without `self`).
    static func names(_ list: String) -> [String] {
        Signature(list).keywordNames.filter { $0 != "self" }
    }

    /// The parameters of the latest top-level `def name` in the session's inputs.
    func scriptParameters(ofFunction name: String) -> [String]? {
        for statement in definitions() {
            if case .functionDef(let f) = statement.kind, f.name == name { return Self.names(of: f) }
        }
        return nil
    }

    /// The parameters (without `self`) of method `method` of the latest `class className`.
    func scriptParameters(of method: String, inClass className: String) -> [String]? {
        for statement in definitions() {
            guard case .classDef(let c) = statement.kind, c.name == className else { continue }
            for member in c.body {
                if case .functionDef(let f) = member.kind, f.name == method { return Self.names(of: f) }
            }
            return nil
        }
        return nil
    }

    private static func names(of f: FunctionDef) -> [String] {
        let p = f.parameters
        let positional = p.positional.dropFirst(p.positionalOnlyCount).map(\.name)
        return (positional + p.keywordOnly.map(\.name)).filter { $0 != "self" }
    }

    /// Top-level statements of the session's Python inputs, newest first.
    private func definitions() -> [Stmt] {
        session.transcript.reversed().flatMap { source -> [Stmt] in
            // Only inputs that define something are parsed (this runs on every Tab in a call).
            guard !source.hasPrefix(":"), source.contains("def ") || source.contains("class "),
                  let statements = try? Parser.parseModule(source: source) else { return [] }
            return statements.reversed()
        }
    }
}
