import NNLang
import TensorRuntime
import NeuralNet

/// `torch.optim.swa_utils`: `AveragedModel` (NeuralNet/AveragedModel.swift) and its
/// `update_parameters`, `SWALR` (NeuralNet/SWALR.swift), `update_bn`, and the averaging-function
/// factories `get_swa_avg_fn` / `get_ema_avg_fn` / `get_swa_multi_avg_fn` / `get_ema_multi_avg_fn`,
/// computing as PyTorch's CPU path does.
enum SWAUtilsBindings {
    static func make(moduleBase: PyType, schedulerBase: PyType) -> Namespace {
        let ns = Namespace("torch.optim.swa_utils")
        LayerTypes.add(ns, moduleBase, "AveragedModel", AveragedModel.self, "model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False",
                       "A copy of model whose weights average those of the models given to update_parameters (SWA, EMA).") { s, ev in
            if !s[2].isNone && !s[3].isNone { throw PyError(.assertionError, "Only one of avg_fn and multi_avg_fn should be provided") }
            if !s[1].isNone { try Convert.checkDevice(s[1], ev) }
            guard case .module(let copy) = try deepCopy(.module(try s[0].asModule("model")), ev) else {
                throw PyError(.typeError, "AveragedModel() needs a module")
            }
            let m = try AveragedModel(copy: copy, useBuffers: try ev.truthy(s[4]))
            m.instanceAttributes["avg_fn"] = s[2]
            m.instanceAttributes["multi_avg_fn"] = s[3]
            m.instanceAttributes["use_buffers"] = Value.bool(m.useBuffers)
            return m
        }
        SchedulerBindings.declare(ns, schedulerBase, "SWALR", SWALR.self, "optimizer, swa_lr, anneal_epochs=10, anneal_strategy='cos', last_epoch=-1",
                                  "Anneals each group's learning rate to swa_lr over anneal_epochs epochs (cos or linear), then holds it.") { s, ev in
            guard case .int(let epochs) = s[2], epochs >= 0 else {
                throw PyError(.valueError, "anneal_epochs must be equal or greater than 0, got \(try ev.str(s[2]))")
            }
            return try SchedulerBindings.wrap(s[0]) { optimizer in
                let swaLRs = try ev.sequenceItems(s[1]).map { try $0.map { try $0.asDouble("swa_lr") } }
                    ?? Array(repeating: try s[1].asDouble("swa_lr"), count: optimizer.paramGroups.count)
                return try SWALR(optimizer, swaLRs: swaLRs, annealEpochs: epochs, annealStrategy: try s[3].asString("anneal_strategy"),
                                 lastEpoch: try s[4].asInt("last_epoch"))
            }
        }
        def(ns, "update_bn", "loader, model, device=None",
                                "Recomputes the BatchNorm running statistics of model with one pass over loader.") { s, ev in
            try updateBN(s[0], try s[1].asModule("model"), ev)
            return .none
        }
        def(ns, "get_swa_avg_fn", "", "avg + (current - avg) / (num_averaged + 1), for AveragedModel's avg_fn.") { _, _ in
            function("swa_update", "averaged_param, current_param, num_averaged") { b, _ in
                let avg = try b[0].asTensor("averaged_param"), current = try b[1].asTensor("current_param")
                return .tensor(try GradMode.withNoGrad { try avg.add(try current.sub(avg).div(try countPlusOne(b[2]))) })
            }
        }
        def(ns, "get_ema_avg_fn", "decay=0.999", "decay * ema + (1 - decay) * current, for AveragedModel's avg_fn.") { s, _ in
            let decay = try checkedDecay(s[0])
            return function("ema_update", "ema_param, current_param, num_averaged") { b, _ in
                let ema = try b[0].asTensor("ema_param"), current = try b[1].asTensor("current_param")
                return .tensor(try GradMode.withNoGrad { try ema.mul(.double(decay)).add(try current.mul(.double(1 - decay))) })
            }
        }
        def(ns, "get_swa_multi_avg_fn", "", "Averages lists of tensors in place (lerp by 1 / (num_averaged + 1)).") { _, _ in
            function("swa_update", "averaged_param_list, current_param_list, num_averaged") { b, ev in
                let weight = try countPlusOne(b[2]).reciprocal()
                try lerpEach(b[0], b[1], ev) { _ in weight }
                return .none
            }
        }
        def(ns, "get_ema_multi_avg_fn", "decay=0.999", "Moves lists of tensors in place toward the current ones by 1 - decay.") { s, _ in
            let decay = try checkedDecay(s[0])
            return function("ema_update", "ema_param_list, current_param_list, _") { b, ev in
                try lerpEach(b[0], b[1], ev) { p in try Tensor(scalar: .double(1 - decay), dtype: p.dtype) }
                return .none
            }
        }
        return ns
    }

    /// `AveragedModel.update_parameters(model)`.
    static let averagedModelMethods: [String: ModuleMethods.Method] = [
        "update_parameters": { m, a, ev in
            guard let averaged = m as? AveragedModel else { return .none }
            let model = try a.bind("update_parameters", ["model"])[0].map { try $0.asModule("model") }
            guard let model else { throw PyError(.typeError, "update_parameters() missing 1 required positional argument: 'model'") }
            try updateParameters(averaged, model, ev)
            return .none
        },
    ]

