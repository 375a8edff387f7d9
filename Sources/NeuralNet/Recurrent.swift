import TensorRuntime

/// How recurrent layers read arguments NeuralNet has no type for (the language's tuples, None and
/// PackedSequence objects) and box a PackedSequence result. The torch bindings install these;
/// the defaults serve Swift callers (`HookTuple` for tuples, `PackedSequence` itself).
public enum RecurrentValueBridge {
    nonisolated(unsafe) public static var items: (Any) -> [Any]? = { ($0 as? HookTuple)?.items }
    nonisolated(unsafe) public static var isNone: (Any) -> Bool = { _ in false }
    nonisolated(unsafe) public static var packed: (Any) -> PackedSequence? = { $0 as? PackedSequence }
    nonisolated(unsafe) public static var boxPacked: (PackedSequence) -> Any = { $0 }
    /// The Python type name of a value (`tuple`, `list`), for messages.
    nonisolated(unsafe) public static var typeName: (Any) -> String = { _ in "object" }
}

/// `nn.RNNBase`: the stacked, optionally bidirectional recurrent layers `RNN`, `LSTM` and `GRU`.
/// Parameters are registered as PyTorch registers them (`weight_ih_l{k}{_reverse}`,
/// `weight_hh_…`, `bias_ih_…`, `bias_hh_…`, `weight_hr_…` with proj_size), all drawn from
/// U(-1/√hidden, 1/√hidden) in that order, so a seeded layer has PyTorch's weights. Each layer and
/// direction runs `Functional.recurrentLayer`; dropout follows every layer but the last in training.
open class RNNBase: Module {
    public let mode: RecurrentCell
    public let inputSize: Int
    public let hiddenSize: Int
    public let numLayers: Int
    public let bias: Bool
    /// Settable after construction (`rnn.batch_first = True`), as PyTorch's attributes are.
    public var batchFirst: Bool
    public var dropout: Double
    public let bidirectional: Bool
    public let projSize: Int

    public init(mode: RecurrentCell, inputSize: Int, hiddenSize: Int, numLayers: Int = 1, bias: Bool = true,
                batchFirst: Bool = false, dropout: Double = 0, bidirectional: Bool = false, projSize: Int = 0) throws {
        guard dropout >= 0 && dropout <= 1 else {
            throw TorchError.value("dropout should be a number in range [0, 1] representing the probability of an element being zeroed")
        }
        if dropout > 0 && numLayers == 1 {
            NNWarnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects num_layers greater than 1, but got dropout=\(pythonFloatRepr(dropout)) and num_layers=\(numLayers)")
        }
        guard inputSize > 0 else { throw TorchError.value("input_size must be greater than zero") }
        guard hiddenSize > 0 else { throw TorchError.value("hidden_size must be greater than zero") }
        guard numLayers > 0 else { throw TorchError.value("num_layers must be greater than zero") }
        guard projSize >= 0 else { throw TorchError.value("proj_size should be a positive integer or zero to disable projections") }
        guard projSize < hiddenSize else { throw TorchError.value("proj_size has to be smaller than hidden_size") }
        self.mode = mode
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.numLayers = numLayers
        self.bias = bias
        self.batchFirst = batchFirst
        self.dropout = dropout
        self.bidirectional = bidirectional
        self.projSize = projSize
        super.init()
        let gates = mode.gateCount * hiddenSize, realHidden = projSize > 0 ? projSize : hiddenSize
        for layer in 0..<numLayers {
            for direction in 0..<directions {
                let layerInput = layer == 0 ? inputSize : realHidden * directions
                let names = parameterNames(layer: layer, direction: direction)
                try registerParameter(names.weightIH, try Tensor.newParameter([gates, layerInput]))
                try registerParameter(names.weightHH, try Tensor.newParameter([gates, realHidden]))
                if bias {
                    try registerParameter(names.biasIH, try Tensor.newParameter([gates]))
                    try registerParameter(names.biasHH, try Tensor.newParameter([gates]))
                }
                if projSize > 0 { try registerParameter(names.weightHR, try Tensor.newParameter([projSize, hiddenSize])) }
            }
        }
        try resetParameters()
    }

    /// `reset_parameters()`: every parameter from U(-1/√hidden_size, 1/√hidden_size), in order.
    public func resetParameters() throws {
        let bound = 1 / Double(hiddenSize).squareRoot()
        for p in parameters() { try Init.uniform_(p, -bound, bound) }
    }

