import NeuralNet

/// A class: a script `class` statement's result, or one of Python's built-in exception classes
/// (which scripts can subclass and raise).
///
/// Multiple inheritance follows Python: `bases` are the explicit bases, `ancestors` the rest of
/// the C3 method resolution order (computed once, when the class is made, and ending with
/// `object`), and attribute lookup, `isinstance`/`issubclass` and `super()` follow it. The
/// bases a script class may name are `object`, other script classes, exception classes,
/// `nn.Module` and the host types that allow it (`scriptsMayDerive`: the built-in layers such as
/// `nn.Linear`, datasets, samplers, LR schedulers); an instance of such a class finds the host
/// type's own methods through `PyType.instanceAttribute` after its script classes.
///
/// Instances need one kind of storage, so the MRO may hold at most one of the two native
/// layouts: `nn.Module` (instances are `ScriptModule`s) or an exception class (instances are
/// `PyExceptionObject`s). Mixins that are plain script classes combine with either:
/// `class Net(Mixin, nn.Module)` and `class E(ValueError, Mixin)` work, with the mixin's methods
/// found through the MRO. When `nn.Module` comes before a script class in the MRO
/// (`class Net(nn.Module, Mixin)`), the names `nn.Module` itself defines (`forward`, `__init__`,
/// `__repr__`, `parameters` …) resolve to `nn.Module`'s, as in PyTorch. A class deriving from
/// both `nn.Module` and an exception class (legal in Python) raises `NotImplementedError`.
///
/// Performance: `lookup` is on the interpreter's hot path. For every class whose MRO has no
/// script class after `nn.Module` (all single-inheritance classes) it is the class's own dict
/// followed by a walk over a precomputed array of dicts, with no allocation.
final class PyClass: PyType {
    /// `__bases__`: the explicit bases, in order (`[object]` for `class A:`).
    let bases: [PyType]
    /// `__base__`: the base whose instance layout the class extends (CPython's "best base");
    /// nil for `object`.
    let base: PyType?
    /// The method resolution order after `self`, ending with `object`.
    let ancestors: [PyType]
    /// The script/exception classes of the MRO after `self`, up to the first native type
    /// (`nn.Module` or `object`): class attribute lookup walks their dicts in order.
    private let lookupChain: [PyClass]
    /// Script classes that come after `nn.Module` in the MRO (multiple inheritance only): they
    /// are searched only for names `nn.Module` does not define.
    private let lookupTail: [PyClass]
    /// The native type in the MRO (`nn.Module`, a built-in layer such as `nn.Linear`), if any.
    let nativeRoot: PyType?
    let isExceptionClass: Bool
    /// Whether instances are modules (`ScriptModule`s): the native root is `nn.Module` or a
    /// built-in layer deriving from it.
    let isModuleClass: Bool
    /// The abstract methods an `abc.ABC` subclass leaves unimplemented (set when it is made;
    /// instantiating it is then a TypeError).
    var abstractMethods: [String] = []
    /// The class's metaclass when it is a native one (`enum.Enum` and its subclasses), else nil
    /// (`type`); inherited from the first base that has one.
    var metaclass: NativeMetaclass?
    /// Built-in bases its metaclass took as mixins (`str` in `class Mode(str, Enum)`), left out
    /// of the MRO.
    var mixinBases: [PyType] = []
    /// The `__slots__` it and its bases declare; nil when none does (Slots.swift).
    var slots: SlotLayout?
    /// The built-in exception class whose instance layout this class extends (CPython's
    /// `solid_base`), nil for `object`; two unrelated ones are a layout conflict.
    /// Unowned: it is `self` or an ancestor, which `ancestors` keeps alive (a weak reference
    /// would move every class onto Swift's slow reference-counting path).
    private(set) unowned(unsafe) var solidBase: PyClass?
    /// The class's own namespace. Any change gives this class and every class deriving from it
    /// a new `lookupVersion` (a change to a base class changes its subclasses' lookups), which
    /// invalidates their attribute sites' cached lookups and no other class's.
    var dict: NameTable {
        didSet { invalidateLookups() }
    }
    /// Changes whenever `lookup` through this class could answer differently: its own dict or
    /// an ancestor's dict changed (CPython's `tp_version_tag`). Unique across classes, so a cache
    /// holding the class and its version is valid exactly while both still match.
    private(set) var lookupVersion = PyClass.newLookupVersion()
    /// The script/exception classes deriving from this one, at any depth. Unretained: each class
    /// removes itself from its ancestors' lists when it is freed, and its ancestors outlive it
    /// (`ancestors` holds them).
    private var descendants: [Unmanaged<PyClass>] = []
    /// The last version handed out (see `lookupVersion`).
    nonisolated(unsafe) private static var lastLookupVersion = 0
    /// What `lookup` found for each special method (`SpecialMethod.index`), valid while
    /// `specialsVersion == lookupVersion`.
    private var specials = ContiguousArray<SpecialSlot>()
    private var specialsVersion = -1
    /// Whether the class (or an ancestor) defines `__setattr__`, as of `setattrVersion`.
    private var setattrDefined = false
    private var setattrVersion = -1

