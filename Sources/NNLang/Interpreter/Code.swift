// The interpreter's executable tree: the AST after name resolution. Every variable reference
// is resolved at compile time to a frame slot, a closure cell or a module-global cell, and
// literals become constants, so the evaluator never hashes a name in its hot path.

/// A module-level variable (one per global name per interpreter), shared by all code that
/// refers to it. `value` nil means unbound; loads then fall back to the builtin of that name.
final class GlobalCell {
    let name: String
    var value: Value?
    let builtin: Value?

    init(name: String, builtin: Value?) {
        self.name = name
        self.builtin = builtin
    }
}

/// A variable captured by a closure (Python's cell object).
final class Cell {
    var value: Value?
    init(_ value: Value? = nil) { self.value = value }
    deinit { if value != nil { DeferredRelease.release(&value, to: nil) } }
}

/// The source text of one compiled unit, for tracebacks.
public final class SourceFile {
    public let name: String
    public let lines: [Substring]

    public init(name: String, text: String) {
        self.name = name
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The 1-based line `n`, or "" when out of range.
    func line(_ n: Int) -> String {
        n >= 1 && n <= lines.count ? String(lines[n - 1]) : ""
    }
}

/// A node of the executable tree held without a retain: the node that owns it (through its
/// `kind`) outlives every use, so reading a child costs no retain/release pair. Swift copies
/// an enum payload's references (a retain each) when a `switch` binds them, and it retains a
/// class reference read from another object around a call; an `Unmanaged` read through
/// `_withUnsafeGuaranteedRef` does neither (measured: 2-3 pairs per node visited before).
typealias Unretained<T: AnyObject> = Unmanaged<T>

extension Array where Element: AnyObject {
    /// Element `i` without a retain (the array, which the caller keeps alive, owns it), or nil
    /// when `i` is out of range.
    @inline(__always)
    func unretained(_ i: Int) -> Unmanaged<Element>? {
        withUnretainedElements { $0.indices.contains(i) ? $0[i] : nil }
    }

    /// Calls `body` with each element in order, without retaining it.
    @inline(__always)
    func forEachUnretained(_ body: (Element) throws -> Void) rethrows {
        try withUnretainedElements { elements in
            for element in elements { try element._withUnsafeGuaranteedRef(body) }
        }
    }

    /// The elements seen as `Unmanaged` (a class reference and `Unmanaged` of it have the same
    /// single-pointer layout); empty when the array has no storage.
    @inline(__always)
    private func withUnretainedElements<R>(_ body: (UnsafeBufferPointer<Unmanaged<Element>>) throws -> R) rethrows -> R {
        try withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: Unmanaged<Element>.self) }
            return try body(UnsafeBufferPointer(start: base, count: base == nil ? 0 : buffer.count))
        }
    }
}

/// An expression of the executable tree.
final class ExprNode {
    let kind: Kind
    let span: SourceSpan
    /// For `.attribute`: the site's class-lookup cache.
    let attributeCache: AttributeSiteCache?
    /// The hot kinds again with unretained children (`kind` owns them): what `eval` switches on.
    let fast: Fast
    /// For `.callPositional`: the argument nodes (read by the call paths without a payload copy).
    let operands: [ExprNode]
    /// For `.call` with keyword arguments and no unpacking: the site's split arguments and plan.
    let keywordSite: KeywordCallSite?

    init(_ kind: Kind, _ span: SourceSpan) {
        self.kind = kind
        self.span = span
        if case .attribute(_, let name) = kind { attributeCache = AttributeSiteCache(name: name) } else { attributeCache = nil }
        fast = Fast(kind, attributeCache)
        if case .callPositional(_, let args) = kind { operands = args } else { operands = [] }
        if case .call(_, let args) = kind { keywordSite = KeywordCallSite(args) } else { keywordSite = nil }
    }

    /// Whether this is `super()`: a call of the global name `super` without arguments.
    var isZeroArgumentSuperCall: Bool {
        guard case .callPositional(let callee, let args) = kind, args.isEmpty,
              case .global(let cell) = callee.kind else { return false }
        return cell.name == "super"
    }

