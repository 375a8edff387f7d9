/// Python's `enum` module: `Enum`, `IntEnum`, `Flag`, `IntFlag`, `auto`, `unique`, as CPython
/// 3.11 behaves. The four bases are classes whose native metaclass (`EnumType`) turns a
/// `class Color(Enum)` body's plain names into members (singleton instances holding `_name_`
/// and `_value_`), and makes the class iterable, sized, subscriptable by name and callable by
/// value (`Color(1)`) or, member-less, as the functional API (`Enum('Fruit', 'APPLE PEAR')`).
/// The members' behaviour (repr, str, `name`/`value`, int arithmetic for `IntEnum`, bit
/// operations for `Flag`) is native methods in the bases' dicts, so a script class can
/// override any of it. Kept as CPython: `_member_names_`, `_member_map_`, `__members__`.
/// A `str`, `int` or `float` base (`class Mode(str, Enum)`) is a mixin: it converts the values,
/// and the members compare, hash and compute as their values. Not done: `_missing_`,
/// `_generate_next_value_`, `isinstance(member, str/int)`, members as list indices, dict keys
/// equal to their values, json.dumps of a member.
enum EnumModule {
    static let enumType = EnumType()

    /// The value of a member of an int-, str- or float-valued enum (`IntEnum`, `StrEnum`,
    /// `IntFlag`, `class Mode(str, Enum)`), which stands for that value where a built-in is
    /// needed (`json.dumps`); nil for anything else.
    static func builtinValue(_ v: Value) -> Value? {
        guard case .object(let m as EnumMember) = v else { return nil }
        let classes = [m.cls] + m.cls.ancestors.compactMap { $0 as? PyClass }
        guard classes.contains(where: { $0 === intEnum || $0 === strEnum || $0 === intFlag || !$0.mixinBases.isEmpty }) else { return nil }
        return m.value
    }
    static let enumClass = base("Enum", nil)
    static let intEnum = base("IntEnum", enumClass, valueLike: true)
    static let strEnum = base("StrEnum", enumClass, valueLike: true)
    static let flag = base("Flag", enumClass, flag: true)
    static let intFlag = base("IntFlag", flag, valueLike: true, flag: true)

    static func module() -> Namespace {
        let m = Namespace("enum")
        for c in [enumClass, intEnum, strEnum, flag, intFlag] { m[c.name] = .object(c) }
        m["ReprEnum"] = .object(enumClass)
        m["EnumType"] = .object(BuiltinTypes.type)
        m["EnumMeta"] = .object(BuiltinTypes.type)
        m["auto"] = .object(NativeFunction("auto", "value=None", doc: "A placeholder: the member gets the next value (1, 2, 3 …; powers of two in a Flag).") { _, _ in
            .object(EnumAuto())
        })
        m["unique"] = .object(NativeFunction("unique", "enumeration", doc: "A class decorator: ValueError when any member is an alias of another.") { b, ev in
            guard case .object(let o) = b[0], let cls = o as? PyClass else { return b[0] }
            let canonical = Set(memberNames(cls))
            var aliases: [String] = []
            for (name, member) in memberMap(cls) where !canonical.contains(name) {
                if case .object(let mo) = member, let m = mo as? EnumMember, case .str(let target) = m.memberName {
                    aliases.append("\(name) -> \(target)")
                }
            }
            if !aliases.isEmpty {
                throw PyError(.valueError, "duplicate values found in \(try cls.repr(ev)): \(aliases.joined(separator: ", "))")
            }
            return b[0]
        })
        return m
    }

    /// One of the module's base classes, its member behaviour in its dict.
    private static func base(_ name: String, _ parent: PyClass?, valueLike: Bool = false, flag: Bool = false) -> PyClass {
        var d = NameTable()
        func method(_ name: String, _ body: @escaping (EnumMember, Arguments, Evaluator) throws -> Value) {
            d[name] = NativeClassMembers.method(name, "Enum", body)
        }
        if valueLike { for (k, v) in valueBehaviour(textForms: true) { d[k] = v } }
        if parent == nil {
            method("__repr__") { m, _, ev in
                let value = try ev.repr(m.value)
                if case .str(let n) = m.memberName { return .str("<\(m.cls.name).\(n): \(value)>") }
                return .str("<\(m.cls.name): \(value)>")
            }
            method("__str__") { m, _, ev in
                if case .str(let n) = m.memberName { return .str("\(m.cls.name).\(n)") }
                return .str("\(m.cls.name)(\(try ev.repr(m.value)))")
            }
            for (property, read) in [("name", \EnumMember.memberName), ("value", \EnumMember.value)] {
                d[property] = NativeClassMembers.property(property, "Enum") { (m: EnumMember) in m[keyPath: read] }
            }
        }
        if flag { addFlagBehaviour(method) }
        let cls = PyClass(name: name, base: parent, dict: d, moduleName: "enum")
        cls.metaclass = enumType
        return cls
    }