    public var directions: Int { bidirectional ? 2 : 1 }
    /// The width of the hidden state and of each direction's output (proj_size when set).
    public var outputWidth: Int { projSize > 0 ? projSize : hiddenSize }

    /// The parameter names of one layer and direction (`weight_ih_l1_reverse` …).
    public func parameterNames(layer: Int, direction: Int) -> (weightIH: String, weightHH: String, biasIH: String, biasHH: String, weightHR: String) {
        let suffix = "_l\(layer)" + (direction == 1 ? "_reverse" : "")
        return ("weight_ih" + suffix, "weight_hh" + suffix, "bias_ih" + suffix, "bias_hh" + suffix, "weight_hr" + suffix)
    }

    /// `_flat_weights_names`: every parameter name in registration order.
    public var flatWeightsNames: [String] {
        (0..<numLayers).flatMap { layer in (0..<directions).flatMap { direction -> [String] in
            let n = parameterNames(layer: layer, direction: direction)
            return [n.weightIH, n.weightHH] + (bias ? [n.biasIH, n.biasHH] : []) + (projSize > 0 ? [n.weightHR] : [])
        } }
    }

    override open var pythonModuleName: String { "torch.nn.modules.rnn" }

    override open var hyperparameters: [(String, HyperValue)] {
        [("mode", .string(modeName)), ("input_size", .int(inputSize)), ("hidden_size", .int(hiddenSize)),
         ("num_layers", .int(numLayers)), ("bias", .bool(bias)), ("batch_first", .bool(batchFirst)),
         ("dropout", .double(dropout)), ("bidirectional", .bool(bidirectional)), ("proj_size", .int(projSize))]
    }

    /// `rnn.batch_first = …` / `rnn.dropout = …` after construction: forward reads them, as PyTorch's does.
    override open func setHyperparameter(_ name: String, _ value: HyperValue) throws -> Bool {
        switch (name, value) {
        case ("batch_first", .bool(let b)): batchFirst = b
        case ("dropout", .double(let d)): dropout = d
        case ("dropout", .int(let i)): dropout = Double(i)
        default: return false
        }
        return true
    }

    /// PyTorch's `mode` string.
    public var modeName: String {
        switch mode {
        case .lstm: return "LSTM"
        case .gru: return "GRU"
        case .rnnTanh: return "RNN_TANH"
        case .rnnReLU: return "RNN_RELU"
        }
    }

    override open func extraRepr() -> String {
        var s = "\(inputSize), \(hiddenSize)"
        if projSize != 0 { s += ", proj_size=\(projSize)" }
        if numLayers != 1 { s += ", num_layers=\(numLayers)" }
        if !bias { s += ", bias=False" }
        if batchFirst { s += ", batch_first=True" }
        if dropout != 0 { s += ", dropout=\(pythonFloatRepr(dropout))" }
        if bidirectional { s += ", bidirectional=True" }
        return s
    }

    // MARK: - Forward

    /// The result of a stacked run: every step's output (time-major `[N, D·P]` rows, or `[T, B, D·P]`
    /// for a padded input), the final hidden states `[L·D, B, P]` and, for an LSTM, cell states.
    public struct Result {
        public let output: Tensor
        public let hidden: Tensor
        public let cell: Tensor?
    }

