/// The protocol dunders of built-in containers as bound methods (`d.__getitem__`,
/// `lst.__len__`, `s.__contains__` …), each running the interpreter's own operation, so
/// `max(d, key=d.__getitem__)` works as in CPython. Looked up only after an attribute is
/// otherwise missing (no cost on the common path).
extension Interpreter {
    func containerDunder(_ receiver: Value, _ name: String) -> Value? {
        let mutable: Bool
        switch receiver {
        case .str: mutable = false
        case .object(let o):
            switch builtinKind(receiver) {
            case .list?, .dict?, .orderedDict?: mutable = true
            case .tuple?, .set?, .frozenset?: mutable = false
            case nil:
                guard o is PyRange || o is PyDeque else { return nil }
                mutable = o is PyDeque
            }
        default: return nil
        }
        let isSet = builtinKind(receiver) == .set || builtinKind(receiver) == .frozenset
        switch name {
        case "__len__": return builtinMethod(name) { a, _ in
            _ = try a.bind(name, [])
            return .int(try self.length(receiver))
        }
        case "__contains__": return builtinMethod(name) { a, _ in
            .bool(try self.contains(receiver, try a.bind(name, ["key"], required: 1)[0] ?? .none))
        }
        case "__iter__": return builtinMethod(name) { a, _ in
            _ = try a.bind(name, [])
            return .object(try self.makeIterator(receiver))
        }
        case "__getitem__" where !isSet: return builtinMethod(name) { a, _ in
            try self.getItem(receiver, try a.bind(name, ["key"], required: 1)[0] ?? .none)
        }
        case "__setitem__" where mutable && !isSet: return builtinMethod(name) { a, _ in
            let s = try a.bind(name, ["key", "value"], required: 2)
            try self.setItem(receiver, s[0] ?? .none, s[1] ?? .none)
            return .none
        }
        case "__delitem__" where mutable && !isSet: return builtinMethod(name) { a, _ in
            try self.deleteItem(receiver, try a.bind(name, ["key"], required: 1)[0] ?? .none)
            return .none
        }
        default: return nil
        }
    }
}
