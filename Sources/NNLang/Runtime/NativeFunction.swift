import TensorRuntime
import NeuralNet

/// A host function callable from scripts (`torch.zeros`, `nn.init.zeros_`, a bound tensor method).
public final class NativeFunction: PyObject {
    public typealias Body = (Arguments, Evaluator) throws -> Value
    public let name: String
    let body: Body
    /// The entry for one or two positional arguments, if the function has one (a `let`: a call
    /// reads it in place, without copying it).
    let direct: DirectEntry?
    /// `builtin_function_or_method` for functions, `method` for bound methods (what `type()` prints);
    /// `function` for what PyTorch writes in Python (`torch.nn.utils.vector_to_parameters`), which
    /// then prints as `<function name at 0x…>`.
    let kind: String

    /// The declared parameter list (`help()`, `:help`, keyword completion); nil for undeclared ones.
    public let signature: Signature?
    /// One line saying what it does.
    public let doc: String?

    /// A host function; `signature` and `doc` make it a declared one (`help()`, completion).
    public convenience init(_ name: String, signature: Signature? = nil, doc: String? = nil, kind: String = "builtin_function_or_method",
                _ body: @escaping Body) {
        self.init(name, signature: signature, doc: doc, kind: kind, direct: nil, body)
    }

    /// A host function with a direct entry for one or two positional arguments.
    init(_ name: String, signature: Signature? = nil, doc: String? = nil, kind: String = "builtin_function_or_method",
         direct: DirectEntry?, _ body: @escaping Body) {
        self.direct = direct
        self.name = name
        self.body = body
        self.kind = kind
        self.signature = signature
        self.doc = doc
        super.init()
    }

    /// Declares a function from its signature text: `NativeFunction("zeros_like", "input, *, dtype=None",
    /// doc: "…") { bound, ev in … }`.
    public convenience init(_ name: String, _ signature: String, doc: String,
                            _ body: @escaping (Bound, Evaluator) throws -> Value) {
        let sig = Signature(signature)
        self.init(name, signature: sig, doc: doc) { a, ev in try body(try sig.bind(a, name), ev) }
    }

    public override var typeName: String { kind }
    public override func call(_ args: Arguments, _ ev: Evaluator) throws -> Value { try body(args, ev) }
    public override func repr(_ ev: Evaluator) throws -> String {
        kind == "function" ? "<function \(name) at \(addressString(self))>" : "<built-in method \(name)>"
    }
    public override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        name == "__name__" ? .str(self.name) : nil
    }
}

/// An importable host module (`torch`, `torch.nn`, `math` …): a named bag of attributes.
public final class Namespace: PyObject {
    public let name: String
    var members: [String: Value] = [:]
    /// Submodules created lazily (e.g. `torchvision.models`).
    var order: [String] = []

    public init(_ name: String) {
        self.name = name
        super.init()
    }

    public override var typeName: String { "module" }

    /// Bumped by every change to `members`: an attribute site keeps the member it read with the
    /// version it read it at (`AttributeSiteCache.namespace`).
    private(set) var version = 0

    /// Adds or replaces a member.
    public subscript(_ key: String) -> Value? {
        get { members[key] }
        set {
            if members[key] == nil { order.append(key) }
            members[key] = newValue
            version &+= 1
        }
    }

    /// `module.name`: a member, or the module's `__name__`; nil when there is none.
    func member(_ name: String) -> Value? {
        name == "__name__" ? .str(self.name) : members[name]
    }

    /// Registers a host function as a member.
    public func function(_ key: String, _ body: @escaping NativeFunction.Body) {
        self[key] = .object(NativeFunction(key, body))
    }

    public override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? { member(name) }

    public override func setAttribute(_ name: String, _ value: Value, _ ev: Evaluator) throws {
        self[name] = value
    }

    public override func repr(_ ev: Evaluator) throws -> String { "<module '\(name)'>" }
    public override func attributeNames() -> [String] { order }
}

/// A host type object whose instances are recognised by a predicate and which constructs them
/// when called (`torch.Tensor`, `nn.Linear`, `torch.Size` …).
public final class HostType: PyType {
    let check: (Value) -> Bool
    let construct: NativeFunction.Body?
    let parent: PyType?
    public var classMembers: [String: Value] = [:]
    /// The constructor's declared parameters (`help(nn.Linear)`, `:help`, keyword completion).
    public let signature: Signature?
    /// One line saying what the type is.
    public let doc: String?
    /// Set on types scripts may derive from (`class Warmup(LRScheduler)`): the host's member
    /// `name` bound to an instance of the deriving script class, or nil (`PyType.instanceAttribute`).
    public var instanceMembers: ((_ name: String, _ instance: Value, Evaluator) throws -> Value?)?
    /// Names `instanceMembers` answers for every instance: `Type.name` is then that member as an
    /// unbound method taking the instance first (`nn.Linear.forward(self, x)`).
    public var instanceMemberNames: Set<String> = []
    /// The Python module that defines the type, for its repr (`torch.optim.lr_scheduler`), if set.
    public var module: String?

    public init(_ name: String, parent: PyType? = nil, signature: Signature? = nil, doc: String? = nil,
                check: @escaping (Value) -> Bool, construct: NativeFunction.Body? = nil) {
        self.check = check
        self.construct = construct
        self.parent = parent
        self.signature = signature
        self.doc = doc
        super.init(name: name)
    }

    public override func isInstance(_ value: Value) -> Bool { check(value) }
    public override var scriptsMayDerive: Bool { instanceMembers != nil }
    public override var hostBase: PyType? { parent }
    public override func instanceAttribute(_ name: String, of instance: Value, _ ev: Evaluator) throws -> Value? {
        try instanceMembers?(name, instance, ev)
    }

    public override func isSubclass(of other: PyType) -> Bool {
        if other === self { return true }
        return parent?.isSubclass(of: other) ?? false
    }

    public override func call(_ args: Arguments, _ ev: Evaluator) throws -> Value {
        guard let construct else { throw PyError(.typeError, "cannot create '\(name)' instances") }
        return try construct(args, ev)
    }

    public override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "__name__", "__qualname__": return .str(self.name)
        case "__module__" where module != nil: return module.map { .str($0) }
        default:
            if let v = classMembers[name] { return v }
            guard instanceMemberNames.contains(name), let members = instanceMembers else { return nil }
            let typeName = self.name
            return .object(NativeFunction("\(typeName).\(name)", kind: "function") { a, ev in
                guard let receiver = a.positional.first else {
                    throw PyError(.typeError, "\(typeName).\(name)() missing 1 required positional argument: 'self'")
                }
                guard let bound = try members(name, receiver, ev) else {
                    throw PyError(.typeError, "\(typeName).\(name)() got an instance of '\(receiver.typeName)', not of \(typeName)")
                }
                return try ev.call(bound, Arguments(Array(a.positional.dropFirst()), keywords: a.keywords))
            })
        }
    }

    public override func repr(_ ev: Evaluator) throws -> String {
        guard let module else { return try super.repr(ev) }
        return "<class '\(module).\(name)'>"
    }
}

/// A bound host method value (`t.size`, `opt.step` …).
public func method(_ name: String, _ body: @escaping NativeFunction.Body) -> Value {
    .object(NativeFunction(name, kind: "builtin_function_or_method", body))
}
