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
            if op.hasInPlaceFunction { torch[name + "_"] = op.inPlaceFunction(as: name + "_") }
        }
        // dtypes and devices
        installDTypes(into: torch)
        /// Declares `torch.<name>` once: PyTorch's signature (binds every call with PyTorch's
        /// argument errors; what `help()` and completion show), a one-line description, the body.
        func def(_ name: String, _ signature: String, _ doc: String, _ body: @escaping (Bound, Evaluator) throws -> Value) {
            let sig = Signature(signature, style: .torch)
            torch[name] = .object(NativeFunction(name, signature: sig, doc: doc) { a, ev in try body(try sig.bind(a, name), ev) })
        }
        def("device", "type", "A device object (nnrepl runs on the CPU only).") { b, ev in
            try Convert.checkDevice(b[0], ev)
            return .object(DeviceObject.cpu)
        }
        def("get_default_dtype", "", "The dtype of new floating-point tensors (torch.float32 unless set).") { _, _ in .object(DTypeObject.of(DType.defaultFloat)) }
        def("set_default_dtype", "d", "Makes d (torch.float32 or torch.float64) the dtype of new floating-point tensors.") { b, _ in
            guard case .object(let o as DTypeObject) = b[0] else {
                throw PyError(.typeError, "set_default_dtype(): argument 'd' (position 1) must be torch.dtype, not \(b[0].typeName)")
            }
            guard o.dtype.isFloatingPoint else { throw PyError(.typeError, "only floating-point types are supported as the default type") }
            guard o.dtype.isComputeFloat else {
                throw PyError(.notImplementedError, "set_default_dtype(\(o.dtype.name)) is not supported by nnrepl (float32 and float64 are)")
            }
            DType.defaultFloat = o.dtype
            return .none
        }
        def("is_tensor", "obj", "True if obj is a tensor.") { b, _ in
            if case .tensor = b[0] { return .bool(true) }
            return .bool(false)
        }

        // creation
        def("tensor", "data, *, dtype=None, device=None, requires_grad=False, pin_memory=False",
            "A new tensor holding a copy of data (nested lists, tuples, numbers or tensors).") { b, ev in
            try Convert.checkDevice(b[2], ev)
            let t = try TensorFactory.tensor(from: b[0], dtype: try b.dtype(1), ev)
            if try b.bool(3, ev) { try factoryRequiresGrad(t) }
            return .tensor(t)
        }
        def("as_tensor", "data, dtype=None, device=None", "data as a tensor, without a copy when it already is one of that dtype.") { b, ev in
            try Convert.checkDevice(b[2], ev)
            if case .tensor(let t) = b[0] {
                if let d = try b.dtype(1) { return .tensor(try t.converted(to: d)) }
                return .tensor(t)
            }
            return .tensor(try TensorFactory.tensor(from: b[0], dtype: try b.dtype(1), ev))
        }
        /// A factory taking a size (`zeros(2, 3)`, `zeros((2, 3))`, `zeros(size=(2, 3))`).
        func sized(_ name: String, random: Bool, memoryFormat: Bool = false, _ doc: String, _ make: @escaping ([Int], DType) throws -> Tensor) {
            let generator = random ? "generator=None, " : ""
            let format = memoryFormat ? ", memory_format=torch.contiguous_format" : ""
            def(name, "*size, \(generator)out=None, dtype=None, layout=torch.strided, device=None, requires_grad=False, pin_memory=False\(format)", doc) { b, ev in
                let at = random ? 1 : 0   // the slots after *size: [generator,] out, dtype, layout, device, requires_grad
                try Convert.checkDevice(b[at + 4], ev)
                let shape = try Convert.shape(b.extraPositional, ev, function: name)
                let out = b[at + 1].isNone ? nil : try b.tensor(at + 1, "out")
                let dtype = try b.dtype(at + 2) ?? out?.dtype ?? DType.defaultFloat
                var t = try GeneratorObject.using(random ? b[1] : .none) { try make(shape, dtype) }
                if memoryFormat, let f = try Convert.memoryFormat(b[at + 7], name) { t = try t.contiguous(f) }
                if try b.bool(at + 5, ev) { try factoryRequiresGrad(t) }
                // out= receives the values (resized to the size given), as torch.rand(2, 2, out=c).
                if let out { return try OutArgument.store(.tensor(t), into: out, name, ev) }
                return .tensor(t)
            }
        }
        sized("zeros", random: false, "A tensor of zeros of the given size.") { try Tensor.zerosFactory($0, dtype: $1) }
        sized("empty", random: false, memoryFormat: true, "An uninitialised tensor of the given size (nnrepl fills it with zeros).") { try Tensor.zeros($0, dtype: $1) }
        sized("ones", random: false, "A tensor of ones of the given size.") { try Tensor.ones($0, dtype: $1) }
        sized("rand", random: true, "Uniform samples in [0, 1) of the given size.") { try Tensor.rand($0, dtype: $1) }
        sized("randn", random: true, "Standard normal samples of the given size.") { try Tensor.randn($0, dtype: $1) }
        /// A factory shaped like another tensor (`zeros_like(x)`).
        func like(_ name: String, _ doc: String, _ make: @escaping (Tensor, DType) throws -> Tensor) {
            def(name, "input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=torch.preserve_format", doc) { b, ev in
                try Convert.checkDevice(b[3], ev)
                let t = try b.tensor(0, "input")
                let out = try likeLayout(try make(t, try b.dtype(1) ?? t.dtype), t, b[5], name)
                if try b.bool(4, ev) { try factoryRequiresGrad(out) }
                return .tensor(out)
            }
        }
        like("zeros_like", "Zeros with input's size (and dtype unless given).") { try Tensor.zeros($0.shape, dtype: $1) }
        like("empty_like", "An uninitialised tensor with input's size (nnrepl fills it with zeros).") { try Tensor.zeros($0.shape, dtype: $1) }
        like("ones_like", "Ones with input's size (and dtype unless given).") { try Tensor.ones($0.shape, dtype: $1) }
        like("rand_like", "Uniform samples in [0, 1) with input's size.") { try Tensor.rand($0.shape, dtype: $1) }
        like("randn_like", "Standard normal samples with input's size.") { try Tensor.randn($0.shape, dtype: $1) }
        def("full", "size, fill_value, *, out=None, dtype=None, layout=torch.strided, device=None, requires_grad=False",
            "A tensor of the given size filled with fill_value (its dtype follows the value unless given).") { b, ev in
            try Convert.checkDevice(b[5], ev)
            guard let value = try? Convert.requiredScalar(b[1]) else {
                throw PyError(.typeError, "full(): argument 'fill_value' (position 2) must be Number, not \(b[1].typeName)")
            }
            let t = try Tensor.full(try Convert.sizes(b[0], function: "full"), value: value, dtype: try b.dtype(3) ?? value.defaultDType)
            if try b.bool(6, ev) { try factoryRequiresGrad(t) }
            return .tensor(t)
        }
        def("full_like", "input, fill_value, *, dtype=None, layout=torch.strided, device=None, requires_grad=False, memory_format=torch.preserve_format",
            "fill_value with input's size (and dtype unless given).") { b, ev in
            try Convert.checkDevice(b[4], ev)
            let t = try b.tensor(0, "input")
            let out = try likeLayout(try Tensor.full(t.shape, value: try Convert.requiredScalar(b[1]), dtype: try b.dtype(2) ?? t.dtype),
                                     t, b[6], "full_like")
            if try b.bool(5, ev) { try factoryRequiresGrad(out) }
            return .tensor(out)
        }
        def("eye", "n, m=None, *, out=None, dtype=None, layout=torch.strided, device=None, requires_grad=False",
            "An n x m matrix with ones on the diagonal.") { b, ev in
            try Convert.checkDevice(b[5], ev)
            let t = try Tensor.eye(n: try b.int(0, "n"), m: try b.optionalInt(1, "m"), dtype: try b.dtype(3) ?? DType.defaultFloat)
            if try b.bool(6, ev) { try factoryRequiresGrad(t) }
            return .tensor(t)
        }
        def("arange", "start=0, end=None, step=1, *, out=None, dtype=None, layout=torch.strided, device=None, requires_grad=False",
            "Values from start up to (not including) end in steps of step; arange(n) counts 0..n-1.") { b, ev in
            try Convert.checkDevice(b[6], ev)
            // arange(end) binds its one number to `start`.
            let oneNumber = b[1].isNone
            let start = oneNumber ? Scalar.int(0) : try Convert.requiredScalar(b[0])
            let end = try Convert.requiredScalar(oneNumber ? b[0] : b[1])
            let t = try Tensor.arange(start: start, end: end, step: try Convert.requiredScalar(b[2]), dtype: try b.dtype(4))
            if try b.bool(7, ev) { try factoryRequiresGrad(t) }
            return .tensor(t)
        }
        def("linspace", "start, end, steps, *, out=None, dtype=None, layout=torch.strided, device=None, requires_grad=False",
            "steps values evenly spaced from start to end, both included.") { b, ev in
            try Convert.checkDevice(b[6], ev)
            let t = try Tensor.linspace(start: try b.double(0, "start"), end: try b.double(1, "end"),
                                        steps: try b.int(2, "steps"), dtype: try b.dtype(4) ?? DType.defaultFloat)
            if try b.bool(7, ev) { try factoryRequiresGrad(t) }
            return .tensor(t)
        }
        def("randint", "low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=torch.strided, device=None, requires_grad=False",
            "Random integers in [low, high) of the given size; randint(high, size) starts at 0.") { b, ev in
            try Convert.checkDevice(b[7], ev)
            // randint(high, size) binds high to `low` and size to `high`.
            let short = b[2].isNone
            guard !(short ? b[1] : b[2]).isNone else {
                throw PyError(.typeError, "randint() missing 1 required positional arguments: \"size\"")
            }
            let low = short ? 0 : try b.int(0, "low"), high = try b.int(short ? 0 : 1, "high")
            let shape = try Convert.sizes(short ? b[1] : b[2], function: "randint", position: short ? 2 : 3)
            let t = try GeneratorObject.using(b[3]) { try Tensor.randint(low: low, high: high, shape: shape) }
            return .tensor(try t.converted(to: try b.dtype(5) ?? .int64))
        }
        def("randperm", "n, *, generator=None, out=None, dtype=torch.int64, layout=torch.strided, device=None, requires_grad=False, pin_memory=False",
            "A random permutation of 0..n-1.") { b, ev in
            try Convert.checkDevice(b[5], ev)
            let n = try b.int(0, "n")
            let perm = try GeneratorObject.using(b[1]) { try Tensor.randperm(n) }
            return .tensor(try perm.converted(to: try b.dtype(3) ?? .int64))
        }
        torch["Generator"] = .object(GeneratorObject.type)
        torch["default_generator"] = .object(GeneratorObject.defaultGenerator)
        def("manual_seed", "seed", "Seeds the default random generator (negative seeds wrap as in PyTorch); returns it.") { b, _ in
            TorchRandom.manualSeed(UInt64(bitPattern: Int64(try b.int(0, "seed"))))
            return .object(GeneratorObject.defaultGenerator)
        }
        def("seed", "", "Seeds the default generator from the clock; returns the seed.") { _, _ in .int(Int(truncatingIfNeeded: TorchRandom.seed())) }
        def("initial_seed", "", "The seed the default generator was last seeded with.") { _, _ in
            .int(Int(truncatingIfNeeded: TorchRandom.initialSeed))
        }

        def("get_num_threads", "", "The intra-op thread count (the cores unless set_num_threads changed it).") { _, _ in
            .int(IntraOpThreads.current)
        }
        def("set_num_threads", "int", "Sets the intra-op thread count (1 runs kernels serially; sums group as PyTorch's would).") { b, _ in
            let n = try b.int(0, "int")
            guard n > 0 else { throw PyError(.runtimeError, "set_num_threads expects a positive integer") }
            IntraOpThreads.requested = n
            return .none
        }
        def("get_num_interop_threads", "", "The inter-op thread count (the cores).") { _, _ in .int(kernelThreads) }

        // joining and selection
        for name in ["cat", "concat", "concatenate"] {
            def(name, "tensors, dim=0, *, out=None", "Joins tensors along an existing dim.") { b, ev in try join(b, ev, Tensor.cat) }
        }
        def("stack", "tensors, dim=0, *, out=None", "Joins tensors along a new dim.") { b, ev in try join(b, ev, Tensor.stack) }
        def("einsum", "equation, *operands",
            "Sums of products over lettered dims: einsum('bij,bjk->bik', a, b) is a batched matmul (also einsum(a, [0, 1], b, [1, 2], [0, 2])).") { b, ev in
            if b[0].isTensor { return try einsumSublists([b[0]] + b.extraPositional, ev) }
            var items = b.extraPositional
            if items.count == 1, let inner = ev.sequenceItems(items[0]) { items = inner }
            return .tensor(try Einsum.evaluate(try b[0].asString("equation"), try items.map { try $0.asTensor("operands") }))
        }
        def("meshgrid", "*tensors, indexing=None", "Coordinate grids from 1-D tensors ('ij': matrix indexing, 'xy': Cartesian).") { b, ev in
            try meshgrid(b, ev)
        }
        def("where", "condition, input=None, other=None, *, out=None",
            "input where condition holds, else other (elementwise, broadcast); where(condition) is nonzero(as_tuple=True).") { b, _ in
            let cond = try b.tensor(0, "condition")
            if !b.given[1] && !b.given[2] { return .object(PyTuple(try cond.nonzeroColumns().map { .tensor($0) })) }
            let x = try Operand(b[1]).orThrow(), y = try Operand(b[2]).orThrow()
            let xt: Tensor, yt: Tensor
            switch (x, y) {
            case (.tensor(let p), _): xt = p; yt = try y.tensor(like: p)
            case (_, .tensor(let q)): yt = q; xt = try x.tensor(like: q)
            default: xt = try x.tensor(); yt = try y.tensor()
            }
            return .tensor(try Tensor.where(cond, xt, yt))   // PyTorch's promotion (a number is a 0-dim operand)
        }
        torch.function("flip") { a, ev in try SortingBindings.flipFunction(a, ev) }

        // autograd mode
        def("no_grad", "orig_func=None", "Context manager (and decorator) that turns gradient recording off.") { b, _ in
            GradModeContext("no_grad", enabled: false).orDecorating(b[0])
        }
        def("enable_grad", "orig_func=None", "Context manager (and decorator) that turns gradient recording on.") { b, _ in
            GradModeContext("enable_grad", enabled: true).orDecorating(b[0])
        }
        def("inference_mode", "mode=True", "Context manager (and decorator) for inference: gradient recording off (as no_grad).") { b, ev in
            if case .bool(let mode) = b[0] {
                return .object(GradModeContext("inference_mode", enabled: !mode, inference: mode))
            }
            return GradModeContext("inference_mode", enabled: false, inference: true).orDecorating(b[0])
        }
        def("set_grad_enabled", "mode", "Turns gradient recording on or off (also a context manager).") { b, ev in
            .object(GradModeContext("set_grad_enabled", enabled: try b.bool(0, ev)).switchingAtCall(ev))
        }
        def("is_inference_mode_enabled", "", "True inside torch.inference_mode().") { _, _ in .bool(InferenceMode.isEnabled) }
        def("is_grad_enabled", "", "True while gradients are being recorded.") { _, _ in .bool(GradMode.isEnabled) }
        def("set_printoptions", "precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None",
            "How tensors print: digits, summarising threshold, edge items, line width, a profile, scientific notation.") { b, _ in
            var profile: String? = nil
            if case .str(let name) = b[4] { profile = name }
            PrintOptions.set(precision: try b.optionalInt(0), threshold: try b.optionalDouble(1),
                             edgeitems: try b.optionalInt(2), linewidth: try b.optionalInt(3),
                             profile: profile, sciMode: b[5].isNone ? nil : try b[5].asBool())
            return .none
        }

        // files
        def("save", "obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True",
            "Writes obj (tensors, state_dicts, containers, whole modules) to f (a path or an io.BytesIO) in PyTorch's .pth format.") { b, ev in
            if case .object(let buffer as BytesIO) = b[1] {
                try CheckpointBridge.save(b[0], to: buffer, ev)
            } else {
                try CheckpointBridge.save(b[0], path: try b[1].asPath("f"), ev)
            }
            return .none
        }
        def("load", "f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args",
            "Reads what torch.save wrote (PyTorch's .pth files too) from a path or an io.BytesIO.") { b, ev in
            if case .str = b[1] { try Convert.checkDevice(b[1], ev) }
            // weights_only defaults to True (PyTorch ≥ 2.6); False also loads whole modules.
            let weightsOnly = b[3].isNone ? true : try ev.truthy(b[3])
            if case .object(let buffer as BytesIO) = b[0] { return try CheckpointBridge.load(from: buffer, weightsOnly: weightsOnly, ev) }
            return try CheckpointBridge.load(path: try b[0].asPath("f"), weightsOnly: weightsOnly, ev)
        }

        torch["Size"] = .object(HostType("Size", check: { v in
            if case .object(let o) = v { return o is TorchSize }
            return false
        }, construct: { a, ev in
            .object(TorchSize(a.positional.isEmpty ? [] : try Convert.ints(a.positional[0], ev)))
        }))
        torch["Tensor"] = .object(host.tensorType)
        for dtype in DType.allCases { torch[legacyName(dtype)] = .object(legacyTensorType(dtype)) }
        torch["dtype"] = .object(HostType("dtype", check: { v in
            if case .object(let o) = v { return o is DTypeObject }
            return false
        }))
        torch["__version__"] = .str("2.15.0")
        // The constants torch re-exports from math (`torch.pi`, `torch.inf` …) and numpy's `newaxis`.
        for (name, value) in [("pi", Double.pi), ("e", 2.718281828459045), ("inf", Double.infinity), ("nan", Double.nan)] { torch[name] = .float(value) }
        torch["newaxis"] = Value.none
        MemoryFormatObject.install(torch)
        torch["__config__"] = .object(configNamespace())
        FunctionalNamespace.installTorchActivations(torch)
        installRandomState(torch)
        installDevices(torch)
        installLinalg(torch)
        torch["testing"] = .object(TestingNamespace.make())
        torch["func"] = .object(FuncNamespace.make())
        AnomalyModeContext.install(torch: torch)
        installRandomDraws(torch)
        installShaping(torch)
        installIndices(torch)
        installSpecial(torch)
        TensorOpCatalog.installSearches(torch)
        return torch
    }

    /// `torch.einsum(op1, sublist1, op2, sublist2, …, [sublist_out])`: subscripts as integers
    /// 0-51 (a-z, then A-Z) or `...`, turned into the equation form.
    static func einsumSublists(_ items: [Value], _ ev: Evaluator) throws -> Value {
        func subscripts(_ list: Value) throws -> String {
            guard let entries = ev.sequenceItems(list) else {
                throw PyError(.typeError, "einsum(): expected a list of subscripts, got \(list.typeName)")
            }
            return try entries.map { entry -> String in
                if ev.isEllipsis(entry) { return "..." }
                guard case .int(let n) = entry else { throw PyError(.typeError, "einsum(): subscripts must be integers, not \(entry.typeName)") }
                guard (0..<52).contains(n), let scalar = Unicode.Scalar(n < 26 ? 97 + n : 65 + n - 26) else {
                    throw PyError(.valueError, "einsum(): subscript in subscript list is not within the valid range [0, 52)")
                }
                return String(Character(scalar))
            }.joined()
        }
        var operands: [Tensor] = [], inputs: [String] = []
        var i = 0
        while i + 1 < items.count {
            operands.append(try items[i].asTensor("operands"))
            inputs.append(try subscripts(items[i + 1]))
            i += 2
        }
        let output = i < items.count ? "->" + (try subscripts(items[i])) : ""
        return .tensor(try Einsum.evaluate(inputs.joined(separator: ",") + output, operands))
    }

    /// `cat` / `stack`: `tensors` must be a sequence of tensors.
    static func join(_ b: Bound, _ ev: Evaluator, _ op: ([Tensor], Int) throws -> Tensor) throws -> Value {
        let tensors = try ev.iterate(b[0]).enumerated().map { i, v -> Tensor in
            guard case .tensor(let t) = v else {
                throw PyError(.typeError, "expected Tensor as element \(i) in argument 0, but got \(v.typeName)")
            }
            return t
        }
        return .tensor(try op(tensors, try b.int(1, "dim")))
    }

    /// `torch.meshgrid(*tensors, indexing=None)`: each 1-D (or 0-D) input viewed along its own dim
    /// and expanded to the grid (views, so gradients flow back). Without `indexing` it is 'ij' plus
    /// PyTorch's warning; 'xy' swaps the roles of the first two inputs (Cartesian indexing).
    static func meshgrid(_ b: Bound, _ ev: Evaluator) throws -> Value {
        var items = b.extraPositional
        if items.count == 1, let inner = ev.sequenceItems(items[0]) { items = inner }
        let tensors = try items.map { try $0.asTensor("tensors") }
        var indexing = "ij"
        if case .str(let s) = b[1] { indexing = s } else if b[1].isNone {
            ev.warn("UserWarning: torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.")
        } else {
            throw PyError(.typeError, "meshgrid(): argument 'indexing' must be str, not \(b[1].typeName)")
        }
        guard indexing == "ij" || indexing == "xy" else {
            throw PyError(.runtimeError, "torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: \(indexing)")
        }
        guard !tensors.isEmpty else { throw PyError(.runtimeError, "meshgrid expects a non-empty TensorList") }
        for t in tensors where t.dim > 1 {
            throw PyError(.runtimeError, "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: \(t.shape)")
        }
        for t in tensors.dropFirst() where t.dtype != tensors[0].dtype {
            throw PyError(.runtimeError, "torch.meshgrid: Expected all tensors in the tensor list to have the same dtype.")
        }
        var order = tensors
        let swap = indexing == "xy" && tensors.count >= 2
        if swap { order.swapAt(0, 1) }
        let sizes = order.map { $0.numel }
        var grids = try order.enumerated().map { i, t -> Tensor in
            var viewShape = [Int](repeating: 1, count: order.count)
            viewShape[i] = -1
            return try t.reshape(viewShape).expand(sizes)
        }
        if swap { grids.swapAt(0, 1) }
        return .object(PyTuple(grids.map { .tensor($0) }))
    }

    /// `torch.FloatTensor` and the other legacy constructors' names.
    static func legacyName(_ dtype: DType) -> String { String(dtype.legacyTypeName.dropFirst("torch.".count)) }

    /// `torch.LongTensor([1, 2])` (data) or `torch.FloatTensor(2, 3)` (a size, zero-filled here);
    /// `isinstance(x, torch.LongTensor)` checks the dtype.
    static func legacyTensorType(_ dtype: DType) -> HostType {
        let name = legacyName(dtype)
        return HostType(name, signature: Signature("*args", style: .torch), doc: "A tensor of dtype \(dtype.name) from data or a size.",
                        check: { v in
            if case .tensor(let t) = v { return t.dtype == dtype }
            return false
        }, construct: { a, ev in
            let args = a.positional
            if args.count == 1, case .object = args[0], ev.sequenceItems(args[0]) != nil {
                return .tensor(try TensorFactory.tensor(from: args[0], dtype: dtype, ev))
            }
            if args.count == 1, case .tensor(let t) = args[0] {
                guard t.dtype == dtype else {
                    throw PyError(.typeError, "expected \(dtype.legacyTypeName) (got \(t.dtype.legacyTypeName))")
                }
                return .tensor(t)
            }
            return .tensor(try Tensor.zeros(try Convert.shape(args, ev), dtype: dtype))
        })
    }
}

/// `requires_grad=True` in a factory call (PyTorch capitalises this message, unlike `requires_grad_()`).
func factoryRequiresGrad(_ t: Tensor) throws {
    guard t.dtype.isFloatingPoint else { throw PyError(.runtimeError, "Only Tensors of floating point and complex dtype can require gradients") }
    try t.setRequiresGrad(true)

}

/// The layout a `*_like` factory gives its fresh row-major `out` for `memory_format=` (`format`;
/// preserve_format by default keeps `input`'s channels_last, filled in memory order).
func likeLayout(_ out: Tensor, _ input: Tensor, _ format: Value, _ function: String) throws -> Tensor {
    switch try Convert.memoryFormat(format, function) ?? .preserveFormat {
    case .preserveFormat: return out.filledInLayout(of: input)
    case let requested: return try out.contiguous(requested)
    }
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