    /// `forward(input, hx=None)` on a padded input: `[T, B, I]` (`[B, T, I]` with batch_first) or
    /// unbatched `[T, I]`; `h0` `[L·D, B, P]` (unbatched `[L·D, P]`), `c0` likewise for an LSTM.
    public func forward(_ input: Tensor, h0: Tensor?, c0: Tensor?) throws -> Result {
        guard input.dim == 2 || input.dim == 3 else {
            throw TorchError.value("\(typeName): Expected input to be 2D or 3D, got \(input.dim)D\(mode == .rnnTanh || mode == .rnnReLU ? " tensor" : "") instead")
        }
        let batched = input.dim == 3
        let batchDim = batchFirst ? 0 : 1
        var h0 = h0, c0 = c0
        if mode == .lstm, let h = h0, let c = c0 {
            let want = batched ? 3 : 2
            guard h.dim == want && c.dim == want else {
                throw TorchError.runtime(batched ? "For batched 3-D input, hx and cx should also be 3-D but got (\(h.dim)-D, \(c.dim)-D) tensors"
                                                 : "For unbatched 2-D input, hx and cx should also be 2-D but got (\(h.dim)-D, \(c.dim)-D) tensors")
            }
            if !batched { h0 = try h.unsqueeze(1); c0 = try c.unsqueeze(1) }
        } else if let h = h0 {
            if batched && h.dim != 3 { throw TorchError.runtime("For batched 3-D input, hx should also be 3-D but got \(h.dim)-D tensor") }
            if !batched && h.dim != 2 { throw TorchError.runtime("For unbatched 2-D input, hx should also be 2-D but got \(h.dim)-D tensor") }
            if !batched { h0 = try h.unsqueeze(1) }
        }
        let x3 = batched ? input : try input.unsqueeze(batchDim)
        try checkInputType(x3, expectedDim: 3)
        let timeMajor = batchFirst ? try x3.transpose(0, 1) : x3
        let steps = timeMajor.shape[0], batch = timeMajor.shape[1]
        let rows = try timeMajor.contiguous().reshape([steps * batch, inputSize])
        let r = try run(rows, batchSizes: Array(repeating: batch, count: steps), h0: h0, c0: c0)
        var output = try r.output.view([steps, batch, directions * outputWidth], gradName: paddedOutputGradName)
        if batchFirst { output = try output.transpose(0, 1) }
        guard batched else {
            return Result(output: try output.squeeze(dim: batchDim), hidden: try r.hidden.squeeze(dim: 1), cell: try r.cell?.squeeze(dim: 1))
        }
        return r.withOutput(output)
    }

    /// The grad_fn of a padded input's `[T, B, D·P]` output in PyTorch (CPU): the oneDNN LSTM
    /// layer's own node, the stack of per-step outputs (GRU, RNN, LSTM with projections), or the
    /// cat of the two directions.
    private var paddedOutputGradName: String {
        if directions == 2 { return "CatBackward0" }
        return mode == .lstm && projSize == 0 ? "MkldnnRnnLayerBackward0" : "StackBackward0"
    }

    /// `forward(packed, hx)`: the layers over a packed sequence; the output is the packed data.
    public func forward(packed: PackedSequence, h0: Tensor?, c0: Tensor?) throws -> (PackedSequence, Result) {
        try checkInputType(packed.data, expectedDim: 2)
        let h0 = try h0.map { try packed.sortingBatch($0) }, c0 = try c0.map { try packed.sortingBatch($0) }
        let r = try run(packed.data, batchSizes: packed.batchSizeValues, h0: h0, c0: c0)
        let out = PackedSequence(data: r.output, batchSizes: packed.batchSizes, sortedIndices: packed.sortedIndices,
                                 unsortedIndices: packed.unsortedIndices)
        return (out, Result(output: r.output, hidden: try packed.unsortingBatch(r.hidden), cell: try r.cell.map { try packed.unsortingBatch($0) }))
    }

    /// `check_input`: the dtype must be the weights', the input `expectedDim`-D with input_size features.
    private func checkInputType(_ input: Tensor, expectedDim: Int) throws {
        if let w = parameters().first, input.dtype != w.dtype {
            throw TorchError.value("RNN input dtype (\(input.dtype.name)) does not match weight dtype (\(w.dtype.name)). Convert input: input.to(\(w.dtype.name)), or convert model: model.to(\(input.dtype.name))")
        }
        guard input.dim == expectedDim else { throw TorchError.runtime("input must have \(expectedDim) dimensions, got \(input.dim)") }
        guard input.shape[expectedDim - 1] == inputSize else {
            throw TorchError.runtime("input.size(-1) must be equal to input_size. Expected \(inputSize), got \(input.shape[expectedDim - 1])")
        }
    }