    /// The methods by which members of `IntEnum`, `IntFlag`, `StrEnum` and of a class with a
    /// mixin (`class Mode(str, Enum)`) compare, hash, compute and answer attributes as their
    /// values; `textForms` (the first three, CPython's ReprEnum) also print and format as them.
    static func valueBehaviour(textForms: Bool) -> [(String, Value)] {
        var out: [(String, Value)] = []
        func method(_ name: String, _ body: @escaping (EnumMember, Arguments, Evaluator) throws -> Value) {
            out.append((name, NativeClassMembers.method(name, "Enum", body)))
        }
        func operand(_ a: Arguments) -> Value {
            guard let v = a.positional.first else { return .none }
            if case .object(let o) = v, let m = o as? EnumMember { return m.value }
            return v
        }
        let comparisons: [(String, ComparisonOperator)] = [("eq", .eq), ("ne", .ne), ("lt", .lt), ("le", .le), ("gt", .gt), ("ge", .ge)]
        for (name, op) in comparisons {
            method("__\(name)__") { m, a, ev in try Interpreter.of(ev).compare(op, m.value, operand(a)) }
        }
        for op in BinaryOperator.allCases {
            method("__\(op.dunderName)__") { m, a, ev in try Interpreter.of(ev).binary(op, m.value, operand(a)) }
            method("__r\(op.dunderName)__") { m, a, ev in try Interpreter.of(ev).binary(op, operand(a), m.value) }
        }
        for (name, op) in [("neg", UnaryOperator.negate), ("pos", .plus)] {
            method("__\(name)__") { m, _, ev in try Interpreter.of(ev).unary(op, m.value) }
        }
        method("__hash__") { m, _, _ in .int(try pythonHash(m.value)) }
        if textForms {
            method("__str__") { m, _, ev in .str(try ev.str(m.value)) }
            method("__format__") { m, a, ev in .str(try ev.format(m.value, spec: try operand(a).asString())) }
        }
        for name in ["__int__", "__index__"] { method(name) { m, _, _ in m.value } }
        method("__float__") { m, _, _ in .float(try m.value.asDouble()) }
        method("__bool__") { m, _, ev in .bool(try ev.truthy(m.value)) }
        method("__len__") { m, _, ev in .int(try Interpreter.of(ev).length(m.value)) }
        method("__contains__") { m, a, ev in .bool(try Interpreter.of(ev).contains(m.value, operand(a))) }
        method("__getitem__") { m, a, ev in try Interpreter.of(ev).getItem(m.value, operand(a)) }
        method("__iter__") { m, _, ev in .object(ArrayIterator(try ev.iterate(m.value), kind: "iterator")) }
        method("__getattr__") { m, a, ev in try ev.getAttribute(m.value, try operand(a).asString()) }
        return out
    }

    /// `Flag`/`IntFlag` members combine with `|`, `&`, `^` and `~` into (cached) members of the
    /// same class, test bits with `in`, and iterate over the members they hold.
    private static func addFlagBehaviour(_ method: (String, @escaping (EnumMember, Arguments, Evaluator) throws -> Value) -> Void) {
        func bits(_ m: EnumMember, _ a: Arguments) throws -> Int? {
            guard let other = a.positional.first else { return nil }
            if case .object(let o) = other, let om = o as? EnumMember, om.cls === m.cls { return try om.value.asInt() }
            if case .int(let i) = other, m.cls.isSubclass(of: intFlag) { return i }
            return nil
        }
        for (name, combine) in [("or", { (a: Int, b: Int) in a | b }), ("and", { $0 & $1 }), ("xor", { $0 ^ $1 })] {
            for dunder in ["__\(name)__", "__r\(name)__"] {
                method(dunder) { m, a, ev in
                    guard let other = try bits(m, a) else { return .object(NotImplemented.shared) }
                    return try enumType.flagMember(m.cls, combine(try m.value.asInt(), other), ev)
                }
            }
        }
        method("__invert__") { m, _, ev in
            let all = try enumType.canonicalMembers(m.cls).reduce(0) { $0 | (try $1.value.asInt()) }
            return try enumType.flagMember(m.cls, all & ~(try m.value.asInt()), ev)
        }
        method("__contains__") { m, a, _ in
            guard case .object(let o)? = a.positional.first, let other = o as? EnumMember, other.cls === m.cls else {
                throw PyError(.typeError, "unsupported operand type(s) for 'in': '\(a.positional.first?.typeName ?? "NoneType")' and '\(m.cls.name)'")
            }
            let x = try other.value.asInt()
            return .bool(try m.value.asInt() & x == x)
        }
        method("__bool__") { m, _, _ in .bool(try m.value.asInt() != 0) }
        method("__iter__") { m, _, ev in
            .object(ArrayIterator(try enumType.parts(of: m).map { .object($0) }, kind: "list_iterator"))
        }
        method("__len__") { m, _, _ in .int(try enumType.parts(of: m).count) }
    }

