import Foundation
import NNLang
import NeuralNet
import TensorRuntime

/// `:graph MODEL INPUT [FILE.dot|FILE.svg]` — the autograd graph of one forward pass
/// (`AutogradGraph`, torchviz's `make_dot`): an indented tree in the terminal, Graphviz DOT in
/// a `.dot` file, or SVG drawn by Graphviz's `dot` program when it is installed.
enum GraphCommand {
    static let command = Command(
        name: "graph", usage: ":graph MODEL INPUT [FILE.dot|FILE.svg]",
        summary: "the autograd graph of one forward pass (ops, parameter names and shapes), as text, DOT or SVG",
        details: """
        Example: :graph model torch.randn(1, 3, 32, 32) model.svg
        Calls MODEL(INPUT) once with gradients recorded, in eval mode (each module's mode is
        restored, so BatchNorm statistics do not move), and walks the graph behind the output
        as torchviz's make_dot(y, params=dict(MODEL.named_parameters())) does: one vertex per
        backward node (AddmmBackward0, ConvolutionBackward0, …; AccumulateGrad above each
        parameter, shown with its name and shape) and the output's shape. INPUT is a shape (a
        float32 input of zeros) or an expression giving the input tensor. Without FILE the
        graph is an indented tree; a vertex reached again (a residual connection) is written
        once, numbered, and then referred to as ↑ NAME #n. FILE.dot gets the DOT text that
        make_dot produces; FILE.svg runs Graphviz's dot (Debian: apt-get install graphviz).
        """
    ) { session, arguments in
        var parts = CommandText.splitTopLevel(arguments)
        var file: String?
        if parts.count >= 3, let last = parts.last, [".dot", ".svg", ".gv"].contains(where: { last.lowercased().hasSuffix($0) }) {
            file = NSString(string: last).expandingTildeInPath
            parts.removeLast()
        }
        guard parts.count >= 2 else { throw CommandError.usage }
        let modelText = parts[0], inputText = parts.dropFirst().joined(separator: " ")
        let model = try session.evaluateModule(modelText)
        let input: Tensor
        switch try session.evaluate(inputText) {
        case .tensor(let t): input = t
        case let shape: input = try Tensor.zeros(try SummaryCommand.inputShape(shape, inputText, session))
        }
        let recording = GradMode.isEnabled
        GradMode.isEnabled = true
        defer { GradMode.isEnabled = recording }
        let output = try ForwardProbe.inEvalMode(model) {
            try session.interpreter.call(.module(model), Arguments([.tensor(input)]))
        }
        guard let result = SummaryCommand.firstTensor(output, session) else {
            throw CommandError.failed("\(modelText)(…) returned \(output.typeName), not a tensor")
        }
        var names: [ObjectIdentifier: String] = [:]
        for (name, p) in model.namedParameters() { names[ObjectIdentifier(p)] = name }
        guard let graph = AutogradGraph(output: result, names: names) else {
            throw CommandError.failed("the output has no grad_fn: neither the input nor any parameter of \(modelText) requires grad")
        }
        guard let file else {
            session.write(graph.text())
            return .ok
        }
        try write(graph, to: file)
        session.writeLine("wrote \(file) (\(graph.vertices.count) nodes)")
        return .ok
    }

    /// Writes the DOT text, or (`.svg`) pipes it through `dot -Tsvg`.
    static func write(_ graph: AutogradGraph, to file: String) throws {
        guard file.lowercased().hasSuffix(".svg") else {
            do {
                try graph.dot().write(toFile: file, atomically: true, encoding: .utf8)
            } catch {
                throw CommandError.failed("can't write \(file): \(error.localizedDescription)")
            }
            return
        }
        guard let dot = executable(named: "dot") else {
            throw CommandError.failed("writing SVG needs Graphviz's dot program (Debian: apt-get install graphviz); a FILE.dot gets the DOT text")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: dot)
        process.arguments = ["-Tsvg", "-o", file]
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw CommandError.failed("can't run \(dot): \(error.localizedDescription)")
        }
        input.fileHandleForWriting.write(Data(graph.dot().utf8))
        try? input.fileHandleForWriting.close()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandError.failed("dot failed: \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    /// The path of `name` in `PATH`, if it is there and executable.
    static func executable(named name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
