/// A host function's entry for a call with exactly one or two positional arguments and no
/// keywords (`len(xs)`, `isinstance(x, C)`, `math.sqrt(x)`): it takes the values themselves, so
/// such a call builds no `Arguments` array and binds nothing (CPython's `CALL_BUILTIN_O` /
/// `CALL_BUILTIN_FAST`). It must do exactly what the function's general body does for that call.
enum DirectEntry {
    case one((Value, Interpreter) throws -> Value)
    case two((Value, Value, Interpreter) throws -> Value)
}

extension Interpreter {
    /// `fn(args)` through `fn`'s direct entry when it is a builtin function or type, or a host
    /// function, with one for
    /// `argNodes.count` positional arguments: their values (evaluated in `f`) go straight to it,
    /// and its errors gain `span`. nil, with nothing evaluated, otherwise.
    @inline(__always)
    func callDirect(_ fn: PyObject, _ argNodes: [ExprNode], _ span: SourceSpan, _ f: Frame) throws -> Value? {
        // Each branch reads the `let` entry in place (a shared local would copy the closure).
        if type(of: fn) == BuiltinFunction.self {
            return try callEntry(unsafeDowncast(fn, to: BuiltinFunction.self).direct, argNodes, span, f)
        } else if type(of: fn) == NativeFunction.self {
            return try callEntry(unsafeDowncast(fn, to: NativeFunction.self).direct, argNodes, span, f)
        } else if type(of: fn) == BuiltinType.self {
            return try callEntry(unsafeDowncast(fn, to: BuiltinType.self).direct, argNodes, span, f)
        }
        return nil
    }

    @inline(__always)
    private func callEntry(_ entry: DirectEntry?, _ argNodes: [ExprNode], _ span: SourceSpan, _ f: Frame) throws -> Value? {
        switch entry {
        case .one(let body)? where argNodes.count == 1:
            guard let a = argNodes.unretained(0) else { return nil }
            let x = try eval(a, f)
            do { return try body(x, self) } catch { throw wrap(error, span, f) }
        case .two(let body)? where argNodes.count == 2:
            guard let a = argNodes.unretained(0), let b = argNodes.unretained(1) else { return nil }
            let x = try eval(a, f)
            let y = try eval(b, f)
            do { return try body(x, y, self) } catch { throw wrap(error, span, f) }
        default:
            return nil
        }
    }
}