    /// Whether the class's MRO defines `__setattr__` (then every assignment to an instance calls
    /// it): a Bool kept per `lookupVersion`, cheap enough for each attribute store to ask.
    /// (`__slots__` only restricts new names: `replacePlainAttribute` asks `admitsAttribute`.)
    @inline(__always)
    final var definesSetattr: Bool {
        if setattrVersion != lookupVersion {
            setattrDefined = special(.setattr) != nil
            setattrVersion = lookupVersion
        }
        return setattrDefined
    }
    let moduleName: String

    /// A class with a single base (the built-in exception classes). `ownLayout` marks the
    /// exception classes CPython gives their own instance struct.
    convenience init(name: String, base: PyClass?, dict: NameTable = NameTable(),
                     moduleName: String = "__main__", ownLayout: Bool = false, exceptionRoot: Bool = false) {
        let ancestors: [PyType] = base.map { [$0] + $0.ancestors } ?? [BuiltinTypes.object]
        self.init(name: name, bases: [base ?? BuiltinTypes.object], base: base, ancestors: ancestors, dict: dict,
                  moduleName: moduleName, ownLayout: ownLayout,
                  exceptionRoot: exceptionRoot || (base?.isExceptionClass ?? false))
    }

    private init(name: String, bases: [PyType], base: PyType?, ancestors: [PyType], dict: NameTable,
                 moduleName: String, ownLayout: Bool, exceptionRoot: Bool) {
        self.bases = bases
        self.base = base
        self.ancestors = ancestors
        var chain: [PyClass] = [], tail: [PyClass] = []
        var native: PyType?
        for t in ancestors {
            if let c = t as? PyClass {
                if native == nil { chain.append(c) } else { tail.append(c) }
            } else if t !== BuiltinTypes.object, native == nil {
                native = t
            }
        }
        lookupChain = chain
        lookupTail = tail
        nativeRoot = native
        isModuleClass = native?.isSubclass(of: ModuleBaseType.shared) ?? false
        isExceptionClass = exceptionRoot
        self.dict = dict
        self.moduleName = moduleName
        super.init(name: name)
        // A class's layout is its own, or the one of its best base.
        solidBase = ownLayout ? self : (base as? PyClass)?.solidBase
        forEachClassAncestor { $0.descendants.append(Unmanaged.passUnretained(self)) }
        metaclass = bases.lazy.compactMap { ($0 as? PyClass)?.metaclass }.first
    }

    private static func newLookupVersion() -> Int {
        lastLookupVersion &+= 1
        return lastLookupVersion
    }

    deinit {
        let me = Unmanaged.passUnretained(self).toOpaque()
        forEachClassAncestor { ancestor in ancestor.descendants.removeAll { $0.toOpaque() == me } }
    }

    /// Gives this class and its descendants new lookup versions (after a change to `dict`).
    private func invalidateLookups() {
        lookupVersion = PyClass.newLookupVersion()
        for d in descendants { d._withUnsafeGuaranteedRef { $0.lookupVersion = PyClass.newLookupVersion() } }
    }

    /// Runs `body` on each script/exception class of the MRO after `self`.
    private func forEachClassAncestor(_ body: (PyClass) -> Void) {
        for t in ancestors { if let c = t as? PyClass { body(c) } }
    }

