import CKernels

/// The float32 constants of one `torch.optim.Adam`/`AdamW` step over one parameter, rounded as
/// PyTorch rounds them; `apply` runs the update with the CPU's widest vectors (adam_update.c).
public struct AdamFloatStep {
    public var negStepSize, bc2Sqrt, weight, oneMinusWeight, beta2, oneMinusBeta2, eps, weightDecay, decayFactor: Float
    /// The lerp of exp_avg in its low-weight form (`|1 - beta1| < 0.5`).
    public var useLow: Bool
    public var maximize, hasDecay, decoupled: Bool

    public init(negStepSize: Float, bc2Sqrt: Float, weight: Float, oneMinusWeight: Float, beta2: Float, oneMinusBeta2: Float,
                eps: Float, weightDecay: Float, decayFactor: Float, useLow: Bool, maximize: Bool, hasDecay: Bool, decoupled: Bool) {
        self.negStepSize = negStepSize
        self.bc2Sqrt = bc2Sqrt
        self.weight = weight
        self.oneMinusWeight = oneMinusWeight
        self.beta2 = beta2
        self.oneMinusBeta2 = oneMinusBeta2
        self.eps = eps
        self.weightDecay = weightDecay
        self.decayFactor = decayFactor
        self.useLow = useLow
        self.maximize = maximize
        self.hasDecay = hasDecay
        self.decoupled = decoupled
    }

    /// Updates `count` elements of the parameter and its state in place (`maxExpAvgSq` with amsgrad only).
    public func apply(_ param: UnsafeMutablePointer<Float>, _ grad: UnsafePointer<Float>, expAvg: UnsafeMutablePointer<Float>,
                      expAvgSq: UnsafeMutablePointer<Float>, maxExpAvgSq: UnsafeMutablePointer<Float>?, count: Int) {
        var c = nn_adam_constants(neg_step_size: negStepSize, bc2_sqrt: bc2Sqrt, weight: weight, one_minus_weight: oneMinusWeight,
                                  beta2: beta2, one_minus_beta2: oneMinusBeta2, eps: eps, weight_decay: weightDecay,
                                  decay_factor: decayFactor, use_low: useLow ? 1 : 0, maximize: maximize ? 1 : 0,
                                  has_decay: hasDecay ? 1 : 0, decoupled: decoupled ? 1 : 0)
        nn_adam_update_f32(param, grad, expAvg, expAvgSq, maxExpAvgSq, count, &c)
    }
}
