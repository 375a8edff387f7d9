/// A metaclass written in Swift: what a class does, as an object, beyond `type`'s behaviour
/// (CPython's metaclass methods), for the standard library's own metaclasses (`enum`'s
/// `EnumType`). A class made by a `class` statement takes the metaclass of its first base that
/// has one, so `class Color(Enum)` is made, called, iterated, subscripted and printed by
/// `Enum`'s. Each hook returns nil (or false) to leave `type`'s behaviour in place.
/// Scripts cannot write `metaclass=`: this is the interpreter's hook, not Python's protocol.
class NativeMetaclass {
    /// After a `class` statement made `cls` from its body's namespace (CPython's `__new__` tail).
    func classCreated(_ cls: PyClass, _ ev: Evaluator) throws {}
    /// `cls(args)`; nil: instantiate as usual.
    func call(_ cls: PyClass, _ args: Arguments, _ ev: Evaluator) throws -> Value? { nil }
    /// `iter(cls)` / `list(cls)`.
    func iterate(_ cls: PyClass, _ ev: Evaluator) throws -> [Value]? { nil }
    /// `len(cls)`.
    func length(_ cls: PyClass, _ ev: Evaluator) throws -> Int? { nil }
    /// `cls[key]`.
    func getItem(_ cls: PyClass, _ key: Value, _ ev: Evaluator) throws -> Value? { nil }
    /// `item in cls`.
    func contains(_ cls: PyClass, _ item: Value, _ ev: Evaluator) throws -> Bool? { nil }
    /// `repr(cls)`.
    func repr(_ cls: PyClass, _ ev: Evaluator) throws -> String? { nil }
    /// `cls.name = value`; true when the metaclass handled (or refused by throwing) it.
    func setAttribute(_ cls: PyClass, _ name: String, _ value: Value, _ ev: Evaluator) throws -> Bool { false }
    /// Whether a built-in type may be a base beside a class of this metaclass (`class
    /// Mode(str, Enum)`): it is left out of the MRO and kept in `PyClass.mixinBases`.
    func acceptsMixin(_ t: PyType) -> Bool { false }

    /// Whether `t`, a base of a class statement, is such a mixin for one of its other `bases`.
    static func isMixin(_ t: PyType, among bases: [Value]) -> Bool {
        guard !(t is PyClass) else { return false }
        return bases.contains { b in
            guard case .object(let o) = b, let c = o as? PyClass, let meta = c.metaclass else { return false }
            return meta.acceptsMixin(t)
        }
    }
}
