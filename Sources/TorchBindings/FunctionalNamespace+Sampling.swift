import NNLang
import TensorRuntime

/// `F.grid_sample` and `F.affine_grid` (the spatial-transformer pair; TensorRuntime/GridSample.swift).
/// Python functions in PyTorch, so they print as `<function grid_sample at 0x…>`.
extension FunctionalNamespace {
    static func installSampling(_ f: Namespace) {
        func def(_ name: String, _ signature: String, _ doc: String, _ body: @escaping (Bound, Evaluator) throws -> Value) {
            let sig = Signature(signature, style: .torch)
            f[name] = .object(NativeFunction(name, signature: sig, doc: doc, kind: "function") { a, ev in try body(try sig.bind(a, name), ev) })
        }
        def("grid_sample", "input, grid, mode='bilinear', padding_mode='zeros', align_corners=None",
            "Samples input at the grid's normalised (x, y) points in [-1, 1] (bilinear or nearest; zeros, border or reflection outside).") { b, ev in
            let modeName = try b[2].asString("mode"), paddingName = try b[3].asString("padding_mode")
            guard ["bilinear", "nearest", "bicubic"].contains(modeName) else {
                throw PyError(.valueError, "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: '\(modeName)'")
            }
            guard let padding = Functional.GridPadding(rawValue: paddingName) else {
                throw PyError(.valueError, "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or 'reflection', but got: '\(paddingName)'")
            }
            guard let mode = Functional.GridSampleMode(rawValue: modeName) else {
                throw PyError(.notImplementedError, "grid_sample(mode='bicubic') is not supported by nnrepl")
            }
            return .tensor(try Functional.gridSample(try b.tensor(0, "input"), try b.tensor(1, "grid"), mode: mode, padding: padding,
                                                     alignCorners: try alignCorners(b[4], ev)))
        }
        def("affine_grid", "theta, size, align_corners=None",
            "The [-1, 1] sampling grid of a batch of affine maps theta (N x 2 x 3 for a 4-D size, N x 3 x 4 for 5-D).") { b, ev in
            let size = try Convert.ints(b[1], ev, "size"), corners = try alignCorners(b[2], ev)
            if corners, size.count >= 4, size[2...].contains(1) {
                ev.warn("UserWarning: Since version 1.3.0, affine_grid behavior has changed for unit-size grids when align_corners=True. This is not an intended use case of affine_grid. See the documentation of affine_grid for details.")
            }
            return .tensor(try Functional.affineGrid(try b.tensor(0, "theta"), size: size, alignCorners: corners))
        }
    }

    /// `align_corners=None` is False with PyTorch's warning.
    private static func alignCorners(_ v: Value, _ ev: Evaluator) throws -> Bool {
        guard v.isNone else { return try ev.truthy(v) }
        ev.warn("UserWarning: Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. Please specify align_corners=True if the old behavior is desired. See the documentation of grid_sample for details.")
        return false
    }
}
