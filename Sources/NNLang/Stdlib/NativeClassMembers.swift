/// Members for the dict of a class whose instances are a Swift type `T` (enum members,
/// Fractions): methods and read-only properties that check their receiver.
enum NativeClassMembers {
    /// A method whose receiver must be a `T` (CPython's descriptor TypeError otherwise).
    static func method<T: PyObject>(_ name: String, _ label: String, _ body: @escaping (T, Arguments, Evaluator) throws -> Value) -> Value {
        .object(NativeMethod(name) { receiver, a, ev in
            guard case .object(let o) = receiver, let t = o as? T else {
                throw PyError(.typeError, "descriptor '\(name)' requires a '\(label)' object but received a '\(receiver.typeName)'")
            }
            return try body(t, a, ev)
        })
    }

    /// A read-only property of a `T`.
    static func property<T: PyObject>(_ name: String, _ label: String, _ read: @escaping (T) -> Value) -> Value {
        .object(MethodWrapper(.property, method(name, label) { (t: T, _, _) in read(t) }))
    }
}
