import NNLang
import TensorRuntime
import NeuralNet

/// `nn.RNN`, `nn.LSTM`, `nn.GRU` and their cells, declared with PyTorch's constructor arguments
/// (RNN takes `nonlinearity` as its fourth positional argument, as PyTorch's `*args` does).
extension LayerTypes {
    static func installRecurrent(into nn: Namespace, moduleBase base: PyType) {
        let tail = "bias=True, batch_first=False, dropout=0.0, bidirectional=False"
        add(nn, base, "RNN", RNN.self, "input_size, hidden_size, num_layers=1, nonlinearity='tanh', " + tail,
            "Elman RNN layers: h = tanh or relu of (W_ih x + b_ih + W_hh h + b_hh), stacked and optionally bidirectional.",
            factory: true) { s, ev in
            RecurrentBindings.installBridges(ev)
            let flags = try RecurrentBindings.flags(s, from: 4, ev)
            return try RNN(inputSize: try RecurrentBindings.size(s[0], "input_size"), hiddenSize: try RecurrentBindings.size(s[1], "hidden_size"),
                           numLayers: try s[2].asInt("num_layers"), nonlinearity: try s[3].asString("nonlinearity"), bias: flags.bias,
                           batchFirst: flags.batchFirst, dropout: flags.dropout, bidirectional: flags.bidirectional)
        }
        add(nn, base, "LSTM", LSTM.self, "input_size, hidden_size, num_layers=1, " + tail + ", proj_size=0",
            "Long short-term memory layers (gates i, f, g, o), stacked, optionally bidirectional and projected.",
            factory: true) { s, ev in
            RecurrentBindings.installBridges(ev)
            let flags = try RecurrentBindings.flags(s, from: 3, ev)
            return try LSTM(inputSize: try RecurrentBindings.size(s[0], "input_size"), hiddenSize: try RecurrentBindings.size(s[1], "hidden_size"),
                            numLayers: try s[2].asInt("num_layers"), bias: flags.bias, batchFirst: flags.batchFirst,
                            dropout: flags.dropout, bidirectional: flags.bidirectional, projSize: try s[7].asInt("proj_size"))
        }
        add(nn, base, "GRU", GRU.self, "input_size, hidden_size, num_layers=1, " + tail,
            "Gated recurrent unit layers (gates r, z, n), stacked and optionally bidirectional.", factory: true) { s, ev in
            RecurrentBindings.installBridges(ev)
            let flags = try RecurrentBindings.flags(s, from: 3, ev)
            return try GRU(inputSize: try RecurrentBindings.size(s[0], "input_size"), hiddenSize: try RecurrentBindings.size(s[1], "hidden_size"),
                           numLayers: try s[2].asInt("num_layers"), bias: flags.bias, batchFirst: flags.batchFirst,
                           dropout: flags.dropout, bidirectional: flags.bidirectional)
        }
        add(nn, base, "RNNCell", RNNCell.self, "input_size, hidden_size, bias=True, nonlinearity='tanh'",
            "One step of an Elman RNN: h' = tanh or relu of (W_ih x + b_ih + W_hh h + b_hh).", factory: true) { s, ev in
            RecurrentBindings.installBridges(ev)
            return try RNNCell(inputSize: try s[0].asInt("input_size"), hiddenSize: try s[1].asInt("hidden_size"),
                               bias: try Convert.bool(s[2], default: true, ev), nonlinearity: try s[3].asString("nonlinearity"))
        }
        add(nn, base, "LSTMCell", LSTMCell.self, "input_size, hidden_size, bias=True",
            "One LSTM step: (h, c) -> (h', c').", factory: true) { s, ev in
            RecurrentBindings.installBridges(ev)
            return try LSTMCell(inputSize: try s[0].asInt("input_size"), hiddenSize: try s[1].asInt("hidden_size"),
                                bias: try Convert.bool(s[2], default: true, ev))
        }
        add(nn, base, "GRUCell", GRUCell.self, "input_size, hidden_size, bias=True",
            "One GRU step: h -> h'.", factory: true) { s, ev in
            RecurrentBindings.installBridges(ev)
            return try GRUCell(inputSize: try s[0].asInt("input_size"), hiddenSize: try s[1].asInt("hidden_size"),
                               bias: try Convert.bool(s[2], default: true, ev))
        }
    }
}

/// Argument checks of `RNNBase.__init__` and the bridges recurrent modules read the language's
/// tuples and PackedSequences through.
enum RecurrentBindings {
    /// The evaluator the bridges read tuples with (the interpreter that built the layers).
    nonisolated(unsafe) private static weak var evaluator: Evaluator?

    /// Points `RecurrentValueBridge` at the language's values (once per interpreter).
    static func installBridges(_ ev: Evaluator) {
        guard evaluator !== ev else { return }
        evaluator = ev
        RecurrentValueBridge.items = { any in
            guard let v = any as? Value else { return (any as? HookTuple)?.items }
            return evaluator?.sequenceItems(v)
        }
        RecurrentValueBridge.isNone = { ($0 as? Value)?.isNone ?? false }
        RecurrentValueBridge.packed = { any in
            if case .object(let o)? = any as? Value { return (o as? PackedSequenceObject)?.sequence }
            return any as? PackedSequence
        }
        RecurrentValueBridge.boxPacked = { Value.object(PackedSequenceObject($0)) }
        RecurrentValueBridge.typeName = { ($0 as? Value)?.typeName ?? "object" }
    }

    /// The methods RNN, LSTM and GRU add to nn.Module's: `flatten_parameters()` (a no-op on the
    /// CPU, as in PyTorch).
    static let methods: [String: ModuleMethods.Method] = [
        "flatten_parameters": { _, a, _ in
            _ = try ModuleMethods.bind(a, "flatten_parameters", [])
            return .none
        },
    ]

    /// `input_size` / `hidden_size`: ints (PyTorch's TypeError otherwise).
    static func size(_ v: Value, _ name: String) throws -> Int {
        guard case .int(let i) = v else { throw PyError(.typeError, "\(name) should be of type int, got: \(v.typeName)") }
        return i
    }

    /// bias, batch_first (bools), dropout (a number in [0, 1]), bidirectional, from slot `first` on.
    static func flags(_ s: [Value], from first: Int, _ ev: Evaluator) throws -> (bias: Bool, batchFirst: Bool, dropout: Double, bidirectional: Bool) {
        guard case .bool(let bias) = s[first] else { throw PyError(.typeError, "bias should be of type bool, got: \(s[first].typeName)") }
        guard case .bool(let batchFirst) = s[first + 1] else {
            throw PyError(.typeError, "batch_first should be of type bool, got: \(s[first + 1].typeName)")
        }
        let dropout: Double
        switch s[first + 2] {
        case .int(let i): dropout = Double(i)
        case .float(let d): dropout = d
        default: throw PyError(.valueError, "dropout should be a number in range [0, 1] representing the probability of an element being zeroed")
        }
        return (bias, batchFirst, dropout, try ev.truthy(s[first + 3]))
    }
}
