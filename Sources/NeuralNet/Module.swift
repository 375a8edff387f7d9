import TensorRuntime

/// PyTorch's `nn.Module`: ordered parameters, buffers and child modules registered by name,
/// a `training` flag, forward hooks, traversal, `state_dict` and repr — with PyTorch's rules and
/// messages (see /work/shared/reference/pytorch-semantics.md).
///
/// Subclassing:
/// - Built-in single-tensor layers override `forward(_:)`, `extraRepr()`, `hyperparameter(_:)`.
/// - The interpreter's script classes (`class Net(nn.Module)`) subclass it as a "script module":
///   override `typeName`, `pythonModuleName`, `forward(arguments:keywords:)`, and optionally
///   `hasPlainAttribute`/`removePlainAttribute` if they keep Python attributes elsewhere than
///   `instanceAttributes`. Create them with `init(uninitialised: ())` and call
///   `initialiseModuleState()` when the script runs `super().__init__()`.
///
/// Attribute assignment from scripts goes through `setAttribute(_:_:)`, which implements
/// `Module.__setattr__`'s table; reads go through `lookupAttribute(_:)` (PyTorch's `__getattr__`).
open class Module {
    /// `_parameters`: registered parameters in order; a `nil` value is a parameter set to None.
    public internal(set) var ownParameters = OrderedDict<String, Tensor?>()
    /// `_buffers`: registered buffers in order (nil = None).
    public internal(set) var ownBuffers = OrderedDict<String, Tensor?>()
    /// `_non_persistent_buffers_set`: buffers left out of `state_dict`.
    public internal(set) var nonPersistentBuffers = Set<String>()
    /// `_modules`: child modules in order (nil = None).
    public internal(set) var ownModules = OrderedDict<String, Module?>()
    /// `self.training`; new modules train.
    public var training = true
    /// False until `Module.__init__` has run (script classes may assign attributes before
    /// `super().__init__()`; registering anything then is an AttributeError).
    public internal(set) var isInitialised: Bool
    /// Plain Python attributes (`__dict__` entries that are not parameters/buffers/modules).
    /// The interpreter stores script values here (as its own value type) when `setAttribute`
    /// returns `.plainAttribute`; this module never interprets them.
    public var instanceAttributes = OrderedDict<String, Any>()
    /// The parameters recomputed before every forward (`weight_norm`, `spectral_norm`, pruning;
    /// Reparametrizations.swift), each with its forward pre-hook.
    public internal(set) var reparametrizations: [Reparametrization] = []
    /// The forward pre-hook that recomputes `register_parametrization`'s tensors for the
    /// layers' kernels (Parametrize.swift); nil while nothing is parametrized.
    var parametrizationHookID: Int?
    /// Builds a fresh module configured as this one (the bindings record the constructor call);
    /// `copy.deepcopy` runs it with random fills off, then copies parameters, buffers, children and
    /// attributes into the result. Nil when the module cannot be rebuilt that way.
    public var rebuild: (() throws -> Module)?

    /// An upper bound of how deep this module sits in any module tree (0 for a root): raised
    /// when it or an ancestor is nested below another module, never lowered. Keeps trees within
    /// `Module.maxNestingDepth` (see `noteNesting(of:)`).
    var nestingDepth = 0

    var forwardPreHooks: [(id: Int, hook: ForwardPreHook)] = []
    var forwardHooks: [(id: Int, hook: ForwardHook)] = []
    var alwaysCalledHooks = Set<Int>()
    /// The script callables behind the forward (pre-)hooks registered from Python, by hook id:
    /// what `_forward_hooks` / `_forward_pre_hooks` show (internal hooks have none).
    var hookCallables: [Int: Any] = [:]

    /// An initialised module (what `super().__init__()` produces).
    public init() {
        isInitialised = true
    }

    /// A module whose `Module.__init__` has not run yet: registration throws
    /// `cannot assign … before Module.__init__() call` until `initialiseModuleState()`.
    public init(uninitialised: ()) {
        isInitialised = false
    }

    /// Swift would release a chain of children recursively, one native frame per level, and
    /// overflow the stack on a very deep tree; children owned only by this module are taken
    /// apart here iteratively instead.
    deinit {
        guard !ownModules.isEmpty else { return }
        var pending = ownModules.values.compactMap { $0 }
        ownModules.removeAll()
        while var module = pending.popLast() {
            guard isKnownUniquelyReferenced(&module), !module.ownModules.isEmpty else { continue }
            pending.append(contentsOf: module.ownModules.values.compactMap { $0 })
            module.ownModules.removeAll()
        }
    }