    /// The borrowed form of the kinds every loop and call evaluates; `.other` sends `eval` to `kind`.
    enum Fast {
        /// An int or float literal (nothing to retain).
        case int(Int)
        case float(Double)
        case local(Int)
        case global(Unretained<GlobalCell>)
        case binary(BinaryOperator, Operand, Operand)
        case compare(Operand, ComparisonOperator, Operand)
        /// `object.name`: the object and the site's cache (whose `name` it is).
        case attribute(Operand, Unretained<AttributeSiteCache>)
        case item(Operand, Operand)
        /// `object[lower:upper]` (no step): the bounds evaluated without making a slice object.
        case itemSlice(Operand, Unretained<ExprNode>?, Unretained<ExprNode>?)
        case unary(UnaryOperator, Unretained<ExprNode>)
        case logical(LogicalOperator, Unretained<ExprNode>, Unretained<ExprNode>)
        case ifExp(Unretained<ExprNode>, Unretained<ExprNode>, Unretained<ExprNode>)
        /// `callee(args)` with positional arguments only (`operands`), callee not an attribute.
        case call(Unretained<ExprNode>)
        /// `receiver.name(args)` with positional arguments only: the `receiver.name` node.
        /// `viaSuper`: the receiver is `super()`, a call of the global name `super` without
        /// arguments (`Interpreter.superMethod` may then skip making the `super` object).
        /// The attribute node's site cache rides along, read without a retain.
        case methodCall(Unretained<ExprNode>, Unretained<AttributeSiteCache>, viaSuper: Bool)
        case other

        init(_ kind: Kind, _ attributeCache: AttributeSiteCache?) {
            func u(_ n: ExprNode) -> Unretained<ExprNode> { .passUnretained(n) }
            switch kind {
            case .constant(.int(let i)): self = .int(i)
            case .constant(.float(let d)): self = .float(d)
            case .local(let i, _): self = .local(i)
            case .global(let cell): self = .global(.passUnretained(cell))
            case .binary(let op, let a, let b): self = .binary(op, Operand(a), Operand(b))
            case .compare(let a, let op, let b): self = .compare(Operand(a), op, Operand(b))
            case .attribute(let o, _):
                if let cache = attributeCache { self = .attribute(Operand(o), .passUnretained(cache)) } else { self = .other }
            case .item(let o, let k):
                if case .slice(let lower, let upper, nil) = k.kind {
                    self = .itemSlice(Operand(o), lower.map(u), upper.map(u))
                } else {
                    self = .item(Operand(o), Operand(k))
                }
            case .unary(let op, let x): self = .unary(op, u(x))
            case .logical(let op, let a, let b): self = .logical(op, u(a), u(b))
            case .ifExp(let c, let t, let o): self = .ifExp(u(c), u(t), u(o))
            case .callPositional(let callee, _):
                if case .attribute(let receiver, _) = callee.kind, let cache = callee.attributeCache {
                    self = .methodCall(u(callee), .passUnretained(cache), viaSuper: receiver.isZeroArgumentSuperCall)
                } else {
                    self = .call(u(callee))
                }
            default: self = .other
            }
        }
    }

    /// A child of an operator or subscript as its parent evaluates it: a local variable or a
    /// number literal is read inline (CPython's `LOAD_FAST` / `LOAD_CONST` feeding a
    /// `BINARY_OP`), saving a recursive `eval` call per leaf; anything else is evaluated.
    enum Operand {
        /// A local slot; the node raises UnboundLocalError when the slot is empty.
        case local(Int, Unretained<ExprNode>)
        case int(Int)
        case float(Double)
        case node(Unretained<ExprNode>)

        init(_ n: ExprNode) {
            switch n.kind {
            case .local(let i, _): self = .local(i, .passUnretained(n))
            case .constant(.int(let i)): self = .int(i)
            case .constant(.float(let d)): self = .float(d)
            default: self = .node(.passUnretained(n))
            }
        }

        /// The node (for a local or a node; nil for a literal).
        var node: Unretained<ExprNode>? {
            switch self {
            case .local(_, let n), .node(let n): return n
            case .int, .float: return nil
            }
        }
    }