    /// A script class `name(*bases)` with the namespace its body built, or Python's TypeError
    /// (layout conflict, duplicate base, no consistent MRO). Bases must already be `object`,
    /// script/exception classes or `nn.Module`.
    static func make(name: String, bases explicit: [PyType], dict: NameTable) throws -> PyClass {
        let bases: [PyType] = explicit.isEmpty ? [BuiltinTypes.object] : explicit
        // CPython's best_base: the base with the most derived instance layout.
        var best: PyType = bases[0]
        var winner: PyClass? = (bases[0] as? PyClass)?.solidBase
        for b in bases.dropFirst() {
            let candidate = (b as? PyClass)?.solidBase
            if layout(winner, extends: candidate) { continue }
            if layout(candidate, extends: winner) {
                winner = candidate
                best = b
                continue
            }
            throw PyError(.typeError, "multiple bases have instance lay-out conflict")
        }
        for (i, b) in bases.enumerated() where bases[..<i].contains(where: { $0 === b }) {
            throw PyError(.typeError, "duplicate base class \(b.name)")
        }
        let ancestors = try c3Merge(bases)
        let isException = ancestors.contains { ($0 as? PyClass)?.isExceptionClass ?? false }
        if isException, ancestors.contains(where: { $0 is ModuleBaseType }) {
            throw PyError(.notImplementedError,
                          "a class deriving from both nn.Module and an exception class is not supported by nnrepl")
        }
        // One built-in value per instance (`class A(dict, list)` is CPython's layout conflict too).
        let values = ancestors.filter { !($0 is PyClass) && $0.derivedValueLayout != nil }
        if let a = values.first, values.contains(where: { !a.isSubclass(of: $0) }) || (isException && !values.isEmpty)
            || ancestors.contains(where: { $0 is ModuleBaseType }) {
            throw PyError(.typeError, "multiple bases have instance lay-out conflict")
        }
        // One built-in layer per instance (`class X(nn.Linear, nn.ReLU)` would need two).
        let layers = ancestors.filter { !($0 is PyClass) && !($0 is ModuleBaseType) && $0.isSubclass(of: ModuleBaseType.shared) }
        if let a = layers.first, let b = layers.first(where: { !a.isSubclass(of: $0) && !$0.isSubclass(of: a) }) {
            throw PyError(.notImplementedError, "a class deriving from both \(a.name) and \(b.name) is not supported by nnrepl")
        }
        return PyClass(name: name, bases: bases, base: best === BuiltinTypes.object ? nil : best, ancestors: ancestors,
                       dict: dict, moduleName: "__main__", ownLayout: false, exceptionRoot: isException)
    }

    /// Whether layout `a` extends layout `b` (nil is `object`'s).
    private static func layout(_ a: PyClass?, extends b: PyClass?) -> Bool {
        guard let b else { return true }
        guard let a else { return false }
        return a.isSubclass(of: b)
    }

    /// The MRO of a class that may be a base, `self` first.
    private static func linearization(_ t: PyType) -> [PyType] {
        if let c = t as? PyClass { return [c] + c.ancestors }
        if t === BuiltinTypes.object { return [t] }
        var chain = [t]
        while let b = chain.last?.hostBase, !chain.contains(where: { $0 === b }) { chain.append(b) }
        return chain + [BuiltinTypes.object]
    }

    /// C3 linearization of `bases` (the MRO of a class with these bases, without the class).
    static func c3Merge(_ bases: [PyType]) throws -> [PyType] {
        // One base: its own MRO (the merge would rescan it once per entry).
        if bases.count == 1, let only = bases.first { return linearization(only) }
        let seqs: [[PyType]] = bases.map(linearization) + [bases]
        var pos = [Int](repeating: 0, count: seqs.count)
        var result: [PyType] = []
        func inSomeTail(_ t: PyType) -> Bool {
            for (j, s) in seqs.enumerated() where pos[j] + 1 < s.count {
                if s[(pos[j] + 1)...].contains(where: { $0 === t }) { return true }
            }
            return false
        }
        while true {
            var next: PyType?
            var remaining = false
            for (i, s) in seqs.enumerated() where pos[i] < s.count {
                remaining = true
                if !inSomeTail(s[pos[i]]) {
                    next = s[pos[i]]
                    break
                }
            }
            if !remaining { return result }
            guard let head = next else {
                var heads: [PyType] = []
                for (i, s) in seqs.enumerated() where pos[i] < s.count && !heads.contains(where: { $0 === s[pos[i]] }) {
                    heads.append(s[pos[i]])
                }
                throw PyError(.typeError, "Cannot create a consistent method resolution\norder (MRO) for bases "
                              + heads.map(\.name).joined(separator: ", "))
            }
            result.append(head)
            for (i, s) in seqs.enumerated() where pos[i] < s.count && s[pos[i]] === head { pos[i] += 1 }
        }
    }

