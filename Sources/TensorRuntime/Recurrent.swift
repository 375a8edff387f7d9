/// The recurrent layers' kernel: one direction of one layer of `nn.RNN` / `nn.LSTM` / `nn.GRU`
/// over a whole (packed) time-major sequence, with its own backward (backpropagation through
/// time). The input projection of every time step is one gemm; each step adds one gemm for the
/// hidden projection and one fused pass for the gate nonlinearities (RecurrentGates.swift).

/// The cell a recurrent layer runs at each time step (PyTorch's gate order: LSTM i, f, g, o;
/// GRU r, z, n).
public enum RecurrentCell: Sendable, Equatable {
    case rnnTanh, rnnReLU, lstm, gru

    /// Rows of `weight_ih` per hidden unit.
    public var gateCount: Int {
        switch self {
        case .rnnTanh, .rnnReLU: return 1
        case .lstm: return 4
        case .gru: return 3
        }
    }
}

/// What `Functional.recurrentLayer` returns: the output of every step `[N, P]` (P = proj_size or
/// hidden_size), the final hidden state `[B, P]` and, for an LSTM, the final cell state `[B, H]`.
/// All three are views of one result, so one backward node sees the gradients of all of them.
public struct RecurrentLayerOutput {
    public let output: Tensor
    public let hidden: Tensor
    public let cell: Tensor?
}

/// The sizes of one recurrent layer run (`P` = output width: proj_size or H).
struct RecurrentGeometry {
    let cell: RecurrentCell
    let inputSize: Int, hidden: Int, outputSize: Int
    let batchSizes: [Int]
    let offsets: [Int]
    let rows: Int
    let batch: Int
    let reverse: Bool
    let projected: Bool

    var gates: Int { cell.gateCount * hidden }
    /// Time steps in the order the layer runs them.
    var forwardOrder: [Int] { reverse ? Array((0..<batchSizes.count).reversed()) : Array(0..<batchSizes.count) }
}

extension Functional {
    /// One direction of one recurrent layer. `input` is `[N, I]`: time steps one after another,
    /// step `t` holding `batchSizes[t]` rows (non-increasing: a packed sequence; a padded batch has
    /// every size equal). `h0` is `[B, P]`, `c0` `[B, H]` (LSTM only), B = `batchSizes[0]`.
    /// `reverse` runs the steps last to first (the `_reverse` direction). A row that ends early
    /// keeps its last hidden state, which is what `hidden` returns for it.
    public static func recurrentLayer(_ cell: RecurrentCell, input: Tensor, batchSizes: [Int], reverse: Bool,
                                      h0: Tensor, c0: Tensor?, weightIH: Tensor, weightHH: Tensor,
                                      biasIH: Tensor?, biasHH: Tensor?, weightHR: Tensor?) throws -> RecurrentLayerOutput {
        let geo = try recurrentGeometry(cell, input: input, batchSizes: batchSizes, reverse: reverse, h0: h0, c0: c0,
                                        weightIH: weightIH, weightHH: weightHH, biasIH: biasIH, biasHH: biasHH, weightHR: weightHR)
        let dtype = input.dtype
        let parameters = [weightIH, weightHH] + [biasIH, biasHH, weightHR].compactMap { $0 }
        guard ([h0] + (c0.map { [$0] } ?? []) + parameters).allSatisfy({ $0.dtype == dtype }) else {
            let other = ([h0] + parameters).first { $0.dtype != dtype }?.dtype ?? dtype
            throw TorchError.runtime("expected scalar type \(dtype.atenName) but found \(other.atenName)")
        }
        let operands = RecurrentOperands(x: try input.dense(), h0: try h0.dense(), c0: try c0?.dense(),
                                         wIH: try weightIH.dense(), wHH: try weightHH.dense(), bIH: try biasIH?.dense(),
                                         bHH: try biasHH?.dense(), wHR: try weightHR?.dense())
        let packed: Tensor, saved: RecurrentSaved
        switch dtype {
        case .float32: (packed, saved) = try recurrentForward(Float.self, geo, operands)
        case .float64: (packed, saved) = try recurrentForward(Double.self, geo, operands)
        default: throw notImplemented("_thnn_fused_lstm_cell", dtype)
        }
        let inputs = [input, h0] + (c0.map { [$0] } ?? []) + parameters
        // The first layer's input is usually data: its gradient (a gemm as big as the input
        // projection) is computed only when something will receive it.
        let needInput = input.requiresGrad
        packed.recordingGrad(recurrentNodeName(cell), inputs: inputs) { g in
            if GradMode.isEnabled {   // create_graph=True
                return try composedGradients(g, inputs: inputs) { t in
                    try geo.composedForward(t, hasBiasIH: biasIH != nil, hasBiasHH: biasHH != nil)
                }
            }
            let grads: RecurrentGradients
            switch dtype {
            case .float32: grads = try recurrentBackward(Float.self, geo, operands, saved, try g.dense(), needInput: needInput)
            default: grads = try recurrentBackward(Double.self, geo, operands, saved, try g.dense(), needInput: needInput)
            }
            return [grads.x, grads.h0] + (c0 != nil ? [grads.c0] : []) + [grads.wIH, grads.wHH]
                + (biasIH != nil ? [grads.bIH] : []) + (biasHH != nil ? [grads.bHH] : []) + (weightHR != nil ? [grads.wHR] : [])
        }
        let n = geo.rows, b = geo.batch, p = geo.outputSize, h = geo.hidden
        let output = try packed.narrow(dim: 0, start: 0, length: n * p).view([n, p])
        let hidden = try packed.narrow(dim: 0, start: n * p, length: b * p).view([b, p])
        let cellState = cell == .lstm ? try packed.narrow(dim: 0, start: (n + b) * p, length: b * h).view([b, h]) : nil
        return RecurrentLayerOutput(output: output, hidden: hidden, cell: cellState)
    }

