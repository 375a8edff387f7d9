import Foundation

/// Elementwise functions beyond UnaryMath's: log2, log10, exp2, hyperbolic and inverse
/// trigonometric functions, erfc, erfinv, lgamma, digamma, i0, sinc, frac, logit; and the
/// two-argument hypot, logaddexp(2), xlogy, fmax/fmin, fmod. Each is a scalar function computed
/// in Double per element (a float32 result rounded once, so it can differ from ATen's float
/// kernels in the last bit) unless it names ATen's float form (`floatForm`, `aten`), with its
/// derivative(s); the backward multiplies the incoming gradient by the derivative at the saved input(s).

private let ln2 = 0.693147180559945309417232121458176568
private let ln10 = 2.30258509299404568401799145468436421
/// π rounded to nearest as c10::pi<float> (Swift's `Float.pi` is rounded toward zero).
private let floatPi = Float(Double.pi)

/// A float unary op from a Double function (float32 may have its own float function, as `sinc`
/// needs: ATen evaluates it in float).
struct MappedUnaryOp: FloatUnaryOp {
    let double: @Sendable (Double) -> Double
    let float: (@Sendable (Float) -> Float)?
    @inline(__always) func apply<T: FloatElement>(_ x: T) -> T {
        if let float, T.self == Float.self { return unsafeBitCast(float(unsafeBitCast(x, to: Float.self)), to: T.self) }
        return T(double(Double(x)))
    }
}

/// A float binary op from a Double function.
struct MappedBinaryOp: FloatBinaryOp {
    let f: @Sendable (Double, Double) -> Double
    @inline(__always) func apply<T: FloatElement>(_ a: T, _ b: T) -> T { T(f(Double(a), Double(b))) }
}

/// The one-argument functions of this file.
public enum ElementFunction: String, CaseIterable, Sendable {
    case log2, log10, exp2, sinh, cosh, asin, acos, atan, asinh, acosh, atanh, erfc, erfinv, lgamma, digamma, i0, sinc, frac, entr

    /// (value, derivative, autograd node name).
    var definition: (f: @Sendable (Double) -> Double, df: @Sendable (Double) -> Double, node: String) {
        switch self {
        case .log2: return ({ Foundation.log2($0) }, { 1 / ($0 * ln2) }, "Log2Backward0")
        case .log10: return ({ Foundation.log10($0) }, { 1 / ($0 * ln10) }, "Log10Backward0")
        case .exp2: return ({ Foundation.exp2($0) }, { Foundation.exp2($0) * ln2 }, "Exp2Backward0")
        case .sinh: return ({ Foundation.sinh($0) }, { Foundation.cosh($0) }, "SinhBackward0")
        case .cosh: return ({ Foundation.cosh($0) }, { Foundation.sinh($0) }, "CoshBackward0")
        case .asin: return ({ Foundation.asin($0) }, { 1 / (1 - $0 * $0).squareRoot() }, "AsinBackward0")
        case .acos: return ({ Foundation.acos($0) }, { -1 / (1 - $0 * $0).squareRoot() }, "AcosBackward0")
        case .atan: return ({ Foundation.atan($0) }, { 1 / (1 + $0 * $0) }, "AtanBackward0")
        case .asinh: return ({ Foundation.asinh($0) }, { 1 / ($0 * $0 + 1).squareRoot() }, "AsinhBackward0")
        case .acosh: return ({ Foundation.acosh($0) }, { 1 / ($0 * $0 - 1).squareRoot() }, "AcoshBackward0")
        case .atanh: return ({ Foundation.atanh($0) }, { 1 / (1 - $0 * $0) }, "AtanhBackward0")
        case .erfc: return ({ Foundation.erfc($0) }, { -2 / Double.pi.squareRoot() * Foundation.exp(-$0 * $0) }, "ErfcBackward0")
        case .erfinv:
            return ({ SpecialScalars.erfinv($0) }, { let y = SpecialScalars.erfinv($0); return Double.pi.squareRoot() / 2 * Foundation.exp(y * y) },
                    "ErfinvBackward0")
        case .lgamma: return ({ Foundation.lgamma($0) }, { SpecialScalars.digamma($0) }, "LgammaBackward0")
        case .digamma: return ({ SpecialScalars.digamma($0) }, { SpecialScalars.trigamma($0) }, "DigammaBackward0")
        case .i0: return ({ SpecialScalars.besselI(order: 0, $0) }, { SpecialScalars.besselI(order: 1, $0) }, "I0Backward0")
        case .sinc:
            return ({ $0 == 0 ? 1 : Foundation.sin(Double.pi * $0) / (Double.pi * $0) },
                    { $0 == 0 ? 0 : (Double.pi * $0 * Foundation.cos(Double.pi * $0) - Foundation.sin(Double.pi * $0)) / (Double.pi * $0 * $0) },
                    "SincBackward0")
        case .frac: return ({ $0 - $0.rounded(.towardZero) }, { _ in 1 }, "FracBackward0")
        case .entr:
            return ({ x in x.isNaN ? x : (x > 0 ? -x * Foundation.log(x) : (x == 0 ? 0 : -.infinity)) },
                    { x in -(Foundation.log(x) + 1) }, "SpecialEntrBackward0")
        }
    }

