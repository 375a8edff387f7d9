import Foundation
import TensorRuntime

/// The autograd graph behind one tensor, walked as torchviz's `make_dot(y, params=…)` walks
/// it: the output tensor, one vertex per backward node (named as its `grad_fn`:
/// `AddmmBackward0`, `AccumulateGrad`, …) and, under each `AccumulateGrad`, the leaf it fills
/// (a parameter's name and shape). Renders as Graphviz DOT (the lines torchviz writes, with
/// vertices numbered in the order it creates them instead of memory addresses) or as an
/// indented tree for the terminal.
struct AutogradGraph {
    /// What a vertex stands for; torchviz fills them with different colours.
    enum Kind: Equatable {
        case output, operation, leaf
    }

    struct Vertex: Equatable {
        let kind: Kind
        /// An operation's node name; a tensor's name (empty when it has none) and size.
        let name: String
        let size: [Int]
        /// The vertices whose values flow into this one (its graph inputs), in order.
        var inputs: [Int] = []
    }

    /// Index 0 is the output.
    private(set) var vertices: [Vertex] = []
    /// The DOT statements (vertices and edges) in the order torchviz writes them.
    private var dotBody: [String] = []

    /// The graph of `output`, naming leaves from `names` (`named_parameters()`); nil when the
    /// output has no `grad_fn` (nothing it depends on requires grad).
    init?(output: Tensor, names: [ObjectIdentifier: String]) {
        guard let root = output.gradFn else { return nil }
        vertices.append(Vertex(kind: .output, name: "", size: output.shape))
        writeVertex(0)
        var seenNodes: [ObjectIdentifier: Int] = [:]
        var seenLeaves: [ObjectIdentifier: Int] = [:]
        func vertex(for node: Node) -> (index: Int, isNew: Bool) {
            if let i = seenNodes[ObjectIdentifier(node)] { return (i, false) }
            vertices.append(Vertex(kind: .operation, name: node.name, size: []))
            seenNodes[ObjectIdentifier(node)] = vertices.count - 1
            return (vertices.count - 1, true)
        }
        /// An AccumulateGrad's leaf, as its first input.
        func addLeaf(of node: Node, at i: Int) {
            guard let leaf = node.variable else { return }
            let key = ObjectIdentifier(leaf)
            let l: Int
            if let seen = seenLeaves[key] {
                l = seen
            } else {
                vertices.append(Vertex(kind: .leaf, name: names[key] ?? "", size: leaf.shape))
                l = vertices.count - 1
                seenLeaves[key] = l
                writeVertex(l)
            }
            vertices[i].inputs.append(l)
            writeEdge(l, i)
        }
        /// torchviz's add_nodes for a new node: its leaf, then the node itself.
        func visit(_ node: Node, at i: Int) {
            addLeaf(of: node, at: i)
            writeVertex(i)
        }
        // torchviz's add_nodes, iterative (a deep graph must not exhaust the stack): a node's
        // leaf, then for each input in order the edge from it and the input's own subtree.
        let rootIndex = vertex(for: root).index
        visit(root, at: rootIndex)
        var stack: [(node: Node, index: Int, next: Int)] = [(root, rootIndex, 0)]
        while let top = stack.last {
            let inputs = top.node.nextFunctions
            guard top.next < inputs.count else {
                stack.removeLast()
                continue
            }
            stack[stack.count - 1].next += 1
            guard let input = inputs[top.next] else { continue }
            let (i, isNew) = vertex(for: input)
            vertices[top.index].inputs.append(i)
            writeEdge(i, top.index)
            if isNew {
                visit(input, at: i)
                stack.append((input, i, 0))
            }
        }
        vertices[0].inputs = [1]
        writeEdge(1, 0)
    }

    private mutating func writeVertex(_ i: Int) {
        let v = vertices[i]
        let fill = v.kind == .output ? " fillcolor=darkolivegreen1" : v.kind == .leaf ? " fillcolor=lightblue" : ""
        dotBody.append("\t\(i + 1) [label=\(AutogradGraph.quoted(label(v)))\(fill)]")
    }

    private mutating func writeEdge(_ from: Int, _ to: Int) {
        dotBody.append("\t\(from + 1) -> \(to + 1)")
    }

    /// torchviz's `size_to_str`: `(1, 10)`, `(10)`, `()`.
    static func sizeText(_ size: [Int]) -> String {
        "(" + size.map(String.init).joined(separator: ", ") + ")"
    }

    /// A vertex's label: an operation's name, or a tensor's `name\n (size)` as torchviz prints it.
    func label(_ v: Vertex) -> String {
        v.kind == .operation ? v.name : "\(v.name)\n \(AutogradGraph.sizeText(v.size))"
    }

    /// The graph as `make_dot` writes it (`graphviz.Digraph.source`): output light green,
    /// leaves light blue, vertices numbered from 1, the size resized to fit as torchviz does.
    func dot() -> String {
        // torchviz's resize_graph: 0.15 inch a body line, at least 12.
        let size = max(12, Double(dotBody.count) * 0.15)
        let sizeText = size == size.rounded() ? String(Int(size)) : String(size)
        return "digraph {\n\tgraph [size=\"\(sizeText),\(sizeText)\"]\n"
            + "\tnode [align=left fontname=monospace fontsize=10 height=0.2 ranksep=0.1 shape=box style=filled]\n"
            + dotBody.joined(separator: "\n") + "\n}\n"
    }

    /// A DOT ID as the graphviz package quotes it: bare when it is an identifier, else in
    /// double quotes with `"` escaped.
    static func quoted(_ text: String) -> String {
        let bare = !text.isEmpty && text.first.map { !$0.isNumber } == true
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        return bare ? text : "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The graph as an indented tree from the output down to the leaves: each vertex on its
    /// own line under the vertex it feeds; a vertex reached again (a residual connection, a
    /// shared weight) is written once and then referred to as `↑ NAME #n`.
    func text() -> String {
        var out = ""
        var numbers: [Int: Int] = [:]
        var consumers = [Int](repeating: 0, count: vertices.count)
        for v in vertices { for i in v.inputs { consumers[i] += 1 } }
        var stack: [(index: Int, indent: String, isLast: Bool, isRoot: Bool)] = [(0, "", true, true)]
        while let (i, indent, isLast, isRoot) = stack.popLast() {
            let v = vertices[i]
            let branch = isRoot ? "" : (isLast ? "└─ " : "├─ ")
            let title = v.kind == .operation ? v.name
                : (v.kind == .output ? "output" : (v.name.isEmpty ? "tensor" : v.name)) + " " + AutogradGraph.sizeText(v.size)
            if let n = numbers[i] {
                out += indent + branch + "↑ \(title) #\(n)\n"
                continue
            }
            let shared = consumers[i] > 1
            if shared { numbers[i] = numbers.count + 1 }
            out += indent + branch + title + (shared ? " #\(numbers[i] ?? 0)" : "") + "\n"
            let childIndent = isRoot ? "" : indent + (isLast ? "   " : "│  ")
            for (k, input) in v.inputs.enumerated().reversed() {
                stack.append((input, childIndent, k == v.inputs.count - 1, false))
            }
        }
        return out
    }
}
