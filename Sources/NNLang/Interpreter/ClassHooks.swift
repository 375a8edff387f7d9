/// The hooks CPython's `type.__new__` runs for a new script class once its body has run: each
/// attribute's `__set_name__(owner, name)` (a descriptor learning the name it is bound to), in
/// definition order, then the nearest base's `__init_subclass__` with the class (an implicit
/// class method; `object`'s does nothing). `__class_getitem__` (`Box[int]`), another implicit
/// class method, is called by `getItem` on a class that defines it.
extension Interpreter {
    /// As CPython's `type.__new__`: a plain function defining `__init_subclass__` or
    /// `__class_getitem__` becomes a class method, so `super()` and lookups bind it to the class.
    static func wrapImplicitClassMethods(_ namespace: inout NameTable) {
        for name in ["__init_subclass__", "__class_getitem__"] {
            if case .object(let o)? = namespace[name], o is PyFunction, let f = namespace[name] {
                namespace[name] = .object(MethodWrapper(.classMethod, f))
            }
        }
    }

    func runClassCreationHooks(_ cls: PyClass, _ keywords: [(name: String, value: Value)]) throws {
        for (name, value) in cls.dict.items {
            guard let owner = classOf(value), let hook = owner.lookup("__set_name__") else { continue }
            _ = try callValue(bindClassAttribute(hook, to: value, cls: owner), Arguments([.object(cls), .str(name)]))
        }
        for case let base as PyClass in cls.ancestors {
            if let hook = base.dict["__init_subclass__"] {
                _ = try callValue(bindClassAttribute(hook, to: .object(cls), cls: cls), Arguments([], keywords: keywords))
                return
            }
        }
        if !keywords.isEmpty { throw PyError(.typeError, "\(cls.name).__init_subclass__() takes no keyword arguments") }
    }

    /// `hook(*args)` bound to `cls` (`wrapImplicitClassMethods` made it a class method; a static
    /// method or other callable is called as it is).
    func callImplicitClassMethod(_ hook: Value, _ cls: PyClass, _ args: [Value]) throws -> Value {
        try callValue(bindClassAttribute(hook, to: .object(cls), cls: cls), Arguments(args))
    }
}
