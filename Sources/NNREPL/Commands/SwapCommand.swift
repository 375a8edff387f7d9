import Foundation
import NNLang
import NeuralNet
import TensorRuntime

/// `:swap MODEL OLD -> NEW(args)` — replace every submodule of type OLD, at any depth, by a
/// fresh module made by evaluating `NEW(args)` once per replacement (the seed's `replace_relu`).
enum SwapCommand {
    static let command = Command(
        name: "swap", usage: ":swap MODEL OLD -> NEW(args)",
        summary: "replace every submodule of type OLD (recursively) by a fresh NEW(args)",
        details: """
        Example: :swap model nn.ReLU -> nn.LeakyReLU(0.1)
        OLD is a layer type (nn.ReLU, or a bare name such as ReLU, or a script class); a
        submodule matches when isinstance(submodule, OLD) (a bare name that is not defined
        matches a type name of MODEL's modules exactly). A name that exists nowhere is an
        error, with a suggestion (nn.Relu: did you mean 'ReLU'?). NEW(args) is evaluated once
        per replacement, so every replacement is a separate module. Positions (attribute
        names, Sequential indices) are kept. Bare names not defined in the session are
        looked up in torch.nn. Warns when a replacement's parameters have other shapes than
        the module it replaces, and when an optimizer in the session holds the replaced
        parameters (it would keep training those, not the new ones).
        """,
        isReplayable: true
    ) { session, arguments in
        let sides = arguments.components(separatedBy: "->")
        guard sides.count == 2 else { throw CommandError.usage }
        let left = CommandText.splitTopLevel(sides[0])
        let newText = sides[1].trimmingCharacters(in: .whitespaces)
        guard left.count == 2, !newText.isEmpty else { throw CommandError.usage }
        try session.checkExpressionSyntax(newText)  // even when nothing matches
        let model = try session.evaluateModule(left[0])
        let matcher = try typeMatcher(left[1], session, model: model)
        let replaced = try swap(in: model, matches: matcher.matches) {
            let value = try session.evaluateLayerExpression(newText)
            guard case .module(let m) = value else {
                throw CommandError.failed("\(newText) is not an nn.Module (it is \(value.typeName))")
            }
            return m
        }
        guard let last = replaced.last else {
            session.writeLine("no \(matcher.name) modules in \(left[0])")
            return .ok
        }
        let modules = replaced.count == 1 ? "module" : "modules"
        session.writeLine("swapped \(replaced.count) \(matcher.name) \(modules) -> \(describe(last.new))")
        for warning in shapeWarnings(replaced) + optimizerWarnings(replaced, session) {
            session.reportWarning(warning)
        }
        return .ok
    }

    /// What OLD matches, and the name to print for it.
    struct Matcher {
        let name: String
        let matches: (Module) -> Bool
    }

    /// OLD as a type object (isinstance). A bare name defined nowhere matches the type name
    /// of `model`'s modules exactly; a name that exists nowhere is an error with a suggestion.
    static func typeMatcher(_ text: String, _ session: Session, model: Module) throws -> Matcher {
        let isDottedName = !text.isEmpty && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy {
            !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
        }
        let value: Value
        do {
            value = try session.evaluateLayerExpression(text)
        } catch let error where isDottedName && ["NameError", "AttributeError"].contains(session.interpreter.exceptionTypeName(error)) {
            let typeNames = Set(model.modules().map(\.typeName))
            if !text.contains("."), typeNames.contains(text) {
                return Matcher(name: text) { $0.typeName == text }
            }
            throw CommandError.failed("\(text) does not exist" + suggestion(for: text, session, typeNames: typeNames))
        }
        guard case .object(let o) = value, let type = o as? PyType else {
            throw CommandError.failed("\(text) is not a layer type (it is \(value.typeName))")
        }
        return Matcher(name: type.name) { type.isInstance(.module($0)) }
    }

    /// ` (did you mean 'ReLU'?)` for a misspelt `nn.Relu` (the names of its owner) or `Relu`
    /// (torch.nn's names, the session's, and the type names in the model).
    static func suggestion(for text: String, _ session: Session, typeNames: Set<String>) -> String {
        let parts = text.split(separator: ".").map(String.init)
        guard let last = parts.last else { return "" }
        var candidates: [String]
        if parts.count > 1 {
            let owner = parts.dropLast().joined(separator: ".")
            candidates = session.interpreter.completions(for: owner + ".", cursor: owner.count + 1)
                .map { String($0.dropFirst(owner.count + 1)) }
            if candidates.isEmpty, owner.hasSuffix("nn"), case .object(let nn)? = session.torchNN() {
                candidates = nn.attributeNames()  // `nn` not imported under that name
            }
        } else {
            candidates = session.interpreter.globalNames + Array(typeNames)
            if case .object(let nn)? = session.torchNN() { candidates += nn.attributeNames() }
        }
        return NameSuggestion.hint(for: last, in: candidates)
    }