    /// The stack over time-major rows (`batchSizes[t]` rows per step).
    private func run(_ rows: Tensor, batchSizes: [Int], h0: Tensor?, c0: Tensor?) throws -> Result {
        guard !batchSizes.isEmpty else { throw TorchError.runtime("Expected sequence length to be larger than 0 in RNN") }
        let batch = batchSizes.first ?? 0
        let states = numLayers * directions
        let h0 = try h0 ?? Tensor.zeros([states, batch, outputWidth], dtype: rows.dtype)
        let expectedHidden = [states, batch, outputWidth]
        guard h0.shape == expectedHidden else {
            throw TorchError.runtime("Expected hidden\(mode == .lstm ? "[0]" : "") size \(tupleText(expectedHidden)), got \(shapeDescription(h0.shape))")
        }
        var c0 = c0
        if mode == .lstm {
            let expectedCell = [states, batch, hiddenSize]
            let c = try c0 ?? Tensor.zeros(expectedCell, dtype: rows.dtype)
            guard c.shape == expectedCell else {
                throw TorchError.runtime("Expected hidden[1] size \(tupleText(expectedCell)), got \(shapeDescription(c.shape))")
            }
            c0 = c
        }
        if batch == 0 {   // an empty batch runs no step: empty outputs, as PyTorch returns
            return Result(output: try Tensor.zeros([0, directions * outputWidth], dtype: rows.dtype), hidden: h0, cell: c0)
        }
        var layerInput = rows
        var hiddens: [Tensor] = [], cells: [Tensor] = []
        for layer in 0..<numLayers {
            var outputs: [Tensor] = []
            for direction in 0..<directions {
                let names = parameterNames(layer: layer, direction: direction)
                let index = layer * directions + direction
                let r = try Functional.recurrentLayer(
                    mode, input: layerInput, batchSizes: batchSizes, reverse: direction == 1,
                    h0: try h0.select(dim: 0, index: index), c0: try c0?.select(dim: 0, index: index),
                    weightIH: try requiredParameter(names.weightIH, of: modeName.lowercased()),
                    weightHH: try requiredParameter(names.weightHH, of: modeName.lowercased()),
                    biasIH: bias ? parameter(names.biasIH) : nil, biasHH: bias ? parameter(names.biasHH) : nil,
                    weightHR: projSize > 0 ? parameter(names.weightHR) : nil)
                outputs.append(r.output)
                hiddens.append(r.hidden)
                if let c = r.cell { cells.append(c) }
            }
            layerInput = outputs.count == 1 ? outputs[0] : try Tensor.cat(outputs, dim: 1)
            if dropout != 0 && training && layer < numLayers - 1 {
                layerInput = try Functional.dropout(layerInput, p: dropout, training: true)
            }
        }
        return Result(output: layerInput, hidden: try Tensor.stack(hiddens), cell: cells.isEmpty ? nil : try Tensor.stack(cells))
    }

    /// `forward(input, hx=None)` from the language: a tensor or PackedSequence, and None, a
    /// tensor, or for an LSTM an `(h_0, c_0)` pair. Returns `(output, h_n)` or `(output, (h_n, c_n))`.
    override open func forward(arguments: [Any], keywords: [(String, Any)]) throws -> Any {
        let (input, h0, c0) = try RecurrentArguments.bind(arguments, keywords, owner: typeName, pairedKernel: mode == .lstm ? "lstm" : nil)
        let output: Any, r: Result
        if let packed = RecurrentValueBridge.packed(input) {
            let (p, result) = try forward(packed: packed, h0: h0, c0: c0)
            (output, r) = (RecurrentValueBridge.boxPacked(p), result)
        } else if let x = ModuleValueBridge.tensor(from: input) {
            r = try forward(x, h0: h0, c0: c0)
            output = ModuleValueBridge.wrap(r.output)
        } else {
            throw TorchError.type("\(typeName).forward(): argument 'input' must be a Tensor or PackedSequence")
        }
        let hidden = ModuleValueBridge.wrap(r.hidden)
        guard let c = r.cell else { return HookTuple([output, hidden]) }
        return HookTuple([output, HookTuple([hidden, ModuleValueBridge.wrap(c)])])
    }

    /// A single-tensor call (`Sequential`, summaries): the output sequence only.
    override open func forward(_ input: Tensor) throws -> Tensor { try forward(input, h0: nil, c0: nil).output }
}

extension RNNBase.Result {
    func withOutput(_ output: Tensor) -> RNNBase.Result { RNNBase.Result(output: output, hidden: hidden, cell: cell) }
}

/// `nn.RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', …)`: h = tanh or relu of
/// (W_ih x + b_ih + W_hh h' + b_hh).
public final class RNN: RNNBase {
    public var nonlinearity: String { mode == .rnnReLU ? "relu" : "tanh" }

    public init(inputSize: Int, hiddenSize: Int, numLayers: Int = 1, nonlinearity: String = "tanh", bias: Bool = true,
                batchFirst: Bool = false, dropout: Double = 0, bidirectional: Bool = false) throws {
        let mode: RecurrentCell
        switch nonlinearity {
        case "tanh": mode = .rnnTanh
        case "relu": mode = .rnnReLU
        default: throw TorchError.value("Unknown nonlinearity '\(nonlinearity)'. Select from 'tanh' or 'relu'.")
        }
        try super.init(mode: mode, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, bias: bias,
                       batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional)
    }

