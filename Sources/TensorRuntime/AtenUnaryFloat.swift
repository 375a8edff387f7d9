import CKernels

/// float32 functions PyTorch computes with SLEEF on AVX2 and AVX-512 (CKernels/sleef_unary.c), with
/// the element split ATen makes: `expm1` and `log1p` go through `at::vml` (`vec::map`: every element
/// by SLEEF, the last partial vector too), log_sigmoid through a loop of its own that does the same, the others through `cpu_kernel_vec` (pairs of vectors by
/// its vector lambda, each thread chunk's tail by its scalar one with libm, as `AtenSigmoid`).
/// `elu` carries ATen's float coefficients: alpha·scale, the input scale and scale; `softplus` its
/// float beta and threshold. PyTorch's build without
/// AVX2 uses libm throughout; so does this on such a CPU. (torch.exp, log, sin, tanh, erf and the
/// other functions ATen hands to MKL's VML are not here: see docs/architecture.md.)
enum AtenUnaryFloat {
    case expm1, log1p, exp2, atanh, mish, silu, logSigmoid
    case elu(negative: Float, inputScale: Float, positive: Float)
    case softplus(beta: Float, threshold: Float)

    /// The kernel's op code (`nn_unary_op`).
    var code: Int32 {
        switch self {
        case .expm1: return Int32(NN_UNARY_EXPM1.rawValue)
        case .log1p: return Int32(NN_UNARY_LOG1P.rawValue)
        case .exp2: return Int32(NN_UNARY_EXP2.rawValue)
        case .atanh: return Int32(NN_UNARY_ATANH.rawValue)
        case .mish: return Int32(NN_UNARY_MISH.rawValue)
        case .silu: return Int32(NN_UNARY_SILU.rawValue)
        case .elu: return Int32(NN_UNARY_ELU.rawValue)
        case .softplus: return Int32(NN_UNARY_SOFTPLUS.rawValue)
        case .logSigmoid: return Int32(NN_UNARY_LOG_SIGMOID.rawValue)
        }
    }

    /// The kernel's parameters (`elu`'s coefficients, `softplus`'s beta and threshold; zeros otherwise).
    var parameters: (Float, Float, Float) {
        switch self {
        case let .elu(negative, inputScale, positive): return (negative, inputScale, positive)
        case let .softplus(beta, threshold): return (beta, threshold, 0)
        default: return (0, 0, 0)
        }
    }

    /// Whether ATen maps every element through the vector function (at::vml) rather than leaving
    /// each chunk's tail to the scalar one.
    var everyElementVectorised: Bool {
        switch self {
        case .expm1, .log1p, .logSigmoid: return true
        default: return false
        }
    }

    /// Writes the function of `count` contiguous floats of `x` into `y` (distinct from `x`).
    func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        let (p0, p1, p2) = parameters
        if everyElementVectorised {
            nn_unary_f32(code, x, y, count, AtenSigmoid.block > 0 ? count : 0, p0, p1, p2)
            return
        }
        AtenSigmoid.chunks(count: count) { start, length in
            let block = AtenSigmoid.block
            nn_unary_f32(code, x + start, y + start, length, block > 0 ? length - length % block : 0, p0, p1, p2)
        }
    }
}

extension Tensor {
    /// `function(self)` by `AtenUnaryFloat` for a float32 tensor: over the memory of one whose
    /// elements tile it (contiguous, or a permutation such as `x.t()`), into a result with the
    /// same strides, as ATen's TensorIterator does; a vml function (every element vectorised)
    /// over a contiguous copy of any other. Integer and bool tensors are converted to the default
    /// float type first. nil otherwise (the op's scalar path).
    func atenUnaryFloat32(_ function: AtenUnaryFloat) throws -> Tensor? {
        var source = dtype.isFloatingPoint ? self : try cast(DType.defaultFloat)
        guard source.dtype == .float32, numel > 0 else { return nil }
        if !source.isNonOverlappingAndDense {
            guard function.everyElementVectorised else { return nil }
            source = try dense()
        }
        let out = source.isContiguous ? try Tensor(shape: shape, dtype: .float32, zeroed: false)
            : Tensor(storage: try Storage(count: numel, dtype: .float32, zeroed: false), shape: shape, strides: source.strides)
        function.apply(source.elements(Float.self), out.elements(Float.self), count: numel)
        return out
    }
}