    private static func recurrentNodeName(_ cell: RecurrentCell) -> String {
        switch cell {
        case .lstm: return "MkldnnRnnLayerBackward0"
        case .gru: return "GruBackward0"
        case .rnnTanh: return "RnnTanhBackward0"
        case .rnnReLU: return "RnnReluBackward0"
        }
    }

    /// Checks every shape against the cell and the batch sizes (PyTorch's messages where it has one).
    private static func recurrentGeometry(_ cell: RecurrentCell, input: Tensor, batchSizes: [Int], reverse: Bool,
                                          h0: Tensor, c0: Tensor?, weightIH: Tensor, weightHH: Tensor,
                                          biasIH: Tensor?, biasHH: Tensor?, weightHR: Tensor?) throws -> RecurrentGeometry {
        guard input.dim == 2 else { throw TorchError.runtime("input must have 2 dimensions, got \(input.dim)") }
        guard let batch = batchSizes.first, batch > 0, batchSizes.allSatisfy({ $0 > 0 }),
              zip(batchSizes, batchSizes.dropFirst()).allSatisfy({ $0 >= $1 }) else {
            throw TorchError.runtime("batch_sizes must be positive and non-increasing, got \(batchSizes)")
        }
        let rows = batchSizes.reduce(0, +)
        guard input.shape[0] == rows else {
            throw TorchError.runtime("input has \(input.shape[0]) rows but batch_sizes sum to \(rows)")
        }
        guard weightIH.dim == 2, weightHH.dim == 2 else { throw TorchError.runtime("recurrent weights must be 2-D") }
        let gates = weightIH.shape[0], inputSize = weightIH.shape[1]
        guard gates % cell.gateCount == 0, gates > 0 else {
            throw TorchError.runtime("weight_ih has \(gates) rows, not a multiple of \(cell.gateCount)")
        }
        let hidden = gates / cell.gateCount
        let outputSize = weightHR?.shape[0] ?? hidden
        guard input.shape[1] == inputSize else {
            throw TorchError.runtime("input.size(-1) must be equal to input_size. Expected \(inputSize), got \(input.shape[1])")
        }
        guard weightHH.shape == [gates, outputSize] else {
            throw TorchError.runtime("weight_hh has shape \(shapeDescription(weightHH.shape)), expected \(shapeDescription([gates, outputSize]))")
        }
        if let w = weightHR, w.shape != [outputSize, hidden] {
            throw TorchError.runtime("weight_hr has shape \(shapeDescription(w.shape)), expected \(shapeDescription([outputSize, hidden]))")
        }
        for b in [biasIH, biasHH].compactMap({ $0 }) where b.shape != [gates] {
            throw TorchError.runtime("bias has shape \(shapeDescription(b.shape)), expected \(shapeDescription([gates]))")
        }
        guard h0.shape == [batch, outputSize] else {
            throw TorchError.runtime("Expected hidden size \(shapeDescription([batch, outputSize])), got \(shapeDescription(h0.shape))")
        }
        if cell == .lstm {
            guard let c0, c0.shape == [batch, hidden] else {
                throw TorchError.runtime("Expected cell size \(shapeDescription([batch, hidden])), got \(c0.map { shapeDescription($0.shape) } ?? "None")")
            }
        }
        var offsets: [Int] = [], o = 0
        for s in batchSizes { offsets.append(o); o += s }
        return RecurrentGeometry(cell: cell, inputSize: inputSize, hidden: hidden, outputSize: outputSize, batchSizes: batchSizes,
                                 offsets: offsets, rows: rows, batch: batch, reverse: reverse, projected: weightHR != nil)
    }
}