    enum Kind {
        case constant(Value)
        case local(Int, String)
        case cell(Int, String)
        case global(GlobalCell)
        /// A name bound in a class body: the class namespace, else `fallback`.
        case className(String, fallback: ExprNode)
        case fstring([FPart])
        case tuple([ExprNode])
        case list([ExprNode])
        case set([ExprNode])
        /// A set display of more than two constants, as CPython compiles it: a frozenset built
        /// once, merged into a new set on each evaluation (the merge decides the order).
        case constantSet(PySet)
        /// Dict display items; a nil key means `**value`.
        case dict([(key: ExprNode?, value: ExprNode)])
        case starred(ExprNode)
        case attribute(ExprNode, String)
        case item(ExprNode, ExprNode)
        case slice(ExprNode?, ExprNode?, ExprNode?)
        /// A call whose arguments are all plain positional expressions.
        case callPositional(ExprNode, [ExprNode])
        case call(ExprNode, [Arg])
        case unary(UnaryOperator, ExprNode)
        case binary(BinaryOperator, ExprNode, ExprNode)
        /// `[a, b] + other` (`displayFirst`) or `other + [a, b]`: a list display without starred
        /// items added to another value. When the other value is exactly a list the result is
        /// built in one step, without the display's own list (ListConcatenation.swift).
        case listConcatenation(display: [ExprNode], other: ExprNode, displayFirst: Bool)
        /// `a[i:j] + b[k:l]` (slices without a step): when both are lists, or both tuples, the
        /// runs are copied into one result without the two slices (FusedConcatenation.swift).
        case sliceConcatenation(ExprNode, ExprNode)
        case logical(LogicalOperator, ExprNode, ExprNode)
        case compare(ExprNode, ComparisonOperator, ExprNode)
        case compareChain(ExprNode, [ComparisonOperator], [ExprNode])
        case ifExp(ExprNode, ExprNode, ExprNode)
        case lambda(FunctionCode)
        /// A list, set or dict comprehension or a generator expression.
        case comprehension(ComprehensionCode)
        /// `name := value`: stores the value in the target and evaluates to it.
        case assignExpr(Target, ExprNode)
        /// A `case` pattern tried on the subject (PatternMatching.swift): True, its captures
        /// stored, when it matches.
        case matchPattern(CompiledPattern, ExprNode)
    }
}

/// A comprehension compiled to statements the executor runs like any others: `body` is one
/// `for` statement (the first clause), with the later clauses nested in it as `for`s and `if`s,
/// and at the innermost level a `.collect` into the result being built (list, set, dict) or a
/// `yield` of the element (generator expression: a generator running `body` in the frame that
/// created it, where the compiler gave the loop variables their own slots).
final class ComprehensionCode {
    enum Result { case list, set, dict, generator }
    let result: Result
    let body: [Op]
    /// The local slot holding the list, set or dict being built (nil for a generator expression).
    let resultSlot: Int?

    init(result: Result, body: [Op], resultSlot: Int?) {
        self.result = result
        self.body = body
        self.resultSlot = resultSlot
    }

    /// The first clause's iterable: evaluated in the enclosing scope when the expression is.
    var firstIterable: ExprNode? {
        if case .forStmt(_, let iterable, _, _)? = body.first?.kind { return iterable }
        return nil
    }
}

/// A piece of an f-string.
enum FPart {
    case literal(String)
    case value(ExprNode, conversion: FStringConversion?, spec: [FPart]?)
}

/// One argument of a call.
enum Arg {
    case positional(ExprNode)
    case keyword(String, ExprNode)
    case unpack(ExprNode)
    case unpackDict(ExprNode)
}

/// An assignment target.
final class Target {
    let kind: Kind
    let span: SourceSpan
    /// For `.attribute`: the site's class-lookup cache.
    let attributeCache: AttributeSiteCache?
    /// The hot kinds again with unretained children (`kind` owns them): what `store` switches on.
    let fast: Fast

    init(_ kind: Kind, _ span: SourceSpan) {
        self.kind = kind
        self.span = span
        if case .attribute(_, let name) = kind { attributeCache = AttributeSiteCache(name: name) } else { attributeCache = nil }
        switch kind {
        case .local(let i, _): fast = .local(i)
        case .attribute(let o, _):
            if let cache = attributeCache { fast = .attribute(.passUnretained(o), .passUnretained(cache)) } else { fast = .other }
        case .item(let o, let k): fast = .item(ExprNode.Operand(o), ExprNode.Operand(k))
        case .sequence(let targets, nil):
            let names = targets.compactMap { t -> Name? in
                switch t.kind {
                case .local(let i, _): return .local(i)
                case .global(let cell): return .global(.passUnretained(cell))
                default: return nil
                }
            }
            fast = names.count == targets.count ? .names(names) : .other
        default: fast = .other
        }
    }

