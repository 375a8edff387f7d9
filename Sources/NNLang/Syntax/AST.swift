// The abstract syntax tree of the nnrepl language (a subset of Python 3).
//
// Shape, in the spirit of Crafting Interpreters' jlox/slox: every node is a `final class`
// (`Expr`, `Stmt`) holding a `SourceSpan` and a `kind` enum with associated values. Children
// are class references, so the enums need no `indirect` boxing and the interpreter can
// `switch expr.kind` directly in its hot loop. Operators, f-string parts, parameter lists and
// comprehension clauses are all resolved at parse time.
//
// REPL `:commands` (lines starting with `:`, e.g. `:tree model`) are not Python: the front end
// strips them before handing source to the parser, which would reject them as invalid syntax.

/// A region of source text: 1-based line and column of the first character and the line and
/// column just past the last one. Columns count Unicode scalars (a Chinese character is one
/// column; a tab is one column).
public struct SourceSpan: Hashable, Sendable, CustomStringConvertible {
    /// 1-based line of the first character.
    public var line: Int
    /// 1-based column (in Unicode scalars) of the first character.
    public var column: Int
    /// 1-based line of the last character.
    public var endLine: Int
    /// 1-based column just past the last character (exclusive) on `endLine`.
    public var endColumn: Int

    /// Creates a span from its start and (exclusive) end positions.
    public init(line: Int, column: Int, endLine: Int, endColumn: Int) {
        self.line = line
        self.column = column
        self.endLine = endLine
        self.endColumn = endColumn
    }

    /// Creates a single-line span of `length` columns.
    public init(line: Int, column: Int, length: Int) {
        self.init(line: line, column: column, endLine: line, endColumn: column + max(0, length))
    }

    /// An empty span at line 0, for synthesized nodes.
    public static let unknown = SourceSpan(line: 0, column: 0, endLine: 0, endColumn: 0)

    /// Number of columns covered on the first line (to the end of the span, or at least 1 when
    /// the span continues on later lines). Use it to size a caret marker `^~~~`.
    public var length: Int {
        endLine == line ? max(0, endColumn - column) : 1
    }

    /// The smallest span covering both `self` and `other`.
    public func through(_ other: SourceSpan) -> SourceSpan {
        let startFirst = (line, column) <= (other.line, other.column)
        let endLast = (endLine, endColumn) >= (other.endLine, other.endColumn)
        return SourceSpan(line: startFirst ? line : other.line,
                          column: startFirst ? column : other.column,
                          endLine: endLast ? endLine : other.endLine,
                          endColumn: endLast ? endColumn : other.endColumn)
    }

    /// `line:column`, as compilers print positions.
    public var description: String { "\(line):\(column)" }
}

// MARK: - Operators

/// Binary arithmetic and bitwise operators (also the operator of an augmented assignment).
public enum BinaryOperator: String, Hashable, Sendable, CaseIterable {
    case add = "+", sub = "-", mul = "*", div = "/", floorDiv = "//", mod = "%", pow = "**"
    case matMul = "@", lshift = "<<", rshift = ">>", bitOr = "|", bitXor = "^", bitAnd = "&"

    /// The Python dunder method name without underscores, e.g. `add`, `floordiv`, `matmul`.
    public var dunderName: String {
        switch self {
        case .add: return "add"
        case .sub: return "sub"
        case .mul: return "mul"
        case .div: return "truediv"
        case .floorDiv: return "floordiv"
        case .mod: return "mod"
        case .pow: return "pow"
        case .matMul: return "matmul"
        case .lshift: return "lshift"
        case .rshift: return "rshift"
        case .bitOr: return "or"
        case .bitXor: return "xor"
        case .bitAnd: return "and"
        }
    }
}

/// Unary prefix operators: `-x`, `+x`, `~x`, `not x`.
public enum UnaryOperator: String, Hashable, Sendable, CaseIterable {
    case negate = "-", plus = "+", invert = "~", not = "not"
}

/// Short-circuiting boolean operators.
public enum LogicalOperator: String, Hashable, Sendable, CaseIterable {
    case and, or
}

/// Comparison operators, including the two-word `is not` and `not in`.
public enum ComparisonOperator: String, Hashable, Sendable, CaseIterable {
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    case `is` = "is", isNot = "is not", `in` = "in", notIn = "not in"
}

