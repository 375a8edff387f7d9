import Foundation

/// A Python parameter list, written once as Python source (`"input, dim=None, keepdim=False, *,
/// dtype=None"`) and parsed when a binding is declared. The same value binds call arguments
/// (defaults filled in, Python's TypeErrors), prints `help()` / `:help` signatures and lists the
/// keyword names Tab completion offers: the code is the signature.
///
/// Supported: plain parameters, defaults that are literals (None, True, False, numbers, strings,
/// tuples of those), `/` (positional-only before it), `*` (keyword-only after it), `*args`, `**kwargs`.
public struct Signature {
    /// How a parameter takes its argument.
    public enum Kind {
        case positionalOnly, positionalOrKeyword, keywordOnly
        /// `*args`: the extra positional arguments.
        case varPositional
        /// `**kwargs`: the extra keyword arguments.
        case varKeyword
    }

    /// One parameter: its name, kind and default (nil when required).
    public struct Parameter {
        public let name: String
        public let kind: Kind
        /// The default as written (`None`, `1e-05`, `'zeros'`), nil when the parameter is required.
        public let defaultText: String?
        let defaultValue: Value?
    }

    /// Whose wording a missing argument gets: Python's (`f() missing 1 required positional
    /// argument: 'x'`) or PyTorch's argument parser's (`f() missing 1 required positional arguments: "x"`).
    public enum Style { case python, torch }

    public let parameters: [Parameter]
    public let style: Style
    /// How many parameters take positional arguments (positional-only and positional-or-keyword).
    let positionalCount: Int
    let varPositionalIndex: Int?
    let varKeywordIndex: Int?

    /// Parses a parameter list. Declarations are program text, not user input: a default that is
    /// not a literal is kept as text and binds as None, so a typo shows in `help()`, never traps.
    public init(_ text: String, style: Style = .python) {
        var parameters: [Parameter] = []
        var keywordOnly = false
        for raw in Signature.splitTopLevel(text) {
            let item = raw.trimmingCharacters(in: .whitespaces)
            if item.isEmpty { continue }
            if item == "/" {
                parameters = parameters.map { Parameter(name: $0.name, kind: .positionalOnly, defaultText: $0.defaultText,
                                                         defaultValue: $0.defaultValue) }
                continue
            }
            if item == "*" { keywordOnly = true; continue }
            if item.hasPrefix("**") {
                parameters.append(Parameter(name: String(item.dropFirst(2)), kind: .varKeyword, defaultText: nil, defaultValue: nil))
                continue
            }
            if item.hasPrefix("*") {
                parameters.append(Parameter(name: String(item.dropFirst()), kind: .varPositional, defaultText: nil, defaultValue: nil))
                keywordOnly = true
                continue
            }
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let defaultText = parts.count == 2 ? parts[1] : nil
            parameters.append(Parameter(name: parts[0], kind: keywordOnly ? .keywordOnly : .positionalOrKeyword,
                                        defaultText: defaultText, defaultValue: defaultText.map(Signature.literal)))
        }
        self.init(parameters: parameters, style: style)
    }

    private init(parameters: [Parameter], style: Style) {
        self.parameters = parameters
        self.style = style
        positionalCount = parameters.filter { $0.kind == .positionalOnly || $0.kind == .positionalOrKeyword }.count
        varPositionalIndex = parameters.firstIndex { $0.kind == .varPositional }
        varKeywordIndex = parameters.firstIndex { $0.kind == .varKeyword }
    }

    /// The signature without its first parameter (a method's, from its function's `input, …`).
    public func droppingFirst() -> Signature { Signature(parameters: Array(parameters.dropFirst()), style: style) }

    /// The parameter names, in order (`*args` / `**kwargs` without their stars).
    public var names: [String] { parameters.map(\.name) }

    /// The names a caller may pass by keyword (what `x.sum(di`⇥ completes).
    public var keywordNames: [String] {
        parameters.filter { $0.kind == .positionalOrKeyword || $0.kind == .keywordOnly }.map(\.name)
    }

    /// The list as Python prints it in `help()`: `input, dim=None, keepdim=False, *, dtype=None`.
    public var text: String {
        var out: [String] = []
        var starred = false
        for (i, p) in parameters.enumerated() {
            switch p.kind {
            case .varPositional: out.append("*" + p.name); starred = true
            case .varKeyword: out.append("**" + p.name)
            case .keywordOnly where !starred: out.append("*"); starred = true; fallthrough
            default: out.append(p.defaultText.map { "\(p.name)=\($0)" } ?? p.name)
            }
            if p.kind == .positionalOnly, i + 1 == parameters.count || parameters[i + 1].kind != .positionalOnly {
                out.append("/")
            }
        }
        return out.joined(separator: ", ")
    }

