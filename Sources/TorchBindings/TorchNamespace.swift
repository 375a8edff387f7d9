import NNLang
import TensorRuntime
import NeuralNet

/// The `torch` module.
enum TorchNamespace {
    static func make(_ host: TorchHost) -> Namespace {
        let torch = Namespace("torch")
        // torch.X(input, …) for every tensor op declared with a function form.
        for (name, op) in TensorMethods.table.functions.sorted(by: { $0.key < $1.key }) {
            torch[name] = op.function(as: name)
        }
        // dtypes and devices
        torch["float32"] = .object(DTypeObject.float32)
        torch["float"] = .object(DTypeObject.float32)
        torch["float64"] = .object(DTypeObject.float64)
        torch["double"] = .object(DTypeObject.float64)
        torch["int64"] = .object(DTypeObject.int64)
        torch["long"] = .object(DTypeObject.int64)
        torch["bool"] = .object(DTypeObject.bool)
        torch.function("device") { a, ev in
            try Convert.checkDevice(try a.bind("device", ["type"], required: 1)[0], ev)
            return .object(DeviceObject.cpu)
        }
        torch.function("get_default_dtype") { _, _ in .object(DTypeObject.float32) }
        torch.function("is_tensor") { a, _ in
            if case .tensor = try a.bind("is_tensor", ["obj"], required: 1)[0]! { return .bool(true) }
            return .bool(false)
        }
        let cuda = Namespace("torch.cuda")
        cuda.function("is_available") { _, _ in .bool(false) }
        cuda.function("device_count") { _, _ in .int(0) }
        torch["cuda"] = .object(cuda)
        let backends = Namespace("torch.backends")
        let mps = Namespace("torch.backends.mps")
        mps.function("is_available") { _, _ in .bool(false) }
        backends["mps"] = .object(mps)
        torch["backends"] = .object(backends)

        // creation
        torch.function("tensor") { a, ev in
            let s = try a.bind("tensor", ["data", "dtype", "device", "requires_grad"], required: 1, positionalLimit: 1)
            try Convert.checkDevice(s[2], ev)
            let t = try TensorFactory.tensor(from: s[0]!, dtype: try Convert.dtype(s[1]), ev)
            if try Convert.bool(s[3], default: false, ev) { try factoryRequiresGrad(t) }
            return .tensor(t)
        }
        torch.function("as_tensor") { a, ev in
            let s = try a.bind("as_tensor", ["data", "dtype", "device"], required: 1)
            if case .tensor(let t) = s[0]!, let d = try Convert.dtype(s[1]) { return .tensor(try t.converted(to: d)) }
            if case .tensor(let t) = s[0]! { return .tensor(t) }
            return .tensor(try TensorFactory.tensor(from: s[0]!, dtype: try Convert.dtype(s[1]), ev))
        }
        func creation(_ name: String, _ make: @escaping ([Int], DType?) throws -> Tensor) {
            torch.function(name) { a, ev in
                var shapeArgs = a.positional
                var dtype: DType? = nil, requiresGrad = false
                for (k, v) in a.keywords {
                    switch k {
                    case "size": shapeArgs = [v]
                    case "dtype": dtype = try Convert.dtype(v)
                    case "requires_grad": requiresGrad = try ev.truthy(v)
                    case "device": try Convert.checkDevice(v, ev)
                    case "layout", "pin_memory", "memory_format", "generator", "out": break
                    default: throw PyError(.typeError, "\(name)() got an unexpected keyword argument '\(k)'")
                    }
                }
                let t = try make(try Convert.shape(shapeArgs, ev), dtype)
                if requiresGrad { try factoryRequiresGrad(t) }
                return .tensor(t)
            }
        }
        creation("zeros") { try Tensor.zeros($0, dtype: $1 ?? .float32) }
        creation("empty") { try Tensor.zeros($0, dtype: $1 ?? .float32) }
        creation("ones") { try Tensor.ones($0, dtype: $1 ?? .float32) }
        creation("rand") { try Tensor.rand($0, dtype: $1 ?? .float32) }
        creation("randn") { try Tensor.randn($0, dtype: $1 ?? .float32) }
        func likeCreation(_ name: String, _ make: @escaping (Tensor, DType) throws -> Tensor) {
            torch.function(name) { a, ev in
                let s = try a.bind(name, ["input", "dtype", "requires_grad", "device", "memory_format", "layout"], required: 1)
                let t = try s[0]!.asTensor("input")
                let out = try make(t, try Convert.dtype(s[1]) ?? t.dtype)
                if try Convert.bool(s[2], default: false, ev) { try factoryRequiresGrad(out) }
                return .tensor(out)
            }
        }
        likeCreation("zeros_like") { try Tensor.zeros($0.shape, dtype: $1) }
        likeCreation("empty_like") { try Tensor.zeros($0.shape, dtype: $1) }
        likeCreation("ones_like") { try Tensor.ones($0.shape, dtype: $1) }
        likeCreation("rand_like") { try Tensor.rand($0.shape, dtype: $1) }
        likeCreation("randn_like") { try Tensor.randn($0.shape, dtype: $1) }
        torch.function("full") { a, ev in
            let s = try a.bind("full", ["size", "fill_value", "dtype", "requires_grad", "device"], required: 2)
            let value = try Convert.requiredScalar(s[1])
            let t = try Tensor.full(try Convert.ints(s[0]!, ev), value: value, dtype: try Convert.dtype(s[2]) ?? value.defaultDType)
            if try Convert.bool(s[3], default: false, ev) { try factoryRequiresGrad(t) }
            return .tensor(t)
        }
        torch.function("full_like") { a, _ in
            let s = try a.bind("full_like", ["input", "fill_value", "dtype"], required: 2)
            let t = try s[0]!.asTensor("input")
            return .tensor(try Tensor.full(t.shape, value: try Convert.requiredScalar(s[1]), dtype: try Convert.dtype(s[2]) ?? t.dtype))
        }
        torch.function("eye") { a, ev in
            let s = try a.bind("eye", ["n", "m", "dtype", "requires_grad", "device"], required: 1)
            let t = try Tensor.eye(n: try s[0]!.asInt("n"), m: try Convert.optionalInt(s[1]), dtype: try Convert.dtype(s[2]) ?? .float32)
            if try Convert.bool(s[3], default: false, ev) { try factoryRequiresGrad(t) }
            return .tensor(t)
        }
        torch.function("arange") { a, ev in
            var nums = a.positional
            var dtype: DType? = nil, requiresGrad = false
            for (k, v) in a.keywords {
                switch k {
                case "start": nums.insert(v, at: 0)
                case "end": nums.append(v)
                case "step": while nums.count < 2 { nums.insert(.int(0), at: 0) }; nums.append(v)
                case "dtype": dtype = try Convert.dtype(v)
                case "requires_grad": requiresGrad = try ev.truthy(v)
                case "device": try Convert.checkDevice(v, ev)
                default: throw PyError(.typeError, "arange() got an unexpected keyword argument '\(k)'")
                }
            }
            guard (1...3).contains(nums.count) else { throw PyError(.typeError, "arange() received an invalid combination of arguments") }
            let scalars = try nums.map { try Convert.requiredScalar($0) }
            let start = nums.count > 1 ? scalars[0] : .int(0)
            let end = nums.count > 1 ? scalars[1] : scalars[0]
            let step = nums.count > 2 ? scalars[2] : .int(1)
            let t = try Tensor.arange(start: start, end: end, step: step, dtype: dtype)
            if requiresGrad { try factoryRequiresGrad(t) }
            return .tensor(t)
        }
        torch.function("linspace") { a, ev in
            let s = try a.bind("linspace", ["start", "end", "steps", "dtype", "requires_grad", "device"], required: 3)
            let t = try Tensor.linspace(start: try s[0]!.asDouble("start"), end: try s[1]!.asDouble("end"),
                                        steps: try s[2]!.asInt("steps"), dtype: try Convert.dtype(s[3]) ?? .float32)
            if try Convert.bool(s[4], default: false, ev) { try factoryRequiresGrad(t) }
            return .tensor(t)
        }
        torch.function("randint") { a, ev in
            // randint(high, size) or randint(low, high, size)
            var pos = a.positional
            var dtype: DType = .int64
            for (k, v) in a.keywords {
                switch k {
                case "size": pos.append(v)
                case "low": pos.insert(v, at: 0)
                case "high": pos.insert(v, at: pos.isEmpty ? 0 : min(1, pos.count))
                case "dtype": dtype = try Convert.dtype(v) ?? .int64
                case "device": try Convert.checkDevice(v, ev)
                case "generator", "requires_grad": break
                default: throw PyError(.typeError, "randint() got an unexpected keyword argument '\(k)'")
                }
            }
            guard pos.count == 2 || pos.count == 3 else {
                throw PyError(.typeError, "randint() received an invalid combination of arguments")
            }
            let low = pos.count == 3 ? try pos[0].asInt("low") : 0
            let high = try pos[pos.count - 2].asInt("high")
            let shape = try Convert.ints(pos[pos.count - 1], ev)
            let t = try Tensor.randint(low: low, high: high, shape: shape)
            return .tensor(try t.converted(to: dtype))
        }
        torch["randperm"] = .object(NativeFunction("randperm", "n, *, generator=None, out=None, dtype=torch.int64, "
                + "layout=torch.strided, device=None, requires_grad=False, pin_memory=False",
                doc: "A random permutation of 0..n-1.") { b, ev in
            try Convert.checkDevice(b[4], ev)
            let n = try b.int(0, "n")
            let perm = try GeneratorObject.using(b[1]) { try Tensor.randperm(n) }
            return .tensor(try perm.converted(to: try b.dtype(3) ?? .int64))
        })
        torch["Generator"] = .object(GeneratorObject.type)
        torch["default_generator"] = .object(GeneratorObject.defaultGenerator)
        torch.function("manual_seed") { a, _ in
            let seed = try a.bind("manual_seed", ["seed"], required: 1)[0]!.asInt("seed")
            TorchRandom.manualSeed(UInt64(bitPattern: Int64(seed)))
            return .object(GeneratorObject.defaultGenerator)
        }
        torch.function("seed") { _, _ in .int(Int(truncatingIfNeeded: TorchRandom.seed())) }
        torch.function("initial_seed") { _, _ in .int(Int(truncatingIfNeeded: TorchRandom.initialSeed)) }

        // joining and selection
        torch.function("cat") { a, ev in try join("cat", a, ev, Tensor.cat) }
        torch.function("concat") { a, ev in try join("concat", a, ev, Tensor.cat) }
        torch.function("concatenate") { a, ev in try join("concatenate", a, ev, Tensor.cat) }
        torch.function("stack") { a, ev in try join("stack", a, ev, Tensor.stack) }
        torch.function("where") { a, _ in
            let s = try a.bind("where", ["condition", "input", "other"], required: 3)
            let cond = try s[0]!.asTensor("condition")
            let x = try Operand(s[1]!).orThrow(), y = try Operand(s[2]!).orThrow()
            var xt: Tensor, yt: Tensor
            switch (x, y) {
            case (.tensor(let p), _): xt = p; yt = try y.tensor(like: p)
            case (_, .tensor(let q)): yt = q; xt = try x.tensor(like: q)
            default: xt = try x.tensor(); yt = try y.tensor()
            }
            if xt.dtype != yt.dtype {
                let d = DType.promote(xt.dtype, yt.dtype)
                xt = try xt.converted(to: d); yt = try yt.converted(to: d)
            }
            return .tensor(try Tensor.where(cond, xt, yt))
        }
        torch.function("flip") { a, ev in try SortingBindings.flipFunction(a, ev) }

        // autograd mode
        torch.function("no_grad") { _, _ in .object(GradModeContext(enabled: false)) }
        torch.function("enable_grad") { _, _ in .object(GradModeContext(enabled: true)) }
        torch.function("inference_mode") { _, _ in .object(GradModeContext(enabled: false)) }
        torch.function("set_grad_enabled") { a, ev in
            let mode = try ev.truthy(try a.bind("set_grad_enabled", ["mode"], required: 1)[0]!)
            let ctx = GradModeContext(enabled: mode)
            GradMode.isEnabled = mode
            return .object(ctx)
        }
        torch.function("is_grad_enabled") { _, _ in .bool(GradMode.isEnabled) }
        torch.function("set_printoptions") { a, _ in
            let s = try a.bind("set_printoptions", ["precision", "threshold", "edgeitems", "linewidth", "profile", "sci_mode"])
            var profile: String? = nil
            if let p = s[4], case .str(let name) = p { profile = name }
            PrintOptions.set(precision: try Convert.optionalInt(s[0]), threshold: try Convert.optionalDouble(s[1]),
                             edgeitems: try Convert.optionalInt(s[2]), linewidth: try Convert.optionalInt(s[3]),
                             profile: profile, sciMode: try s[5].flatMap { $0.isNone ? nil : try $0.asBool() })
            return .none
        }

        // files
        torch.function("save") { a, ev in
            let s = try a.bind("save", ["obj", "f", "pickle_module", "pickle_protocol", "_use_new_zipfile_serialization"], required: 2)
            try CheckpointBridge.save(s[0]!, path: try s[1]!.asString("f"), ev)
            return .none
        }
        torch.function("load") { a, ev in
            let s = try a.bind("load", ["f", "map_location", "pickle_module", "weights_only", "mmap"], required: 1)
            if let m = s[1], !m.isNone, case .str = m { try Convert.checkDevice(m, ev) }
            return try CheckpointBridge.load(path: try s[0]!.asString("f"), ev)
        }

        torch["Size"] = .object(HostType("Size", check: { v in
            if case .object(let o) = v { return o is TorchSize }
            return false
        }, construct: { a, ev in
            .object(TorchSize(a.positional.isEmpty ? [] : try Convert.ints(a.positional[0], ev)))
        }))
        torch["Tensor"] = .object(host.tensorType)
        torch["FloatTensor"] = .object(HostType("FloatTensor", check: { v in
            if case .tensor(let t) = v { return t.dtype == .float32 }
            return false
        }, construct: { a, ev in .tensor(try Tensor.zeros(try Convert.shape(a.positional, ev), dtype: .float32)) }))
        torch["LongTensor"] = .object(HostType("LongTensor", check: { v in
            if case .tensor(let t) = v { return t.dtype == .int64 }
            return false
        }))
        torch["dtype"] = .object(HostType("dtype", check: { v in
            if case .object(let o) = v { return o is DTypeObject }
            return false
        }))
        torch["__version__"] = .str("2.15.0")
        torch["__config__"] = .object(configNamespace())
        return torch
    }

