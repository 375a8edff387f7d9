import TensorRuntime

/// `nn.RNNCellBase`: one time step of an RNN, LSTM or GRU (`RNNCell`, `LSTMCell`, `GRUCell`).
/// Parameters `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh` (None without bias), all drawn from
/// U(-1/√hidden, 1/√hidden) in that order. The step composes ATen's CPU cell ops (`cellStep`).
open class RNNCellBase: Module {
    public let cell: RecurrentCell
    public let inputSize: Int
    public let hiddenSize: Int
    public let bias: Bool

    public init(cell: RecurrentCell, inputSize: Int, hiddenSize: Int, bias: Bool = true) throws {
        guard inputSize >= 0, hiddenSize >= 0 else {
            throw TorchError.runtime("Trying to create tensor with negative dimension \(min(inputSize, hiddenSize)): [\(cell.gateCount * hiddenSize), \(inputSize)]")
        }
        self.cell = cell
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.bias = bias
        super.init()
        let gates = cell.gateCount * hiddenSize
        try registerParameter("weight_ih", try Tensor.newParameter([gates, inputSize]))
        try registerParameter("weight_hh", try Tensor.newParameter([gates, hiddenSize]))
        try registerParameter("bias_ih", bias ? try Tensor.newParameter([gates]) : nil)
        try registerParameter("bias_hh", bias ? try Tensor.newParameter([gates]) : nil)
        let bound = hiddenSize > 0 ? 1 / Double(hiddenSize).squareRoot() : 0
        for p in parameters() { try Init.uniform_(p, -bound, bound) }
    }

    override open var pythonModuleName: String { "torch.nn.modules.rnn" }

    override open var hyperparameters: [(String, HyperValue)] {
        [("input_size", .int(inputSize)), ("hidden_size", .int(hiddenSize)), ("bias", .bool(bias))]
    }

    override open func extraRepr() -> String { "\(inputSize), \(hiddenSize)" + (bias ? "" : ", bias=False") }

    /// One step: `input` `[B, I]` or unbatched `[I]`, `h` (and `c` for an LSTM cell) `[B, H]` / `[H]`,
    /// zeros when nil. Returns h' (and c').
    public func step(_ input: Tensor, h: Tensor?, c: Tensor?) throws -> (h: Tensor, c: Tensor?) {
        guard input.dim == 1 || input.dim == 2 else {
            throw TorchError.value("\(typeName): Expected input to be 1D or 2D, got \(input.dim)D instead")
        }
        for (i, t) in [h, c].enumerated() {
            guard let t, t.dim != 1 && t.dim != 2 else { continue }
            throw TorchError.value("\(typeName): Expected \(cell == .lstm ? "hx[\(i)]" : "hidden") to be 1D or 2D, got \(t.dim)D instead")
        }
        let batched = input.dim == 2
        let x = batched ? input : try input.unsqueeze(0)
        let batch = x.shape[0]
        let zeros = { try Tensor.zeros([batch, self.hiddenSize], dtype: x.dtype) }
        let h0 = try h.map { batched ? $0 : try $0.unsqueeze(0) } ?? zeros()
        let c0 = cell == .lstm ? try c.map { batched ? $0 : try $0.unsqueeze(0) } ?? zeros() : nil
        guard x.shape[1] == inputSize else {
            throw TorchError.runtime("input has inconsistent input_size: got \(x.shape[1]) expected \(inputSize)")
        }
        for (i, s) in [h0, c0].enumerated() {
            guard let s else { continue }
            guard s.shape[0] == batch else { throw TorchError.runtime("Input batch size \(batch) doesn't match hidden\(i) batch size \(s.shape[0])") }
            guard s.shape.count == 2, s.shape[1] == hiddenSize else {
                throw TorchError.runtime("hidden\(i) has inconsistent hidden_size: got \(s.shape.last ?? 0), expected \(hiddenSize)")
            }
        }
        guard batch > 0 else { return (try zeros(), cell == .lstm ? try zeros() : nil) }   // an empty batch: empty states
        let r = try cellStep(x, h0, c0)
        guard batched else { return (try r.h.squeeze(dim: 0), try r.c?.squeeze(dim: 0)) }
        return r
    }