    /// The borrowed form of the targets loops assign to; `.other` sends `store` to `kind`.
    enum Fast {
        case local(Int)
        /// `object.name = …`: the object node and the site's cache (whose `name` it is).
        case attribute(Unretained<ExprNode>, Unretained<AttributeSiteCache>)
        /// `object[key] = …`.
        case item(ExprNode.Operand, ExprNode.Operand)
        /// `a, b = …` (also `for k, v in …`) into plain names, no starred one: a tuple or list
        /// of as many items is unpacked straight into them (CPython's `UNPACK_SEQUENCE_TUPLE`);
        /// anything else takes `kind`'s general unpacking.
        case names([Name])
        case other
    }

    /// A local slot or a module-level global (`Fast.names`).
    enum Name {
        case local(Int)
        case global(Unretained<GlobalCell>)
    }

    enum Kind {
        case local(Int, String)
        case cell(Int, String)
        case global(GlobalCell)
        case className(String)
        case attribute(ExprNode, String)
        case item(ExprNode, ExprNode)
        /// `a, *b, c`: the elements and the index of the starred one.
        case sequence([Target], starIndex: Int?)
    }
}

/// A statement of the executable tree.
final class Op {
    let kind: Kind
    let span: SourceSpan
    /// Whether this statement is, or contains in its own blocks, a `yield` of the enclosing
    /// generator: only such statements can be suspended, so only they look for a saved
    /// resume point when they start (Exec.swift).
    var containsYield = false
    /// The hot kinds again with unretained children (`kind` owns them): what `exec` switches on.
    let fast: Fast
    /// For `if`, `for` and `while`: the body and the `else` block (read without a payload copy).
    let blocks: (body: [Op], orElse: [Op])
    /// A `yield x` (or bare `yield`) statement whose value goes nowhere: resuming there with
    /// nothing thrown in only moves on to the next statement (`execBlock`).
    let isBareYield: Bool

    init(_ kind: Kind, _ span: SourceSpan) {
        self.kind = kind
        self.span = span
        switch kind {
        case .expression(let e): fast = .expression(.passUnretained(e))
        case .assign(let targets, let value) where targets.count == 1:
            if case .sequence(let names, nil) = targets[0].kind, names.count == 2,
               case .tuple(let items) = value.kind, items.count == 2,
               !items.contains(where: { if case .starred = $0.kind { return true } else { return false } }) {
                fast = .assignPair(.passUnretained(names[0]), .passUnretained(names[1]),
                                   .passUnretained(items[0]), .passUnretained(items[1]))
            } else if case .sequence = targets[0].kind, case .other = targets[0].fast {
                fast = .other
            } else if case .local(let slot, _) = targets[0].kind {
                fast = .assignLocal(slot, ExprNode.Operand(value))
            } else {
                fast = .assign(.passUnretained(targets[0]), .passUnretained(value))
            }
        case .augAssign(let t, let op, let value): fast = .augAssign(.passUnretained(t), op, .passUnretained(value))
        case .returnStmt(let e): fast = .returnStmt(e.map { .passUnretained($0) })
        case .ifStmt(let c, _, _): fast = .ifStmt(.passUnretained(c))
        case .collect(let slot, .item(let e)): fast = .collectItem(into: slot, .passUnretained(e))
        case .collect(let slot, .pair(let k, let v)): fast = .collectPair(into: slot, .passUnretained(k), .passUnretained(v))
        case .forStmt(let t, let iterable, _, _): fast = .forLoop(.passUnretained(t), .passUnretained(iterable))
        case .whileStmt(let c, _, _): fast = .whileLoop(.passUnretained(c))
        case .yieldValue(let e, _): fast = .yieldValue(e.map { .passUnretained($0) })
        case .pass: fast = .pass
        default: fast = .other
        }
        switch kind {
        case .ifStmt(_, let body, let orElse), .forStmt(_, _, let body, let orElse), .whileStmt(_, let body, let orElse):
            blocks = (body, orElse)
        default:
            blocks = ([], [])
        }
        if case .yieldValue(_, let targets) = kind { isBareYield = targets.isEmpty } else { isBareYield = false }
    }

