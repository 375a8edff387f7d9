import Foundation
import TorchBindings
import NNLang

/// `:plot EXPR` — a list of numbers or a 1-D tensor (a loss history) as a line chart in the
/// terminal (`TerminalPlot`).
enum PlotCommand {
    static let command = Command(
        name: "plot", usage: ":plot EXPR",
        summary: "draw a list of numbers or a 1-D tensor as a line chart in the terminal",
        details: """
        Example: :plot losses
        EXPR is a list or tuple of numbers (ints, floats, bools or one-element tensors) or a
        tensor with one dimension of more than one element. The chart uses Unicode braille
        characters (2 × 4 dots a cell), 12 rows high and as wide as the terminal (at most 100
        columns); x is the index, the y axis is labelled with the largest, middle and smallest
        value. NaN and infinite values leave a gap.
        """
    ) { session, arguments in
        guard !arguments.isEmpty else { throw CommandError.usage }
        let values = try numbers(try session.evaluate(arguments), arguments, session)
        guard let chart = TerminalPlot(values: values, width: min(100, max(20, session.displayWidth))).render() else {
            throw CommandError.failed("\(arguments) has no finite value to plot")
        }
        session.writeLine("\(arguments) (\(values.count) value\(values.count == 1 ? "" : "s"))")
        session.write(chart)
        return .ok
    }

    /// The values of a list/tuple of numbers or of a tensor with one non-trivial dimension.
    static func numbers(_ value: Value, _ text: String, _ session: Session) throws -> [Double] {
        if case .tensor(let t) = value {
            guard t.shape.filter({ $0 != 1 }).count <= 1, t.numel > 0 else {
                throw CommandError.failed("\(text) is a tensor of shape \(CommandText.shape(t.shape)); :plot takes one dimension")
            }
            return t.toDoubles()
        }
        guard let items = session.interpreter.sequenceItems(value), !items.isEmpty else {
            throw CommandError.failed("\(text) is not a list of numbers or a 1-D tensor (it is \(value.typeName))")
        }
        return try items.map { item in
            switch item {
            case .int(let i): return Double(i)
            case .float(let f): return f
            case .bool(let b): return b ? 1 : 0
            case .tensor(let t) where t.numel == 1: return t.toDoubles()[0]
            default:
                throw CommandError.failed("\(text) holds a \(item.typeName), not a number")
            }
        }
    }
}