    override public var hyperparameters: [(String, HyperValue)] { super.hyperparameters + [("nonlinearity", .string(nonlinearity))] }
}

/// `nn.LSTM(input_size, hidden_size, …, proj_size=0)`: gates i, f, g, o; c = f·c' + i·g,
/// h = o·tanh(c), projected by `weight_hr` when proj_size > 0.
public final class LSTM: RNNBase {
    public init(inputSize: Int, hiddenSize: Int, numLayers: Int = 1, bias: Bool = true, batchFirst: Bool = false,
                dropout: Double = 0, bidirectional: Bool = false, projSize: Int = 0) throws {
        try super.init(mode: .lstm, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, bias: bias,
                       batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional, projSize: projSize)
    }
}

/// `nn.GRU(input_size, hidden_size, …)`: gates r, z, n; n = tanh(W_in x + b_in + r·(W_hn h' + b_hn)),
/// h = (1 - z)·n + z·h'.
public final class GRU: RNNBase {
    public init(inputSize: Int, hiddenSize: Int, numLayers: Int = 1, bias: Bool = true, batchFirst: Bool = false,
                dropout: Double = 0, bidirectional: Bool = false) throws {
        try super.init(mode: .gru, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, bias: bias,
                       batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional)
    }
}

/// PyTorch's tuple text for an expected size: `(1, 3, 6)`.
func tupleText(_ xs: [Int]) -> String { xs.count == 1 ? "(\(xs[0]),)" : "(" + xs.map(String.init).joined(separator: ", ") + ")" }

/// Binds a recurrent module's `forward(input, hx=None)` arguments with Python's messages; hx is
/// None, a tensor, or (an LSTM's) an `(h, c)` tuple of tensors.
enum RecurrentArguments {
    /// `pairedKernel` names the LSTM kernel (`lstm`, `lstm_cell`) whose message a pair of the wrong
    /// length gets; nil for the single-state layers.
    static func bind(_ arguments: [Any], _ keywords: [(String, Any)], owner: String,
                     pairedKernel: String?) throws -> (input: Any, h: Tensor?, c: Tensor?) {
        guard arguments.count <= 2 else {
            throw TorchError.type("\(owner).forward() takes from 2 to 3 positional arguments but \(arguments.count + 1) were given")
        }
        var slots: [Any?] = arguments.map { $0 } + Array(repeating: nil, count: 2 - arguments.count)
        for (name, value) in keywords {
            let index = name == "input" ? 0 : name == "hx" ? 1 : -1
            guard index >= 0 else { throw TorchError.type("\(owner).forward() got an unexpected keyword argument '\(name)'") }
            guard slots[index] == nil else { throw TorchError.type("\(owner).forward() got multiple values for argument '\(name)'") }
            slots[index] = value
        }
        guard let input = slots[0] else {
            throw TorchError.type("\(owner).forward() missing 1 required positional argument: 'input'")
        }
        guard let hx = slots[1], !RecurrentValueBridge.isNone(hx) else { return (input, nil, nil) }
        guard let kernel = pairedKernel else {
            guard let h = ModuleValueBridge.tensor(from: hx) else {
                // PyTorch's forward calls hx.dim() first.
                throw TorchError(.attributeError, "'\(RecurrentValueBridge.typeName(hx))' object has no attribute 'dim'")
            }
            return (input, h, nil)
        }
        // PyTorch reads hx[0] and hx[1]: a tensor is indexed along its first dimension.
        if kernel == "lstm", let t = ModuleValueBridge.tensor(from: hx), t.dim > 0 {
            guard t.shape[0] >= 2 else {
                throw TorchError(.indexError, "index \(t.shape[0]) is out of bounds for dimension 0 with size \(t.shape[0])")
            }
            return (input, try t.select(dim: 0, index: 0), try t.select(dim: 0, index: 1))
        }
        if let items = RecurrentValueBridge.items(hx), items.count != 2 {
            if kernel == "lstm" && items.count < 2 {
                throw TorchError(.indexError, "\(RecurrentValueBridge.typeName(hx)) index out of range")
            }
            throw TorchError.runtime("\(kernel) expects two hidden states")
        }
        guard let items = RecurrentValueBridge.items(hx),
              let h = ModuleValueBridge.tensor(from: items[0]), let c = ModuleValueBridge.tensor(from: items[1]) else {
            throw TorchError.type("\(owner).forward(): hx must be a tuple of two tensors (h_0, c_0)")
        }
        return (input, h, c)
    }
}