    /// The borrowed form of the statements loops run; `.other` sends `exec` to `kind`.
    enum Fast {
        case expression(Unretained<ExprNode>)
        /// `target = value` with one target that is not a sequence.
        case assign(Unretained<Target>, Unretained<ExprNode>)
        /// `x = value` into local slot `x` (CPython's `STORE_FAST`): no `store` dispatch, and a
        /// local or literal value is read inline.
        case assignLocal(Int, ExprNode.Operand)
        /// `a, b = x, y`: both values, then both stores, with no tuple or array between.
        case assignPair(Unretained<Target>, Unretained<Target>, Unretained<ExprNode>, Unretained<ExprNode>)
        case augAssign(Unretained<Target>, BinaryOperator, Unretained<ExprNode>)
        case returnStmt(Unretained<ExprNode>?)
        /// `if condition:` (the blocks are `Op.blocks`).
        case ifStmt(Unretained<ExprNode>)
        /// A comprehension's `.collect` of an element, or of a key and a value.
        case collectItem(into: Int, Unretained<ExprNode>)
        case collectPair(into: Int, Unretained<ExprNode>, Unretained<ExprNode>)
        /// `for target in iterable:` (the blocks are `Op.blocks`): each step of a generator
        /// resumes through the loops around its `yield`, so they skip `execOther`'s large frame.
        case forLoop(Unretained<Target>, Unretained<ExprNode>)
        /// `while condition:` (the blocks are `Op.blocks`).
        case whileLoop(Unretained<ExprNode>)
        /// `yield value` (nil: `yield`); what is sent in goes to the statement's targets.
        case yieldValue(Unretained<ExprNode>?)
        /// `pass` (also what a loop body of `...` compiles to).
        case pass
        case other
    }

    enum Kind {
        case expression(ExprNode)
        /// A top-level REPL expression statement: its repr is printed unless None.
        case echo(ExprNode)
        case assign([Target], ExprNode)
        case augAssign(Target, BinaryOperator, ExprNode)
        case ifStmt(ExprNode, [Op], [Op])
        case whileStmt(ExprNode, [Op], [Op])
        case forStmt(Target, ExprNode, [Op], [Op])
        case breakStmt
        case continueStmt
        case pass
        case functionDef(FunctionCode, decorators: [ExprNode], target: Target)
        case returnStmt(ExprNode?)
        case classDef(ClassCode, bases: [ExprNode], decorators: [ExprNode], target: Target)
        case tryStmt([Op], [Handler], [Op], [Op])
        case raise(ExprNode?, ExprNode?)
        case assert(ExprNode, ExprNode?)
        case del([Target])
        case with([(context: ExprNode, target: Target?)], [Op])
        /// `import a.b as c` (bind `c` to a.b) or `import a.b` (bind `a` to a).
        case importModule(name: String, bindFull: Bool, target: Target)
        case importFrom(module: String, names: [(name: String, target: Target)])
        case importStar(module: String)
        /// `yield value` (nil: `yield`), or `targets = yield value`: the value sent back in
        /// is stored into the targets. Only in generator functions.
        case yieldValue(ExprNode?, [Target])
        /// `yield from iterable`, or `targets = yield from iterable` (the sub-generator's
        /// return value is stored into the targets).
        case yieldFrom(ExprNode, [Target])
        /// The innermost statement of a list, set or dict comprehension: adds the element to
        /// the result in local slot `into`.
        case collect(into: Int, Collected)
    }

    /// What a comprehension adds to its result per iteration.
    enum Collected {
        case item(ExprNode)
        case pair(key: ExprNode, value: ExprNode)
    }
}

/// One `except` clause.
struct Handler {
    let type: ExprNode?
    let target: Target?
    let body: [Op]
    let span: SourceSpan
}

/// How a frame's cell slot is filled when the frame starts.
enum CellSource {
    /// A fresh, empty cell owned by this frame.
    case fresh
    /// The `n`th cell captured by the closure.
    case free(Int)
}

/// What every executable unit (module, function, lambda, class body) shares.
class CodeUnit {
    let name: String
    let source: SourceFile
    var localCount = 0
    var cellPlan: [CellSource] = []
    /// Whether `cellPlan` has a `.fresh` cell (made anew by each call, and possibly captured by
    /// a closure): frames of such code are never reused (`Frame.recycle`).
    var hasFreshCells = false
    /// For each `.free` cell: the index of the cell in the defining frame.
    var freeSources: [Int] = []
    var body: [Op] = []
    /// A frame a finished call of this code left for the next call (`Frame.recycle`).
    var spareFrame: Frame?
    /// More spare frames, filled only while `spareFrame` is taken (by recursion): each level of
    /// a recursive function gets one back, up to `Frame.spareLimit`. A list linked through the
    /// frames' `nextSpare` (an array of frames ran the standard library's prespecialised
    /// `Array<AnyObject>` code, with an atomic retain per push), `moreSpareCount` long.
    var moreSpareFrames: Frame?
    var moreSpareCount = 0

