// Special methods (`__init__`, `__add__`, `__eq__` …) looked up once per class instead of once
// per operation, and called with their few arguments straight into the callee's frame.

/// A special method the interpreter's operations look up on script classes: its name and its
/// index in a class's special-method memo (`PyClass.special`, CPython's type slots).
struct SpecialMethod {
    let index: Int
    let name: String

    private init(_ index: Int, _ name: String) {
        self.index = index
        self.name = name
    }

    private static let fixed = [
        "__init__", "__new__", "__call__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__len__",
        "__getitem__", "__setitem__", "__delitem__", "__contains__", "__bool__", "__iter__", "__repr__", "__str__",
        "__getattr__", "__setattr__", "__delattr__", "__get__", "__set__", "__delete__",
    ]
    static let initializer = SpecialMethod(0, fixed[0])
    static let constructor = SpecialMethod(1, fixed[1])
    static let call = SpecialMethod(2, fixed[2])
    static let eq = SpecialMethod(3, fixed[3])
    static let ne = SpecialMethod(4, fixed[4])
    static let lt = SpecialMethod(5, fixed[5])
    static let le = SpecialMethod(6, fixed[6])
    static let gt = SpecialMethod(7, fixed[7])
    static let ge = SpecialMethod(8, fixed[8])
    static let len = SpecialMethod(9, fixed[9])
    static let getitem = SpecialMethod(10, fixed[10])
    static let setitem = SpecialMethod(11, fixed[11])
    static let delitem = SpecialMethod(12, fixed[12])
    static let contains = SpecialMethod(13, fixed[13])
    static let bool = SpecialMethod(14, fixed[14])
    static let iter = SpecialMethod(15, fixed[15])
    static let repr = SpecialMethod(16, fixed[16])
    static let str = SpecialMethod(17, fixed[17])
    static let getattr = SpecialMethod(18, fixed[18])
    static let setattr = SpecialMethod(19, fixed[19])
    static let delattr = SpecialMethod(20, fixed[20])
    static let descriptorGet = SpecialMethod(21, fixed[21])
    static let descriptorSet = SpecialMethod(22, fixed[22])
    static let descriptorDelete = SpecialMethod(23, fixed[23])

    /// `__op__`, `__rop__` and `__iop__` of every binary operator, three per operator in
    /// `BinaryOperator.ordinal` order.
    private static let binaryTable: [SpecialMethod] = BinaryOperator.allCases.sorted { $0.ordinal < $1.ordinal }.flatMap { op in
        ["__\(op.dunderName)__", "__r\(op.dunderName)__", "__i\(op.dunderName)__"].enumerated().map {
            SpecialMethod(fixed.count + 3 * op.ordinal + $0.offset, $0.element)
        }
    }
    /// How many special methods a class memoises.
    static let count = fixed.count + binaryTable.count

    /// `l.__op__(r)`.
    static func forward(_ op: BinaryOperator) -> SpecialMethod { binaryTable[3 * op.ordinal] }
    /// `r.__rop__(l)`.
    static func reflected(_ op: BinaryOperator) -> SpecialMethod { binaryTable[3 * op.ordinal + 1] }
    /// `l.__iop__(r)` (`l op= r`).
    static func inPlace(_ op: BinaryOperator) -> SpecialMethod { binaryTable[3 * op.ordinal + 2] }
}

extension BinaryOperator {
    /// The position of the operator in `allCases` (a switch: no hashing of the raw value).
    var ordinal: Int {
        switch self {
        case .add: return 0
        case .sub: return 1
        case .mul: return 2
        case .div: return 3
        case .floorDiv: return 4
        case .mod: return 5
        case .pow: return 6
        case .matMul: return 7
        case .lshift: return 8
        case .rshift: return 9
        case .bitOr: return 10
        case .bitXor: return 11
        case .bitAnd: return 12
        }
    }
}

/// What a class's special-method memo knows about one special method.
enum SpecialSlot {
    case unknown
    case absent
    case found(Value)
}

extension Interpreter {
    /// `fn(first, second?, third?)`: a script function whose parameters are exactly that many
    /// plain positional locals gets them straight in its frame's slots (no argument array);
    /// anything else goes through `callValue`. What special methods, properties and
    /// `__init__` are called through.
    func callDirect(_ fn: Value, _ first: Value, _ second: Value? = nil, _ third: Value? = nil) throws -> Value {
        if case .object(let o) = fn, type(of: o) == PyFunction.self {
            let pf = unsafeDowncast(o, to: PyFunction.self)
            let count = second == nil ? 1 : (third == nil ? 2 : 3)
            if let slots = pf.entry.exactSlots, slots.count == count {
                let frame = Frame.make(code: pf.code, function: pf, closure: pf.closure)
                frame[local: slots[0]] = first
                if let second { frame[local: slots[1]] = second }
                if let third { frame[local: slots[2]] = third }
                return try run(pf, consume frame)
            }
        }
        return try callValue(fn, Arguments(first, second, third))
    }

    /// `callee(receiver, *args)` without copying `args` into a new array when `callee` is a
    /// script function whose parameters take exactly these positional arguments.
    func callValue(_ callee: Value, receiver: Value, _ args: Arguments) throws -> Value {
        if args.keywords.isEmpty, case .object(let o) = callee, type(of: o) == PyFunction.self {
            let pf = unsafeDowncast(o, to: PyFunction.self)
            if let slots = pf.entry.exactSlots, slots.count == args.positional.count + 1 {
                let frame = Frame.make(code: pf.code, function: pf, closure: pf.closure)
                frame[local: slots[0]] = receiver
                for (slot, v) in zip(slots.dropFirst(), args.positional) { frame[local: slot] = v }
                return try run(pf, consume frame)
            }
        }
        var a = args
        a.positional.insert(receiver, at: 0)
        return try callValue(callee, a)
    }
}

/// `callDirect` for code that holds an `Evaluator`.
func callSpecial(_ ev: Evaluator, _ fn: Value, _ first: Value, _ second: Value? = nil, _ third: Value? = nil) throws -> Value {
    if let interp = ev as? Interpreter { return try interp.callDirect(fn, first, second, third) }
    return try ev.call(fn, Arguments(first, second, third))
}

/// `callee(receiver, *args)` (a bound method's or a callable instance's call) for code that
/// holds an `Evaluator`.
func callWithReceiver(_ ev: Evaluator, _ callee: Value, _ receiver: Value, _ args: Arguments) throws -> Value {
    if let interp = ev as? Interpreter { return try interp.callValue(callee, receiver: receiver, args) }
    var a = args
    a.positional.insert(receiver, at: 0)
    return try ev.call(callee, a)
}

extension Arguments {
    /// The positional arguments `first`, then `second` and `third` when present.
    init(_ first: Value, _ second: Value?, _ third: Value?) {
        var values = [first]
        if let second { values.append(second) }
        if let third { values.append(third) }
        self.init(values)
    }
}