/// The layer's operands as dense tensors (so kernels read raw rows).
struct RecurrentOperands {
    let x: Tensor, h0: Tensor, c0: Tensor?
    let wIH: Tensor, wHH: Tensor, bIH: Tensor?, bHH: Tensor?, wHR: Tensor?
}

/// What the forward pass keeps for the backward pass (raw buffers of the layer's element type):
/// `activations` the gates after their nonlinearity `[N, G]` (RNN: unused, the output is enough),
/// `hiddenBefore` the hidden state each row started its step with `[N, P]`; LSTM: `cellBefore`
/// `[N, H]`, `tanhCell` tanh(c) `[N, H]`, `unprojected` o·tanh(c) `[N, H]` with proj_size;
/// GRU: `hiddenCandidate` W_hn·h + b_hn `[N, H]`.
final class RecurrentSaved {
    let activations: Tensor?
    let hiddenBefore: Tensor
    let cellBefore: Tensor?
    let tanhCell: Tensor?
    let unprojected: Tensor?
    let hiddenCandidate: Tensor?
    let packed: Tensor

    init(activations: Tensor?, hiddenBefore: Tensor, cellBefore: Tensor?, tanhCell: Tensor?, unprojected: Tensor?,
         hiddenCandidate: Tensor?, packed: Tensor) {
        self.activations = activations
        self.hiddenBefore = hiddenBefore
        self.cellBefore = cellBefore
        self.tanhCell = tanhCell
        self.unprojected = unprojected
        self.hiddenCandidate = hiddenCandidate
        self.packed = packed
    }
}

/// The gradients of every operand of one layer run (nil where the operand is absent).
struct RecurrentGradients {
    var x: Tensor?, h0: Tensor?, c0: Tensor?
    var wIH: Tensor?, wHH: Tensor?, bIH: Tensor?, bHH: Tensor?, wHR: Tensor?
}

/// A row-major matrix of `rows × cols` at `base` with row stride `ld`.
@inline(__always)
func rowMajor<T>(_ base: UnsafeMutablePointer<T>, _ rows: Int, _ cols: Int, ld: Int? = nil) -> StridedMatrices<T> {
    StridedMatrices(base: base, batchStrides: [], rows: rows, cols: cols, rowStride: ld ?? cols, colStride: 1)
}

/// Fills `rows` rows of width `width` at `dst` with `bias` (zeros when nil).
@inline(__always)
func fillRows<T: KernelFloat>(_ dst: UnsafeMutablePointer<T>, rows: Int, width: Int, bias: UnsafeMutablePointer<T>?) {
    if let bias {
        for r in 0..<rows { (dst + r * width).update(from: bias, count: width) }
    } else {
        dst.update(repeating: 0, count: rows * width)
    }
}

