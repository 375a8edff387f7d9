/// A native method of `str`: how it takes its arguments (CPython's calling convention for it,
/// which also fixes its error messages) and its body, which gets the receiver and the bound
/// arguments. One declaration per method in `Interpreter.stringMethods`.
///
/// A struct rather than a bare function type: a function stored as a `Dictionary` value is
/// kept at the generic abstraction, and every call went through two reabstraction thunks.
struct StringMethod {
    let convention: StringMethodConvention
    let body: (String, StringMethodArguments, Interpreter) throws -> Value

    init(_ convention: StringMethodConvention,
         _ body: @escaping (String, StringMethodArguments, Interpreter) throws -> Value) {
        self.convention = convention
        self.body = body
    }

    /// `s.name(args)` with the call's arguments as given (a bound method called later,
    /// `str.upper(s)`): checked and bound as CPython does for this method.
    func callAsFunction(_ s: String, _ name: String, _ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        try body(s, try convention.bind(name, args), interpreter)
    }

    /// `s.name(v0, v1, ...)` with `count` positional values and no keywords (the call site
    /// evaluated them in place: no argument array).
    @inline(__always)
    func call(_ s: String, _ name: String, count: Int, _ v0: Value?, _ v1: Value?, _ v2: Value?,
              _ interpreter: Interpreter) throws -> Value {
        if case .any = convention {
            let values = [v0, v1, v2].prefix(count).compactMap { $0 }
            return try body(s, StringMethodArguments(all: Arguments(values)), interpreter)
        }
        try convention.checkPositional(name, count)
        return try body(s, StringMethodArguments(v0, v1, v2), interpreter)
    }
}

/// How a `str` method takes its arguments, as CPython 3.11 declares it. Each kind raises its
/// own TypeError texts (checked against CPython).
enum StringMethodConvention {
    /// METH_NOARGS (`upper`): "str.upper() takes no arguments (1 given)".
    case none
    /// METH_O (`join`): "str.join() takes exactly one argument (0 given)".
    case one
    /// Argument Clinic, positional only (`strip`, `replace`, `ljust`): "strip expected at
    /// most 1 argument, got 2", "replace expected at least 2 arguments, got 1".
    case clinic(required: Int, most: Int)
    /// PyArg_ParseTuple, positional only (`find`, `startswith`): "find() takes at least 1
    /// argument (0 given)", "str.find() takes no keyword arguments".
    case tuple(required: Int, most: Int)
    /// Positional or keyword parameters, none required (`split(sep=None, maxsplit=-1)`):
    /// "split() takes at most 2 arguments (3 given)", "'x' is an invalid keyword argument for
    /// split()".
    case keywords([String])
    /// Anything (`format`): the body reads `StringMethodArguments.all`.
    case any

    /// The positional count check for a call without keywords.
    @inline(__always)
    func checkPositional(_ name: String, _ count: Int) throws {
        switch self {
        case .none:
            if count != 0 { throw PyError(.typeError, "str.\(name)() takes no arguments (\(count) given)") }
        case .one:
            if count != 1 { throw PyError(.typeError, "str.\(name)() takes exactly one argument (\(count) given)") }
        case .clinic(let required, let most):
            if count < required || count > most {
                let bound = count < required ? required : most
                let which = required == most ? "" : count < required ? "at least " : "at most "
                throw PyError(.typeError, "\(name) expected \(which)\(bound) argument\(bound == 1 ? "" : "s"), got \(count)")
            }
        case .tuple(let required, let most):
            if count < required || count > most { throw StringMethodConvention.tupleCountError(name, count, required, most) }
        case .keywords(let parameters):
            if count > parameters.count { throw StringMethodConvention.tupleCountError(name, count, 0, parameters.count) }
        case .any:
            break
        }
    }

    /// PyArg_ParseTuple's count message: "find() takes at least 1 argument (0 given)".
    private static func tupleCountError(_ name: String, _ count: Int, _ required: Int, _ most: Int) -> PyError {
        let bound = count < required ? required : most
        let which = required == most ? "exactly" : count < required ? "at least" : "at most"
        return PyError(.typeError, "\(name)() takes \(which) \(bound) argument\(bound == 1 ? "" : "s") (\(count) given)")
    }

    /// The arguments of a call as given, checked and bound.
    func bind(_ name: String, _ args: Arguments) throws -> StringMethodArguments {
        let positional = args.positional
        switch self {
        case .any:
            return StringMethodArguments(all: args)
        case .keywords(let parameters):
            try checkPositional(name, positional.count)
            var slots: [Value?] = positional.map { $0 } + Array(repeating: nil, count: parameters.count - positional.count)
            for (key, value) in args.keywords {
                guard let i = parameters.firstIndex(of: key) else {
                    throw PyError(.typeError, "'\(key)' is an invalid keyword argument for \(name)()")
                }
                if slots[i] != nil {
                    throw PyError(.typeError, "argument for \(name)() given by name ('\(key)') and position (\(i + 1))")
                }
                slots[i] = value
            }
            return StringMethodArguments(slots.first ?? nil, slots.count > 1 ? slots[1] : nil, slots.count > 2 ? slots[2] : nil)
        case .none, .one, .clinic, .tuple:
            // (A bound `find` taken with getattr says "find() takes ..." in CPython; a call
            // `s.find(sub=x)`, the common form, says "str.find() takes ...".)
            if !args.keywords.isEmpty { throw PyError(.typeError, "str.\(name)() takes no keyword arguments") }
            try checkPositional(name, positional.count)
            return StringMethodArguments(positional.first, positional.count > 1 ? positional[1] : nil,
                                         positional.count > 2 ? positional[2] : nil)
        }
    }
}

/// The bound arguments of a `str` method call: up to three parameter slots held inline (nil
/// when not given), or, for `.any` methods, the call's arguments as given.
struct StringMethodArguments {
    private let first: Value?, second: Value?, third: Value?
    /// The call's arguments, for a method of convention `.any` (empty otherwise).
    let all: Arguments

    init(_ first: Value?, _ second: Value?, _ third: Value?) {
        self.first = first
        self.second = second
        self.third = third
        all = Arguments()
    }

    init(all: Arguments) {
        first = nil
        second = nil
        third = nil
        self.all = all
    }

    /// Parameter `i`'s value, nil when not given.
    subscript(i: Int) -> Value? {
        switch i {
        case 0: return first
        case 1: return second
        case 2: return third
        default: return nil
        }
    }
}