    /// The class attributes `nn.Module` defines: when `nn.Module` precedes a script class in
    /// the MRO, these names resolve to it.
    static let moduleClassNames: Set<String> = Module.memberNames.union([
        "__init__", "__call__", "__repr__", "__setattr__", "__getattr__", "__delattr__", "__dir__",
        "__getstate__", "__setstate__",
    ])

    /// Looks `name` up in the class dicts along the MRO (starting at `self`); nil when no
    /// script/exception class defines it (the native base, if any, may).
    func lookup(_ name: String) -> Value? {
        if let v = dict[name] { return v }
        for k in lookupChain {
            if let v = k.dict[name] { return v }
        }
        if lookupTail.isEmpty { return nil }
        return lookupAfterNative(name)
    }

    private func lookupAfterNative(_ name: String) -> Value? {
        if isModuleClass, PyClass.moduleClassNames.contains(name) { return nil }
        for k in lookupTail {
            if let v = k.dict[name] { return v }
        }
        return nil
    }

    /// `lookup(m.name)`, remembered per class until a class dict changes (CPython's type
    /// slots): operators, `Cls(...)` and the protocols find a special method without hashing
    /// or building its name.
    func special(_ m: SpecialMethod) -> Value? {
        if specialsVersion != lookupVersion {
            specials = ContiguousArray(repeating: .unknown, count: SpecialMethod.count)
            specialsVersion = lookupVersion
        }
        switch specials[m.index] {
        case .found(let v): return v
        case .absent: return nil
        case .unknown:
            let v = lookup(m.name)
            specials[m.index] = v.map { SpecialSlot.found($0) } ?? .absent
            return v
        }
    }

    /// `special(m)` when it is a script function (what the fast call paths run).
    func specialFunction(_ m: SpecialMethod) -> PyFunction? {
        guard case .object(let o)? = special(m), type(of: o) == PyFunction.self else { return nil }
        return unsafeDowncast(o, to: PyFunction.self)
    }

    /// `[self] + ancestors`: `__mro__`.
    var mro: [PyType] { [self] + ancestors }

    override func isSubclass(of other: PyType) -> Bool {
        if other === self { return true }
        for t in ancestors where t === other { return true }
        return false
    }

    override func isInstance(_ value: Value) -> Bool {
        guard let cls = classOf(value) else { return false }
        return cls.isSubclass(of: self)
    }

    override func repr(_ ev: Evaluator) throws -> String {
        if let r = try metaclass?.repr(self, ev) { return r }
        return moduleName == "builtins" ? "<class '\(name)'>" : "<class '\(moduleName).\(name)'>"
    }

    override func call(_ args: Arguments, _ ev: Evaluator) throws -> Value {
        let interp = try Interpreter.of(ev)
        return try interp.instantiate(self, args)
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "__name__", "__qualname__": return .str(self.name)
        case "__module__": return .str(moduleName)
        case "__bases__": return .object(PyTuple(bases.map { .object($0) }))
        case "__base__": return base.map { .object($0) } ?? .object(BuiltinTypes.object)
        case "__dict__": return .object(try PyDict(dict.items.map { (.str($0.key), $0.value) }))
        case "__doc__": return dict["__doc__"] ?? Value.none
        case "mro", "__mro__":
            let chain: [Value] = mro.map { .object($0) }
            return name == "mro" ? builtinMethod(name) { _, _ in .object(PyList(chain)) } : .object(PyTuple(chain))
        default:
            if let v = lookup(name) {
                if case .object(let o) = v, let w = o as? MethodWrapper {
                    switch w.kind {
                    case .staticMethod: return w.function
                    case .classMethod: return .object(BoundMethod(function: w.function, receiver: .object(self)))
                    case .property: return v
                    }
                }
                if case .object(let o) = v, type(of: o) == PyInstance.self,
                   let get = unsafeDowncast(o, to: PyInstance.self).cls.special(.descriptorGet) {
                    return try callSpecial(ev, get, v, Value.none, .object(self))
                }
                return v
            }
            if let root = nativeRoot { return try root.classAttribute(name, of: self, ev) }
            return nil
        }
    }

    override func setAttribute(_ name: String, _ value: Value, _ ev: Evaluator) throws {
        if let meta = metaclass, try meta.setAttribute(self, name, value, ev) { return }
        dict[name] = value
    }

    override func iterate(_ ev: Evaluator) throws -> [Value]? { try metaclass?.iterate(self, ev) }
    override func length(_ ev: Evaluator) throws -> Int? { try metaclass?.length(self, ev) }
    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? { try metaclass?.getItem(self, key, ev) }
    override func contains(_ item: Value, _ ev: Evaluator) throws -> Bool? { try metaclass?.contains(self, item, ev) }

    override func deleteAttribute(_ name: String, _ ev: Evaluator) throws {
        guard dict.removeValue(forKey: name) != nil else {
            throw PyError(.attributeError, "type object '\(self.name)' has no attribute '\(name)'")
        }
    }

    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        if case .object(let o) = other { return o === self }
        return false
    }

    override func attributeNames() -> [String] {
        var names = dict.keys
        for k in lookupChain + lookupTail { names += k.dict.keys }
        return names + ["__name__", "__module__", "__dict__", "mro"]
    }
}