    /// The class's canonical member names, in definition order (`_member_names_`).
    static func memberNames(_ cls: PyClass) -> [String] {
        guard case .object(let o)? = cls.lookup("_member_names_"), let list = o as? PyList else { return [] }
        return list.items.compactMap { if case .str(let s) = $0 { return s }; return nil }
    }

    /// Every member name, aliases included, with its member (`_member_map_`).
    static func memberMap(_ cls: PyClass) -> [(String, Value)] {
        guard case .object(let o)? = cls.lookup("_member_map_"), let map = o as? PyDict else { return [] }
        return map.items.compactMap { if case .str(let s) = $0.0 { return (s, $0.1) }; return nil }
    }
}

/// An enum member: an instance of its enum class with its `_name_` (None for a Flag value no
/// member names) and `_value_`. Shared by `copy.copy`/`deepcopy`, as CPython's members are.
final class EnumMember: PyInstance {
    let memberName: Value
    let value: Value

    init(cls: PyClass, name: Value, value: Value) {
        memberName = name
        self.value = value
        super.init(cls: cls)
        dict["_name_"] = name
        dict["_value_"] = value
    }
}

/// What `auto()` returns: the member gets the next value when its class is made.
final class EnumAuto: PyObject {
    override var typeName: String { "auto" }
    override func repr(_ ev: Evaluator) throws -> String { "auto(_auto_null)" }
}

/// `enum.EnumType`, the enum classes' metaclass.
final class EnumType: NativeMetaclass {
    private func isFlag(_ cls: PyClass) -> Bool { cls.isSubclass(of: EnumModule.flag) }

    override func repr(_ cls: PyClass, _ ev: Evaluator) throws -> String? {
        "<\(isFlag(cls) ? "flag" : "enum") '\(cls.name)'>"
    }

    override func acceptsMixin(_ t: PyType) -> Bool {
        t === BuiltinTypes.str || t === BuiltinTypes.int || t === BuiltinTypes.float
    }

    override func classCreated(_ cls: PyClass, _ ev: Evaluator) throws {
        for case let b as PyClass in cls.bases where !EnumModule.memberNames(b).isEmpty {
            throw PyError(.typeError, "\(try repr(cls, ev) ?? cls.name) cannot extend \(try repr(b, ev) ?? b.name)")
        }
        let flag = isFlag(cls)
        if !cls.mixinBases.isEmpty {
            for (k, v) in EnumModule.valueBehaviour(textForms: false) where cls.dict[k] == nil { cls.dict[k] = v }
        }
        let lowercaseAuto = cls.isSubclass(of: EnumModule.strEnum)
        var names: [Value] = [], members: [(Value, Value)] = [], canonical: [EnumMember] = []
        let initializer = cls.lookup("__init__")
        for (name, raw) in cls.dict.items where isMemberName(name, of: cls) && !isDescriptor(raw) {
            var value = raw
            if case .object(let o) = raw, o is EnumAuto { value = lowercaseAuto ? .str(name.lowercased()) : try nextValue(canonical, flag: flag) }
            if let mixin = cls.mixinBases.first, ev.builtinKind(value) != .tuple {
                value = try ev.call(.object(mixin), Arguments([value]))
            }
            if let existing = try canonical.first(where: { try valuesEqual($0.value, value, ev) }) {
                members.append((.str(name), .object(existing)))
                cls.dict[name] = .object(existing)
                continue
            }
            let member = EnumMember(cls: cls, name: .str(name), value: value)
            if let initializer {
                let args = ev.builtinKind(value) == .tuple ? try ev.iterate(value) : [value]
                _ = try ev.call(initializer, Arguments([.object(member)] + args))
            }
            canonical.append(member)
            names.append(.str(name))
            members.append((.str(name), .object(member)))
            cls.dict[name] = .object(member)
        }
        let map = try PyDict(members)
        cls.dict["_member_names_"] = ev.makeList(names)
        cls.dict["_member_map_"] = .object(map)
        cls.dict["__members__"] = .object(map)
        cls.dict["_value2member_map_"] = .object(PyDict())
    }