// MARK: - Expressions

/// An expression node: a `kind` plus the span of source it came from.
public final class Expr {
    /// What the expression is.
    public let kind: Kind
    /// Where it is in the source (the whole expression, e.g. all of `a.b(c)`).
    public let span: SourceSpan

    /// Creates an expression node.
    public init(_ kind: Kind, _ span: SourceSpan) {
        self.kind = kind
        self.span = span
    }

    /// The forms an expression can take.
    public enum Kind {
        /// A variable reference `x`.
        case name(String)
        /// An integer literal (must fit in 64 bits; larger literals are a SyntaxError).
        case int(Int)
        /// A float literal such as `1e-5`, `.5`, `1.`.
        case float(Double)
        /// A string literal; adjacent literals are already concatenated.
        case string(String)
        /// A bytes literal; adjacent literals are already concatenated.
        case bytes([UInt8])
        /// An f-string (possibly concatenated with plain literals) as precomputed parts.
        case fstring([FStringPart])
        /// `True` / `False`.
        case bool(Bool)
        /// `None`.
        case none
        /// `...` (Ellipsis).
        case ellipsis

        /// A tuple display `(a, b)`, `a, b`, `1,`, `()`; elements may be `.starred`.
        case tuple([Expr])
        /// A list display `[a, b]`; elements may be `.starred`.
        case list([Expr])
        /// A set display `{a, b}`; elements may be `.starred`.
        case set([Expr])
        /// A dict display `{k: v, **d}`.
        case dict([DictItem])
        /// `*x` inside a display, a call's arguments or an assignment target list.
        case starred(Expr)

        /// Attribute access `object.name`.
        case attribute(Expr, name: String)
        /// Subscript `object[index]`. Multiple dimensions `x[:, 0]` arrive as a `.tuple` index;
        /// slices as `.slice`.
        case subscription(Expr, index: Expr)
        /// A slice `lower:upper:step` (only valid as, or inside a tuple that is, a subscript index).
        case slice(lower: Expr?, upper: Expr?, step: Expr?)
        /// A call `callee(arguments...)`.
        case call(Expr, arguments: [Argument])

        /// Unary prefix operator, including `not`.
        case unary(UnaryOperator, Expr)
        /// Binary arithmetic / bitwise operator.
        case binary(BinaryOperator, Expr, Expr)
        /// `and` / `or` (short-circuiting, returns an operand).
        case logical(LogicalOperator, Expr, Expr)
        /// A comparison chain `first op0 rest[0] op1 rest[1] ...`; `ops.count == rest.count >= 1`.
        /// A plain `a < b` has one operator.
        case compare(Expr, ops: [ComparisonOperator], rest: [Expr])
        /// Conditional expression `then if condition else otherwise`.
        case ifExp(condition: Expr, then: Expr, otherwise: Expr)
        /// `lambda params: body`.
        case lambda(Parameters, body: Expr)

        /// `[element for ...]`.
        case listComp(Expr, [Comprehension])
        /// `{element for ...}`.
        case setComp(Expr, [Comprehension])
        /// `{key: value for ...}`.
        case dictComp(key: Expr, value: Expr, [Comprehension])
        /// `(element for ...)` or a bare generator as a sole call argument `f(x for x in y)`.
        case generator(Expr, [Comprehension])

        /// `yield` / `yield value` (a tuple for `yield a, b`). The compiler accepts it only as a
        /// statement or as the whole right-hand side of an assignment.
        case yield(Expr?)
        /// `yield from iterable` (same positions as `yield`).
        case yieldFrom(Expr)
        /// `name := value`, an assignment expression (in a comprehension it binds `name` in the
        /// enclosing scope, as in Python).
        case namedExpr(String, Expr)
    }
}

/// One item of a dict display.
public enum DictItem {
    /// `key: value`.
    case pair(key: Expr, value: Expr)
    /// `**mapping`.
    case unpack(Expr)
}

/// One argument of a call.
public enum Argument {
    /// `value`.
    case positional(Expr)
    /// `name=value`.
    case keyword(String, Expr)
    /// `*iterable`.
    case unpack(Expr)
    /// `**mapping`.
    case unpackDict(Expr)

