import TensorRuntime
import NeuralNet

/// A value of the nnrepl language. Immediate cases for the hot types; tensors and modules are
/// their runtime objects themselves (so `is` and sharing follow PyTorch's identity semantics);
/// everything else (lists, dicts, functions, classes, instances, host objects) is a `PyObject`.
public enum Value {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case str(String)
    case tensor(Tensor)
    case module(Module)
    case object(PyObject)
}

/// Base class of every non-immediate value: the interpreter's own objects (list, dict, tuple,
/// function, class, instance, exception …) and host objects made by the torch bindings
/// (optimizers, dtypes, torch.Size, hook handles …). Every operation has a Python-like default
/// that raises the error CPython would raise, so a subclass overrides only what it supports.
open class PyObject {
    public init() {}

    /// `type(x).__name__`.
    open var typeName: String { "object" }

    /// Attribute lookup (`x.name`); nil means "no such attribute" (the caller raises AttributeError
    /// `'T' object has no attribute 'name'`).
    open func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? { nil }

    /// `x.name(args)` for a method the object implements natively, without making a bound
    /// method first; nil when it has no such method (the caller then looks `name` up with
    /// `getAttribute` and calls what it finds). Must agree with `getAttribute`.
    open func callMethod(_ name: String, _ args: Arguments, _ ev: Evaluator) throws -> Value? { nil }

    /// `x.name = value`.
    open func setAttribute(_ name: String, _ value: Value, _ ev: Evaluator) throws {
        throw PyError(.attributeError, "'\(typeName)' object has no attribute '\(name)'")
    }

    /// `del x.name`.
    open func deleteAttribute(_ name: String, _ ev: Evaluator) throws {
        throw PyError(.attributeError, "'\(typeName)' object has no attribute '\(name)'")
    }

    /// `x(args)`.
    open func call(_ args: Arguments, _ ev: Evaluator) throws -> Value {
        throw PyError(.typeError, "'\(typeName)' object is not callable")
    }

    /// `repr(x)`.
    open func repr(_ ev: Evaluator) throws -> String { "<\(typeName) object>" }

    /// `str(x)`; defaults to repr.
    open func str(_ ev: Evaluator) throws -> String { try repr(ev) }

    /// `bool(x)`; nil means "use len() if defined, else True".
    open func truthiness(_ ev: Evaluator) throws -> Bool? { nil }

    /// `len(x)`; nil means unsupported (TypeError `object of type 'T' has no len()`).
    open func length(_ ev: Evaluator) throws -> Int? { nil }

    /// `iter(x)`: the items in order; nil means not iterable. Host objects return their items
    /// eagerly (they are small); the interpreter's own generators are lazy.
    open func iterate(_ ev: Evaluator) throws -> [Value]? { nil }

    /// `iter(x)` for a host object that makes its items one at a time (a data loader fetching a
    /// batch per step): the function giving the next item (nil at the end); nil to use `iterate`.
    open func lazyIterator(_ ev: Evaluator) throws -> (() throws -> Value?)? { nil }

    /// `x[key]`; nil means not subscriptable.
    open func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? { nil }

    /// `x[key] = value`; false means unsupported.
    open func setItem(_ key: Value, _ value: Value, _ ev: Evaluator) throws -> Bool { false }

    /// `del x[key]`; false means unsupported.
    open func deleteItem(_ key: Value, _ ev: Evaluator) throws -> Bool { false }

    /// `x op other` (`other op x` when `reflected`) for a host object; nil means unsupported.
    open func binary(_ op: BinaryOperator, _ other: Value, reflected: Bool, _ ev: Evaluator) throws -> Value? { nil }

    /// `x < other` and the other orderings for a host object: negative, zero or positive as `x`
    /// sorts before, with or after `other`; nil means unordered (TypeError).
    open func order(comparedTo other: Value, _ ev: Evaluator) throws -> Int? { nil }

    /// `x == other`; nil means "compare by identity".
    open func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? { nil }

    /// `x in self`; nil means "fall back to iteration".
    open func contains(_ item: Value, _ ev: Evaluator) throws -> Bool? { nil }

