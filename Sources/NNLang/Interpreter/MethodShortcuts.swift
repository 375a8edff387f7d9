/// The native methods loops call most, recognised by name when an attribute site is compiled
/// (`AttributeSiteCache.shortcut`): `xs.append(x)` on a list, `d.get(k)` / `d.get(k, default)`
/// on a plain dict and `s.add(x)` on a set run with no argument array, method-table lookup or argument binding
/// (CPython specialises the same calls). Any other receiver or call shape takes the method
/// table, which does the same work.
enum MethodShortcut {
    case listAppend
    case dictGet
    case setAdd

    init?(name: String) {
        switch name {
        case "append": self = .listAppend
        case "get": self = .dictGet
        case "add": self = .setAdd
        default: return nil
        }
    }
}

extension Interpreter {
    /// `receiver.<shortcut>(args)` with the values of `argNodes` (evaluated in `f`) when the
    /// shortcut applies to `receiver` and that many arguments; its errors gain `span`. nil, with
    /// nothing evaluated, otherwise.
    @inline(__always)
    func callShortcut(_ shortcut: MethodShortcut, _ receiver: PyObject, _ argNodes: [ExprNode],
                      _ span: SourceSpan, _ f: Frame) throws -> Value? {
        switch shortcut {
        case .listAppend:
            guard type(of: receiver) == PyList.self, argNodes.count == 1, let a = argNodes.unretained(0) else { return nil }
            let list = unsafeDowncast(receiver, to: PyList.self)
            let item = try eval(a, f)
            do { try MemoryLimit.checkGrowth(list.items) } catch { throw wrap(error, span, f) }
            list.items.append(item)
            return Value.none
        case .dictGet:
            guard type(of: receiver) == PyDict.self, case .plain = unsafeDowncast(receiver, to: PyDict.self).flavor,
                  argNodes.count == 1 || argNodes.count == 2, let a = argNodes.unretained(0) else { return nil }
            let dict = unsafeDowncast(receiver, to: PyDict.self)
            let key = try eval(a, f)
            let fallback = try argNodes.unretained(1).map { try eval($0, f) } ?? Value.none
            do { return try dict.get(key) ?? fallback } catch { throw wrap(error, span, f) }
        case .setAdd:
            guard type(of: receiver) == PySet.self, !unsafeDowncast(receiver, to: PySet.self).frozen,
                  argNodes.count == 1, let a = argNodes.unretained(0) else { return nil }
            let set = unsafeDowncast(receiver, to: PySet.self)
            let item = try eval(a, f)
            do { try set.add(item) } catch { throw wrap(error, span, f) }
            return Value.none
        }
    }

    /// The native `str` method `name` (`Interpreter.stringMethods`), remembered by the site's
    /// cache after its first call, so a loop calling `s.split()` hashes the name once.
    @inline(__always)
    func stringMethod(_ name: String, _ cache: AttributeSiteCache?) -> StringMethod? {
        guard let cache else { return Interpreter.stringMethods[name] }
        if let body = cache.stringMethod { return body }
        let body = Interpreter.stringMethods[name]
        cache.stringMethod = body
        return body
    }
}
