/// `str.maketrans` and `str.translate`, as CPython: a translation table is a mapping from code
/// points (ints) to a code point, a string, or None (delete).
enum StringTranslation {
    /// `str.maketrans(x[, y[, z]])`: a dict from a dict (str keys of length 1 become code points),
    /// or from two equal-length strings, with `z`'s characters mapped to None.
    static func maketrans(_ s: StringMethodArguments, _ i: Interpreter) throws -> Value {
        let table = PyDict()
        guard let y = s[1] else {
            guard case .object(let o) = s[0] ?? .none, let d = o as? PyDict else {
                throw PyError(.typeError, "if you give only one argument to maketrans it must be a dict")
            }
            for (key, value) in d.items {
                switch key {
                case .int: try table.set(key, value)
                case .str(let k) where k.unicodeScalars.count == 1:
                    try table.set(.int(Int(k.unicodeScalars.first?.value ?? 0)), value)
                case .str: throw PyError(.valueError, "string keys in translate table must be of length 1")
                default: throw PyError(.typeError, "keys in translate table must be strings or integers")
                }
            }
            return .object(table)
        }
        guard case .str(let x) = s[0] ?? .none else {
            throw PyError(.typeError, "maketrans() argument 1 must be str, not \((s[0] ?? .none).typeName)")
        }
        guard case .str(let to) = y else { throw PyError(.typeError, "maketrans() argument 2 must be str, not \(y.typeName)") }
        let from = Array(x.unicodeScalars), onto = Array(to.unicodeScalars)
        guard from.count == onto.count else {
            throw PyError(.valueError, "the first two maketrans arguments must have equal length")
        }
        for (f, t) in zip(from, onto) { try table.set(.int(Int(f.value)), .int(Int(t.value))) }
        if let z = s[2] {
            guard case .str(let deleted) = z else { throw PyError(.typeError, "maketrans() argument 3 must be str, not \(z.typeName)") }
            for d in deleted.unicodeScalars { try table.set(.int(Int(d.value)), .none) }
        }
        return .object(table)
    }

    /// `s.translate(table)`: each code point looked up with `table[ord(c)]`; LookupError keeps it.
    static func translate(_ s: String, _ table: Value, _ i: Interpreter) throws -> Value {
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            let key = Value.int(Int(scalar.value))
            let found: Value?
            if case .object(let o) = table, let d = o as? PyDict {
                found = try d.get(key)
            } else {
                do { found = try i.getItem(table, key) } catch let e as PyError where [.lookupError, .keyError, .indexError].contains(e.kind) { found = nil }
            }
            guard let mapped = found else { out.append(scalar); continue }
            switch mapped {
            case .none: continue
            case .str(let t): out.append(contentsOf: t.unicodeScalars)
            case .int(let n):
                guard let u = UInt32(exactly: n), let c = Unicode.Scalar(u) else {
                    throw PyError(.valueError, "character mapping must be in range(0x110000)")
                }
                out.append(c)
            default: throw PyError(.typeError, "character mapping must return integer, None or str")
            }
        }
        return .str(String(out))
    }
}
