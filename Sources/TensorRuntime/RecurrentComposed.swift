/// One direction of one recurrent layer written with recorded tensor ops (ATen's cell formulas,
/// step by step), giving the fused kernel's packed result `[output, h_n, (c_n)]` flattened.
/// Only gradients that must be differentiable again use it (`composedGradients` in a
/// create_graph=True backward run); the forward and the usual backward are the fused kernel.
extension RecurrentGeometry {
    /// `t`: the layer's inputs as `recurrentLayer` records them:
    /// `[input, h0, (c0), weight_ih, weight_hh, (bias_ih), (bias_hh), (weight_hr)]`.
    func composedForward(_ t: [Tensor], hasBiasIH: Bool, hasBiasHH: Bool) throws -> Tensor {
        var k = 0
        func next() -> Tensor { defer { k += 1 }; return t[k] }
        let x = next(), h0 = next(), c0 = cell == .lstm ? next() : nil
        let wIH = next(), wHH = next()
        let bIH = hasBiasIH ? next() : nil, bHH = hasBiasHH ? next() : nil
        let wHR = projected ? next() : nil
        var h = h0, c = c0
        var outputs = [Tensor?](repeating: nil, count: batchSizes.count)
        for step in forwardOrder {
            let rows = batchSizes[step]
            let hp = try h.narrow(dim: 0, start: 0, length: rows)
            let gi = try Functional.linear(try x.narrow(dim: 0, start: offsets[step], length: rows), weight: wIH, bias: bIH)
            let gh = try Functional.linear(hp, weight: wHH, bias: bHH)
            var hn: Tensor
            switch cell {
            case .rnnTanh: hn = try gi.add(gh).tanh()
            case .rnnReLU: hn = try gi.add(gh).relu()
            case .lstm:
                let gates = try gi.add(gh).chunk(4, dim: 1)
                let cp = try (c ?? h).narrow(dim: 0, start: 0, length: rows)
                let cn = try gates[1].sigmoid().mul(cp).add(try gates[0].sigmoid().mul(try gates[2].tanh()))
                hn = try gates[3].sigmoid().mul(try cn.tanh())
                if let wHR { hn = try hn.matmul(try wHR.t()) }
                c = try keepingRest(cn, of: c ?? cn, rows: rows)
            case .gru:
                let i = try gi.chunk(3, dim: 1), r = try gh.chunk(3, dim: 1)
                let reset = try i[0].add(r[0]).sigmoid(), update = try i[1].add(r[1]).sigmoid()
                let candidate = try i[2].add(try reset.mul(r[2])).tanh()
                hn = try candidate.add(try update.mul(try hp.sub(candidate)))
            }
            outputs[step] = hn
            h = try keepingRest(hn, of: h, rows: rows)
        }
        var parts = [try Tensor.cat(outputs.compactMap { $0 }, dim: 0).flatten(), try h.flatten()]
        if let c { parts.append(try c.flatten()) }
        return try Tensor.cat(parts, dim: 0)
    }

    /// The new state of the first `rows` rows, the rows of `state` past them unchanged (a packed
    /// sequence's rows that have ended, or in reverse have not started).
    private func keepingRest(_ new: Tensor, of state: Tensor, rows: Int) throws -> Tensor {
        guard rows < state.shape[0] else { return new }
        return try Tensor.cat([new, try state.narrow(dim: 0, start: rows, length: state.shape[0] - rows)], dim: 0)
    }
}
