import Foundation
import NeuralNet

/// `:tree MODEL` — the `named_modules()` tree: one row per module, indented by depth, with
/// its type, the parameters it registers itself and the parameters of its whole subtree.
enum TreeCommand {
    static let command = Command(
        name: "tree", usage: ":tree MODEL",
        summary: "module tree with each module's type and parameter counts",
        details: """
        Lists MODEL.named_modules() as a tree indented by depth. For each module: its
        attribute name (the root shows MODEL as typed), its type, "own" = parameters it
        registers itself, "total" = parameters of its whole subtree (shared ones counted once).
        MODEL is any expression, e.g. model.layer1.
        """
    ) { session, arguments in
        let module = try session.evaluateModule(arguments)
        session.write(render(module, rootName: arguments, session: session))
        return .ok
    }

    /// The tree as text.
    static func render(_ root: Module, rootName: String, session: Session) -> String {
        var rows: [[String]] = [["module", "type", "own", "total"]]
        for (path, module) in root.namedModules() {
            let depth = path.isEmpty ? 0 : path.split(separator: ".").count
            let name = path.isEmpty ? rootName : String(path.split(separator: ".").last ?? "")
            let own = module.ownParameters.values.reduce(0) { $0 + ($1?.numel ?? 0) }
            let total = module.parameters().reduce(0) { $0 + $1.numel }
            rows.append([String(repeating: "  ", count: depth) + name, module.typeName,
                         CommandText.grouped(own), CommandText.grouped(total)])
        }
        return CommandText.table(rows, alignments: [.left, .left, .right, .right]) { row, column, cell in
            if row == 0 { return session.styled(cell, "1") }
            return column == 1 ? session.styled(cell, "36") : cell
        }
    }
}