    /// One replacement: where, the module replaced and its replacement.
    struct Replacement {
        let path: String
        let old: Module
        let new: Module
    }

    /// Replaces matching descendants of `root` (not `root` itself) depth-first, keeping each
    /// child's position; new modules are not searched. Returns the replacements in order.
    static func swap(in root: Module, matches: (Module) -> Bool, make: () throws -> Module) throws -> [Replacement] {
        var replaced: [Replacement] = []
        var visited = Set<ObjectIdentifier>()
        func visit(_ module: Module, prefix: String) throws {
            guard visited.insert(ObjectIdentifier(module)).inserted else { return }
            for (name, child) in module.ownModules.items {
                guard let child else { continue }
                if matches(child) {
                    let new = try make()
                    module.setChild(name, new)
                    replaced.append(Replacement(path: prefix + name, old: child, new: new))
                } else {
                    try visit(child, prefix: prefix + name + ".")
                }
            }
        }
        try visit(root, prefix: "")
        return replaced
    }

    /// One warning per replacement whose parameters differ in names or shapes (at most 3, then
    /// a count): `fc: weight [10, 1152] -> [5, 1152], bias [10] -> [5]`.
    static func shapeWarnings(_ replaced: [Replacement]) -> [String] {
        var changes: [String] = []
        for r in replaced {
            let old = r.old.namedParameters().map { ($0.0, $0.1.shape) }
            let new = r.new.namedParameters().map { ($0.0, $0.1.shape) }
            guard !old.elementsEqual(new, by: { $0.0 == $1.0 && $0.1 == $1.1 }) else { continue }
            let newShapes = Dictionary(new, uniquingKeysWith: { a, _ in a })
            let oldShapes = Dictionary(old, uniquingKeysWith: { a, _ in a })
            let parts = old.filter { newShapes[$0.0] != $0.1 }.map { name, shape in
                "\(name) \(CommandText.shape(shape)) -> " + (newShapes[name].map(CommandText.shape) ?? "none")
            } + new.filter { oldShapes[$0.0] == nil }.map { "\($0.0) none -> \(CommandText.shape($0.1))" }
            changes.append("\(r.path): " + parts.joined(separator: ", "))
        }
        guard !changes.isEmpty else { return [] }
        var lines = changes.prefix(3).map { "\($0) (parameters of another shape: the layers around it may no longer fit)" }
        if changes.count > 3 { lines.append("\(changes.count - 3) more replaced modules have parameters of another shape") }
        return lines
    }

    /// A warning per optimizer of the session (a global that is a `torch.optim.Optimizer`)
    /// holding parameters of the replaced modules: it would go on updating those.
    static func optimizerWarnings(_ replaced: [Replacement], _ session: Session) -> [String] {
        let old = Set(replaced.flatMap { $0.old.parameters() }.map(ObjectIdentifier.init))
        guard !old.isEmpty else { return [] }
        let interpreter = session.interpreter
        guard let optim = try? interpreter.host.importModule("torch.optim", interpreter),
              case .object(let base)? = try? interpreter.getAttribute(optim, "Optimizer"),
              let optimizerType = base as? PyType else { return [] }
        var warnings: [String] = []
        for name in interpreter.globalNames {
            guard let value = interpreter.global(name), optimizerType.isInstance(value),
                  let groups = try? interpreter.getAttribute(value, "param_groups"),
                  let groupItems = interpreter.sequenceItems(groups) else { continue }
            let held = groupItems.flatMap { group -> [Tensor] in
                guard case .object(let g) = group, let params = try? g.getItem(.str("params"), interpreter),
                      let items = interpreter.sequenceItems(params) else { return [] }
                return items.compactMap { if case .tensor(let t) = $0 { return t } else { return nil } }
            }
            if held.contains(where: { old.contains(ObjectIdentifier($0)) }) {
                warnings.append("optimizer \(name) holds the parameters of the replaced modules, not the new ones; "
                                + "create it again (or add_param_group) to train them")
            }
        }
        return warnings
    }

    /// A module's one-line repr (`LeakyReLU(negative_slope=0.1)`), or its type name.
    static func describe(_ m: Module) -> String {
        let repr = m.reprString()
        return repr.contains("\n") ? m.typeName : repr
    }
}
