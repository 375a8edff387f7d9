import Foundation
import NNLang
import NeuralNet
import TensorRuntime

/// `:summary MODEL INPUT [depth=N] [col_names=(...)]` — torchinfo's summary table from a real
/// forward pass: forward pre-hooks and hooks on every module record the calls, on INPUT, under
/// `no_grad` in eval mode; every module's training flag is restored afterwards.
enum SummaryCommand {
    static let command = Command(
        name: "summary", usage: ":summary MODEL INPUT [OPTIONS]",
        summary: "torchinfo-style table (output shapes, parameter counts) from a forward pass",
        details: """
        Examples: :summary model (1, 3, 32, 32)
                  :summary lm torch.randint(0, 100, (2, 7)) depth=1
                  :summary model (1, 3, 32, 32) col_names=("input_size", "output_size", "num_params", "mult_adds", "trainable")
        OPTIONS are depth=N and col_names=(...), as torchinfo.summary takes them.
        INPUT is a SHAPE (a tuple or list of ints, batch dimension included: a float32 input
        of zeros) or an expression giving the input tensor itself (an int64 tensor of token
        ids for an Embedding model). Runs MODEL once under torch.no_grad() and in eval mode
        (each module's previous train/eval mode is restored) and prints torchinfo.summary's
        table: rows down to depth=N (default 3), the columns col_names names (default
        ("output_size", "num_params"); also input_size, mult_adds, trainable), totals,
        mult-adds and memory estimates.
        """
    ) { session, arguments in
        var parts = CommandText.splitTopLevel(arguments)
        var depth = 3
        var columns: [SummaryTable.Column] = [.outputSize, .numParams]
        while parts.count > 2, let last = parts.last, let eq = last.firstIndex(of: "="),
              last[..<eq].allSatisfy({ $0.isLetter || $0 == "_" }) {
            let value = String(last[last.index(after: eq)...])
            switch last[..<eq] {
            case "depth":
                guard let n = Int(value), n >= 0, n <= 100 else {
                    throw CommandError.failed("depth must be an int from 0 to 100; got \(value)")
                }
                depth = n
            case "col_names": columns = try columnNames(value, session)
            default: throw CommandError.failed("unknown option \(last[..<eq])= (options: depth=, col_names=)")
            }
            parts.removeLast()
        }
        guard parts.count >= 2 else { throw CommandError.usage }
        let model = try session.evaluateModule(parts[0])
        let inputText = parts.dropFirst().joined(separator: " ")
        let input: Tensor
        switch try session.evaluate(inputText) {
        case .tensor(let t): input = t
        case let shape: input = try Tensor.zeros(try inputShape(shape, inputText, session))
        }
        var table = try summarize(model, input: input, session: session, maxDepth: depth)
        table.columns = columns
        session.write(table.render())
        return .ok
    }

    /// `col_names=`: a tuple or list of torchinfo column names.
    static func columnNames(_ text: String, _ session: Session) throws -> [SummaryTable.Column] {
        let valid = SummaryTable.Column.allCases.map(\.rawValue).joined(separator: ", ")
        guard let items = session.interpreter.sequenceItems(try session.evaluate(text)), !items.isEmpty else {
            throw CommandError.failed("col_names must be a tuple of column names (\(valid)); got \(text)")
        }
        return try items.map { item in
            guard case .str(let name) = item, let column = SummaryTable.Column(rawValue: name) else {
                throw CommandError.failed("col_names: \((try? session.interpreter.repr(item)) ?? item.typeName) is not one of \(valid)")
            }
            return column
        }
    }

    /// The deepest module hooked (deeper ones are neither shown nor counted).
    static let maxHookDepth = 200

    /// The largest input `:summary` creates (1 GB of float32), so a typo can't exhaust memory.
    static let maxInputElements = 1 << 28

    /// SHAPE as positive ints: a tuple/list (or torch.Size) of ints, or one int.
    static func inputShape(_ value: Value, _ text: String, _ session: Session) throws -> [Int] {
        let items: [Value]
        if case .int = value {
            items = [value]
        } else if let seq = session.interpreter.sequenceItems(value) {
            items = seq
        } else if case .object = value, let all = try? session.interpreter.iterate(value) {
            items = all
        } else {
            throw CommandError.failed("SHAPE must be a tuple of ints, e.g. (1, 3, 32, 32); got \(text)")
        }
        var dims: [Int] = []
        for item in items {
            guard case .int(let d) = item, d > 0 else {
                throw CommandError.failed("SHAPE must be a tuple of positive ints, e.g. (1, 3, 32, 32); got \(text)")
            }
            dims.append(d)
        }
        guard !dims.isEmpty else { throw CommandError.failed("SHAPE must not be empty") }
        let (count, overflow) = dims.reduce((1, false)) { acc, d in
            let (p, o) = acc.0.multipliedReportingOverflow(by: d)
            return (p, acc.1 || o)
        }
        guard !overflow, count <= maxInputElements else {
            throw CommandError.failed("SHAPE \(text) has more than \(CommandText.grouped(maxInputElements)) elements")
        }
        return dims
    }

