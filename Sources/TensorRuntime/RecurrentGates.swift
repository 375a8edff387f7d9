import CKernels

/// The gate nonlinearities of the recurrent cells, fused: one pass over a time step's rows reads
/// the input and hidden projections, applies the gates' sigmoid/tanh, updates the states and
/// writes what the backward pass needs. Formulas and rounding order are ATen's cells
/// (aten/src/ATen/native/RNN.cpp): sigmoid as 1 / (1 + exp(-x)), LSTM c = f·c' + i·g,
/// h = o·tanh(c); GRU n = tanh(x_n + r·(W_hn h + b_hn)), h = (h' - n)·z + n. Float32 forward passes
/// run the vectorised C kernels (Sources/CKernels/recurrent_gates.c: Cephes's exp and tanh,
/// within 2 ulp); float64 and the backward passes (no transcendental functions) are Swift loops.

/// One time step's pre-activations: `gx` the input projection rows (row stride G = gates·H, bias
/// b_ih included), `gh` the hidden projection rows (bias b_hh included), `act` where the
/// activated gates go (row stride G), or nil when the cell does not keep them.
struct RecurrentStep<T: KernelFloat> {
    let rows: Int
    let hidden: Int
    let gx: UnsafeMutablePointer<T>
    let gh: UnsafeMutablePointer<T>
    let act: UnsafeMutablePointer<T>?
}

/// `p` as a float pointer (the caller has checked `T == Float`); also the float32 kernels of
/// ConvolutionTaps.swift and ConvolutionPhases.swift use it.
@inline(__always)
func floats<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
}

@inline(__always)
func sigmoidValue<T: KernelFloat>(_ x: T) -> T { 1 / (1 + T.expF(-x)) }

/// LSTM: gates i, f, g, o; `cell` holds c' on entry and c on return (row stride H); `tanhCell`
/// gets tanh(c), `hidden` o·tanh(c) (row stride H: the unprojected hidden state, or the output
/// itself without projection, whose row stride is then also H).
func lstmGatesForward<T: KernelFloat>(_ s: RecurrentStep<T>, cell: UnsafeMutablePointer<T>,
                                      tanhCell: UnsafeMutablePointer<T>, hidden: UnsafeMutablePointer<T>) {
    guard let act = s.act else { return }
    let h = s.hidden, g = 4 * h
    if T.self == Float.self {
        nn_lstm_gates_forward_f32(floats(s.gx), floats(s.gh), floats(act), floats(cell), floats(tanhCell), floats(hidden), s.rows, h)
        return
    }
    for r in 0..<s.rows {
        let x = s.gx + r * g, y = s.gh + r * g, a = act + r * g, c = cell + r * h
        let tc = tanhCell + r * h, out = hidden + r * h
        for j in 0..<h {
            let i = sigmoidValue(y[j] + x[j])
            let f = sigmoidValue(y[h + j] + x[h + j])
            let cg = T.tanhF(y[2 * h + j] + x[2 * h + j])
            let o = sigmoidValue(y[3 * h + j] + x[3 * h + j])
            let cNew = f * c[j] + i * cg
            let t = T.tanhF(cNew)
            a[j] = i; a[h + j] = f; a[2 * h + j] = cg; a[3 * h + j] = o
            c[j] = cNew
            tc[j] = t
            out[j] = o * t
        }
    }
}

/// LSTM backward for one step: `dHidden` the gradient of o·tanh(c) (row stride H), `dCell` the
/// running gradient of c (in: of c, out: of c'), `dGates` the pre-activation gradients.
func lstmGatesBackward<T: KernelFloat>(rows: Int, hidden h: Int, act: UnsafeMutablePointer<T>, cellBefore: UnsafeMutablePointer<T>,
                                       tanhCell: UnsafeMutablePointer<T>, dHidden: UnsafeMutablePointer<T>,
                                       dCell: UnsafeMutablePointer<T>, dGates: UnsafeMutablePointer<T>) {
    let g = 4 * h
    for r in 0..<rows {
        let a = act + r * g, cp = cellBefore + r * h, tc = tanhCell + r * h
        let dhr = dHidden + r * h, dc = dCell + r * h, d = dGates + r * g
        for j in 0..<h {
            let i = a[j], f = a[h + j], cg = a[2 * h + j], o = a[3 * h + j], t = tc[j]
            let dcT = dc[j] + dhr[j] * o * (1 - t * t)
            d[j] = dcT * cg * i * (1 - i)
            d[h + j] = dcT * cp[j] * f * (1 - f)
            d[2 * h + j] = dcT * i * (1 - cg * cg)
            d[3 * h + j] = dhr[j] * t * o * (1 - o)
            dc[j] = dcT * f
        }
    }
}

