import Foundation
import NNLang
import NeuralNet

/// `:swap MODEL OLD -> NEW(args)` — replace every submodule of type OLD, at any depth, by a
/// fresh module made by evaluating `NEW(args)` once per replacement (the seed's `replace_relu`).
enum SwapCommand {
    static let command = Command(
        name: "swap", usage: ":swap MODEL OLD -> NEW(args)",
        summary: "replace every submodule of type OLD (recursively) by a fresh NEW(args)",
        details: """
        Example: :swap model nn.ReLU -> nn.LeakyReLU(0.1)
        OLD is a layer type (nn.ReLU, or a bare name such as ReLU, or a script class); a
        submodule matches when isinstance(submodule, OLD) (a bare name that is not a type
        matches the type name exactly). NEW(args) is evaluated once per replacement, so
        every replacement is a separate module. Positions (attribute names, Sequential
        indices) are kept. Bare names not defined in the session are looked up in torch.nn.
        """,
        isReplayable: true
    ) { session, arguments in
        let sides = arguments.components(separatedBy: "->")
        guard sides.count == 2 else { throw CommandError.usage }
        let left = CommandText.splitTopLevel(sides[0])
        let newText = sides[1].trimmingCharacters(in: .whitespaces)
        guard left.count == 2, !newText.isEmpty else { throw CommandError.usage }
        let model = try session.evaluateModule(left[0])
        let matcher = try typeMatcher(left[1], session)
        var replacement: Module?
        let count = try swap(in: model, matches: matcher.matches) {
            let value = try session.evaluateLayerExpression(newText)
            guard case .module(let m) = value else {
                throw CommandError.failed("\(newText) is not an nn.Module (it is \(value.typeName))")
            }
            replacement = m
            return m
        }
        if let replacement {
            let modules = count == 1 ? "module" : "modules"
            session.writeLine("swapped \(count) \(matcher.name) \(modules) -> \(describe(replacement))")
        } else {
            session.writeLine("no \(matcher.name) modules in \(left[0])")
        }
        return .ok
    }

    /// What OLD matches, and the name to print for it.
    struct Matcher {
        let name: String
        let matches: (Module) -> Bool
    }

    /// OLD as a type object (isinstance), else as an exact type name.
    static func typeMatcher(_ text: String, _ session: Session) throws -> Matcher {
        if let value = try? session.evaluateLayerExpression(text), case .object(let o) = value, let type = o as? PyType {
            return Matcher(name: type.name) { type.isInstance(.module($0)) }
        }
        let name = String(text.split(separator: ".").last ?? "")
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw CommandError.failed("\(text) is not a layer type")
        }
        return Matcher(name: name) { $0.typeName == name }
    }

    /// Replaces matching descendants of `root` (not `root` itself) depth-first, keeping each
    /// child's position; new modules are not searched. Returns the number replaced.
    static func swap(in root: Module, matches: (Module) -> Bool, make: () throws -> Module) throws -> Int {
        var count = 0
        var visited = Set<ObjectIdentifier>()
        func visit(_ module: Module) throws {
            guard visited.insert(ObjectIdentifier(module)).inserted else { return }
            for (name, child) in module.ownModules.items {
                guard let child else { continue }
                if matches(child) {
                    module.setChild(name, try make())
                    count += 1
                } else {
                    try visit(child)
                }
            }
        }
        try visit(root)
        return count
    }

    /// A module's one-line repr (`LeakyReLU(negative_slope=0.1)`), or its type name.
    static func describe(_ m: Module) -> String {
        let repr = m.reprString()
        return repr.contains("\n") ? m.typeName : repr
    }
}