    /// Runs the forward pass with recording hooks and builds the table.
    /// Every module is hooked (leaves below `maxDepth` still count in the totals); rows
    /// deeper than `maxDepth` are not shown.
    static func summarize(_ model: Module, input: Tensor, session: Session, maxDepth: Int = 3) throws -> SummaryTable {
        var layers: [SummaryTable.Layer] = []
        var perDepth: [Int: Int] = [:]
        var called = Set<ObjectIdentifier>()
        var open: [ObjectIdentifier: [Int]] = [:]
        var handles: [RemovableHandle] = []
        var registered = Set<ObjectIdentifier>()

        func hook(_ module: Module, depth: Int) {
            let id = ObjectIdentifier(module)
            guard registered.insert(id).inserted else { return }
            handles.append(module.registerForwardPreHook(.positional { m, args in
                let index = (perDepth[depth] ?? 0) + 1
                perDepth[depth] = index
                let params = m.namedParameters()
                layers.append(SummaryTable.Layer(
                    typeName: m.typeName, depth: depth, depthIndex: index, isLeaf: m.ownModules.isEmpty,
                    isRecursive: !called.insert(id).inserted,
                    numParams: params.reduce(0) { $0 + $1.1.numel },
                    trainableParams: params.filter { $0.1.requiresGrad }.reduce(0) { $0 + $1.1.numel }))
                layers[layers.count - 1].inputShape = firstTensor(args, session)?.shape ?? []
                open[id, default: []].append(layers.count - 1)
                return nil
            }))
            handles.append(module.registerForwardHook(.positional { m, _, output in
                guard let row = open[id]?.popLast() else { return nil }
                if let t = firstTensor(output, session) {
                    layers[row].outputShape = t.shape
                    layers[row].outputBytes = t.numel * t.dtype.itemSize
                    layers[row].macs = macs(m, outputShape: t.shape)
                }
                return nil
            }))
            // Bounded native recursion: a hostile nesting depth can't overflow the stack.
            if depth < maxHookDepth {
                for child in module.children() { hook(child, depth: depth + 1) }
            }
        }

        defer { handles.forEach { $0.remove() } }
        hook(model, depth: 0)
        _ = try ForwardProbe.inEvalMode(model) {
            try GradMode.withNoGrad { try session.interpreter.call(.module(model), Arguments([.tensor(input)])) }
        }

        let params = model.parameters()
        var table = SummaryTable(
            layers: layers, maxDepth: maxDepth,
            totalParams: params.reduce(0) { $0 + $1.numel },
            trainableParams: params.filter(\.requiresGrad).reduce(0) { $0 + $1.numel },
            inputBytes: input.numel * input.dtype.itemSize,
            paramBytes: params.reduce(0) { $0 + $1.numel * $1.dtype.itemSize })
        table.linkChildren()
        return table
    }

    /// The tensor a hook's output holds: a tensor, or the first tensor of a tuple/list.
    static func firstTensor(_ output: Any?, _ session: Session) -> Tensor? {
        guard let output else { return nil }
        if let t = ModuleValueBridge.tensor(from: output) { return t }
        if let tuple = output as? HookTuple { return tuple.items.lazy.compactMap { firstTensor($0, session) }.first }
        if let value = output as? Value {
            if case .module = value { return nil }
            if let items = session.interpreter.sequenceItems(value) {
                return items.lazy.compactMap { firstTensor($0, session) }.first
            }
        }
        return nil
    }

    /// torchinfo's multiply-adds of one call: convolutions count weight × N × output spatial
    /// size; other layers weight × batch (its `calculate_macs`).
    static func macs(_ module: Module, outputShape: [Int]) -> Int {
        guard let batch = outputShape.first else { return 0 }
        var total = 0
        for (name, p) in module.namedParameters() {
            let product: Int
            if name == "weight" || name == "bias" {
                product = module.typeName.contains("Conv")
                    ? outputShape.dropFirst(2).reduce(batch, &*)
                    : batch
            } else if name.contains("weight") || name.contains("bias") {
                product = outputShape.prefix(2).reduce(1, &*)
            } else {
                continue
            }
            total &+= p.numel &* product
        }
        return total
    }
}
