// Calls with keyword arguments (`f(x, c=1)`, `opt.step(x, lr=0.1)`) of a script function whose
// parameters are all plain positional ones: the arguments go straight into the callee's frame,
// as `exactFrame` does for positional calls, instead of through `Arguments`, a bound method
// and the general binder (CPython binds keywords into the frame in `initialize_locals`).

/// A call site with keyword arguments and no `*` / `**` unpacking: its argument nodes split
/// once, and where its keywords land for the function it called last.
final class KeywordCallSite {
    let positional: [ExprNode]
    let keywordNames: [String]
    let keywordValues: [ExprNode]
    /// The code the plan below was made for (strong: an identity that cannot be reused), and
    /// how many leading arguments it was made for (positional ones plus the receiver).
    private var plannedCode: FunctionCode?
    private var plannedGiven = -1
    /// For each keyword, the index of the parameter it binds; for each parameter, whether a
    /// keyword binds it.
    private(set) var keywordTargets: [Int] = []
    /// The parameters after the first `given` that no keyword binds (their defaults fill them).
    private(set) var unbound: [Int] = []

    /// nil for a call with `*args` or `**kwargs`, or without keywords.
    init?(_ args: [Arg]) {
        var positional: [ExprNode] = [], names: [String] = [], values: [ExprNode] = []
        for a in args {
            switch a {
            case .positional(let n):
                guard names.isEmpty else { return nil }
                positional.append(n)
            case .keyword(let name, let n):
                names.append(name)
                values.append(n)
            case .unpack, .unpackDict:
                return nil
            }
        }
        guard !names.isEmpty else { return nil }
        self.positional = positional
        keywordNames = names
        keywordValues = values
    }

    /// Whether the keywords bind distinct parameters of `code` after the first `given`
    /// (planning them when `code` or `given` differs from the last call's); false when a
    /// keyword names no parameter, a positional-only one or one already given (the general
    /// binder raises then).
    func plan(_ code: FunctionCode, given: Int) -> Bool {
        if plannedCode === code && plannedGiven == given { return true }
        let params = code.positional
        var targets: [Int] = []
        var bound = [Bool](filling: false, count: params.count)
        for name in keywordNames {
            guard let k = params.firstIndex(where: { $0.name == name }), k >= given, k >= code.positionalOnlyCount,
                  !bound[k] else { return false }
            bound[k] = true
            targets.append(k)
        }
        keywordTargets = targets
        unbound = (given..<params.count).filter { !bound[$0] }
        plannedCode = code
        plannedGiven = given
        return true
    }
}

extension Interpreter {
    /// `receiver.name(args)` for a keyword call site when `receiver` is a plain script instance
    /// and `name` its class's script function (`callWithKeywords`); nil, with nothing evaluated,
    /// otherwise.
    func callMethodWithKeywords(_ receiver: Value, _ cache: AttributeSiteCache, _ site: KeywordCallSite,
                                _ span: SourceSpan, _ f: Frame) throws -> Value? {
        guard case .object(let o) = receiver, type(of: o) == PyInstance.self else { return nil }
        let inst = unsafeDowncast(o, to: PyInstance.self)
        guard let method = inst.cls.unretainedFunction(cache.name, cache: cache), inst.ownPosition(cache) == nil else { return nil }
        // The new frame holds the method before any argument runs (`Frame.make`).
        return try method._withUnsafeGuaranteedRef { try callWithKeywords($0, receiver: receiver, site, span, f) }
    }

    /// `fn(receiver?, args)` for a keyword call site: nil, with nothing evaluated, when `fn`'s
    /// parameters are not all plain positional ones, a keyword does not fit, or a parameter
    /// left unbound has no default.
    func callWithKeywords(_ fn: PyFunction, receiver: Value?, _ site: KeywordCallSite, _ span: SourceSpan,
                          _ f: Frame) throws -> Value? {
        guard let slots = fn.entry.exactSlots else { return nil }
        let given = (receiver == nil ? 0 : 1) + site.positional.count
        guard given <= slots.count, site.plan(fn.code, given: given) else { return nil }
        let defaults = fn.defaults
        for k in site.unbound {
            guard k < defaults.count, defaults[k] != nil else { return nil }
        }
        let frame = Frame.make(code: fn.code, function: fn, closure: fn.closure)
        try bindExact(frame, slots, receiver, site.positional, f)
        for (j, node) in site.keywordValues.enumerated() {
            frame.bindParameter(slots[site.keywordTargets[j]], try eval(node, f))
        }
        for k in site.unbound {
            if let d = defaults[k] { frame.bindParameter(slots[k], d) }
        }
        do { return try run(fn, consume frame) } catch { throw wrap(error, span, f) }
    }
}