/// An instance of a script class (not deriving from nn.Module or an exception class).
class PyInstance: PyObject {
    let cls: PyClass
    var dict = NameTable()

    init(cls: PyClass) {
        self.cls = cls
        super.init()
    }

    deinit { if dict.count > 0 { DeferredRelease.release(&dict, to: NameTable()) } }

    override var typeName: String { cls.name }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        try attribute(name, ev, cache: nil)
    }

    /// `getAttribute` with the class lookup cached per site (`cache`).
    final func attribute(_ name: String, _ ev: Evaluator, cache: AttributeSiteCache?) throws -> Value? {
        if let cache, let v = plainAttribute(cache) { return v }
        return try instanceAttribute(.object(self), cls: cls, dict: dict, name, ev, cache: cache) {
            if let root = cls.nativeRoot, let v = try root.instanceAttribute(name, of: .object(self), ev) { return v }
            return try (ev as? Interpreter)?.objectMethod(.object(self), name)
        }
    }

    /// `self.x` for a plain instance attribute (no class attribute of that name, so no
    /// property or method intercepts it), found where the site's shape says; nil otherwise.
    @inline(__always)
    final func plainAttribute(_ cache: AttributeSiteCache) -> Value? {
        plainPosition(cache).map { dict.values[$0] }
    }

    /// Where the instance's dict holds the site's name when it is a plain instance attribute
    /// (no class attribute of that name, not a dunder); nil otherwise.
    @inline(__always)
    final func plainPosition(_ cache: AttributeSiteCache) -> Int? {
        guard !cache.isDunder, cls.lacks(cache.name, cache: cache) else { return nil }
        return ownPosition(cache)
    }

    /// Where the instance's dict holds the site's name: the site's remembered position when the
    /// dict has the shape it saw (one pointer comparison, the dict not copied), else looked up.
    @inline(__always)
    final func ownPosition(_ cache: AttributeSiteCache) -> Int? {
        if dict.shape === cache.shape { return cache.slot }
        return dict.position(of: cache.name, cache: cache)
    }

    /// `self.x = v` for a name its class does not have (no property can intercept it) and no
    /// `__setattr__`: the value replaced where the site's shape says, or appended when the
    /// instance lacks the name (what `setAttribute` does then). False, with nothing changed,
    /// otherwise (the general store decides).
    @inline(__always)
    final func replacePlainAttribute(_ v: Value, _ cache: AttributeSiteCache) -> Bool {
        guard !cls.definesSetattr, !cache.isDunder, cls.lacks(cache.name, cache: cache) else { return false }
        if let i = ownPosition(cache) {
            dict.setValue(v, at: i)
        } else {
            guard cls.admitsAttribute(cache.name) else { return false }
            dict.append(cache.name, v, cache: cache)
            cache.admittedBy = cls
        }
        return true
    }

    /// `plainPosition` when an assignment may write there directly: the class defines no
    /// `__setattr__` (which every assignment must call); nil otherwise.
    @inline(__always)
    final func storePosition(_ cache: AttributeSiteCache) -> Int? {
        cls.definesSetattr ? nil : plainPosition(cache)
    }

    override func setAttribute(_ name: String, _ value: Value, _ ev: Evaluator) throws {
        try setAttribute(name, value, ev, cache: nil)
    }

    /// `setAttribute` with the class lookup (for a property) cached per site (`cache`).
    final func setAttribute(_ name: String, _ value: Value, _ ev: Evaluator, cache: AttributeSiteCache?) throws {
        if cls.definesSetattr, let hook = cls.special(.setattr) {
            // The class's `__setattr__` takes every assignment (`object.__setattr__` inside it
            // stores into the dict).
            _ = try callSpecial(ev, hook, .object(self), .str(name), value)
            return
        }
        if try setViaProperty(.object(self), cls: cls, name, value, ev, cache: cache) { return }
        guard let cache else {
            try storeOwnAttribute(name, value)
            return
        }
        if let i = dict.position(of: name, cache: cache) {
            dict.setValue(value, at: i)
        } else {
            try checkSlot(name)
            dict.append(name, value, cache: cache)
        }
    }

    /// `object.__setattr__` past properties: stores into the instance's attributes (an
    /// AttributeError for a name its `__slots__` lacks).
    final func storeOwnAttribute(_ name: String, _ value: Value) throws {
        try checkSlot(name)
        dict[name] = value
    }

    override func deleteAttribute(_ name: String, _ ev: Evaluator) throws {
        if let hook = cls.special(.delattr) {
            _ = try callSpecial(ev, hook, .object(self), .str(name))
            return
        }
        if case .object(let o)? = cls.lookup(name), let w = o as? MethodWrapper, w.kind == .property {
            guard let deleter = w.deleter else { throw PyError(.attributeError, "property '\(name)' of '\(cls.name)' object has no deleter") }
            _ = try ev.call(deleter, Arguments([.object(self)]))
            return
        }
        if case .object(let o)? = cls.lookup(name), type(of: o) == PyInstance.self,
           try Descriptors.delete(unsafeDowncast(o, to: PyInstance.self), .object(self), name, ev) { return }
        try deleteOwnAttribute(name)
    }

    /// `object.__delattr__`: removes the name from the instance dict (AttributeError if absent).
    final func deleteOwnAttribute(_ name: String) throws {
        guard dict.removeValue(forKey: name) != nil else {
            // An unset slot's deletion names just the slot, as CPython's member descriptor does.
            if cls.slots?.names.contains(name) == true { throw PyError(.attributeError, name) }
            throw PyError(.attributeError, "'\(typeName)' object has no attribute '\(name)'")
        }
    }

    override func attributeNames() -> [String] {
        dict.keys + cls.attributeNames().filter { !$0.hasPrefix("__") && $0 != "mro" }
    }

    // Dunder protocol: each operation calls the class's method when it defines one.

    private func dunder(_ m: SpecialMethod, _ ev: Evaluator, _ first: Value? = nil, _ second: Value? = nil) throws -> Value? {
        guard let f = cls.special(m) else { return nil }
        // The exception classes' native `__str__`/`__repr__` are the built-in behaviour itself.
        if case .object(let o) = f, o is NativeMethod, cls.isExceptionClass { return nil }
        return try callSpecial(ev, f, .object(self), first, second)
    }

    override func call(_ args: Arguments, _ ev: Evaluator) throws -> Value {
        guard let f = cls.special(.call) else { return try super.call(args, ev) }
        return try callWithReceiver(ev, f, .object(self), args)
    }

    override func repr(_ ev: Evaluator) throws -> String {
        if let r = try dunder(.repr, ev) { return try dunderString(r, "__repr__") }
        return "<\(cls.moduleName).\(cls.name) object at \(addressString(self))>"
    }

    override func str(_ ev: Evaluator) throws -> String {
        if let r = try dunder(.str, ev) { return try dunderString(r, "__str__") }
        return try repr(ev)
    }

    override func truthiness(_ ev: Evaluator) throws -> Bool? {
        if let r = try dunder(.bool, ev) {
            guard case .bool(let b) = r else { throw PyError(.typeError, "__bool__ should return bool, returned \(r.typeName)") }
            return b
        }
        if let n = try length(ev) { return n != 0 }
        return true
    }

    override func length(_ ev: Evaluator) throws -> Int? {
        guard let r = try dunder(.len, ev) else { return nil }
        guard case .int(let n) = r else { throw PyError(.typeError, "'\(r.typeName)' object cannot be interpreted as an integer") }
        if n < 0 { throw PyError(.valueError, "__len__() should return >= 0") }
        return n
    }

    override func iterate(_ ev: Evaluator) throws -> [Value]? {
        if let it = try dunder(.iter, ev) {
            if case .object(let o) = it, o === self {
                guard let next = try getAttribute("__next__", ev) else {
                    throw PyError(.typeError, "iter() returned non-iterator of type '\(typeName)'")
                }
                return try ProtocolIterator(nextMethod: next).iterate(ev)
            }
            return try ev.iterate(it)
        }
        if cls.special(.getitem) != nil {
            var out: [Value] = []
            var i = 0
            while true {
                do { out.append(try getItem(.int(i), ev) ?? .none) } catch let e as ScriptError where e.exception.cls.isSubclass(of: ExceptionClasses.forKind(.indexError)) {
                    return out
                }
                i += 1
            }
        }
        return nil
    }

    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? { try dunder(.getitem, ev, key) }

    override func setItem(_ key: Value, _ value: Value, _ ev: Evaluator) throws -> Bool {
        try dunder(.setitem, ev, key, value) != nil
    }

    override func deleteItem(_ key: Value, _ ev: Evaluator) throws -> Bool {
        try dunder(.delitem, ev, key) != nil
    }

    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        guard let r = try dunder(.eq, ev, other) else { return nil }
        if case .object(let o) = r, o === NotImplemented.shared { return nil }
        return try ev.truthy(r)
    }

    override func contains(_ item: Value, _ ev: Evaluator) throws -> Bool? {
        guard let r = try dunder(.contains, ev, item) else { return nil }
        return try ev.truthy(r)
    }
}