    /// CPython's member test: not a dunder, sunder (`_order_`) or class-private name.
    private func isMemberName(_ name: String, of cls: PyClass) -> Bool {
        let dunder = name.count > 4 && name.hasPrefix("__") && name.hasSuffix("__")
        let sunder = name.count > 2 && name.hasPrefix("_") && name.hasSuffix("_") && !name.hasPrefix("__")
        return !dunder && !sunder && !name.hasPrefix("_\(cls.name)__")
    }

    /// Functions, properties, static and class methods stay methods, not members.
    private func isDescriptor(_ v: Value) -> Bool {
        guard case .object(let o) = v else { return false }
        return o is PyFunction || o is MethodWrapper || o is NativeMethod || o is NativeFunction
    }

    /// `auto()`'s value: the last int value + 1 (1 first); in a Flag the next power of two.
    private func nextValue(_ earlier: [EnumMember], flag: Bool) throws -> Value {
        let ints = earlier.compactMap { if case .int(let i) = $0.value { return i }; return nil }
        if flag {
            let high = ints.max() ?? 0
            guard high < Int.max >> 1 else { throw PyError(.overflowError, "auto() value too large") }
            return .int(high <= 0 ? 1 : 1 << (Int.bitWidth - high.leadingZeroBitCount))
        }
        guard let last = ints.last, last < Int.max else { return .int(1) }
        return .int(last + 1)
    }

    /// The members iteration yields: canonical ones, in a Flag only single bits.
    func canonicalMembers(_ cls: PyClass) throws -> [EnumMember] {
        let map = Dictionary(EnumModule.memberMap(cls), uniquingKeysWith: { a, _ in a })
        let all = EnumModule.memberNames(cls).compactMap { name -> EnumMember? in
            if case .object(let o)? = map[name] { return o as? EnumMember }
            return nil
        }
        guard isFlag(cls) else { return all }
        return all.filter { if case .int(let i) = $0.value { return i > 0 && i & (i - 1) == 0 }; return false }
    }

    /// The single-bit members a Flag value holds, in definition order.
    func parts(of m: EnumMember) throws -> [EnumMember] {
        let v = try m.value.asInt()
        return try canonicalMembers(m.cls).filter { v & (try $0.value.asInt()) != 0 }
    }

    override func iterate(_ cls: PyClass, _ ev: Evaluator) throws -> [Value]? {
        try canonicalMembers(cls).map { .object($0) }
    }

    override func length(_ cls: PyClass, _ ev: Evaluator) throws -> Int? { try canonicalMembers(cls).count }

    override func getItem(_ cls: PyClass, _ key: Value, _ ev: Evaluator) throws -> Value? {
        for (name, member) in EnumModule.memberMap(cls) { if case .str(name) = key { return member } }
        throw PyError(.keyError, args: [key])
    }

    override func contains(_ cls: PyClass, _ item: Value, _ ev: Evaluator) throws -> Bool? {
        guard case .object(let o) = item, let m = o as? EnumMember else {
            throw PyError(.typeError, "unsupported operand type(s) for 'in': '\(item.typeName)' and 'EnumType'")
        }
        return m.cls.isSubclass(of: cls)
    }

    override func setAttribute(_ cls: PyClass, _ name: String, _ value: Value, _ ev: Evaluator) throws -> Bool {
        if EnumModule.memberMap(cls).contains(where: { $0.0 == name }) {
            throw PyError(.attributeError, "cannot reassign member '\(name)'")
        }
        return false
    }