    /// `Module.__init__`: (re)creates empty parameter/buffer/module maps, clears hooks and sets
    /// `training = True`, as calling `super().__init__()` does in PyTorch.
    open func initialiseModuleState() {
        ownParameters.removeAll()
        ownBuffers.removeAll()
        nonPersistentBuffers.removeAll()
        ownModules.removeAll()
        forwardPreHooks.removeAll()
        forwardHooks.removeAll()
        alwaysCalledHooks.removeAll()
        hookCallables.removeAll()
        training = true
        isInitialised = true
    }

    // MARK: - Identity and description

    /// The class name used by repr and messages (`Linear`, or a script class's name).
    open var typeName: String {
        let full = String(describing: type(of: self))
        return full.split(separator: ".").last.map(String.init) ?? full
    }

    /// The Python module the class lives in (`torch.nn.modules.linear`); `__main__` for scripts.
    open var pythonModuleName: String { "torch.nn.modules.module" }

    /// `torch.typename(module)`: `torch.nn.modules.linear.Linear`.
    public var pythonQualifiedName: String { pythonModuleName + "." + typeName }

    /// `extra_repr()`: the text inside the parentheses of a leaf's repr (may have several lines).
    open func extraRepr() -> String { "" }

    /// Whether the repr collapses runs of identical children (`(0-2): 3 x Linear(…)`) and skips
    /// `extra_repr`, as `ModuleList.__repr__` does.
    open var reprCollapsesRepeatedChildren: Bool { false }

    /// A layer's constructor settings exposed as Python attributes, in PyTorch's names and
    /// order (`[("in_features", .int(10)), ("out_features", .int(5))]`).
    open var hyperparameters: [(String, HyperValue)] { [] }

    /// The hyperparameter `name` (`in_features`, `negative_slope`, `kernel_size` …), nil if none.
    public func hyperparameter(_ name: String) -> HyperValue? {
        hyperparameters.first { $0.0 == name }?.1
    }

    /// Names of the hyperparameters (for `dir()` and completion).
    public var hyperparameterNames: [String] { hyperparameters.map { $0.0 } }

    /// Assigns a hyperparameter from a script (`lrelu.negative_slope = 0.2`). Returns false when
    /// the layer has no such settable attribute (the caller then stores a plain attribute).
    open func setHyperparameter(_ name: String, _ value: HyperValue) throws -> Bool { false }

    // MARK: - Plain attributes (Python `__dict__`)

    /// Whether `name` resolves as an ordinary attribute: an instance attribute, a hyperparameter
    /// or a method/attribute every `nn.Module` has. Script modules add their class attributes.
    open func hasPlainAttribute(_ name: String) -> Bool {
        instanceAttributes.contains(name) || hyperparameter(name) != nil || Module.memberNames.contains(name)
    }

    /// Removes an instance attribute (`__dict__` entry); returns whether one existed.
    @discardableResult
    open func removePlainAttribute(_ name: String) -> Bool {
        instanceAttributes.removeValue(forKey: name) != nil
    }

    /// `hasattr(module, name)`: plain attributes, then parameters, buffers, modules.
    public func hasAttribute(_ name: String) -> Bool {
        hasPlainAttribute(name) || ownParameters.contains(name) || ownBuffers.contains(name) || ownModules.contains(name)
    }

    /// Attributes and methods every `nn.Module` instance has (so `register_buffer('forward', …)`
    /// reports "attribute 'forward' already exists", as in PyTorch).
    public static let memberNames: Set<String> = [
        "training", "forward", "parameters", "named_parameters", "buffers", "named_buffers",
        "children", "named_children", "modules", "named_modules", "train", "eval", "zero_grad",
        "state_dict", "load_state_dict", "register_buffer", "register_parameter", "add_module",
        "register_module", "apply", "to", "cpu", "cuda", "type", "float", "double", "half",
        "requires_grad_", "get_submodule", "get_parameter", "get_buffer", "extra_repr",
        "register_forward_hook", "register_forward_pre_hook", "register_full_backward_hook",
        "register_backward_hook", "share_memory", "dump_patches", "call_super_init",
    ]

    // MARK: - Forward

    /// Single-tensor forward, overridden by built-in layers. The default is PyTorch's
    /// `_forward_unimplemented`.
    open func forward(_ input: Tensor) throws -> Tensor {
        throw TorchError(.notImplementedError, "Module [\(typeName)] is missing the required \"forward\" function")
    }

