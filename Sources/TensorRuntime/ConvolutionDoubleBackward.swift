/// Convolution gradients that are differentiable again (`create_graph=True`: gradient penalties,
/// MAML through convolutions). A convolution is bilinear in its volume side `V` (a convolution's
/// input, a transposed convolution's output) and its weight `W`, with the columns side `S`; each
/// of the three kernels of ConvolutionNd.swift is bilinear too, and the vector-Jacobian products
/// of each are the other two:
/// - `S = V2C(V, W)`: `gV = C2V(gS, W)`, `gW = WG(V, gS)`;
/// - `V = C2V(S, W)`: `gS = V2C(gV, W)`, `gW = WG(gV, S)`;
/// - `W = WG(V, S)`: `gV = C2V(S, gW)`, `gS = V2C(V, gW)`.
/// Recorded as graph nodes whose backward records the others, they differentiate to any order.
/// Only backward passes run while grad mode is on take this path; the usual backward calls the
/// kernels directly.
enum ConvolutionBilinear {
    enum Kind { case volumeToColumns, columnsToVolume, weightGradient }

    /// The gradients of a convolution (`transposed`: of a transposed one) of batched `x` and
    /// `weight` for the output gradient `g`, as recorded ops: `[gx, gw] (+ [gb])`.
    static func gradients(_ geometry: VolumeGeometry, transposed: Bool, _ g: Tensor, x: Tensor, weight: Tensor,
                          needX: Bool, needW: Bool, bias: (shape: [Int], need: Bool)?) throws -> [Tensor?] {
        // Transposed: the output gradient is the volume and x the columns; else the reverse.
        let gx = needX ? try apply(transposed ? .volumeToColumns : .columnsToVolume, geometry, g, weight, shape: x.shape) : nil
        let gw = needW ? try (transposed ? apply(.weightGradient, geometry, g, x, shape: weight.shape)
                                          : apply(.weightGradient, geometry, x, g, shape: weight.shape)) : nil
        guard let bias else { return [gx, gw] }
        let gb = bias.need ? try g.sum(dims: [0] + Array(2..<g.dim)) : nil
        return [gx, gw, gb]
    }

    /// `gradients` for a convolution whose input may be unbatched (`unbatched`: `x` and `g` lack
    /// the batch dim, which recorded views add and the input gradient drops again).
    static func gradients(_ geometry: VolumeGeometry, transposed: Bool, unbatched: Bool, _ g: Tensor, x: Tensor, weight: Tensor,
                          needX: Bool, needW: Bool, bias: (shape: [Int], need: Bool)?) throws -> [Tensor?] {
        guard unbatched else {
            return try gradients(geometry, transposed: transposed, g, x: x, weight: weight, needX: needX, needW: needW, bias: bias)
        }
        var r = try gradients(geometry, transposed: transposed, try g.unsqueeze(0), x: try x.unsqueeze(0), weight: weight,
                              needX: needX, needW: needW, bias: bias)
        r[0] = try r[0]?.squeeze(dim: 0)
        return r
    }

    /// One kernel on `a` and `b` (V and W, S and W, or V and S), recorded when they need gradients.
    static func apply(_ kind: Kind, _ geometry: VolumeGeometry, _ a: Tensor, _ b: Tensor, shape: [Int]) throws -> Tensor {
        let ad = try a.dense(), bd = try b.dense()
        let out = try Tensor(shape: shape, dtype: a.dtype, zeroed: true)
        func run<T: KernelFloat>(_: T.Type) throws {
            switch kind {
            case .volumeToColumns: try volumeToColumns(T.self, geometry, ad, bd, out)
            case .columnsToVolume: try columnsToVolume(T.self, geometry, ad, bd, out)
            case .weightGradient: try weightGradient(T.self, geometry, ad, bd, out)
            }
        }
        try KernelCancellation.cancellable { if a.dtype == .float32 { try run(Float.self) } else { try run(Double.self) } }
        guard GradMode.isEnabled, a.requiresGrad || b.requiresGrad else { return out }
        let (aShape, bShape, needA, needB) = (a.shape, b.shape, a.requiresGrad, b.requiresGrad)
        return out.recordingGrad("ConvolutionBackwardBackward0", inputs: [a, b]) { gOut in
            let (ka, xa, ya, kb, xb, yb): (Kind, Tensor, Tensor, Kind, Tensor, Tensor)
            switch kind {
            case .volumeToColumns: (ka, xa, ya, kb, xb, yb) = (.columnsToVolume, gOut, b, .weightGradient, a, gOut)   // a = V, b = W
            case .columnsToVolume: (ka, xa, ya, kb, xb, yb) = (.volumeToColumns, gOut, b, .weightGradient, gOut, a)   // a = S, b = W
            case .weightGradient: (ka, xa, ya, kb, xb, yb) = (.columnsToVolume, b, gOut, .volumeToColumns, a, gOut)    // a = V, b = S
            }
            return [needA ? try apply(ka, geometry, xa, ya, shape: aShape) : nil,
                    needB ? try apply(kb, geometry, xb, yb, shape: bShape) : nil]
        }
    }
}