private func recurrentForward<T: KernelFloat>(_: T.Type, _ geo: RecurrentGeometry, _ op: RecurrentOperands) throws -> (Tensor, RecurrentSaved) {
    let n = geo.rows, b = geo.batch, h = geo.hidden, p = geo.outputSize, g = geo.gates, dtype = op.x.dtype
    let packed = try Tensor(shape: [n * p + b * p + (geo.cell == .lstm ? b * h : 0)], dtype: dtype, zeroed: false)
    let out = packed.elements(T.self), hState = out + n * p, cState = out + n * p + b * p
    hState.update(from: op.h0.elements(T.self), count: b * p)
    if let c0 = op.c0 { cState.update(from: c0.elements(T.self), count: b * h) }

    // The input projection of every step: one gemm, bias rows first.
    let preX = try Tensor(shape: [n, g], dtype: dtype, zeroed: false)
    let gx = preX.elements(T.self)
    fillRows(gx, rows: n, width: g, bias: op.bIH?.elements(T.self))
    gemm(rowMajor(op.x.elements(T.self), n, geo.inputSize), rowMajor(op.wIH.elements(T.self), g, geo.inputSize).transposed,
         rowMajor(gx, n, g), beta: 1)

    let needsActivations = geo.cell == .lstm || geo.cell == .gru
    let activations = needsActivations ? try Tensor(shape: [n, g], dtype: dtype, zeroed: false) : nil
    let hiddenBefore = try Tensor(shape: [n, p], dtype: dtype, zeroed: false)
    let isLSTM = geo.cell == .lstm
    let cellBefore = isLSTM ? try Tensor(shape: [n, h], dtype: dtype, zeroed: false) : nil
    let tanhCell = isLSTM ? try Tensor(shape: [n, h], dtype: dtype, zeroed: false) : nil
    let unprojected = geo.projected ? try Tensor(shape: [n, h], dtype: dtype, zeroed: false) : nil
    let candidate = geo.cell == .gru ? try Tensor(shape: [n, h], dtype: dtype, zeroed: false) : nil
    let preH = try Tensor(shape: [b, g], dtype: dtype, zeroed: false)
    let gh = preH.elements(T.self)
    // W_hhᵀ laid out k-major once per pass, so no step repacks it (RecurrentProduct.swift).
    let wHHT = try op.wHH.detach().t().contiguous()
    let hiddenProduct = RecurrentStepProduct(b: wHHT.elements(T.self), k: p, n: g)
    let bHH = op.bHH?.elements(T.self)

    for t in geo.forwardOrder {
        let rows = geo.batchSizes[t], o = geo.offsets[t]
        let hPrev = hiddenBefore.elements(T.self) + o * p
        hPrev.update(from: hState, count: rows * p)
        fillRows(gh, rows: rows, width: g, bias: bHH)
        hiddenProduct.apply(hState, rows: rows, into: gh, accumulate: true)
        let step = RecurrentStep<T>(rows: rows, hidden: h, gx: gx + o * g, gh: gh, act: activations.map { $0.elements(T.self) + o * g })
        switch geo.cell {
        case .lstm:
            guard let cellBefore, let tanhCell else { break }
            let cPrev = cellBefore.elements(T.self) + o * h
            cPrev.update(from: cState, count: rows * h)
            let hOut = geo.projected ? (unprojected?.elements(T.self) ?? out) + o * h : out + o * p
            lstmGatesForward(step, cell: cState, tanhCell: tanhCell.elements(T.self) + o * h, hidden: hOut)
            if let wHR = op.wHR {
                gemm(rowMajor(hOut, rows, h), rowMajor(wHR.elements(T.self), p, h).transposed, rowMajor(out + o * p, rows, p), beta: 0)
            }
        case .gru:
            guard let candidate else { break }
            gruGatesForward(step, hiddenBefore: hPrev, candidate: candidate.elements(T.self) + o * h, hidden: out + o * p)
        case .rnnTanh, .rnnReLU:
            rnnGatesForward(step, relu: geo.cell == .rnnReLU, hidden: out + o * p)
        }
        hState.update(from: out + o * p, count: rows * p)
    }
    withExtendedLifetime(wHHT) {}   // the steps read it through a raw pointer
    let saved = RecurrentSaved(activations: activations, hiddenBefore: hiddenBefore, cellBefore: cellBefore, tanhCell: tanhCell,
                               unprojected: unprojected, hiddenCandidate: candidate, packed: packed)
    return (packed, saved)
}