    /// Names for `dir(x)` and Tab completion (static, no side effects).
    open func attributeNames() -> [String] { [] }
}

/// The services the interpreter gives to host code (bindings) that must call back into the
/// language: call a script function, print a value, iterate a user object.
public protocol Evaluator: AnyObject {
    /// Calls any callable value (script function, bound method, class, host function, module).
    func call(_ callee: Value, _ args: Arguments) throws -> Value
    /// `repr(v)` with Python's rules.
    func repr(_ v: Value) throws -> String
    /// `str(v)` with Python's rules.
    func str(_ v: Value) throws -> String
    /// All items of an iterable value, in order.
    func iterate(_ v: Value) throws -> [Value]
    /// `iter(v)` consumed one item at a time: each call of the result gives the next item, nil at the end.
    func iterator(_ v: Value) throws -> () throws -> Value?
    /// `getattr(v, name)` with Python's lookup rules and errors.
    func getAttribute(_ v: Value, _ name: String) throws -> Value
    /// `bool(v)`.
    func truthy(_ v: Value) throws -> Bool
    /// Writes text to standard output (what `print` uses), so host code and scripts interleave correctly.
    func write(_ text: String)
    /// Pushes buffered standard output and error out (`print(..., flush=True)`, `sys.stdout.flush()`).
    func flushOutput()
    /// Writes a warning line to standard error (Python's `UserWarning: ...` style).
    func warn(_ text: String)

    // Building and reading the interpreter's own containers (host code never names their classes).
    /// A new Python list.
    func makeList(_ items: [Value]) -> Value
    /// A new Python tuple.
    func makeTuple(_ items: [Value]) -> Value
    /// A new dict (`ordered: true` makes a `collections.OrderedDict`, printed `OrderedDict([...])`).
    func makeDict(_ items: [(Value, Value)], ordered: Bool) -> Value
    /// The items of a list or tuple value; nil for anything else.
    func sequenceItems(_ v: Value) -> [Value]?
    /// The (key, value) pairs of a dict / OrderedDict value in order; nil for anything else.
    func mappingItems(_ v: Value) -> [(Value, Value)]?
    /// The bounds of a slice object (`a[1:5:2]`), each nil when omitted (or given as None);
    /// nil when `v` is not a slice.
    func sliceBounds(_ v: Value) throws -> (start: Int?, stop: Int?, step: Int?)?
    /// True for the `...` (Ellipsis) object.
    func isEllipsis(_ v: Value) -> Bool
    /// Which of Python's built-in types `v` is exactly (nil for anything else, subclasses included),
    /// so host code never compares type-name strings.
    func builtinKind(_ v: Value) -> BuiltinKind?
    /// `format(v, spec)`: what an f-string field `{v:spec}` prints.
    func format(_ v: Value, spec: String) throws -> String

    // Pickling whole script modules (`torch.save(model)` / `torch.load(f, weights_only=False)`).
    /// The plain attributes (`__dict__` entries other than module state) of a script class's
    /// `nn.Module` instance, in order; nil for any other module.
    func scriptModuleAttributes(_ m: Module) -> [(String, Value)]?
    /// What unpickling `__main__.className` makes: an instance of the script's `nn.Module`
    /// subclass `className` whose `__init__` has not run, module state empty (as
    /// `Module.__setstate__` leaves it) and `attributes` as its plain attributes. AttributeError
    /// `Can't get attribute 'X' on <module '__main__'>` when the script defines no such class.
    func makeScriptModule(className: String, attributes: [(String, Value)]) throws -> Module
}

extension Evaluator {
    public func scriptModuleAttributes(_ m: Module) -> [(String, Value)]? { nil }
    public func makeScriptModule(className: String, attributes: [(String, Value)]) throws -> Module {
        throw PyError(.attributeError, "Can't get attribute '\(className)' on <module '__main__'>")
    }
}

/// The interpreter's own container types, as `Evaluator.builtinKind` reports them.
public enum BuiltinKind: Sendable {
    case list, tuple, dict, orderedDict, set, frozenset
}
