/// The gradient of `scatterAtPlaneIndices` (max pooling's input gradient, recorded when
/// create_graph=True): `u` read at each output's argmax, plane by plane — `indices`-shaped. It is
/// linear in `u` and recorded in turn, its gradient being the scatter, so max pooling
/// differentiates to any order.
func gatherAtPlaneIndices(_ u: Tensor, _ indices: Tensor, planes: Int) throws -> Tensor {
    let ud = try u.dense()
    let out = try Tensor(shape: indices.shape, dtype: u.dtype, zeroed: false)
    let inPlane = u.shape.suffix(2).reduce(1, *), outPlane = indices.shape.suffix(2).reduce(1, *)
    let ip = indices.elements(Int64.self)
    func gather<T: KernelFloat>(_: T.Type) {
        let up = ud.elements(T.self), op = out.elements(T.self)
        for plane in 0..<planes {
            for j in 0..<outPlane {
                let o = plane * outPlane + j
                op[o] = up[plane * inPlane + Int(ip[o])]
            }
        }
    }
    if u.dtype == .float32 { gather(Float.self) } else { gather(Double.self) }
    guard GradMode.isEnabled, u.requiresGrad else { return out }
    let inputShape = u.shape
    return out.recordingGrad("MaxPool2DWithIndicesBackwardBackward0", inputs: [u]) { v in
        [try scatterAtPlaneIndices(v, indices, inputShape: inputShape, planes: planes)]
    }
}