    /// ATen's CPU cells (RNN.cpp), op by op, so results and grad_fns are PyTorch's: the gates are
    /// `linear(h, w_hh, b_hh) + linear(x, w_ih, b_ih)`; an RNN cell applies its nonlinearity
    /// (TanhBackward0), an LSTM cell gives c' = f·c + i·g (AddBackward0) and h' = o·tanh(c')
    /// (MulBackward0), a GRU cell h' = (h − n)·z + n (AddBackward0).
    private func cellStep(_ x: Tensor, _ h: Tensor, _ c: Tensor?) throws -> (h: Tensor, c: Tensor?) {
        let fromInput = try Functional.linear(x, weight: try requiredParameter("weight_ih", of: "cell"), bias: parameter("bias_ih"))
        let fromHidden = try Functional.linear(h, weight: try requiredParameter("weight_hh", of: "cell"), bias: parameter("bias_hh"))
        switch cell {
        case .rnnTanh: return (try fromHidden.add(fromInput).tanh(), nil)
        case .rnnReLU: return (try fromHidden.add(fromInput).relu(), nil)
        case .lstm:
            let gates = try fromHidden.add(fromInput).chunk(4, dim: 1)
            let i = try gates[0].sigmoid(), f = try gates[1].sigmoid(), g = try gates[2].tanh(), o = try gates[3].sigmoid()
            let cNext = try f.mul(try c ?? Tensor.zerosLike(h)).add(try i.mul(g))
            return (try o.mul(try cNext.tanh()), cNext)
        case .gru:
            let gi = try fromInput.chunk(3, dim: 1), gh = try fromHidden.chunk(3, dim: 1)
            let reset = try gh[0].add(gi[0]).sigmoid(), update = try gh[1].add(gi[1]).sigmoid()
            let candidate = try gi[2].add(try gh[2].mul(reset)).tanh()
            return (try h.sub(candidate).mul(update).add(candidate), nil)
        }
    }

    /// `forward(input, hx=None)`: h' (RNNCell, GRUCell) or `(h', c')` (LSTMCell, whose hx is a pair).
    override open func forward(arguments: [Any], keywords: [(String, Any)]) throws -> Any {
        let (inputValue, h, c) = try RecurrentArguments.bind(arguments, keywords, owner: typeName, pairedKernel: cell == .lstm ? "lstm_cell" : nil)
        guard let input = ModuleValueBridge.tensor(from: inputValue) else {
            throw TorchError.type("\(typeName).forward(): argument 'input' must be a Tensor")
        }
        let r = try step(input, h: h, c: c)
        guard let cNew = r.c else { return ModuleValueBridge.wrap(r.h) }
        return HookTuple([ModuleValueBridge.wrap(r.h), ModuleValueBridge.wrap(cNew)])
    }

    override open func forward(_ input: Tensor) throws -> Tensor { try step(input, h: nil, c: nil).h }
}

/// `nn.RNNCell(input_size, hidden_size, bias=True, nonlinearity='tanh')`.
public final class RNNCell: RNNCellBase {
    public var nonlinearity: String { cell == .rnnReLU ? "relu" : "tanh" }

    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true, nonlinearity: String = "tanh") throws {
        let cell: RecurrentCell
        switch nonlinearity {
        case "tanh": cell = .rnnTanh
        case "relu": cell = .rnnReLU
        default: throw TorchError.runtime("Unknown nonlinearity: \(nonlinearity)")
        }
        try super.init(cell: cell, inputSize: inputSize, hiddenSize: hiddenSize, bias: bias)
    }

    override public var hyperparameters: [(String, HyperValue)] { super.hyperparameters + [("nonlinearity", .string(nonlinearity))] }
    override public func extraRepr() -> String { super.extraRepr() + (cell == .rnnReLU ? ", nonlinearity=relu" : "") }
}

/// `nn.LSTMCell(input_size, hidden_size, bias=True)`.
public final class LSTMCell: RNNCellBase {
    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true) throws {
        try super.init(cell: .lstm, inputSize: inputSize, hiddenSize: hiddenSize, bias: bias)
    }
}

/// `nn.GRUCell(input_size, hidden_size, bias=True)`.
public final class GRUCell: RNNCellBase {
    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true) throws {
        try super.init(cell: .gru, inputSize: inputSize, hiddenSize: hiddenSize, bias: bias)
    }
}