    init(name: String, source: SourceFile) {
        self.name = name
        self.source = source
    }
}

/// A compiled module or REPL input.
final class ModuleCode: CodeUnit {}

/// A compiled `def` or `lambda`.
final class FunctionCode: CodeUnit {
    struct Param {
        let name: String
        let slot: Target
        let defaultValue: ExprNode?
    }
    var positional: [Param] = []
    var positionalOnlyCount = 0
    var varargs: Param?
    var keywordOnly: [Param] = []
    var kwargs: Param?
    /// For a lambda: its expression (the body is empty).
    var expression: ExprNode?
    /// For a `def` whose whole body is `return value`: the value and the statement's span, so
    /// a call evaluates it without running a block (its errors gain the span as the
    /// statement's would).
    var returnExpression: (ExprNode, SourceSpan)?
    /// A `def` whose body contains `yield`: calling it makes a generator.
    var isGenerator = false
    /// The docstring (the body's first statement, when that is a string literal): `__doc__`.
    /// The parameter and return annotations (`"return"` last), evaluated at `def` time into
    /// the function's `__annotations__`.
    var annotations: [(name: String, value: ExprNode)] = []
    var doc: String?
    /// The local slots of the parameters when they are all plain positional parameters held
    /// in locals (no `*args`, keyword-only, `**kwargs` or captured parameter): a call with
    /// exactly that many positional arguments stores them straight into these slots.
    var exactSlots: [Int]?
    /// The local slots of every parameter, when none is captured by a closure (all are plain
    /// locals): the general binder then writes arguments straight into the frame.
    var parameterSlots: ParameterSlots?
    let span: SourceSpan

    /// Where each parameter lives in the frame's locals.
    struct ParameterSlots {
        let positional: [Int]
        let varargs: Int?
        let keywordOnly: [Int]
        let kwargs: Int?

        /// nil when a parameter is not a plain local (a closure captures it).
        init?(_ code: FunctionCode) {
            func local(_ p: Param) -> Int? {
                if case .local(let i, _) = p.slot.kind { return i }
                return nil
            }
            let positional = code.positional.compactMap(local), keywordOnly = code.keywordOnly.compactMap(local)
            guard positional.count == code.positional.count, keywordOnly.count == code.keywordOnly.count else { return nil }
            let varargs = code.varargs.map(local), kwargs = code.kwargs.map(local)
            if case .some(nil) = varargs { return nil }
            if case .some(nil) = kwargs { return nil }
            self.positional = positional
            self.keywordOnly = keywordOnly
            self.varargs = varargs ?? nil
            self.kwargs = kwargs ?? nil
        }
    }

    /// What every call of this code reads, gathered once it is compiled so that a function can
    /// keep it in a `let` (`PyFunction.entry`): a `let` of an object the caller holds is read
    /// without a retain, this code's `var`s are not (measured: one retain/release pair per call
    /// for each of `exactSlots` and the body).
    struct Entry {
        let exactSlots: [Int]?
        let parameterSlots: ParameterSlots?
        let body: [Op]
        /// `expression`, unretained (the code owns it).
        let expression: Unretained<ExprNode>?
        /// `returnExpression`, its node unretained.
        let returnValue: (node: Unretained<ExprNode>, span: SourceSpan)?
        let isGenerator: Bool
    }

    var entry: Entry {
        Entry(exactSlots: exactSlots, parameterSlots: parameterSlots, body: body, expression: expression.map { .passUnretained($0) },
              returnValue: returnExpression.map { (.passUnretained($0.0), $0.1) }, isGenerator: isGenerator)
    }

    init(name: String, source: SourceFile, span: SourceSpan) {
        self.span = span
        super.init(name: name, source: source)
    }
}

/// A compiled class body.
final class ClassCode: CodeUnit {
    /// The class body's docstring (its first statement, when that is a string literal): `__doc__`.
    var doc: String?
    /// The header's keyword arguments (`class A(Base, tag=1)`), evaluated with the bases.
    var keywords: [(String, ExprNode)] = []
}