/// GRU: gates r, z, n; `candidate` gets W_hn·h' + b_hn (what r multiplies), `hidden` the new state.
func gruGatesForward<T: KernelFloat>(_ s: RecurrentStep<T>, hiddenBefore: UnsafeMutablePointer<T>,
                                     candidate: UnsafeMutablePointer<T>, hidden: UnsafeMutablePointer<T>) {
    guard let act = s.act else { return }
    let h = s.hidden, g = 3 * h
    if T.self == Float.self {
        nn_gru_gates_forward_f32(floats(s.gx), floats(s.gh), floats(act), floats(hiddenBefore), floats(candidate), floats(hidden), s.rows, h)
        return
    }
    for r in 0..<s.rows {
        let x = s.gx + r * g, y = s.gh + r * g, a = act + r * g
        let hp = hiddenBefore + r * h, cand = candidate + r * h, out = hidden + r * h
        for j in 0..<h {
            let reset = sigmoidValue(y[j] + x[j])
            let update = sigmoidValue(y[h + j] + x[h + j])
            let hn = y[2 * h + j]
            let n = T.tanhF(x[2 * h + j] + hn * reset)
            a[j] = reset; a[h + j] = update; a[2 * h + j] = n
            cand[j] = hn
            out[j] = (hp[j] - n) * update + n
        }
    }
}

/// GRU backward for one step: `dHidden` holds dL/dh on entry and the direct part z·dh of
/// dL/dh' on return; `dGatesX` / `dGatesH` the gradients of the input / hidden projections
/// (they differ in the n gate, where the hidden part is scaled by r).
func gruGatesBackward<T: KernelFloat>(rows: Int, hidden h: Int, act: UnsafeMutablePointer<T>, candidate: UnsafeMutablePointer<T>,
                                      hiddenBefore: UnsafeMutablePointer<T>, dHidden: UnsafeMutablePointer<T>,
                                      dGatesX: UnsafeMutablePointer<T>, dGatesH: UnsafeMutablePointer<T>) {
    let g = 3 * h
    for r in 0..<rows {
        let a = act + r * g, cand = candidate + r * h, hp = hiddenBefore + r * h
        let dh = dHidden + r * h, dx = dGatesX + r * g, dy = dGatesH + r * g
        for j in 0..<h {
            let reset = a[j], update = a[h + j], n = a[2 * h + j], d = dh[j]
            let dn = d * (1 - update) * (1 - n * n)
            let dr = dn * cand[j] * reset * (1 - reset)
            let dz = d * (hp[j] - n) * update * (1 - update)
            dx[j] = dr; dx[h + j] = dz; dx[2 * h + j] = dn
            dy[j] = dr; dy[h + j] = dz; dy[2 * h + j] = dn * reset
            dh[j] = d * update
        }
    }
}

/// Elman RNN: h = tanh(x + y) or relu(x + y).
func rnnGatesForward<T: KernelFloat>(_ s: RecurrentStep<T>, relu: Bool, hidden: UnsafeMutablePointer<T>) {
    let h = s.hidden
    if T.self == Float.self && !relu {
        nn_tanh_sum_f32(floats(s.gx), floats(s.gh), floats(hidden), s.rows * h)
        return
    }
    for r in 0..<s.rows {
        let x = s.gx + r * h, y = s.gh + r * h, out = hidden + r * h
        if relu {
            for j in 0..<h {
                let v = y[j] + x[j]
                out[j] = v.isNaN || v > 0 ? v : 0
            }
        } else {
            for j in 0..<h { out[j] = T.tanhF(y[j] + x[j]) }
        }
    }
}

/// Elman RNN backward: the pre-activation gradient from the step's output.
func rnnGatesBackward<T: KernelFloat>(rows: Int, hidden h: Int, relu: Bool, output: UnsafeMutablePointer<T>,
                                      dHidden: UnsafeMutablePointer<T>, dGates: UnsafeMutablePointer<T>) {
    for r in 0..<rows {
        let y = output + r * h, dh = dHidden + r * h, d = dGates + r * h
        if relu {
            for j in 0..<h { d[j] = y[j] > 0 ? dh[j] : 0 }
        } else {
            for j in 0..<h { d[j] = dh[j] * (1 - y[j] * y[j]) }
        }
    }
}
