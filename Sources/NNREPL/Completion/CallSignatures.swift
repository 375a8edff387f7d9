import NNLang
import TorchBindings

/// The parameter names of a callee, for keyword-argument completion (`x.sum(di` → `dim=`):
/// declared bindings (tensor methods, `torch.` functions, nn layers, optimizers, schedulers) from
/// their single declarations, and functions and classes defined in the session from their `def` in
/// the session's inputs. Static: nothing is called.
struct CallSignatures {
    let session: Session

    /// The names a call of the chain `callee` accepts as keywords, or nil when unknown.
    func keywordNames(callee segments: [ChainSegment]) -> [String]? {
        let resolver = StaticResolver(interpreter: session.interpreter)
        if segments.count > 1, case .attribute(let member)? = segments.last,
           let owner = resolver.resolve(Array(segments.dropLast())) {
            switch owner {
            case .tensor: return TorchDeclarations.tensorMethod(member)?.signature.keywordNames
            case .object(let o as Namespace):
                return o[member]?.declaration?.signature.keywordNames
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
