import XCTest
import NNLang
@testable import TorchBindings

/// Every optimizer and scheduler is declared once with PyTorch's `__init__` signature, and
/// `help()` and binding errors come from that declaration.
final class OptimDeclarationTests: XCTestCase {
    /// `inspect.signature(cls.__init__)` in PyTorch 2.15, without `self` and annotations.
    static let pytorchSignatures: [String: String] = [
        "SGD": "params, lr=0.001, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False, foreach=None, differentiable=False, fused=None",
        "Adam": "params, lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0, amsgrad=False, *, foreach=None, maximize=False, capturable=False, differentiable=False, fused=None, decoupled_weight_decay=False",
        "AdamW": "params, lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.01, amsgrad=False, *, maximize=False, foreach=None, capturable=False, differentiable=False, fused=None",
        "RMSprop": "params, lr=0.01, alpha=0.99, eps=1e-08, weight_decay=0, momentum=0, centered=False, capturable=False, foreach=None, maximize=False, differentiable=False",
        "Adagrad": "params, lr=0.01, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None",
        "Adadelta": "params, lr=1.0, rho=0.9, eps=1e-06, weight_decay=0, foreach=None, *, capturable=False, maximize=False, differentiable=False",
        "Adamax": "params, lr=0.002, betas=(0.9, 0.999), eps=1e-08, weight_decay=0, foreach=None, *, maximize=False, differentiable=False, capturable=False",
        "NAdam": "params, lr=0.002, betas=(0.9, 0.999), eps=1e-08, weight_decay=0, momentum_decay=0.004, decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False, differentiable=False",
        "RAdam": "params, lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0, decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False, differentiable=False",
        "Rprop": "params, lr=0.01, etas=(0.5, 1.2), step_sizes=(1e-06, 50), *, capturable=False, foreach=None, maximize=False, differentiable=False",
        "ASGD": "params, lr=0.01, lambd=0.0001, alpha=0.75, t0=1000000.0, weight_decay=0, foreach=None, maximize=False, differentiable=False, capturable=False",
        "lr_scheduler.StepLR": "optimizer, step_size, gamma=0.1, last_epoch=-1",
        "lr_scheduler.MultiStepLR": "optimizer, milestones, gamma=0.1, last_epoch=-1",
        "lr_scheduler.ExponentialLR": "optimizer, gamma, last_epoch=-1",
        "lr_scheduler.CosineAnnealingLR": "optimizer, T_max, eta_min=0.0, last_epoch=-1",
        "lr_scheduler.CosineAnnealingWarmRestarts": "optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1",
        "lr_scheduler.LambdaLR": "optimizer, lr_lambda, last_epoch=-1",
        "lr_scheduler.MultiplicativeLR": "optimizer, lr_lambda, last_epoch=-1",
        "lr_scheduler.LinearLR": "optimizer, start_factor=0.3333333333333333, end_factor=1.0, total_iters=5, last_epoch=-1",
        "lr_scheduler.ConstantLR": "optimizer, factor=0.3333333333333333, total_iters=5, last_epoch=-1",
        "lr_scheduler.PolynomialLR": "optimizer, total_iters=5, power=1.0, last_epoch=-1",
        "lr_scheduler.SequentialLR": "optimizer, schedulers, milestones, last_epoch=-1",
        "lr_scheduler.ChainedScheduler": "schedulers, optimizer=None",
        "lr_scheduler.OneCycleLR": "optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None, pct_start=0.3, anneal_strategy='cos', cycle_momentum=True, base_momentum=0.85, max_momentum=0.95, div_factor=25.0, final_div_factor=10000.0, three_phase=False, last_epoch=-1",
        "lr_scheduler.CyclicLR": "optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None, mode='triangular', gamma=1.0, scale_fn=None, scale_mode='cycle', cycle_momentum=True, base_momentum=0.8, max_momentum=0.9, last_epoch=-1",
        "lr_scheduler.ReduceLROnPlateau": "optimizer, mode='min', factor=0.1, patience=10, threshold=0.0001, threshold_mode='rel', cooldown=0, min_lr=0, eps=1e-08",
    ]

    func testDeclarationsArePyTorchsSignatures() {
        let optim = OptimNamespace.make()
        for (path, expected) in Self.pytorchSignatures {
            var ns: Namespace? = optim
            let parts = path.split(separator: ".").map(String.init)
            for part in parts.dropLast() {
                if case .object(let sub as Namespace)? = ns?[part] { ns = sub } else { ns = nil }
            }
            let declared = ns?[parts[parts.count - 1]]?.declaration
            XCTAssertEqual(declared?.signature.text, expected, path)
            XCTAssertFalse(declared?.doc.isEmpty ?? true, path)
        }
    }

    func testHelpAndBindingComeFromTheDeclaration() {
        var out = "", err = ""
        let interpreter = Interpreter(host: TorchHost(moduleBase: Interpreter.moduleBaseType))
        interpreter.output = { out += $0 }
        interpreter.errorOutput = { err += $0 }
        do {
            _ = try interpreter.execute(source: """
            import torch
            from torch.optim.lr_scheduler import MultiStepLR
            help(torch.optim.RMSprop)
            help(MultiStepLR)
            w = torch.zeros(2, requires_grad=True)
            try:
                MultiStepLR(torch.optim.SGD([w]), milestones=[1], gama=0.5)
            except TypeError as e:
                print(e)
            print(torch.optim.NAdam([w], momentum_decay=0.01).defaults['momentum_decay'])
            """, fileName: "<test>")
        } catch { err += "\(error)" }
        XCTAssertEqual(err, "")
        XCTAssertEqual(out, """
        RMSprop(params, lr=0.01, alpha=0.99, eps=1e-08, weight_decay=0, momentum=0, centered=False, capturable=False, foreach=None, maximize=False, differentiable=False)
            RMSprop: divides the gradient by a running root mean square.
        MultiStepLR(optimizer, milestones, gamma=0.1, last_epoch=-1)
            Multiplies the learning rate by gamma at each milestone epoch.
        MultiStepLR.__init__() got an unexpected keyword argument 'gama'
        0.01

        """)
    }
}