    override func call(_ cls: PyClass, _ args: Arguments, _ ev: Evaluator) throws -> Value? {
        if EnumModule.memberNames(cls).isEmpty { return try functional(cls, args, ev) }
        let value = try args.bind("EnumType.__call__", ["value"], required: 1)[0] ?? .none
        if case .object(let o) = value, let m = o as? EnumMember, m.cls === cls { return value }
        for (_, member) in EnumModule.memberMap(cls) {
            if case .object(let o) = member, let m = o as? EnumMember, try valuesEqual(m.value, value, ev) { return member }
        }
        if isFlag(cls), case .int(let bits) = value { return try flagMember(cls, bits, ev) }
        throw PyError(.valueError, "\(try ev.repr(value)) is not a valid \(cls.name)")
    }

    /// The member of Flag class `cls` with value `bits`: a defined one, else a new one (kept in
    /// `_value2member_map_`) named by the members it holds joined with `|` — an IntFlag's
    /// unnamed bits as a number, a Flag's are a ValueError.
    func flagMember(_ cls: PyClass, _ bits: Int, _ ev: Evaluator) throws -> Value {
        for (_, member) in EnumModule.memberMap(cls) {
            if case .object(let o) = member, let m = o as? EnumMember, case .int(bits) = m.value { return member }
        }
        guard case .object(let co)? = cls.lookup("_value2member_map_"), let cache = co as? PyDict else {
            throw PyError(.typeError, "\(cls.name) is not a Flag class")
        }
        if let known = try cache.get(.int(bits)) { return known }
        let members = try canonicalMembers(cls)
        var names: [String] = [], covered = 0
        for m in members {
            let b = try m.value.asInt()
            if bits & b != 0, case .str(let n) = m.memberName { names.append(n); covered |= b }
        }
        let rest = bits & ~covered
        if rest != 0 {
            guard cls.isSubclass(of: EnumModule.intFlag), bits >= 0 else {
                let allowed = members.reduce(0) { $0 | ((try? $1.value.asInt()) ?? 0) }
                let width = Swift.max(String(allowed, radix: 2).count, String(bits.magnitude, radix: 2).count)
                func binary(_ x: Int) -> String {
                    let digits = String(x.magnitude, radix: 2)
                    return "0b0 " + String(repeating: "0", count: Swift.max(0, width - digits.count)) + digits
                }
                throw PyError(.valueError, "<flag '\(cls.name)'> invalid value \(bits)\n    given \(binary(bits))\n  allowed \(binary(allowed))")
            }
            names.append(String(rest))
        }
        let made = Value.object(EnumMember(cls: cls, name: names.isEmpty ? .none : .str(names.joined(separator: "|")), value: .int(bits)))
        try cache.set(.int(bits), made)
        return made
    }

    /// `Enum('Name', names, start=1)`: a new enum class whose members are `names` — a string
    /// of names split at commas and spaces, a list of names, of (name, value) pairs, or a dict.
    private func functional(_ cls: PyClass, _ args: Arguments, _ ev: Evaluator) throws -> Value {
        let s = try args.bind("EnumType.__call__", ["value", "names", "module", "qualname", "type", "start", "boundary"], required: 1)
        guard let namesArg = s[1], !namesArg.isNone else {
            throw PyError(.typeError, "\(cls.name)() missing 1 required positional argument: 'names'")
        }
        guard case .str(let className) = s[0] ?? .none else { throw PyError(.typeError, "class name must be a string") }
        let start = try s[5].map { try $0.asInt("start") } ?? 1
        var pairs: [(String, Value)] = []
        func automatic(_ names: [String]) -> [(String, Value)] {
            names.enumerated().map { ($0.element, .int(isFlag(cls) ? 1 << Swift.min($0.offset, 62) : start &+ $0.offset)) }
        }
        if case .str(let text) = namesArg {
            pairs = automatic(text.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init))
        } else if let mapping = ev.mappingItems(namesArg) {
            pairs = try mapping.map { (try $0.0.asString(), $0.1) }
        } else {
            let items = try ev.iterate(namesArg)
            if items.allSatisfy({ if case .str = $0 { return true }; return false }) {
                pairs = automatic(items.compactMap { if case .str(let n) = $0 { return n }; return nil })
            } else {
                pairs = try items.map { item in
                    let pair = try ev.iterate(item)
                    guard pair.count == 2 else { throw PyError(.typeError, "names must be strings or (name, value) pairs") }
                    return (try pair[0].asString(), pair[1])
                }
            }
        }
        let made = try PyClass.make(name: className, bases: [cls], dict: NameTable(pairs))
        try classCreated(made, ev)
        return .object(made)
    }
}
