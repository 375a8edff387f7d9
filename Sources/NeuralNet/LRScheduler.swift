/// `torch.optim.lr_scheduler.StepLR(optimizer, step_size, gamma=0.1)`: multiplies each group's
/// `lr` by gamma every `step_size` calls of `step()`. Construction records `initial_lr` in each
/// group and performs PyTorch's initial step (epoch 0).
public final class StepLR {
    public let optimizer: Optimizer
    public let stepSize: Int
    public let gamma: Double
    public private(set) var lastEpoch: Int = -1
    public private(set) var baseLRs: [Double] = []
    private var lastLRs: [Double] = []
    private var stepCount = 0

    public init(_ optimizer: Optimizer, stepSize: Int, gamma: Double = 0.1) throws {
        self.optimizer = optimizer
        self.stepSize = stepSize
        self.gamma = gamma
        for g in optimizer.paramGroups {
            if !g.options.contains("initial_lr") { g.options["initial_lr"] = g.options["lr"] ?? HyperValue.none }
            baseLRs.append(try g.number("initial_lr"))
        }
        optimizer.stepWasCalled = false
        try advance()
    }

    /// `scheduler.step()`; warns like PyTorch when called before any `optimizer.step()`.
    public func step() throws {
        if stepCount == 1 && !optimizer.stepWasCalled {
            NNWarnings.warn("Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you should call them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will result in PyTorch skipping the first value of the learning rate schedule. See more details at https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate")
        }
        try advance()
    }

    private func advance() throws {
        stepCount += 1
        lastEpoch += 1
        let decay = lastEpoch != 0 && stepSize != 0 && lastEpoch % stepSize == 0
        lastLRs = []
        for g in optimizer.paramGroups {
            if decay { g.options["lr"] = .double(try g.number("lr") * gamma) }
            lastLRs.append(try g.number("lr"))
        }
    }

    /// `get_last_lr()`.
    public func getLastLR() -> [Double] { lastLRs }
}