private func recurrentBackward<T: KernelFloat>(_: T.Type, _ geo: RecurrentGeometry, _ op: RecurrentOperands,
                                               _ saved: RecurrentSaved, _ grad: Tensor, needInput: Bool) throws -> RecurrentGradients {
    let n = geo.rows, b = geo.batch, h = geo.hidden, p = geo.outputSize, g = geo.gates, dtype = op.x.dtype
    let gOut = grad.elements(T.self)
    // Running gradients of the hidden and cell states, seeded with those of h_n and c_n.
    let dState = try Tensor(shape: [b * p + b * h], dtype: dtype, zeroed: false)
    let dh = dState.elements(T.self), dc = dh + b * p
    dh.update(from: gOut + n * p, count: b * p)
    if geo.cell == .lstm { dc.update(from: gOut + n * p + b * p, count: b * h) }

    let dGatesX = try Tensor(shape: [n, g], dtype: dtype, zeroed: false)
    let dGatesH = geo.cell == .gru ? try Tensor(shape: [n, g], dtype: dtype, zeroed: false) : dGatesX
    let dHidden = geo.projected ? try Tensor(shape: [n, p], dtype: dtype, zeroed: false) : nil
    let dUnprojected = geo.projected ? try Tensor(shape: [b, h], dtype: dtype, zeroed: false) : nil
    let hiddenProduct = RecurrentStepProduct(b: op.wHH.elements(T.self), k: g, n: p)
    let out = saved.packed.elements(T.self)

    for t in geo.forwardOrder.reversed() {
        let rows = geo.batchSizes[t], o = geo.offsets[t]
        let gRow = gOut + o * p
        for i in 0..<(rows * p) { dh[i] += gRow[i] }
        var dhCell = dh
        if let dHidden, let dUnprojected, let wHR = op.wHR {
            (dHidden.elements(T.self) + o * p).update(from: dh, count: rows * p)
            dhCell = dUnprojected.elements(T.self)
            gemm(rowMajor(dh, rows, p), rowMajor(wHR.elements(T.self), p, h), rowMajor(dhCell, rows, h), beta: 0)
        }
        let dgx = dGatesX.elements(T.self) + o * g, dgh = dGatesH.elements(T.self) + o * g
        let act = saved.activations.map { $0.elements(T.self) + o * g }
        switch geo.cell {
        case .lstm:
            guard let act, let cellBefore = saved.cellBefore, let tanhCell = saved.tanhCell else { break }
            lstmGatesBackward(rows: rows, hidden: h, act: act, cellBefore: cellBefore.elements(T.self) + o * h,
                              tanhCell: tanhCell.elements(T.self) + o * h, dHidden: dhCell, dCell: dc, dGates: dgx)
        case .gru:
            guard let act, let candidate = saved.hiddenCandidate else { break }
            gruGatesBackward(rows: rows, hidden: h, act: act, candidate: candidate.elements(T.self) + o * h,
                             hiddenBefore: saved.hiddenBefore.elements(T.self) + o * p, dHidden: dh, dGatesX: dgx, dGatesH: dgh)
        case .rnnTanh, .rnnReLU:
            rnnGatesBackward(rows: rows, hidden: h, relu: geo.cell == .rnnReLU, output: out + o * p, dHidden: dh, dGates: dgx)
        }
        // dh(prev) = dGatesH · W_hh (GRU adds to its direct z·dh term, which the gate pass left in dh).
        hiddenProduct.apply(dgh, rows: rows, into: dh, accumulate: geo.cell == .gru)
    }

    var grads = RecurrentGradients()
    grads.h0 = try Tensor(shape: [b, p], dtype: dtype, zeroed: false)
    grads.h0?.elements(T.self).update(from: dh, count: b * p)
    if geo.cell == .lstm {
        grads.c0 = try Tensor(shape: [b, h], dtype: dtype, zeroed: false)
        grads.c0?.elements(T.self).update(from: dc, count: b * h)
    }
    let i = geo.inputSize
    let dgxAll = rowMajor(dGatesX.elements(T.self), n, g), dghAll = rowMajor(dGatesH.elements(T.self), n, g)
    if needInput {
        let gx = try Tensor(shape: [n, i], dtype: dtype, zeroed: false)
        gemm(dgxAll, rowMajor(op.wIH.elements(T.self), g, i), rowMajor(gx.elements(T.self), n, i), beta: 0)
        grads.x = gx
    }
    let gwIH = try Tensor(shape: [g, i], dtype: dtype, zeroed: false)
    gemm(dgxAll.transposed, rowMajor(op.x.elements(T.self), n, i), rowMajor(gwIH.elements(T.self), g, i), beta: 0)
    grads.wIH = gwIH
    let gwHH = try Tensor(shape: [g, p], dtype: dtype, zeroed: false)
    gemm(dghAll.transposed, rowMajor(saved.hiddenBefore.elements(T.self), n, p), rowMajor(gwHH.elements(T.self), g, p), beta: 0)
    grads.wHH = gwHH
    if op.bIH != nil { grads.bIH = try columnSums(T.self, dGatesX, rows: n, cols: g) }
    if op.bHH != nil { grads.bHH = try columnSums(T.self, dGatesH, rows: n, cols: g) }
    if let dHidden, let unprojected = saved.unprojected {
        let gwHR = try Tensor(shape: [p, h], dtype: dtype, zeroed: false)
        gemm(rowMajor(dHidden.elements(T.self), n, p).transposed, rowMajor(unprojected.elements(T.self), n, h),
             rowMajor(gwHR.elements(T.self), p, h), beta: 0)
        grads.wHR = gwHR
    }
    return grads
}

/// Sums of each column of a dense `[rows, cols]` matrix, as a `[cols]` tensor.
private func columnSums<T: KernelFloat>(_: T.Type, _ m: Tensor, rows: Int, cols: Int) throws -> Tensor {
    let out = try Tensor(shape: [cols], dtype: m.dtype, zeroed: true)
    let s = out.elements(T.self), src = m.elements(T.self)
    for r in 0..<rows {
        let row = src + r * cols
        for j in 0..<cols { s[j] += row[j] }
    }
    return out
}
