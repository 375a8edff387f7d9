import Foundation
import NNLang
import NeuralNet
import TensorRuntime

/// `:acts MODEL INPUT` — activation statistics of every module call in one forward pass
/// (`ForwardProbe`), and the module a failing pass failed in.
enum ActsCommand {
    static let command = Command(
        name: "acts", usage: ":acts MODEL INPUT",
        summary: "per-layer activation statistics (shape, mean, std, min, max, % zeros, NaN/inf) of one forward pass",
        details: """
        Example: :acts model torch.randn(8, 3, 32, 32)
        Calls MODEL(INPUT) once with temporary forward hooks on every submodule, in eval mode
        (each module's mode is restored) under torch.no_grad(), and prints one row per module
        call, in call order: its name in named_modules(), type, output shape, and the mean,
        std (unbiased), min and max of the output's finite values, the share of exact zeros
        (dead ReLUs) and the count of NaN and infinite values. A module returning a tuple is
        described by its first tensor. When the forward pass raises, the traceback is followed
        by the module that was running: `in layer2.0.conv1: Conv2d(64, 128, …)`.
        """
    ) { session, arguments in
        let (modelText, inputText) = CommandText.firstWord(arguments)
        guard !modelText.isEmpty, !inputText.isEmpty else { throw CommandError.usage }
        let model = try session.evaluateModule(modelText)
        let input = try session.evaluate(inputText)
        let probe = ForwardProbe(model, rootName: modelText)
        do {
            try probe.run(input, session.interpreter)
        } catch {
            guard let failed = probe.failedCall else { throw error }
            ModuleCallFailure.clear()  // the line below names the layer; the traceback need not
            session.reportError(error, source: nil)
            session.reportMessage(":acts: the forward pass failed in \(failed.name): \(ForwardProbe.describe(failed.module))")
            return .failed
        }
        session.write(render(probe.calls, session: session))
        return .ok
    }

    /// The table: one row per call.
    static func render(_ calls: [ForwardProbe.Call], session: Session) -> String {
        var rows: [[String]] = [["layer", "type", "output shape", "mean", "std", "min", "max", "zeros", "nan/inf"]]
        for call in calls {
            var row = [call.name, call.module.typeName]
            if let t = SummaryCommand.firstTensor(call.output, session) {
                let s = ActivationStatistics(t)
                row += [CommandText.shape(t.shape)] + s.cells
            } else {
                row += ["-", "-", "-", "-", "-", "-", "-"]
            }
            rows.append(row)
        }
        return CommandText.table(rows, alignments: [.left, .left, .left, .right, .right, .right, .right, .right, .right]) { row, _, cell in
            row == 0 ? session.styled(cell, "1") : cell
        }
    }
}

/// Statistics of one tensor's values, in one pass (Welford's mean and variance) over its
/// finite values; NaN and ±inf are counted apart.
struct ActivationStatistics: Equatable {
    var count = 0
    var mean = 0.0
    private var m2 = 0.0
    var min = Double.infinity
    var max = -Double.infinity
    var zeros = 0
    var nonFinite = 0

    init(_ tensor: Tensor) { self.init(tensor.toDoubles()) }

    init(_ values: [Double]) {
        for x in values {
            guard x.isFinite else { nonFinite += 1; continue }
            count += 1
            let delta = x - mean
            mean += delta / Double(count)
            m2 += delta * (x - mean)
            if x < min { min = x }
            if x > max { max = x }
            if x == 0 { zeros += 1 }
        }
    }

    /// The unbiased standard deviation; nil below two finite values.
    var std: Double? { count > 1 ? (m2 / Double(count - 1)).squareRoot() : nil }

    /// Share of zeros among all values (finite or not), in percent.
    var zeroPercent: Double { count + nonFinite == 0 ? 0 : 100 * Double(zeros) / Double(count + nonFinite) }

    /// mean, std, min, max, zeros, nan/inf as the table prints them.
    var cells: [String] {
        guard count > 0 else { return ["-", "-", "-", "-", "-", String(nonFinite)] }
        return [CommandText.fixed(mean, 4), std.map { CommandText.fixed($0, 4) } ?? "-",
                CommandText.fixed(min, 4), CommandText.fixed(max, 4),
                CommandText.fixed(zeroPercent, 1) + "%", String(nonFinite)]
    }
}