    /// The argument's value expression.
    public var value: Expr {
        switch self {
        case .positional(let e), .keyword(_, let e), .unpack(let e), .unpackDict(let e): return e
        }
    }
}

/// One `for target in iterable if cond...` clause of a comprehension.
public struct Comprehension {
    /// The loop target (a name, or a tuple/list of targets).
    public let target: Expr
    /// The iterated expression.
    public let iterable: Expr
    /// The `if` filters, all of which must hold.
    public let conditions: [Expr]

    /// Creates a comprehension clause.
    public init(target: Expr, iterable: Expr, conditions: [Expr]) {
        self.target = target
        self.iterable = iterable
        self.conditions = conditions
    }
}

/// A piece of an f-string.
public enum FStringPart {
    /// Literal text (escapes and `{{`/`}}` already resolved).
    case literal(String)
    /// A replacement field `{expr!conv:spec}`.
    case value(FormattedValue)
}

/// The `!s` / `!r` / `!a` conversion of an f-string replacement field.
public enum FStringConversion: Character, Hashable, Sendable {
    case str = "s", repr = "r", ascii = "a"
}

/// A replacement field of an f-string: `{expression!conversion:formatSpec}`.
public struct FormattedValue {
    /// The embedded expression.
    public let expression: Expr
    /// Optional conversion; `{x=}` with no explicit conversion or spec implies `.repr`.
    public let conversion: FStringConversion?
    /// The format spec, itself a sequence of parts (it may contain nested `{expr}` fields);
    /// nil when there is no `:`.
    public let formatSpec: [FStringPart]?

    /// Creates a replacement field.
    public init(expression: Expr, conversion: FStringConversion?, formatSpec: [FStringPart]?) {
        self.expression = expression
        self.conversion = conversion
        self.formatSpec = formatSpec
    }
}

/// One parameter of a `def` or `lambda`.
public struct Parameter {
    /// The parameter name.
    public let name: String
    /// The default value expression, evaluated once at definition time.
    public let defaultValue: Expr?
    /// Where the name appears.
    public let span: SourceSpan
    /// The annotation (`x: int`), evaluated at definition time into `__annotations__`.
    public let annotation: Expr?

    /// Creates a parameter.
    public init(name: String, defaultValue: Expr?, span: SourceSpan, annotation: Expr? = nil) {
        self.name = name
        self.defaultValue = defaultValue
        self.span = span
        self.annotation = annotation
    }
}

/// The parameter list of a function or lambda, in Python's order:
/// `positional..., *varargs | *, keywordOnly..., **kwargs`. Annotations are parsed and dropped.
public struct Parameters {
    /// Positional-or-keyword parameters (those before `/` are also included here; see
    /// `positionalOnlyCount`).
    public var positional: [Parameter]
    /// How many leading `positional` parameters were before a `/` marker (not keyword-passable).
    public var positionalOnlyCount: Int
    /// `*args`, if present.
    public var varargs: Parameter?
    /// Keyword-only parameters (after `*` or `*args`); a nil default means required.
    public var keywordOnly: [Parameter]
    /// `**kwargs`, if present.
    public var kwargs: Parameter?
    /// The return annotation (`-> T`), if any.
    public var returns: Expr?

    /// Creates a parameter list.
    public init(positional: [Parameter] = [], positionalOnlyCount: Int = 0, varargs: Parameter? = nil,
                keywordOnly: [Parameter] = [], kwargs: Parameter? = nil) {
        self.positional = positional
        self.positionalOnlyCount = positionalOnlyCount
        self.varargs = varargs
        self.keywordOnly = keywordOnly
        self.kwargs = kwargs
    }

    /// An empty parameter list.
    public static let empty = Parameters()
}

// MARK: - Statements

/// A statement node: a `kind` plus the span of source it came from (for compound statements,
/// the header line, e.g. `for x in y:`).
public final class Stmt {
    /// What the statement is.
    public let kind: Kind
    /// Where it is in the source.
    public let span: SourceSpan

    /// Creates a statement node.
    public init(_ kind: Kind, _ span: SourceSpan) {
        self.kind = kind
        self.span = span
    }

