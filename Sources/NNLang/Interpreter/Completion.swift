import NeuralNet

/// Tab completion: static and side-effect free (no repr, no calls, no properties run).
extension Interpreter {
    static let keywords = ["False", "None", "True", "and", "as", "assert", "break", "class", "continue", "def", "del",
                           "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is",
                           "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with"]

    /// Completions for the dotted name ending at `cursor` (a character offset) in `line`:
    /// the full replacement texts for that token (`mod` → `model`, `model.la` → `model.layer1`),
    /// sorted and de-duplicated.
    public func completions(for line: String, cursor: Int) -> [String] {
        let chars = Array(line.prefix(max(0, cursor)))
        var start = chars.count
        while start > 0, chars[start - 1].isLetter || chars[start - 1].isNumber || chars[start - 1] == "_" || chars[start - 1] == "." {
            start -= 1
        }
        let token = String(chars[start...])
        if token.first?.isNumber == true { return [] }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let prefix = parts.last else { return [] }
        var candidates: [String]
        var head = ""
        if parts.count == 1 {
            candidates = globalNames + Array(builtins.keys) + Interpreter.keywords
        } else {
            guard let first = globals[parts[0]]?.value ?? builtins[parts[0]] else { return [] }
            var v = first
            for name in parts[1..<(parts.count - 1)] {
                guard let next = staticAttribute(v, name) else { return [] }
                v = next
            }
            candidates = attributeNames(of: v)
            head = parts.dropLast().joined(separator: ".") + "."
        }
        let hidePrivate = !prefix.hasPrefix("_")
        let matches = Set(candidates.filter { $0.hasPrefix(prefix) && !(hidePrivate && $0.hasPrefix("_")) })
        return matches.sorted().map { head + $0 }
    }

    /// An attribute found without running code (instance dicts, class dicts, registered
    /// submodules/parameters, host namespaces).
    private func staticAttribute(_ v: Value, _ name: String) -> Value? {
        switch v {
        case .module(let m):
            if let sm = m as? ScriptModule, let x = sm.dict[name] { return x }
            if let found = m.lookupAttribute(name) { return registeredValue(found) }
            if let sm = m as? ScriptModule, let x = sm.cls.lookup(name) { return x }
            return nil
        case .object(let o):
            if let inst = o as? PyInstance { return inst.dict[name] ?? inst.cls.lookup(name) }
            if let cls = o as? PyClass { return cls.lookup(name) }
            if o is Namespace { return try? o.getAttribute(name, self) }
            return nil
        default:
            return nil
        }
    }
}