    /// Binds one call's arguments with Python's rules and messages (`function` names the callee):
    /// every parameter gets its argument or its default; a required one that is missing, an
    /// unknown keyword, a duplicate or too many positional arguments raise TypeError.
    public func bind(_ args: Arguments, _ function: String) throws -> Bound {
        var values = [Value?](filling: nil, count: parameters.count)
        var extraPositional: [Value] = []
        if args.positional.count > positionalCount {
            guard varPositionalIndex != nil else {
                let n = positionalCount, given = args.positional.count
                throw PyError(.typeError, "\(function)() takes \(n) positional argument\(n == 1 ? "" : "s") but \(given) \(given == 1 ? "was" : "were") given")
            }
            extraPositional = Array(args.positional[positionalCount...])
        }
        var given = [Bool](filling: false, count: parameters.count)
        for (i, v) in args.positional.prefix(positionalCount).enumerated() {
            values[i] = v
            given[i] = true
        }
        var extraKeywords: [(name: String, value: Value)] = []
        for (name, v) in args.keywords {
            // PyTorch lets a list-of-ints varargs be given by keyword: x.view(size=(2, 3)), x.flip(dims=[0]).
            if style == .torch, let i = varPositionalIndex, parameters[i].name == name, extraPositional.isEmpty {
                extraPositional = [v]
                continue
            }
            guard let i = parameters.firstIndex(where: { $0.name == name }),
                  parameters[i].kind == .positionalOrKeyword || parameters[i].kind == .keywordOnly else {
                if varKeywordIndex != nil { extraKeywords.append((name, v)); continue }
                throw PyError(.typeError, "\(function)() got an unexpected keyword argument '\(name)'")
            }
            guard values[i] == nil else {
                throw PyError(.typeError, "\(function)() got multiple values for argument '\(name)'")
            }
            values[i] = v
            given[i] = true
        }
        var missingPositional: [String] = [], missingKeyword: [String] = []
        for (i, p) in parameters.enumerated() where values[i] == nil {
            switch p.kind {
            case .varPositional, .varKeyword: values[i] = Value.none
            default:
                if let d = p.defaultValue { values[i] = d }
                else if p.kind == .keywordOnly { missingKeyword.append(p.name) }
                else { missingPositional.append(p.name) }
            }
        }
        if !missingPositional.isEmpty { throw missing(function, missingPositional, "positional") }
        if !missingKeyword.isEmpty { throw missing(function, missingKeyword, "keyword-only") }
        return Bound(values: values.map { $0 ?? .none }, given: given,
                     extraPositional: extraPositional, extraKeywords: extraKeywords)
    }

    /// `f() missing 2 required positional arguments: 'a' and 'b'`. PyTorch's argument parser lists
    /// every missing name quoted and, as its `missing_args` does, says "arguments" for one and
    /// "argument" for several (`threshold() missing 2 required positional argument: "threshold", "value"`).
    private func missing(_ function: String, _ names: [String], _ kind: String) -> PyError {
        if style == .torch {
            let list = names.map { "\"\($0)\"" }.joined(separator: ", ")
            return PyError(.typeError, "\(function)() missing \(names.count) required \(kind) argument\(names.count == 1 ? "s" : ""): \(list)")
        }
        let quoted = names.map { "'\($0)'" }
        let list = quoted.count == 1 ? quoted[0] : quoted.dropLast().joined(separator: ", ") + " and " + quoted[quoted.count - 1]
        return PyError(.typeError, "\(function)() missing \(names.count) required \(kind) argument\(names.count == 1 ? "" : "s"): \(list)")
    }

    /// Splits on commas outside brackets and quotes.
    private static func splitTopLevel(_ text: String) -> [String] {
        var parts: [String] = [], current = "", depth = 0
        var quote: Character? = nil
        for ch in text {
            if let q = quote {
                current.append(ch)
                if ch == q { quote = nil }
                continue
            }
            switch ch {
            case "'", "\"": quote = ch; current.append(ch)
            case "(", "[": depth += 1; current.append(ch)
            case ")", "]": depth -= 1; current.append(ch)
            case "," where depth == 0: parts.append(current); current = ""
            default: current.append(ch)
            }
        }
        parts.append(current)
        return parts
    }

    /// A default's value: None, True, False, an int, a float, a quoted string or a tuple of those.
    static func literal(_ text: String) -> Value {
        let t = text.trimmingCharacters(in: .whitespaces)
        switch t {
        case "None": return .none
        case "True": return .bool(true)
        case "False": return .bool(false)
        case "inf", "math.inf": return .float(.infinity)
        case "-inf", "-math.inf": return .float(-.infinity)
        default: break
        }
        if let i = Int(t) { return .int(i) }
        if let d = Double(t) { return .float(d) }
        if t.count >= 2, let q = t.first, q == "'" || q == "\"", t.last == q {
            return .str(String(t.dropFirst().dropLast()))
        }
        if t.hasPrefix("("), t.hasSuffix(")") {
            let items = splitTopLevel(String(t.dropFirst().dropLast()))
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return .object(PyTuple(items.map(literal)))
        }
        return .none
    }
}

/// One call's arguments bound to a `Signature`: a value for every parameter (defaults filled in),
/// plus what `*args` and `**kwargs` collected.
public struct Bound {
    /// One value per parameter, in declaration order.
    public let values: [Value]
    /// Whether the caller passed each parameter (as opposed to its default).
    public let given: [Bool]
    public let extraPositional: [Value]
    public let extraKeywords: [(name: String, value: Value)]

    public init(values: [Value], given: [Bool], extraPositional: [Value] = [],
                extraKeywords: [(name: String, value: Value)] = []) {
        self.values = values
        self.given = given
        self.extraPositional = extraPositional
        self.extraKeywords = extraKeywords
    }

    public subscript(_ i: Int) -> Value { values[i] }
}
