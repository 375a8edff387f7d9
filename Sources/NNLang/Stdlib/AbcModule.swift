/// Python's `abc` module: `ABC` (a base class) and `abstractmethod`. A class deriving from `ABC`
/// whose MRO still resolves a name to an abstract method cannot be instantiated (CPython's
/// "Can't instantiate abstract class … with abstract method …"); `ABCMeta` is `type`, since
/// nnrepl has no `metaclass=`.
enum AbcModule {
    /// `abc.ABC`.
    static let abc = PyClass(name: "ABC", base: nil, moduleName: "abc")

    static func module() -> Namespace {
        let m = Namespace("abc")
        m["ABC"] = .object(abc)
        m["ABCMeta"] = .object(BuiltinTypes.type)
        m["abstractmethod"] = .object(NativeFunction("abstractmethod", "funcobj",
                                                     doc: "Marks a method abstract: an ABC subclass must override it before it can be instantiated.") { b, _ in
            try markAbstract(b[0])
            return b[0]
        })
        return m
    }

    /// Sets `__isabstractmethod__` on a function (or on the function a property/staticmethod/classmethod wraps).
    private static func markAbstract(_ v: Value) throws {
        guard case .object(let o) = v else { throw PyError(.attributeError, "'\(v.typeName)' object has no attribute '__isabstractmethod__'") }
        if let f = o as? PyFunction { f.attributes["__isabstractmethod__"] = .bool(true) }
        else if let w = o as? MethodWrapper { try markAbstract(w.function) }
        else { throw PyError(.attributeError, "'\(v.typeName)' object has no attribute '__isabstractmethod__'") }
    }

    private static func isAbstract(_ v: Value) -> Bool {
        guard case .object(let o) = v else { return false }
        if let f = o as? PyFunction, case .bool(true)? = f.attributes["__isabstractmethod__"] { return true }
        if let w = o as? MethodWrapper { return isAbstract(w.function) }
        return false
    }

    /// The names `cls` still resolves to abstract methods, sorted (empty unless it derives from `ABC`).
    static func abstractMethods(of cls: PyClass) -> [String] {
        guard cls.isSubclass(of: abc) else { return [] }
        var names = Set<String>()
        for c in [cls] + cls.ancestors.compactMap({ $0 as? PyClass }) {
            for name in c.dict.keys where !names.contains(name) {
                if let v = cls.lookup(name), isAbstract(v) { names.insert(name) }
            }
        }
        return names.sorted()
    }

    /// CPython's TypeError for instantiating a class with abstract methods left.
    static func instantiationError(_ cls: PyClass) -> PyError {
        let names = cls.abstractMethods
        return PyError(.typeError, "Can't instantiate abstract class \(cls.name) with abstract method\(names.count == 1 ? "" : "s") "
                       + names.joined(separator: ", "))
    }
}
