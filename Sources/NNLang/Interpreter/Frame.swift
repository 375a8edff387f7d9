import NeuralNet

/// The activation record of one running unit: local slots, closure cells, and for class bodies
/// the namespace being built.
final class Frame {
    var locals: ContiguousArray<Value?>
    var cells: ContiguousArray<Cell>
    let code: CodeUnit
    let function: PyFunction?
    var namespace: OrderedDict<String, Value>?

    init(code: CodeUnit, function: PyFunction?, closure: [Cell]) {
        self.code = code
        self.function = function
        locals = ContiguousArray(repeating: nil, count: code.localCount)
        cells = []
        if !code.cellPlan.isEmpty {
            cells.reserveCapacity(code.cellPlan.count)
            for source in code.cellPlan {
                switch source {
                case .fresh: cells.append(Cell())
                case .free(let k): cells.append(k < closure.count ? closure[k] : Cell())
                }
            }
        }
    }

    /// A traceback entry for `span` in this frame.
    func entry(_ span: SourceSpan) -> TraceEntry {
        TraceEntry(file: code.source, span: span, function: code.name)
    }
}

/// How a statement finished.
enum Flow {
    case normal
    case breakLoop
    case continueLoop
    case returned(Value)
}