    /// ATen's float evaluation where rounding once in Double would print differently: its scalar
    /// libm calls (sinh, cosh, asinh, acosh throughout; exp2 and atanh on the elements its vector
    /// path leaves); for acos and atan, which ATen hands to MKL's VML, libm's float functions, which
    /// match MKL's bits more often than Double does (20000 N(0,1) inputs: 366 against 1167 differ
    /// for acos, 1149 against 1366 for atan).
    var floatForm: (@Sendable (Float) -> Float)? {
        switch self {
        case .sinc: return { $0 == 0 ? 1 : Foundation.sinf(floatPi * $0) / (floatPi * $0) }
        case .sinh: return { Foundation.sinhf($0) }
        case .cosh: return { Foundation.coshf($0) }
        case .asinh: return { Foundation.asinhf($0) }
        case .acosh: return { Foundation.acoshf($0) }
        case .exp2: return { Foundation.exp2f($0) }
        case .atanh: return { Foundation.atanhf($0) }
        case .acos: return { Foundation.acosf($0) }
        case .atan: return { Foundation.atanf($0) }
        default: return nil
        }
    }

    /// PyTorch's SLEEF kernel for a float32 tensor, where it has one.
    var aten: AtenUnaryFloat? {
        switch self {
        case .exp2: return .exp2
        case .atanh: return .atanh
        default: return nil
        }
    }
}

/// The two-argument functions of this file.
public enum BinaryElementFunction: String, Sendable {
    case hypot, logaddexp, logaddexp2, xlogy, fmax, fmin, fmod

    /// (value, ∂/∂a, ∂/∂b, node name).
    var definition: (f: @Sendable (Double, Double) -> Double, da: @Sendable (Double, Double) -> Double,
                     db: @Sendable (Double, Double) -> Double, node: String) {
        switch self {
        case .hypot:
            return ({ Foundation.hypot($0, $1) }, { $0 / Foundation.hypot($0, $1) }, { $1 / Foundation.hypot($0, $1) }, "HypotBackward0")
        case .logaddexp:
            return ({ a, b in
                if a.isInfinite && a == b { return a }
                return Swift.max(a, b) + Foundation.log1p(Foundation.exp(-Swift.abs(a - b)))
            }, { a, b in 1 / (1 + Foundation.exp(b - a)) }, { a, b in 1 / (1 + Foundation.exp(a - b)) }, "LogaddexpBackward0")
        case .logaddexp2:
            return ({ a, b in
                if a.isInfinite && a == b { return a }
                return Swift.max(a, b) + Foundation.log1p(Foundation.exp2(-Swift.abs(a - b))) / ln2
            }, { a, b in 1 / (1 + Foundation.exp2(b - a)) }, { a, b in 1 / (1 + Foundation.exp2(a - b)) }, "Logaddexp2Backward0")
        case .xlogy:
            return ({ x, y in y.isNaN ? .nan : (x == 0 ? 0 : x * Foundation.log(y)) },
                    { x, y in y.isNaN ? .nan : (x == 0 ? 0 : Foundation.log(y)) }, { x, y in x / y }, "XlogyBackward0")
        case .fmax:
            return ({ a, b in a.isNaN ? b : (b.isNaN ? a : Swift.max(a, b)) },
                    { a, b in (a >= b || b.isNaN) ? 1 : 0 }, { a, b in (a >= b || b.isNaN) ? 0 : 1 }, "FmaxBackward0")
        case .fmin:
            return ({ a, b in a.isNaN ? b : (b.isNaN ? a : Swift.min(a, b)) },
                    { a, b in (a <= b || b.isNaN) ? 1 : 0 }, { a, b in (a <= b || b.isNaN) ? 0 : 1 }, "FminBackward0")
        case .fmod:
            return ({ Foundation.fmod($0, $1) }, { _, _ in 1 }, { a, b in -(a / b).rounded(.towardZero) }, "FmodBackward1")
        }
    }
}

