import TensorRuntime

/// PyTorch's `_NormBase`/`_BatchNorm`: shared by BatchNorm1d and BatchNorm2d (which only differ in
/// the input ranks they accept) and the instance norms. Parameters `weight`/`bias` (None unless
/// affine; bias None with `bias=False`), buffers `running_mean`, `running_var`,
/// `num_batches_tracked` (None unless track_running_stats).
open class BatchNormBase: Module {
    public let numFeatures: Int
    @WrittenFloat public var eps: Double
    /// nil = cumulative moving average (`momentum=None`).
    @WrittenOptionalFloat public var momentum: Double?
    public let affine: Bool
    public let trackRunningStats: Bool

    public init(_ numFeatures: Int, eps: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true, bias: Bool = true) throws {
        self.numFeatures = numFeatures
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.trackRunningStats = trackRunningStats
        super.init()
        if affine {
            let w = try Tensor.newParameter([numFeatures])
            try Init.ones_(w)
            try registerParameter("weight", w)
            try registerParameter("bias", bias ? try Tensor.newParameter([numFeatures]) : nil)
        } else {
            try registerParameter("weight", nil)
            try registerParameter("bias", nil)
        }
        if trackRunningStats {
            try registerBuffer("running_mean", try Tensor.zeros([numFeatures]))
            try registerBuffer("running_var", try Tensor.ones([numFeatures]))
            try registerBuffer("num_batches_tracked", try Tensor(scalar: .int(0), dtype: .int64))
        } else {
            try registerBuffer("running_mean", nil)
            try registerBuffer("running_var", nil)
            try registerBuffer("num_batches_tracked", nil)
        }
    }

    override open var pythonModuleName: String { "torch.nn.modules.batchnorm" }

    override open var hyperparameters: [(String, HyperValue)] {
        [("num_features", .int(numFeatures)), ("eps", $eps), ("momentum", $momentum),
         ("affine", .bool(affine)), ("track_running_stats", .bool(trackRunningStats))]
    }

    override open func setHyperparameter(_ name: String, _ value: HyperValue) throws -> Bool {
        switch (name, value) {
        case ("momentum", .double), ("momentum", .int), ("momentum", .none): $momentum = value
        case ("eps", .double), ("eps", .int): $eps = value
        default: return false
        }
        return true
    }

    override open func extraRepr() -> String {
        "\(numFeatures), eps=\($eps), momentum=\($momentum), affine=\(affine ? "True" : "False"), bias=\(parameter("bias") != nil ? "True" : "False"), track_running_stats=\(trackRunningStats ? "True" : "False")"
    }

    /// Throws PyTorch's ValueError for an input rank this variant does not accept.
    open func checkInputDim(_ input: Tensor) throws {}

    /// `reset_running_stats()`: running_mean 0, running_var 1, num_batches_tracked 0 (when tracked).
    public func resetRunningStats() throws {
        try GradMode.withNoGrad {
            _ = try buffer("running_mean")?.zeroInPlace()
            _ = try buffer("running_var")?.fillInPlace(.int(1))
            _ = try buffer("num_batches_tracked")?.zeroInPlace()
        }
    }

    override open func forward(_ input: Tensor) throws -> Tensor {
        try checkInputDim(input)
        var factor = momentum ?? 0
        if training && trackRunningStats, let tracked = buffer("num_batches_tracked") {
            let count = tracked.storage.double(at: tracked.storageOffset) + 1
            tracked.storage.setDouble(count, at: tracked.storageOffset)
            factor = momentum ?? 1 / count
        }
        let runningMean = buffer("running_mean"), runningVar = buffer("running_var")
        let useBatchStats = training || (runningMean == nil && runningVar == nil)
        if useBatchStats {
            let perChannel = input.shape.enumerated().filter { $0.offset != 1 }.map(\.element).reduce(1, *)
            if perChannel == 1 {
                throw TorchError.value("Expected more than 1 value per channel when training, got input size torch.Size(\(shapeDescription(input.shape)))")
            }
        }
        let track = !training || trackRunningStats
        return try Functional.batchNorm(input, runningMean: track ? runningMean : nil, runningVar: track ? runningVar : nil,
                                        weight: parameter("weight"), bias: parameter("bias"), training: useBatchStats,
                                        momentum: factor, eps: eps)
    }
}

/// `nn.BatchNorm1d(num_features, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)`:
/// (N, C) or (N, C, L) inputs.
open class BatchNorm1d: BatchNormBase {
    override open func checkInputDim(_ input: Tensor) throws {
        guard input.dim == 2 || input.dim == 3 else {
            throw TorchError.value("expected 2D or 3D input (got \(input.dim)D input)")
        }
    }
}

/// `nn.BatchNorm2d(num_features, …)`: (N, C, H, W) inputs.
open class BatchNorm2d: BatchNormBase {
    override open func checkInputDim(_ input: Tensor) throws {
        guard input.dim == 4 else { throw TorchError.value("expected 4D input (got \(input.dim)D input)") }
    }
}
