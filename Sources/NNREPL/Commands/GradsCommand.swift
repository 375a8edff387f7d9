import Foundation
import NNLang
import NeuralNet
import TensorRuntime

/// `:grads MODEL [OPT]` — gradient norms after `backward()`, per layer and per parameter,
/// the size of the update an optimizer would make, and flags for vanishing/exploding layers.
enum GradsCommand {
    static let command = Command(
        name: "grads", usage: ":grads MODEL [OPT]",
        summary: "gradient norms per layer and parameter after backward(), update/weight ratios, vanishing/exploding flags",
        details: """
        Example: loss.backward() then :grads model opt
        One row per module that owns parameters (its name in named_modules() and type), then
        one indented row per parameter (name and shape): the L2 norm of .grad ("-" when it is
        None), the L2 norm of the weights, and with OPT the ratio ‖update‖ / ‖weight‖ of the
        update OPT.step() would make now (~1e-3 is the usual healthy scale). OPT.step() really
        runs once and is undone: the parameters are copied back and the optimizer's
        state_dict() is reloaded. A layer row's norms are over all its own parameters.
        Flags: nan/inf (a non-finite gradient), zero (an all-zero gradient), vanishing (below
        1/1000 of the median layer's gradient norm), exploding (above 1000 times it).
        """
    ) { session, arguments in
        let parts = CommandText.splitTopLevel(arguments)
        guard parts.count == 1 || parts.count == 2 else { throw CommandError.usage }
        let model = try session.evaluateModule(parts[0])
        let layers = owners(model)
        guard !layers.isEmpty else { throw CommandError.failed("\(parts[0]) has no parameters") }
        var updates: [ObjectIdentifier: Double] = [:]
        if parts.count == 2 {
            updates = try measureUpdates(optimizer: try session.evaluate(parts[1]), layers.flatMap { $0.params.map(\.1) }, session)
        }
        session.write(render(layers, updates: parts.count == 2 ? updates : nil, session: session))
        return .ok
    }

    /// A module owning parameters directly, with its dotted name.
    struct Layer {
        let name: String
        let module: Module
        let params: [(String, Tensor)]
    }

    /// Modules of `model` that own parameters (`recurse: false`), in `named_modules()` order.
    static func owners(_ model: Module) -> [Layer] {
        var seen = Set<ObjectIdentifier>()
        return model.namedModules().compactMap { name, m in
            let own = m.namedParameters(recurse: false).filter { seen.insert(ObjectIdentifier($0.1)).inserted }
            return own.isEmpty ? nil : Layer(name: name, module: m, params: own)
        }
    }

    /// Squared L2 norm of a tensor's values (NaN or inf when one is).
    static func squaredNorm(_ t: Tensor) -> Double {
        t.toDoubles().reduce(0) { $0 + $1 * $1 }
    }

    /// ‖Δp‖² of one `optimizer.step()` for every parameter in `params`, then undone: the
    /// parameters are copied back and the optimizer's state dict (taken before, and reloaded
    /// first so that the step updates copies of its state) is loaded again.
    static func measureUpdates(optimizer: Value, _ params: [Tensor], _ session: Session) throws -> [ObjectIdentifier: Double] {
        let interpreter = session.interpreter
        func method(_ name: String) throws -> Value {
            do { return try interpreter.getAttribute(optimizer, name) } catch {
                throw CommandError.failed("OPT must be a torch.optim optimizer (it is \(optimizer.typeName))")
            }
        }
        let stateDict = try interpreter.call(try method("state_dict"), Arguments())
        let load = try method("load_state_dict")
        let step = try method("step")
        _ = try interpreter.call(load, Arguments([stateDict]))
        let before = try GradMode.withNoGrad { try params.map { try $0.detach().cloned() } }
        var squared: [ObjectIdentifier: Double] = [:]
        do {
            _ = try interpreter.call(step, Arguments())
            for (p, old) in zip(params, before) {
                squared[ObjectIdentifier(p)] = GradMode.withNoGrad {
                    zip(p.toDoubles(), old.toDoubles()).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
                }
            }
        } catch {
            try restore(params, before, load, stateDict, interpreter)
            throw error
        }
        try restore(params, before, load, stateDict, interpreter)
        return squared
    }

    private static func restore(_ params: [Tensor], _ before: [Tensor], _ load: Value, _ stateDict: Value,
                                _ interpreter: Interpreter) throws {
        try GradMode.withNoGrad {
            for (p, old) in zip(params, before) { _ = try p.copyInPlace(from: old) }
        }
        _ = try interpreter.call(load, Arguments([stateDict]))
    }

    /// The table; `updates` (‖Δp‖² by parameter) adds the update/weight column.
    static func render(_ layers: [Layer], updates: [ObjectIdentifier: Double]?, session: Session) -> String {
        var header = ["name", "type/shape", "grad_norm", "weight_norm"]
        if updates != nil { header.append("update/weight") }
        header.append("flag")
        func ratio(_ update: Double?, _ weight: Double) -> [String] {
            guard updates != nil else { return [] }
            guard let update else { return ["-"] }
            return [weight > 0 ? scientific(update.squareRoot() / weight) : "-"]
        }
        let layerGrads = layers.map { layer -> Double? in
            let grads = layer.params.compactMap { $0.1.grad }
            return grads.isEmpty ? nil : grads.reduce(0) { $0 + squaredNorm($1) }.squareRoot()
        }
        let finite = layerGrads.compactMap { $0 }.filter(\.isFinite).sorted()
        let median = finite.isEmpty ? nil : finite[finite.count / 2]

        var rows = [header]
        for (layer, grad) in zip(layers, layerGrads) {
            let weight = layer.params.reduce(0) { $0 + squaredNorm($1.1) }.squareRoot()
            let update = updates.flatMap { u -> Double? in
                let known = layer.params.compactMap { u[ObjectIdentifier($0.1)] }
                return known.isEmpty ? nil : known.reduce(0, +)
            }
            rows.append([layer.name.isEmpty ? "(root)" : layer.name, layer.module.typeName,
                         grad.map(scientific) ?? "-", scientific(weight)] + ratio(update, weight)
                        + [flag(grad, median: median)])
            for (name, p) in layer.params {
                let pWeight = squaredNorm(p).squareRoot()
                rows.append(["  ." + name, CommandText.shape(p.shape),
                             p.grad.map { scientific(squaredNorm($0).squareRoot()) } ?? "-", scientific(pWeight)]
                            + ratio(updates?[ObjectIdentifier(p)], pWeight) + [""])
            }
        }
        var alignments: [CommandText.Alignment] = [.left, .left, .right, .right]
        if updates != nil { alignments.append(.right) }
        alignments.append(.left)
        return CommandText.table(rows, alignments: alignments) { row, column, cell in
            if row == 0 { return session.styled(cell, "1") }
            return column == header.count - 1 ? session.styled(cell, "33") : cell
        }
    }

    /// A layer's flag from its gradient norm and the median layer's.
    static func flag(_ grad: Double?, median: Double?) -> String {
        guard let grad else { return "no grad" }
        if !grad.isFinite { return "nan/inf" }
        if grad == 0 { return "zero" }
        guard let median, median > 0 else { return "" }
        if grad < median / 1000 { return "vanishing" }
        if grad > median * 1000 { return "exploding" }
        return ""
    }

    /// `1.234e-03`, Python's `%.3e`.
    static func scientific(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        return String(format: "%.3e", x)
    }
}