extension Tensor {
    /// `torch.<f>(self)`: integer and bool inputs give float32 (frac refuses them, as ATen).
    public func apply(_ function: ElementFunction) throws -> Tensor {
        if function == .frac && !dtype.isFloatingPoint {
            throw TorchError(.notImplementedError, "\"frac_cpu\" not implemented for '\(dtype.shortName)'")
        }
        let (f, df, node) = function.definition
        let out = try function.aten.flatMap { try atenUnaryFloat32($0) }
            ?? computeFloatUnary(MappedUnaryOp(double: f, float: function.floatForm), self)
        if !(GradMode.isEnabled && requiresGrad) { return out }
        let t = GradTarget(self), sx = SavedTensor(self)
        return out.recordingGrad(node, inputs: [self]) { g in
            [try t.reduce(try g.mul(try computeFloatUnary(MappedUnaryOp(double: df, float: nil), try sx.get())))]
        }
    }

    /// `torch.logit(self, eps)`: log(p / (1 - p)), p clamped to [eps, 1 - eps] when eps is given
    /// (the gradient is zero outside that range, as ATen's logit_backward).
    public func logit(eps: Double?) throws -> Tensor {
        // ATen clamps with comparisons (NaN passes through) in the input's precision.
        let f: @Sendable (Double) -> Double = { x in
            let p = eps.map { x < $0 ? $0 : (x > 1 - $0 ? 1 - $0 : x) } ?? x
            return Foundation.log(p / (1 - p))
        }
        let f32: @Sendable (Float) -> Float = { x in
            let p = eps.map { e -> Float in let lo = Float(e), hi = 1 - lo; return x < lo ? lo : (x > hi ? hi : x) } ?? x
            return Foundation.logf(p / (1 - p))
        }
        let df: @Sendable (Double) -> Double = { x in
            if let eps, x < eps || x > 1 - eps { return 0 }
            return 1 / (x * (1 - x))
        }
        let out = try computeFloatUnary(MappedUnaryOp(double: f, float: f32), self)
        if !(GradMode.isEnabled && requiresGrad) { return out }
        let t = GradTarget(self), sx = SavedTensor(self)
        return out.recordingGrad("LogitBackward0", inputs: [self]) { g in
            [try t.reduce(try g.mul(try computeFloatUnary(MappedUnaryOp(double: df, float: nil), try sx.get())))]
        }
    }

    /// `torch.<f>(self, other)` with broadcasting and type promotion. hypot and logaddexp(2)
    /// need floating inputs (ATen's "not implemented for 'Long'"); xlogy turns integers into
    /// float32; fmax/fmin/fmod on integers are maximum/minimum/truncated remainder.
    public func apply(_ function: BinaryElementFunction, _ other: Tensor) throws -> Tensor {
        var dtype = resultType(self, other)
        if !dtype.isFloatingPoint {
            switch function {
            case .hypot, .logaddexp, .logaddexp2:
                throw TorchError(.notImplementedError, "\"\(function.rawValue)_cpu\" not implemented for '\(dtype.shortName)'")
            case .xlogy: dtype = .float32
            case .fmax: return try maximum(other)
            case .fmin: return try minimum(other)
            case .fmod:
                return try sub(try div(other, roundingMode: "trunc").mul(other)).converted(to: dtype)
            }
        }
        let (f, da, db, node) = function.definition
        let out = try computeFloatBinary(MappedBinaryOp(f: f), self, other, dtype: dtype)
        if !(GradMode.isEnabled && (requiresGrad || other.requiresGrad)) { return out }
        let ta = GradTarget(self), tb = GradTarget(other), sa = SavedTensor(self), sb = SavedTensor(other)
        return out.recordingGrad(node, inputs: [self, other]) { g in
            let a = try sa.get(), b = try sb.get()
            return [try ta.reduce(try g.mul(try computeFloatBinary(MappedBinaryOp(f: da), a, b, dtype: dtype))),
                    try tb.reduce(try g.mul(try computeFloatBinary(MappedBinaryOp(f: db), a, b, dtype: dtype)))]
        }
    }
}

extension Tensor {
    /// `self << other` / `self >> other` for integer (and bool) tensors with broadcasting, as
    /// ATen: a left shift by a negative count or by the type's width or more gives 0, a right
    /// shift by that much gives the sign (0 or -1).
    public func bitwiseShift(_ other: Tensor, left: Bool) throws -> Tensor {
        let dt = TypePromotion.resultType(self, other)
        guard !dt.isFloatingPoint else { throw notImplemented(left ? "lshift_cpu" : "rshift_cpu", dt) }
        let shape = try binaryShape(self, other)
        let a = try converted(to: .int64).expand(shape).contiguous(), b = try other.converted(to: .int64).expand(shape).contiguous()
        let width = Int64(dt.itemSize * 8)
        let out = try Tensor(shape: shape, dtype: .int64, zeroed: false)
        let pa = a.storage.pointer(Int64.self) + a.storageOffset, pb = b.storage.pointer(Int64.self) + b.storageOffset
        let po = out.storage.pointer(Int64.self)
        for i in 0..<out.numel {
            let x = pa[i], n = pb[i]
            if n < 0 || n >= width { po[i] = left ? 0 : (x < 0 ? -1 : 0) } else { po[i] = left ? x << n : x >> n }
        }
        return try out.converted(to: dt)
    }
}

