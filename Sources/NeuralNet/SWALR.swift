import Foundation
import TensorRuntime

/// `torch.optim.swa_utils.SWALR(optimizer, swa_lr, anneal_epochs=10, anneal_strategy='cos',
/// last_epoch=-1)`: moves each group's lr to its `swa_lr` (stored in the group) over
/// `anneal_epochs` steps along a half cosine or a line, then holds it — PyTorch's `get_lr`, with
/// the same floating-point operations in the same order.
public final class SWALR: LRScheduler {
    public init(_ optimizer: Optimizer, swaLRs: [Double], annealEpochs: Int, annealStrategy: String, lastEpoch: Int = -1) throws {
        guard swaLRs.count == optimizer.paramGroups.count else {
            throw TorchError.value("expected \(optimizer.paramGroups.count) values for swa_lr, got \(swaLRs.count)")
        }
        for (group, lr) in zip(optimizer.paramGroups, swaLRs) { group.options["swa_lr"] = .double(lr) }
        guard annealStrategy == "cos" || annealStrategy == "linear" else {
            throw TorchError.value("anneal_strategy must be one of 'cos' or 'linear', instead got \(annealStrategy)")
        }
        guard annealEpochs >= 0 else { throw TorchError.value("anneal_epochs must be equal or greater than 0, got \(annealEpochs)") }
        super.init(optimizer: optimizer)
        attributes["_anneal_strategy"] = .string(annealStrategy)
        attributes["anneal_epochs"] = .int(annealEpochs)
        try start(lastEpoch: lastEpoch)
    }

    /// `anneal_func(t)`: `(1 - cos(πt)) / 2` or `t`.
    private func anneal(_ t: Double) -> Double {
        if case .string("linear")? = attributes["_anneal_strategy"] { return t }
        return (1 - Foundation.cos(Double.pi * t)) / 2
    }

    override public func getLR() throws -> [SchedulerValue] {
        let epochs = try int("anneal_epochs")
        var step = stepCount - 1
        if epochs == 0 { step = Swift.max(1, step) }
        let prevAlpha = anneal(Swift.max(0, Swift.min(1, Double(step - 1) / Double(Swift.max(1, epochs)))))
        let alpha = anneal(Swift.max(0, Swift.min(1, Double(step) / Double(Swift.max(1, epochs)))))
        return try optimizer.paramGroups.map { group in
            let lr = try group.number("lr"), swaLR = try group.number("swa_lr")
            let previous = prevAlpha == 1 ? swaLR : (lr - prevAlpha * swaLR) / (1 - prevAlpha)
            return .double(swaLR * alpha + previous * (1 - alpha))
        }
    }
}