/// Python's `NotImplemented` singleton (returned by binary dunders).
public final class NotImplemented: PyObject {
    public static let shared = NotImplemented()
    public override var typeName: String { "NotImplementedType" }
    public override func repr(_ ev: Evaluator) throws -> String { "NotImplemented" }
}

func dunderString(_ v: Value, _ name: String) throws -> String {
    guard case .str(let s) = v else { throw PyError(.typeError, "\(name) returned non-string (type \(v.typeName))") }
    return s
}

/// The script class of a value, when it has one.
func classOf(_ value: Value) -> PyClass? {
    switch value {
    case .object(let o): return (o as? PyInstance)?.cls
    case .module(let m): return (m as? ScriptModule)?.cls
    default: return nil
    }
}

/// Attribute lookup on a script object: properties, the instance dict, class attributes
/// (functions bind to the receiver), then `fallback` (non-escaping: no allocation per lookup), then
/// `__getattr__`. nil when not found.
func instanceAttribute(_ receiver: Value, cls: PyClass, dict: NameTable, _ name: String,
                       _ ev: Evaluator, cache: AttributeSiteCache? = nil,
                       fallback: () throws -> Value? = { nil }) throws -> Value? {
    if cache?.isDunder ?? true {
        if name == "__class__" { return .object(cls) }
        if name == "__dict__" {
            guard let slots = cls.slots else { return .object(try attributeDict(receiver, dict)) }
            return try slots.instanceDict(receiver, dict)
        }
    }
    let classValue = cls.lookup(name, cache: cache)
    if let cv = classValue, case .object(let o) = cv {
        if let w = o as? MethodWrapper, w.kind == .property { return try callSpecial(ev, w.function, receiver) }
        // A data descriptor (a script object whose class has `__set__` or `__delete__`) comes
        // before the instance dict, as in CPython.
        if type(of: o) == PyInstance.self, let v = try Descriptors.dataGet(unsafeDowncast(o, to: PyInstance.self), receiver, cls, ev) {
            return v
        }
    }
    if let cache {
        if let i = dict.position(of: name, cache: cache) { return dict.value(at: i) }
    } else if let v = dict[name] {
        return v
    }
    if let cv = classValue {
        // A non-data descriptor (only `__get__`) comes after the instance dict.
        if case .object(let o) = cv, type(of: o) == PyInstance.self,
           let get = unsafeDowncast(o, to: PyInstance.self).cls.special(.descriptorGet) {
            return try callSpecial(ev, get, cv, receiver, .object(cls))
        }
        return bindClassAttribute(cv, to: receiver, cls: cls)
    }
    if let v = try fallback() { return v }
    if let getattr = cls.special(.getattr) {
        return try callSpecial(ev, getattr, receiver, .str(name))
    }
    return nil
}