    /// The forms a statement can take.
    public enum Kind {
        /// An expression evaluated for its effect (the REPL echoes its `repr` unless None).
        case expression(Expr)
        /// `t1 = t2 = ... = value`; `targets` in source order (at least one). Targets are names,
        /// attributes, subscripts, or tuples/lists of targets (with at most one `.starred`).
        case assign(targets: [Expr], value: Expr)
        /// `target op= value`; target is a name, attribute or subscript.
        case augAssign(target: Expr, op: BinaryOperator, value: Expr)
        /// `target: annotation = value`; the annotation is parsed but carries no meaning.
        /// `value` nil for a bare declaration `x: int`.
        case annAssign(target: Expr, annotation: Expr, value: Expr?)

        /// `if condition: body else: otherwise`; `elif` arrives as a nested `.ifStmt` as the
        /// only statement of `otherwise`.
        case ifStmt(condition: Expr, body: [Stmt], otherwise: [Stmt])
        /// `while condition: body else: otherwise`.
        case whileStmt(condition: Expr, body: [Stmt], otherwise: [Stmt])
        /// `for target in iterable: body else: otherwise`.
        case forStmt(target: Expr, iterable: Expr, body: [Stmt], otherwise: [Stmt])
        /// `break`.
        case breakStmt
        /// `continue`.
        case continueStmt
        /// `pass`.
        case pass

        /// `def name(params): body` (with decorators, if any).
        case functionDef(FunctionDef)
        /// `return` / `return value`.
        case returnStmt(Expr?)
        /// `global a, b`.
        case global([String])
        /// `nonlocal a, b`.
        case nonlocal([String])
        /// `class Name(bases): body`.
        case classDef(ClassDef)

        /// `try: body except...: else: finally:`.
        case tryStmt(body: [Stmt], handlers: [ExceptHandler], otherwise: [Stmt], finally: [Stmt])
        /// `raise`, `raise exc`, `raise exc from cause`.
        case raise(exception: Expr?, cause: Expr?)
        /// `assert condition, message`.
        case assert(condition: Expr, message: Expr?)
        /// `del t1, t2`; targets are names, attributes, subscripts or tuples/lists of them.
        case del([Expr])
        /// `with a as b, c: body`.
        case with([WithItem], body: [Stmt])
        /// `match subject:` with its `case` blocks, tried in order.
        case match(subject: Expr, cases: [MatchCase])

        /// `import a.b.c as d, e`.
        case importStmt([ImportAlias])
        /// `from module import a as b, c` (`level` counts leading dots of a relative import;
        /// `from m import *` arrives as a single alias named `*`).
        case importFrom(module: String, names: [ImportAlias], level: Int)
    }
}

/// A function definition (shared by `def` statements; lambdas use `Parameters` directly).
public final class FunctionDef {
    /// The function's name.
    public let name: String
    /// Its parameters.
    public let parameters: Parameters
    /// Its body (never empty).
    public let body: [Stmt]
    /// Decorator expressions, outermost first (`@a @b def f` → `[a, b]`, meaning `a(b(f))`).
    public let decorators: [Expr]
    /// The span of the `def name(...)` header.
    public let span: SourceSpan

    /// Creates a function definition.
    public init(name: String, parameters: Parameters, body: [Stmt], decorators: [Expr], span: SourceSpan) {
        self.name = name
        self.parameters = parameters
        self.body = body
        self.decorators = decorators
        self.span = span
    }
}

/// A class definition.
public final class ClassDef {
    /// The class name.
    public let name: String
    /// Base class expressions in order (usually zero or one).
    public let bases: [Expr]
    /// The class body.
    public let body: [Stmt]
    /// Decorator expressions, outermost first.
    public let decorators: [Expr]
    /// The span of the `class Name(...)` header.
    public let span: SourceSpan
    /// Keyword arguments of the header (`class A(Base, tag=1)`), passed to `__init_subclass__`.
    public let keywords: [(name: String, value: Expr)]

    /// Creates a class definition.
    public init(name: String, bases: [Expr], keywords: [(name: String, value: Expr)] = [], body: [Stmt],
                decorators: [Expr], span: SourceSpan) {
        self.name = name
        self.bases = bases
        self.keywords = keywords
        self.body = body
        self.decorators = decorators
        self.span = span
    }
}

