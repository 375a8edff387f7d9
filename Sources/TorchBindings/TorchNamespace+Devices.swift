import NNLang
import NeuralNet

/// The accelerator and backend switches scripts touch before they train, answered as a CPU-only
/// PyTorch build answers them: `torch.cuda` (no GPU; seeding and cache calls are accepted and do
/// nothing, as they do before CUDA is initialised), `torch.accelerator`, `torch.backends`
/// (`cudnn`, `mps`, `cuda.matmul` flags, assignable), `torch.version`, deterministic-algorithm
/// and float32-matmul-precision settings (recorded; nnrepl's kernels are deterministic and
/// always compute in full float32), and `torch.compile`, which returns what it is given.
extension TorchNamespace {
    static func installDevices(_ torch: Namespace) {
        func constant(_ ns: Namespace, _ name: String, _ signature: String, _ doc: String, _ value: Value) {
            ns[name] = .object(NativeFunction(name, signature, doc: doc) { _, _ in value })
        }
        func notCompiled(_ ns: Namespace, _ name: String, _ signature: String) {
            ns[name] = .object(NativeFunction(name, signature, doc: "Raises: nnrepl has no CUDA backend.") { _, _ in
                throw PyError(.assertionError, "Torch not compiled with CUDA enabled")
            })
        }
        let noGPU = "False: nnrepl has no GPU backend."
        let cuda = Namespace("torch.cuda")
        constant(cuda, "is_available", "", noGPU, .bool(false))
        constant(cuda, "is_initialized", "", "False: CUDA is never initialised.", .bool(false))
        constant(cuda, "device_count", "", "0: nnrepl has no GPU backend.", .int(0))
        constant(cuda, "manual_seed", "seed", "Accepted and ignored (no CUDA generator), as before CUDA starts.", .none)
        constant(cuda, "manual_seed_all", "seed", "Accepted and ignored (no CUDA generator), as before CUDA starts.", .none)
        constant(cuda, "empty_cache", "", "Does nothing (no CUDA memory).", .none)
        for (name, signature) in [("synchronize", "device=None"), ("current_device", ""), ("get_device_name", "device=None"),
                                  ("get_device_properties", "device"), ("set_device", "device")] {
            notCompiled(cuda, name, signature)
        }
        torch["cuda"] = .object(cuda)

        let accelerator = Namespace("torch.accelerator")
        constant(accelerator, "is_available", "", noGPU, .bool(false))
        constant(accelerator, "current_accelerator", "check_available=False", "None: the CPU is the only device.", .none)
        constant(accelerator, "device_count", "", "0: nnrepl has no accelerator.", .int(0))
        torch["accelerator"] = .object(accelerator)

        let backends = Namespace("torch.backends")
        let cudnn = Namespace("torch.backends.cudnn")
        constant(cudnn, "is_available", "", "False: not built with cuDNN.", .bool(false))
        constant(cudnn, "version", "", "None: not built with cuDNN.", .none)
        cudnn["enabled"] = .bool(true)
        cudnn["deterministic"] = .bool(false)
        cudnn["benchmark"] = .bool(false)
        cudnn["allow_tf32"] = .bool(true)
        backends["cudnn"] = .object(cudnn)
        let mps = Namespace("torch.backends.mps")
        constant(mps, "is_available", "", noGPU, .bool(false))
        constant(mps, "is_built", "", "False: not built with MPS.", .bool(false))
        backends["mps"] = .object(mps)
        let cudaBackend = Namespace("torch.backends.cuda")
        let matmul = Namespace("torch.backends.cuda.matmul")
        matmul["allow_tf32"] = .bool(false)
        matmul["allow_fp16_reduced_precision_reduction"] = .bool(true)
        cudaBackend["matmul"] = .object(matmul)
        constant(cudaBackend, "is_built", "", "False: not built with CUDA.", .bool(false))
        backends["cuda"] = .object(cudaBackend)
        torch["backends"] = .object(backends)

        let version = Namespace("torch.version")
        version["__version__"] = torch["__version__"] ?? .str("2.15.0")
        version["cuda"] = Value.none
        version["hip"] = Value.none
        version["debug"] = .bool(false)
        torch["version"] = .object(version)

        // torch.compile: nnrepl has no graph compiler; the model (or function) runs as it is. Used
        // bare (`torch.compile(model)`) or as a decorator, with or without options. A module comes
        // back wrapped in an `OptimizedModule`, as in PyTorch (its state_dict keys gain `_orig_mod.`).
        let optimizedModule = HostType("OptimizedModule", parent: Interpreter.moduleBaseType, doc: "What torch.compile returns for a module.",
                                       check: { v in
            if case .module(let m) = v { return m is OptimizedModule }
            return false
        })
        optimizedModule.module = "torch._dynamo.eval_frame"
        ModuleTypes.register(OptimizedModule.self, optimizedModule)
        func compiled(_ model: Value) throws -> Value {
            if case .module(let m) = model { return .module(try OptimizedModule(m)) }
            return model
        }
        let compile = NativeFunction("compile", "model=None, *, fullgraph=False, dynamic=None, backend='inductor', mode=None, options=None, disable=False",
                                     doc: "Returns model to run as it is (no graph compilation); a module comes back as an OptimizedModule wrapping it.") { b, _ in
            if !b[0].isNone { return try compiled(b[0]) }
            return .object(NativeFunction("compile.<locals>.fn", "model", doc: "Returns model to run as it is.") { inner, _ in try compiled(inner[0]) })
        }
        torch["compile"] = .object(compile)

        let settings = DeviceSettings()
        torch["use_deterministic_algorithms"] = .object(NativeFunction("use_deterministic_algorithms", "mode, *, warn_only=False",
                                                                       doc: "Records the setting (nnrepl's kernels are deterministic).") { a, _ in
            guard case .bool(let mode) = a[0] else {
                throw PyError(.typeError, "_set_deterministic_algorithms(): argument 'mode' (position 1) must be bool, not \(a[0].typeName)")
            }
            settings.deterministic = mode
            if case .bool(let warnOnly) = a[1] { settings.warnOnly = warnOnly }
            return .none
        })
        torch["are_deterministic_algorithms_enabled"] = .object(NativeFunction("are_deterministic_algorithms_enabled", "",
                                                                               doc: "The use_deterministic_algorithms setting.") { _, _ in
            .bool(settings.deterministic)
        })
        torch["is_deterministic_algorithms_warn_only_enabled"] = .object(NativeFunction("is_deterministic_algorithms_warn_only_enabled", "",
                                                                                        doc: "The warn_only setting.") { _, _ in
            .bool(settings.warnOnly)
        })
        torch["set_float32_matmul_precision"] = .object(NativeFunction("set_float32_matmul_precision", "precision",
                                                                       doc: "Records 'highest', 'high' or 'medium' (nnrepl always computes in float32).") { a, _ in
            let precision = try a[0].asString("precision")
            if ["highest", "high", "medium"].contains(precision) {
                settings.matmulPrecision = precision
            } else {
                NNWarnings.warn("\(precision) is not one of 'highest', 'high', or 'medium'; the currentsetFloat32MatmulPrecision call has no effect.")
            }
            return .none
        })
        torch["get_float32_matmul_precision"] = .object(NativeFunction("get_float32_matmul_precision", "",
                                                                       doc: "The set_float32_matmul_precision setting ('highest' by default).") { _, _ in
            .str(settings.matmulPrecision)
        })
    }
}

/// Settings a script may set and read back, which change nothing in nnrepl's computation.
private final class DeviceSettings {
    var deterministic = false
    var warnOnly = false
    var matmulPrecision = "highest"
}