/// What keeps its attributes in a `NameTable` that `obj.__dict__` shows.
protocol AttributeDictOwner: AnyObject {
    var dict: NameTable { get set }
}

extension PyInstance: AttributeDictOwner {}
extension ScriptModule: AttributeDictOwner {}

/// `obj.__dict__`: a dict of the attributes in `dict`, whose writes under str keys (`d[k] = v`,
/// `update`, `del d[k]`, `pop`, `clear`) reach the object's own attributes, as CPython's
/// `__dict__` is the attribute storage itself. (Reads are a snapshot: an attribute set on the
/// object afterwards does not show in a dict taken before.)
func attributeDict(_ receiver: Value, _ dict: NameTable) throws -> PyDict {
    let d = try PyDict(dict.items.map { (.str($0.key), $0.value) })
    let owner: AttributeDictOwner?
    switch receiver {
    case .object(let o): owner = o as? AttributeDictOwner
    case .module(let m): owner = m as? AttributeDictOwner
    default: owner = nil
    }
    if let owner { d.writeThrough = { [weak owner] name, value in owner?.dict[name] = value } }
    return d
}

/// A class attribute as seen through an instance: functions become bound methods.
func bindClassAttribute(_ v: Value, to receiver: Value, cls: PyClass) -> Value {
    guard case .object(let o) = v else { return v }
    if o is PyFunction { return .object(BoundMethod(function: v, receiver: receiver)) }
    if let n = o as? NativeMethod { return n.bind(receiver) }
    if let w = o as? MethodWrapper {
        switch w.kind {
        case .staticMethod: return w.function
        case .classMethod: return .object(BoundMethod(function: w.function, receiver: .object(cls)))
        case .property: return v
        }
    }
    return v
}