/// One `except` clause.
public struct ExceptHandler {
    /// The exception type expression (a name, attribute or tuple); nil for a bare `except:`.
    public let type: Expr?
    /// The `as name` binding, if any.
    public let name: String?
    /// The handler body.
    public let body: [Stmt]
    /// The span of the `except ...:` header.
    public let span: SourceSpan

    /// Creates an except clause.
    public init(type: Expr?, name: String?, body: [Stmt], span: SourceSpan) {
        self.type = type
        self.name = name
        self.body = body
        self.span = span
    }
}

/// One `context as target` item of a `with` statement.
public struct WithItem {
    /// The context manager expression.
    public let context: Expr
    /// The optional `as` target (a name or any assignment target).
    public let target: Expr?

    /// Creates a with-item.
    public init(context: Expr, target: Expr?) {
        self.context = context
        self.target = target
    }
}

/// One name of an `import` or `from ... import` statement.
public struct ImportAlias {
    /// The (possibly dotted) name, e.g. `torch.nn`.
    public let name: String
    /// The `as` name, if any.
    public let asName: String?
    /// Where the alias appears.
    public let span: SourceSpan

    /// Creates an import alias.
    public init(name: String, asName: String?, span: SourceSpan) {
        self.name = name
        self.asName = asName
        self.span = span
    }

    /// `name` split at dots.
    public var components: [String] { name.split(separator: ".").map(String.init) }
}

/// One `case pattern [if guard]: body` of a `match` statement.
public struct MatchCase {
    public let pattern: Pattern
    public let guardExpr: Expr?
    public let body: [Stmt]
    /// The span of the `case ...:` header.
    public let span: SourceSpan

    public init(pattern: Pattern, guardExpr: Expr?, body: [Stmt], span: SourceSpan) {
        self.pattern = pattern
        self.guardExpr = guardExpr
        self.body = body
        self.span = span
    }
}

/// A `case` pattern (Python's structural pattern matching, PEP 634).
public indirect enum Pattern {
    /// `_`.
    case wildcard
    /// A bare name: matches anything and binds it.
    case capture(String)
    /// A literal (number, string, `-1`) or a dotted name (`Color.RED`): matches what `==` it.
    case value(Expr)
    /// `None`, `True`, `False`: matches by identity.
    case singleton(Expr)
    /// `[p, *rest, q]` / `(p, q)` / `p, q`: a sequence (not a str) of matching length.
    case sequence([Pattern])
    /// `*name` / `*_` inside a sequence pattern (nil: `*_`).
    case star(String?)
    /// `{key: p, **rest}`: a mapping holding those keys, whose values match.
    case mapping(keys: [Expr], values: [Pattern], rest: String?)
    /// `Cls(p, attr=q)`: an instance of `Cls` whose `__match_args__` attributes and named
    /// attributes match.
    case classPattern(Expr, positional: [Pattern], keywords: [(String, Pattern)])
    /// `p | q`: the first alternative that matches.
    case or([Pattern])
    /// `p as name`.
    case asPattern(Pattern, String)

    /// The names the pattern binds, in order of appearance.
    public var boundNames: [String] {
        switch self {
        case .wildcard, .value, .singleton, .star(nil): return []
        case .capture(let n), .star(let n?): return [n]
        case .sequence(let items): return items.flatMap(\.boundNames)
        case .mapping(_, let values, let rest): return values.flatMap(\.boundNames) + (rest.map { [$0] } ?? [])
        case .classPattern(_, let positional, let keywords):
            return positional.flatMap(\.boundNames) + keywords.flatMap(\.1.boundNames)
        case .or(let alternatives): return alternatives.first?.boundNames ?? []
        case .asPattern(let p, let n): return p.boundNames + [n]
        }
    }

    /// The expressions the pattern evaluates (values, class names, mapping keys).
    public var expressions: [Expr] {
        switch self {
        case .wildcard, .capture, .star: return []
        case .value(let e), .singleton(let e): return [e]
        case .sequence(let items), .or(let items): return items.flatMap(\.expressions)
        case .mapping(let keys, let values, _): return keys + values.flatMap(\.expressions)
        case .classPattern(let cls, let positional, let keywords):
            return [cls] + positional.flatMap(\.expressions) + keywords.flatMap(\.1.expressions)
        case .asPattern(let p, _): return p.expressions
        }
    }
}
