import Foundation
import NeuralNet
import TensorRuntime

/// `:params MODEL` — `named_parameters()` as a table with live statistics.
enum ParamsCommand {
    static let command = Command(
        name: "params", usage: ":params MODEL",
        summary: "named_parameters() as a table: shape, numel, requires_grad, mean, std, grad norm",
        details: """
        One row per parameter of MODEL.named_parameters(): name, shape, numel, requires_grad,
        mean, std (unbiased, as Tensor.std(); "-" for a one-element tensor, where it is
        undefined) and the L2 norm of .grad ("-" when .grad is None).
        Statistics have 4 decimals. A last line gives the totals.
        """
    ) { session, arguments in
        let module = try session.evaluateModule(arguments)
        session.write(render(module, session: session))
        return .ok
    }

    static func render(_ module: Module, session: Session) -> String {
        let named = module.namedParameters()
        guard !named.isEmpty else { return "\(module.typeName) has no parameters\n" }
        var rows: [[String]] = [["name", "shape", "numel", "requires_grad", "mean", "std", "grad_norm"]]
        var total = 0
        var trainable = 0
        for (name, p) in named {
            total += p.numel
            if p.requiresGrad { trainable += p.numel }
            let stats = statistics(p)
            rows.append([name, CommandText.shape(p.shape), CommandText.grouped(p.numel),
                         p.requiresGrad ? "True" : "False", stats.mean, stats.std, stats.gradNorm])
        }
        let table = CommandText.table(rows, alignments: [.left, .left, .right, .left, .right, .right, .right]) { row, _, cell in
            row == 0 ? session.styled(cell, "1") : cell
        }
        let count = named.count == 1 ? "1 tensor" : "\(named.count) tensors"
        return table + "total: \(CommandText.grouped(total)) parameters in \(count) (\(CommandText.grouped(trainable)) trainable)\n"
    }

    /// Mean, std and grad norm as printed (`-` when not computable or no grad).
    static func statistics(_ p: Tensor) -> (mean: String, std: String, gradNorm: String) {
        GradMode.withNoGrad {
            func value(_ make: () throws -> Tensor) -> String {
                guard let t = try? make(), let s = try? t.item() else { return "-" }
                return CommandText.fixed(s.doubleValue, 4)
            }
            guard p.dtype.isFloatingPoint else { return ("-", "-", "-") }
            let mean = value { try p.mean() }
            // The unbiased std of one element is nan (a division by n - 1 = 0): not a statistic.
            let std = p.numel > 1 ? value { try p.std() } : "-"
            let grad = p.grad.map { g in value { try g.norm() } } ?? "-"
            return (mean, std, grad)
        }
    }
}