    /// Dynamic forward (`module.forward(*args, **kwargs)`). The default accepts exactly one
    /// tensor argument and calls `forward(_:)`; script modules override it to run the script's
    /// `forward`; containers chain their children through `call(arguments:keywords:)`.
    /// Tensors travel as `Tensor` values or anything `ModuleValueBridge.tensor(from:)` unwraps;
    /// results are produced by `ModuleValueBridge.wrap(_:)`.
    open func forward(arguments: [Any], keywords: [(String, Any)]) throws -> Any {
        let input = try singleTensorArgument(arguments, keywords, parameterName: "input")
        return ModuleValueBridge.wrap(try forward(input))
    }

    /// Extracts the one tensor argument of a built-in layer's `forward(input)`, with Python's
    /// messages for wrong arity.
    public func singleTensorArgument(_ arguments: [Any], _ keywords: [(String, Any)], parameterName: String) throws -> Tensor {
        var value: Any?
        if arguments.count == 1 && keywords.isEmpty {
            value = arguments[0]
        } else if arguments.isEmpty && keywords.count == 1 && keywords[0].0 == parameterName {
            value = keywords[0].1
        } else if let extra = keywords.first(where: { $0.0 != parameterName }) {
            throw TorchError.type("\(typeName).forward() got an unexpected keyword argument '\(extra.0)'")
        } else if arguments.isEmpty && keywords.isEmpty {
            throw TorchError.type("\(typeName).forward() missing 1 required positional argument: '\(parameterName)'")
        } else {
            throw TorchError.type("\(typeName).forward() takes 2 positional arguments but \(arguments.count + keywords.count + 1) were given")
        }
        guard let v = value, let t = ModuleValueBridge.tensor(from: v) else {
            throw TorchError.type("\(typeName).forward(): argument '\(parameterName)' must be a Tensor")
        }
        return t
    }
}

/// How type-erased values cross between the interpreter and modules. The interpreter may box
/// tensors in its own value type: it installs `unwrap`/`box` once at start-up; by default a value
/// is a `Tensor` itself.
public enum ModuleValueBridge {
    nonisolated(unsafe) public static var unwrap: (Any) -> Tensor? = { $0 as? Tensor }
    nonisolated(unsafe) public static var box: (Tensor) -> Any = { $0 }

    public static func tensor(from value: Any) -> Tensor? { unwrap(value) }
    public static func wrap(_ tensor: Tensor) -> Any { box(tensor) }
}

/// A layer setting as a Python value (`in_features=10`, `kernel_size=(3, 3)`, `padding='same'`).
public enum HyperValue: Equatable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case bool(Bool)
    case string(String)
    case tuple([HyperValue])
    case none

    /// Python's `repr` of the value (`(3, 3)`, `0.01`, `True`, `'same'`, `None`).
    public var description: String {
        switch self {
        case .int(let i): return String(i)
        case .double(let d): return pythonFloatRepr(d)
        case .bool(let b): return b ? "True" : "False"
        case .string(let s): return "'" + s + "'"
        case .tuple(let items):
            return items.count == 1 ? "(\(items[0]),)" : "(" + items.map(\.description).joined(separator: ", ") + ")"
        case .none: return "None"
        }
    }

    /// A pair of ints as PyTorch stores `kernel_size`/`stride`… for 2-d layers.
    static func pair(_ p: (Int, Int)) -> HyperValue { .tuple([.int(p.0), .int(p.1)]) }
}

/// Python's `repr(float)`: shortest round-trip digits, `1e-05` exponent style, `1.0` for integers.
public func pythonFloatRepr(_ d: Double) -> String {
    if d.isNaN { return "nan" }
    if d.isInfinite { return d > 0 ? "inf" : "-inf" }
    if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
    let a = Swift.abs(d)
    if a >= 1e16 || a < 1e-4 {
        // Swift prints e.g. "1e-05" as "1e-05"; normalise the exponent to at least two digits.
        var s = "\(d)"
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            var mantissa = String(s[..<e])
            var exponent = String(s[s.index(after: e)...])
            if mantissa.hasSuffix(".0") { mantissa.removeLast(2) }
            var sign = "+"
            if exponent.hasPrefix("-") { sign = "-"; exponent.removeFirst() } else if exponent.hasPrefix("+") { exponent.removeFirst() }
            if exponent.count < 2 { exponent = "0" + exponent }
            s = mantissa + "e" + sign + exponent
        }
        return s
    }
    let s = "\(d)"
    return s
}