/// Runs a property setter if `name` is a property of `cls`; true when it handled the assignment.
func setViaProperty(_ receiver: Value, cls: PyClass, _ name: String, _ value: Value, _ ev: Evaluator,
                    cache: AttributeSiteCache? = nil) throws -> Bool {
    guard let cv = cls.lookup(name, cache: cache), case .object(let o) = cv else { return false }
    guard let w = o as? MethodWrapper, w.kind == .property else {
        guard type(of: o) == PyInstance.self else { return false }
        return try Descriptors.set(unsafeDowncast(o, to: PyInstance.self), receiver, value, ev)
    }
    guard let setter = w.setter else { throw PyError(.attributeError, "property '\(name)' of '\(cls.name)' object has no setter") }
    _ = try callSpecial(ev, setter, receiver, value)
    return true
}

/// `super()` / `super(Cls, obj)`: attribute lookup along the MRO of `obj`'s type (or of `obj`
/// itself when it is a class), starting after `cls`; found functions are bound to `obj`.
final class PySuper: PyObject {
    let cls: PyClass
    let receiver: Value
    /// The class whose MRO is followed: `type(obj)`, or `obj` when it is a class.
    private let start: PyClass

    init(cls: PyClass, receiver: Value) throws {
        self.cls = cls
        self.receiver = receiver
        let start: PyClass?
        if let c = classOf(receiver) { start = c } else if case .object(let o) = receiver { start = o as? PyClass } else { start = nil }
        guard let start, start.isSubclass(of: cls) else {
            throw PyError(.typeError, "super(type, obj): obj must be an instance or subtype of type")
        }
        self.start = start
        super.init()
    }

    override var typeName: String { "super" }

    override func repr(_ ev: Evaluator) throws -> String { "<super: <class '\(cls.name)'>, <\(start.name) object>>" }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        let interp = ev as? Interpreter
        var after = start === cls
        for t in start.ancestors {
            if !after {
                after = t === cls
                continue
            }
            if let k = t as? PyClass {
                if let v = k.dict[name] { return try bindThroughSuper(v, ev) }
            } else if t is ModuleBaseType {
                if let v = try interp?.moduleBaseAttribute(receiver, name) { return v }
            } else if let v = try t.instanceAttribute(name, of: receiver, ev) {
                return v
            }
        }
        return try interp?.objectMethod(receiver, name)
    }

    /// A class attribute found through `super()`: functions bind to an instance receiver (a
    /// class receiver gets them as they are), class methods to the receiver's class.
    private func bindThroughSuper(_ v: Value, _ ev: Evaluator) throws -> Value {
        let receiverIsClass: Bool
        if case .object(let o) = receiver, o is PyClass { receiverIsClass = true } else { receiverIsClass = false }
        if case .object(let fo) = v, let w = fo as? MethodWrapper {
            // A property seen from an instance runs its getter (from the class: the property).
            if w.kind == .property, !receiverIsClass { return try callSpecial(ev, w.function, receiver) }
        } else if receiverIsClass {
            return v
        }
        return bindClassAttribute(v, to: receiver, cls: start)
    }
}