    static func join(_ name: String, _ a: Arguments, _ ev: Evaluator, _ op: ([Tensor], Int) throws -> Tensor) throws -> Value {
        let s = try a.bind(name, ["tensors", "dim"], required: 1)
        let items = try ev.iterate(s[0]!)
        let tensors = try items.enumerated().map { i, v -> Tensor in
            guard case .tensor(let t) = v else {
                throw PyError(.typeError, "expected Tensor as element \(i) in argument 0, but got \(v.typeName)")
            }
            return t
        }
        return .tensor(try op(tensors, try Convert.optionalInt(s[1], "dim") ?? 0))
    }
}

/// `requires_grad=True` in a factory call (PyTorch capitalises this message, unlike `requires_grad_()`).
func factoryRequiresGrad(_ t: Tensor) throws {
    guard t.dtype.isFloatingPoint else { throw PyError(.runtimeError, "Only Tensors of floating point and complex dtype can require gradients") }
    try t.setRequiresGrad(true)

}

extension TorchNamespace {
    /// `torch.__config__`: `show()` names what the kernels run on (BLAS library, its kernel and
    /// how it was chosen, threads, CPU vector units), as PyTorch's lists its build.
    static func configNamespace() -> Namespace {
        let config = Namespace("torch.__config__")
        config["show"] = .object(NativeFunction("show", "", doc: "What nnrepl's kernels run on: BLAS library and kernel, threads, CPU.") { _, _ in
            let blas = BLASInfo.current
            return .str("nnrepl built with:\n  - \(blas)\n  - CPU: \(blas.cpu) (\(blas.cpuVectorUnits))\n")
        })
        config["parallel_info"] = .object(NativeFunction("parallel_info", "", doc: "The number of threads the kernels use.") { _, _ in
            .str("ATen/Parallel:\n\tat::get_num_threads() : \(BLASInfo.current.threads)\n")
        })
        return config
    }
}
