import TensorRuntime
import NeuralNet

/// A type object (`int`, `nn.Linear`, `torch.Tensor`, a script class …): callable to construct,
/// and the target of `isinstance`. Script classes and host types both subclass it.
open class PyType: PyObject {
    /// `T.__name__`.
    public let name: String

    public init(name: String) {
        self.name = name
        super.init()
    }

    open override var typeName: String { "type" }

    /// `isinstance(value, self)`.
    open func isInstance(_ value: Value) -> Bool { false }

    /// `issubclass(self, other)`.
    open func isSubclass(of other: PyType) -> Bool { other === self }

    /// Whether script classes may derive from this host type (`torch.utils.data.Dataset`): their
    /// instances are ordinary script objects, which `isinstance` finds through the class's MRO.
    open var scriptsMayDerive: Bool { false }

    /// Set on the built-in value types a script class may derive from (`dict`, `list`, `str`,
    /// `collections.Counter` …): how the class's instances, which carry a value of this type,
    /// get it (Interpreter/Objects/DerivedValueInstance.swift). nil for every other type.
    public var derivedValueLayout: DerivedValueLayout?

    /// The host type this one derives from (`StepLR` → `LRScheduler`), so that the MRO of a
    /// script class deriving from it lists both, as PyTorch's does.
    open var hostBase: PyType? { nil }

    /// `obj.name` (or `super().name`) for an instance `obj` of a script class deriving from this
    /// host type, when neither the instance nor a script class of its MRO has `name`: the host's
    /// own method bound to `obj` (`__init__`, `step` …), or nil.
    open func instanceAttribute(_ name: String, of instance: Value, _ ev: Evaluator) throws -> Value? { nil }

    /// `Sub.name` looked up on a script class `Sub` deriving from this host type, when no script
    /// class of its MRO defines `name` (`torch.autograd.Function.apply` needs to know `Sub`).
    open func classAttribute(_ name: String, of subclass: PyType, _ ev: Evaluator) throws -> Value? {
        try getAttribute(name, ev)
    }

    open override func repr(_ ev: Evaluator) throws -> String { "<class '\(name)'>" }

    open override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        name == "__name__" ? .str(self.name) : nil
    }
}

/// How an instance of a script class deriving from a built-in value type gets its value, as
/// CPython's `__new__`/`__init__` split it.
public enum DerivedValueLayout {
    /// A mutable container: `__new__` makes it empty, `__init__` fills it from the arguments
    /// (`list`, `dict`, `set`, `Counter`, `defaultdict`, `OrderedDict`, `deque`).
    case filledByInit
    /// An immutable value: `__new__` makes it from the arguments (`tuple`, `str`, `int`, `float`,
    /// `frozenset`).
    case madeByNew
}

/// What the language needs from the torch bindings for tensors, built-in modules and importable
/// host modules. The interpreter implements Python's own types itself and asks the host for the
/// rest; every requirement has a default that raises the error Python would raise.
public protocol Host: AnyObject {
    /// `import name` / `from name import …`: the module object for a dotted name (`torch.nn`), or nil.
    func importModule(_ dottedName: String, _ ev: Evaluator) throws -> Value?

    // Tensors.
    func tensorAttribute(_ t: Tensor, _ name: String, _ ev: Evaluator) throws -> Value?
    func setTensorAttribute(_ t: Tensor, _ name: String, _ value: Value, _ ev: Evaluator) throws
    /// A binary operator where at least one operand is a tensor; nil means unsupported
    /// (TypeError `unsupported operand type(s)`).
    func tensorBinary(_ op: BinaryOperator, _ lhs: Value, _ rhs: Value, _ ev: Evaluator) throws -> Value?
    /// A comparison (`==`, `<` …) where at least one operand is a tensor (elementwise, bool tensor).
    func tensorCompare(_ op: ComparisonOperator, _ lhs: Value, _ rhs: Value, _ ev: Evaluator) throws -> Value?
    func tensorUnary(_ op: UnaryOperator, _ t: Tensor, _ ev: Evaluator) throws -> Value
    func tensorGetItem(_ t: Tensor, _ key: Value, _ ev: Evaluator) throws -> Value
    func tensorSetItem(_ t: Tensor, _ key: Value, _ value: Value, _ ev: Evaluator) throws
    func tensorRepr(_ t: Tensor) -> String
    func tensorFormat(_ t: Tensor, spec: String, _ ev: Evaluator) throws -> String
    func tensorTruthiness(_ t: Tensor) throws -> Bool
    func tensorLength(_ t: Tensor) throws -> Int
    func tensorIterate(_ t: Tensor) throws -> [Value]
    /// Tensor attribute and method names for `dir(t)` and Tab completion (static, no side effects).
    func tensorAttributeNames() -> [String]
    /// A module's attribute and method names for `dir(m)` and Tab completion: its parameters,
    /// buffers, submodules, hyperparameters and the methods the host implements (static).
    func moduleAttributeNames(_ m: Module) -> [String]

    // Modules (built-in layers and script modules alike; for script modules the interpreter
    // first looks in the instance's own attributes and its class).
    func moduleAttribute(_ m: Module, _ name: String, _ ev: Evaluator) throws -> Value?
    /// Assignment to a module attribute that the interpreter did not store itself (built-in
    /// layers: `layer.negative_slope = 0.2`, registration of params/children on built-ins).
    func setModuleAttribute(_ m: Module, _ name: String, _ value: Value, _ ev: Evaluator) throws
    func moduleGetItem(_ m: Module, _ key: Value, _ ev: Evaluator) throws -> Value
    func moduleSetItem(_ m: Module, _ key: Value, _ value: Value, _ ev: Evaluator) throws
    func moduleDeleteItem(_ m: Module, _ key: Value, _ ev: Evaluator) throws
    func moduleLength(_ m: Module) throws -> Int
    func moduleIterate(_ m: Module) throws -> [Value]
    /// `type(m)` for a built-in layer (script modules report their script class).
    func moduleType(_ m: Module) -> PyType?
    /// `type(v)` for a host object (an optimizer, a `torch.Size`), nil when the host declares no type for it.
    func objectType(_ v: Value) -> PyType?
}

extension Host {
    /// No tensor attributes known (a host without torch).
    public func tensorAttributeNames() -> [String] { [] }
    /// No declared host object types.
    public func objectType(_ v: Value) -> PyType? { nil }
    /// A module's own members only (a host without torch methods).
    public func moduleAttributeNames(_ m: Module) -> [String] {
        m.ownParameters.keys + m.ownBuffers.keys + m.ownModules.keys + m.hyperparameterNames
    }
}
