import Foundation

/// torchinfo's `summary()` table (torchinfo 1.8, default columns Output Shape and Param #,
/// depth 3), built from rows recorded during a forward pass. Formatting only; the pass
/// itself is `SummaryCommand`'s.
struct SummaryTable {
    /// A column torchinfo's `col_names` can ask for, by its torchinfo name.
    enum Column: String, CaseIterable {
        case inputSize = "input_size", outputSize = "output_size", numParams = "num_params"
        case multAdds = "mult_adds", trainable = "trainable"

        var header: String {
            switch self {
            case .inputSize: return "Input Shape"
            case .outputSize: return "Output Shape"
            case .numParams: return "Param #"
            case .multAdds: return "Mult-Adds"
            case .trainable: return "Trainable"
            }
        }
    }

    /// One call of one module, in call order (torchinfo's `LayerInfo`).
    struct Layer {
        var typeName: String
        var depth: Int
        /// Per-depth call counter across the whole tree (the `2-3` in `Conv2d: 2-3`).
        var depthIndex: Int
        var isLeaf: Bool
        /// The module was called before (reused): shown as `(recursive)`.
        var isRecursive: Bool
        /// Parameters of the whole subtree (`named_parameters()`), and the trainable ones.
        var numParams: Int
        var trainableParams: Int
        /// Input shape (first tensor argument), empty when none.
        var inputShape: [Int] = []
        /// Output shape (first tensor of a tuple output), empty when not a tensor.
        var outputShape: [Int] = []
        var outputBytes: Int = 0
        var macs: Int = 0
        /// Indices of the rows below this one in the tree (all descendants, as torchinfo's
        /// `get_children_layers`).
        var children: [Int] = []
    }

    var layers: [Layer]
    var maxDepth = 3
    var columns: [Column] = [.outputSize, .numParams]
    var totalParams: Int
    var trainableParams: Int
    var inputBytes: Int
    var paramBytes: Int

    static let columnWidth = 25

    /// Links each row to the rows that follow it at a greater depth.
    mutating func linkChildren() {
        for i in layers.indices {
            var j = i + 1
            while j < layers.count, layers[j].depth > layers[i].depth {
                layers[i].children.append(j)
                j += 1
            }
        }
    }

    func leftoverParams(_ i: Int) -> Int {
        layers[i].numParams - layers[i].children.filter { !layers[$0].isRecursive }.reduce(0) { sum, c in
            sum + (layers[c].isLeaf ? layers[c].numParams : leftoverParams(c))
        }
    }

    /// The `Param #` cell.
    func paramsCell(_ i: Int) -> String {
        let layer = layers[i]
        if layer.numParams == 0 { return "--" }
        if layer.isRecursive { return "(recursive)" }
        if layer.depth == maxDepth || layer.isLeaf {
            let text = CommandText.grouped(layer.numParams)
            return layer.trainableParams > 0 ? text : "(\(text))"
        }
        let leftover = leftoverParams(i)
        return leftover > 0 ? CommandText.grouped(leftover) : "--"
    }

    /// The `Mult-Adds` cell: a leaf's own, a row at the last depth shown its subtree's.
    func multAddsCell(_ i: Int) -> String {
        let layer = layers[i]
        let macs = layer.isLeaf ? layer.macs
            : layer.depth == maxDepth ? layer.children.filter { layers[$0].isLeaf }.reduce(0) { $0 + layers[$1].macs } : 0
        return macs > 0 ? CommandText.grouped(macs) : "--"
    }

    /// The `Trainable` cell: True, False, Partial, or `--` without parameters.
    func trainableCell(_ layer: Layer) -> String {
        if layer.numParams == 0 { return "--" }
        if layer.trainableParams == 0 { return "False" }
        return layer.trainableParams == layer.numParams ? "True" : "Partial"
    }

    func cell(_ column: Column, _ i: Int) -> String {
        let layer = layers[i]
        switch column {
        case .inputSize: return layer.inputShape.isEmpty ? "--" : CommandText.shape(layer.inputShape)
        case .outputSize: return layer.outputShape.isEmpty ? "--" : CommandText.shape(layer.outputShape)
        case .numParams: return paramsCell(i)
        case .multAdds: return multAddsCell(i)
        case .trainable: return trainableCell(layer)
        }
    }

    func name(_ layer: Layer) -> String {
        layer.depth > 0 ? "\(layer.typeName): \(layer.depth)-\(layer.depthIndex)" : layer.typeName
    }

    static func prefix(_ depth: Int) -> String {
        switch depth {
        case 0: return ""
        case 1: return "├─"
        default: return String(repeating: "│    ", count: depth - 1) + "└─"
        }
    }

    /// The name column's width: 40, or more (a multiple of 5) for deep or long names.
    var nameWidth: Int {
        let longest = layers.map { name($0).count + $0.depth * 5 + 1 }.max() ?? 0
        return longest >= 40 ? (longest + 4) / 5 * 5 : 40
    }

    func row(_ cells: [String], width: Int) -> String {
        func padded(_ text: String, _ width: Int) -> String {
            text + String(repeating: " ", count: max(0, width - text.count)) + " "
        }
        var line = padded(cells[0], width)
        for cell in cells.dropFirst() { line += padded(cell, Self.columnWidth) }
        while line.hasSuffix(" ") { line.removeLast() }
        return line + "\n"
    }

    /// The whole table, ending with a newline.
    func render() -> String {
        let width = nameWidth
        let divider = String(repeating: "=", count: width + columns.count * Self.columnWidth) + "\n"
        var out = divider + row(["Layer (type:depth-idx)"] + columns.map(\.header), width: width) + divider
        for (i, layer) in layers.enumerated() where layer.depth <= maxDepth {
            out += row([Self.prefix(layer.depth) + name(layer)] + columns.map { cell($0, i) }, width: width)
        }
        let leaves = layers.filter(\.isLeaf)
        let macs = leaves.reduce(0) { $0 + $1.macs }
        let forwardBackward = leaves.filter { $0.numParams > 0 }.reduce(0) { $0 + $1.outputBytes * 2 }
        out += divider
        out += "Total params: \(CommandText.grouped(totalParams))\n"
        out += "Trainable params: \(CommandText.grouped(trainableParams))\n"
        out += "Non-trainable params: \(CommandText.grouped(totalParams - trainableParams))\n"
        out += "Total mult-adds \(Self.multAdds(macs))\n"
        out += divider
        out += "Input size (MB): \(Self.megabytes(inputBytes))\n"
        out += "Forward/backward pass size (MB): \(Self.megabytes(forwardBackward))\n"
        out += "Params size (MB): \(Self.megabytes(paramBytes))\n"
        out += "Estimated Total Size (MB): \(Self.megabytes(inputBytes + forwardBackward + paramBytes))\n"
        return out + divider
    }

    /// `(M): 0.07`, `(G): 1.81`; a whole number prints without decimals.
    static func multAdds(_ macs: Int) -> String {
        let value = Double(macs)
        let (unit, scaled): (String, Double) =
            value >= 1e12 ? ("T", value / 1e12) : value >= 1e9 ? ("G", value / 1e9) : ("M", value / 1e6)
        let text = scaled == scaled.rounded() && abs(scaled) < 1e15 ? String(Int(scaled)) : String(format: "%.2f", scaled)
        return "(\(unit)): \(text)"
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.2f", Double(bytes) / 1e6) }
}
