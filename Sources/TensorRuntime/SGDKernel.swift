import CKernels

/// The settings of one `torch.optim.SGD` step over one parameter.
public struct SGDStep {
    public var lr, momentum, dampening, weightDecay: Double
    /// True on a parameter's first step with momentum: the buffer starts as the gradient.
    public var first, nesterov, maximize: Bool

    public init(lr: Double, momentum: Double, dampening: Double, weightDecay: Double, first: Bool, nesterov: Bool, maximize: Bool) {
        self.lr = lr
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.first = first
        self.nesterov = nesterov
        self.maximize = maximize
    }

    private var options: nn_sgd_options {
        nn_sgd_options(neg_lr: -lr, momentum: momentum, one_minus_dampening: 1 - dampening, weight_decay: weightDecay,
                       first: first ? 1 : 0, nesterov: nesterov ? 1 : 0, maximize: maximize ? 1 : 0,
                       has_decay: weightDecay != 0 ? 1 : 0)
    }

    /// Updates `count` float32 elements (and the momentum buffer, nil without momentum) with ATen's
    /// operations: every `add(…, alpha=)` a fused multiply-add (sgd_update.c), so results are PyTorch's bits.
    public func apply(_ param: UnsafeMutablePointer<Float>, _ grad: UnsafePointer<Float>, _ buffer: UnsafeMutablePointer<Float>?, count: Int) {
        var o = options
        nn_sgd_update_f32(param, grad, buffer, count, &o)
    }

    /// The float64 form of `apply`.
    public func apply(_ param: UnsafeMutablePointer<Double>, _ grad: UnsafePointer<Double>, _ buffer: UnsafeMutablePointer<Double>?, count: Int) {
        var o = options
        nn_sgd_update_f64(param, grad, buffer, count, &o)
    }
}
