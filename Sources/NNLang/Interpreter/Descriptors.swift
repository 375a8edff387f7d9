/// Python's descriptor protocol for script objects stored as class attributes: an object whose
/// class defines `__get__` is asked for the attribute's value (`__get__(desc, obj, type)`, or
/// `(desc, None, cls)` through the class); one whose class also defines `__set__` or
/// `__delete__` (a data descriptor) takes assignments and deletions and comes before the
/// instance dict, while a non-data descriptor (only `__get__`) comes after it — CPython's order.
/// `property` keeps its own, faster path (`MethodWrapper`); only plain script instances are
/// asked (an exact class check, so other class attributes pay one comparison).
enum Descriptors {
    /// `desc.__get__(obj, cls)` when `desc` is a data descriptor; nil otherwise.
    static func dataGet(_ desc: PyInstance, _ receiver: Value, _ cls: PyClass, _ ev: Evaluator) throws -> Value? {
        let k = desc.cls
        guard let get = k.special(.descriptorGet), k.special(.descriptorSet) != nil || k.special(.descriptorDelete) != nil else {
            return nil
        }
        return try callSpecial(ev, get, .object(desc), receiver, .object(cls))
    }

    /// `obj.name = value` through `desc.__set__`; false when `desc` has none (a data descriptor
    /// with only `__delete__` refuses the assignment, as CPython's).
    static func set(_ desc: PyInstance, _ receiver: Value, _ value: Value, _ ev: Evaluator) throws -> Bool {
        if let setter = desc.cls.special(.descriptorSet) {
            _ = try callSpecial(ev, setter, .object(desc), receiver, value)
            return true
        }
        if desc.cls.special(.descriptorDelete) != nil { throw PyError(.attributeError, "__set__") }
        return false
    }

    /// `del obj.name` through `desc.__delete__`; false when `desc` has none (a data descriptor
    /// with only `__set__` refuses the deletion, as CPython's).
    static func delete(_ desc: PyInstance, _ receiver: Value, _ name: String, _ ev: Evaluator) throws -> Bool {
        if let deleter = desc.cls.special(.descriptorDelete) {
            _ = try callSpecial(ev, deleter, .object(desc), receiver)
            return true
        }
        if desc.cls.special(.descriptorSet) != nil { throw PyError(.attributeError, "__delete__") }
        return false
    }
}