    private static func updateParameters(_ m: AveragedModel, _ model: Module, _ ev: Evaluator) throws {
        guard let count = m.buffer("n_averaged") else { throw PyError(.attributeError, "'AveragedModel' object has no attribute 'n_averaged'") }
        let pairs = try m.averagingPairs(with: model)
        let averaged = pairs.map { $0.averaged.detached() }, current = pairs.map { $0.current.detached() }
        let avgFn = m.instanceAttributes["avg_fn"] as? Value ?? .none, multiAvgFn = m.instanceAttributes["multi_avg_fn"] as? Value ?? .none
        if m.averagedCount == 0 {
            try GradMode.withNoGrad { for (p, c) in zip(averaged, current) { _ = try p.copyInPlace(from: c) } }
        } else if !multiAvgFn.isNone {
            _ = try ev.call(multiAvgFn, Arguments([ev.makeList(averaged.map { .tensor($0) }), ev.makeList(current.map { .tensor($0) }), .tensor(count)]))
        } else if !avgFn.isNone {
            for (p, c) in zip(averaged, current) {
                let new = try ev.call(avgFn, Arguments([.tensor(p), .tensor(c), .tensor(count)])).asTensor("avg_fn result")
                _ = try GradMode.withNoGrad { try p.copyInPlace(from: new) }
            }
        } else {
            // PyTorch's CPU path: get_swa_avg_fn per tensor.
            let divisor = try count.add(.int(1))
            try GradMode.withNoGrad {
                for (p, c) in zip(averaged, current) { _ = try p.copyInPlace(from: try p.add(try c.sub(p).div(divisor))) }
            }
        }
        try GradMode.withNoGrad {
            if !m.useBuffers {
                for (b, c) in zip(try m.averaged.buffers(), model.buffers()) { _ = try b.detached().copyInPlace(from: c.detached()) }
            }
            _ = try count.addInPlace(.int(1))
        }
    }

    /// `update_bn(loader, model)`: the BatchNorm layers' running statistics reset and recomputed as
    /// cumulative averages (momentum None) over one training-mode pass; each batch is a tensor or
    /// a list/tuple whose first item is the input.
    private static func updateBN(_ loader: Value, _ model: Module, _ ev: Evaluator) throws {
        let norms = model.modules().compactMap { $0 as? BatchNormBase }.filter { !($0 is InstanceNormBase) }
        guard !norms.isEmpty else { return }
        let momenta = norms.map { $0.$momentum }
        for bn in norms {
            try bn.resetRunningStats()
            bn.momentum = nil
        }
        let wasTraining = model.training
        _ = model.train(true)
        defer {
            for (bn, m) in zip(norms, momenta) { bn.$momentum = m }
            _ = model.train(wasTraining)
        }
        let next = try ev.iterator(loader)
        try GradMode.withNoGrad {
            while let batch = try next() {
                let input = ev.sequenceItems(batch)?.first ?? batch
                _ = try ev.call(.module(model), Arguments([input]))
            }
        }
    }

    /// `num_averaged + 1`: an int64 tensor for a tensor count, else a Python int.
    private static func countPlusOne(_ v: Value) throws -> Tensor {
        if case .tensor(let t) = v { return try t.add(.int(1)) }
        return try Tensor(scalar: .int(Int64(try v.asInt("num_averaged") + 1)))
    }

    /// PyTorch's check of an EMA decay.
    private static func checkedDecay(_ v: Value) throws -> Double {
        let decay = try v.asDouble("decay")
        guard decay >= 0 && decay <= 1 else {
            throw PyError(.valueError, "Invalid decay value \(TensorRuntime.pythonFloatRepr(decay)) provided. Please provide a value in [0,1] range.")
        }
        return decay
    }

    /// `torch._foreach_lerp_(targets, ends, weight)`: each target moved in place toward its end
    /// (ATen's lerp: `self + w·(end - self)` for w < 0.5, else `end - (end - self)·(1 - w)`).
    private static func lerpEach(_ targets: Value, _ ends: Value, _ ev: Evaluator, _ weight: (Tensor) throws -> Tensor) throws {
        try GradMode.withNoGrad {
            for (p, e) in zip(try ev.iterate(targets), try ev.iterate(ends)) {
                let p = try p.asTensor("tensors"), e = try e.asTensor("tensors"), w = try weight(p)
                let step = try e.sub(p)
                let moved = try w.item().doubleValue < 0.5 ? try p.add(try w.mul(step)) : try e.sub(try step.mul(try w.rsub(.int(1))))
                _ = try p.copyInPlace(from: moved)
            }
        }
    }

    /// Declares `swa_utils.<name>` with PyTorch's signature and a one-line description.
    private static func def(_ ns: Namespace, _ name: String, _ signature: String, _ doc: String,
                            _ body: @escaping (Bound, Evaluator) throws -> Value) {
        ns[name] = .object(NativeFunction(name, signature, doc: doc, body))
    }

    private static func function(_ name: String, _ signature: String, _ body: @escaping (Bound, Evaluator) throws -> Value) -> Value {
        .object(NativeFunction(name, signature, doc: "An averaging function for AveragedModel.", body))
    }
}