/// Scalar special functions in Double, following ATen's Math.h (digamma, trigamma, erfinv) or
/// their defining series (modified Bessel functions I0, I1).
enum SpecialScalars {
    /// ATen's calc_digamma: reflection for negative x, recurrence up to 10, asymptotic series.
    static func digamma(_ x: Double) -> Double {
        if x == 0 { return Double.infinity * (x.sign == .minus ? 1 : -1) }
        if x < 0 {
            if x == x.rounded(.towardZero) { return .nan }
            let r = x - x.rounded(.towardZero)
            return digamma(1 - x) - Double.pi / Foundation.tan(Double.pi * r)
        }
        if x.isNaN { return x }
        var x = x, result = 0.0
        while x < 10 { result -= 1 / x; x += 1 }
        if x == 10 { return result + 2.25175258906672110764 }
        let a = [8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3,
                 -4.16666666666666666667E-3, 3.96825396825396825397E-3, -8.33333333333333333333E-3, 8.33333333333333333333E-2]
        var y = 0.0
        if x < 1.0e17 {
            let z = 1 / (x * x)
            y = z * a.reduce(0) { $0 * z + $1 }
        }
        return result + Foundation.log(x) - 0.5 / x - y
    }

    /// ATen's calc_trigamma (digamma's derivative).
    static func trigamma(_ x: Double) -> Double {
        var x = x, sign = 1.0, result = 0.0
        if x < 0.5 {
            sign = -1
            let s = Foundation.sin(Double.pi * x)
            result -= Double.pi * Double.pi / (s * s)
            x = 1 - x
        }
        for _ in 0..<6 { result += 1 / (x * x); x += 1 }
        let ixx = 1 / (x * x)
        result += (1 + 1 / (2 * x) + ixx * (1.0 / 6 - ixx * (1.0 / 30 - ixx * (1.0 / 42)))) / x
        return sign * result
    }

    /// ATen's calc_erfinv: a rational first guess refined by two Newton steps on erf.
    static func erfinv(_ y: Double) -> Double {
        if y.isNaN || y < -1 || y > 1 { return .nan }
        if Swift.abs(y) == 1 { return y * .infinity }
        let a = [0.886226899, -1.645349621, 0.914624893, -0.140543331]
        let b = [-2.118377725, 1.442710462, -0.329097515, 0.012229801]
        let c = [-1.970840454, -1.624906493, 3.429567803, 1.641345311]
        let d = [3.543889200, 1.637067800]
        var x: Double
        if Swift.abs(y) <= 0.7 {
            let z = y * y
            let num = ((a[3] * z + a[2]) * z + a[1]) * z + a[0]
            let dem = (((b[3] * z + b[2]) * z + b[1]) * z + b[0]) * z + 1
            x = y * num / dem
        } else {
            let z = (-Foundation.log((1 - Swift.abs(y)) / 2)).squareRoot()
            let num = ((c[3] * z + c[2]) * z + c[1]) * z + c[0]
            let dem = (d[1] * z + d[0]) * z + 1
            x = (num / dem) * (y < 0 ? -1 : 1)
        }
        let scale = 2 / Double.pi.squareRoot()
        for _ in 0..<2 { x -= (Foundation.erf(x) - y) / (scale * Foundation.exp(-x * x)) }
        return x
    }

    /// The modified Bessel function of the first kind of order 0 or 1, by its power series
    /// (all terms share a sign, so the sum is accurate; it overflows to ±inf past |x| ≈ 713).
    static func besselI(order: Int, _ x: Double) -> Double {
        if x.isNaN { return x }
        if x.isInfinite { return order == 0 ? .infinity : x }
        let q = x * x / 4
        var term = order == 0 ? 1.0 : x / 2, sum = term, k = 1.0
        while k < 2000 {
            term *= q / (k * (k + Double(order)))
            sum += term
            if !sum.isFinite || Swift.abs(term) <= Swift.abs(sum) * 1e-17 { break }
            k += 1
        }
        return sum
    }
}
