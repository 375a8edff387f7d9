import Foundation

/// Python's `argparse`, as training scripts use it: `ArgumentParser(prog, description, epilog,
/// formatter_class, add_help)`, `add_argument` (optionals and positionals; `action` store,
/// store_const, store_true, store_false, append, append_const, count, extend, help, version;
/// `nargs` N ? * +, `type`, `choices`, `default` (a str default goes through `type`),
/// `required`, `help` with `%(default)s`, `metavar`, `dest`), argument groups, mutually
/// exclusive groups, `set_defaults`, `parse_args`/`parse_known_args` (`sys.argv[1:]` by
/// default; `--opt=value`, `-xVALUE`, `-vv`, unique prefixes of long options, `--`), and
/// CPython's help and usage layout and error messages (usage and `prog: error: …` on stderr,
/// then SystemExit(2)). The width is $COLUMNS or 80, less 2, as CPython's when not at a terminal.
/// Not done: subparsers, `BooleanOptionalAction`, `fromfile_prefix_chars`, `exit_on_error=False`,
/// tuple metavars, CPython's interleaving of positionals between optionals (positionals are
/// matched after all options are read).
enum ArgparseModule {
    static let suppress = "==SUPPRESS=="
    static let argumentTypeError = PyClass(name: "ArgumentTypeError", base: ExceptionClasses.exception, moduleName: "argparse")
    static let argumentError = PyClass(name: "ArgumentError", base: ExceptionClasses.exception, moduleName: "argparse")
    /// The help formatters, as markers `formatter_class=` is compared with.
    static let formatters = ["HelpFormatter", "ArgumentDefaultsHelpFormatter", "RawDescriptionHelpFormatter",
                             "RawTextHelpFormatter", "MetavarTypeHelpFormatter"].map { name in
        HostType(name, check: { _ in false })
    }

    static func module() -> Namespace {
        let m = Namespace("argparse")
        let parserType = HostType("ArgumentParser", doc: "A command-line parser: add_argument, then parse_args.", check: {
            if case .object(let o) = $0 { return o is ArgumentParser }
            return false
        }, construct: { a, ev in .object(try ArgumentParser(a, ev)) })
        parserType.module = "argparse"
        m["ArgumentParser"] = .object(parserType)
        let namespaceType = HostType("Namespace", doc: "The attributes parse_args returns.", check: {
            if case .object(let o) = $0, let ns = o as? AttributeNamespace { return ns.style == .argparse }
            return false
        }, construct: { a, _ in
            guard a.positional.isEmpty else {
                throw PyError(.typeError, "Namespace.__init__() takes 1 positional argument but \(a.positional.count + 1) were given")
            }
            let ns = AttributeNamespace(.argparse)
            for (k, v) in a.keywords { ns.attributes[k] = v }
            return .object(ns)
        })
        namespaceType.module = "argparse"
        m["Namespace"] = .object(namespaceType)
        m["ArgumentTypeError"] = .object(argumentTypeError)
        m["ArgumentError"] = .object(argumentError)
        m["SUPPRESS"] = .str(suppress)
        m["OPTIONAL"] = .str("?")
        m["ZERO_OR_MORE"] = .str("*")
        m["ONE_OR_MORE"] = .str("+")
        for f in formatters {
            f.module = "argparse"
            m[f.name] = .object(f)
        }
        return m
    }

    /// `sys.argv` as the script has it now (it may have assigned or changed it).
    static func argv(_ ev: Evaluator) throws -> [String] {
        guard let sys = try Interpreter.of(ev).importModule("sys"), let list = try? ev.getAttribute(sys, "argv") else { return PythonStdlib.argv }
        return try ev.iterate(list).map { try ev.str($0) }
    }

    /// The help width: $COLUMNS (or 80) less 2.
    static var width: Int {
        let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap { Int($0) } ?? 80
        return Swift.max(columns, 11) - 2
    }
}

/// One `add_argument`: how its strings become a value in the namespace.
final class ArgumentAction: PyObject {
    enum Kind: String { case store, storeConst = "store_const", storeTrue = "store_true", storeFalse = "store_false",
                            append, appendConst = "append_const", count, extend, help, version }
    /// `nargs`: nil for one value (no list), else a count or `?`, `*`, `+`.
    enum Nargs: Equatable { case exactly(Int), optional, zeroOrMore, oneOrMore }

    let optionStrings: [String]
    let dest: String
    let kind: Kind
    let nargs: Nargs?
    let const: Value
    var defaultValue: Value
    let type: Value
    let choices: [Value]?
    let required: Bool
    let help: String?
    let metavar: String?
    let version: String?

    var isPositional: Bool { optionStrings.isEmpty }
    /// How many strings the action takes (`store_true` and its kin take none).
    var takesNone: Bool { [.storeConst, .storeTrue, .storeFalse, .appendConst, .count, .help, .version].contains(kind) }

    init(_ names: [String], _ s: [Value?], _ ev: Evaluator) throws {
        let positional = !(names.first?.hasPrefix("-") ?? false)
        if positional && names.count > 1 { throw PyError(.valueError, "invalid option string '\(names[0])': must start with a character '-'") }
        optionStrings = positional ? [] : names
        if let d = s[1], !d.isNone { dest = try d.asString("dest") }
        else if positional {
            guard let name = names.first else { throw PyError(.typeError, "add_argument() missing 1 required positional argument: 'dest'") }
            dest = name
        } else {
            let long = names.first { $0.hasPrefix("--") } ?? names[0]
            dest = String(long.drop(while: { $0 == "-" })).replacingOccurrences(of: "-", with: "_")
        }
        if positional, s[6].map({ (try? ev.truthy($0)) ?? false }) ?? false {
            throw PyError(.typeError, "'required' is an invalid argument for positionals")
        }
        let actionName = s[0].flatMap { if case .str(let a) = $0 { return a }; return nil } ?? "store"
        guard let kind = Kind(rawValue: actionName) else { throw PyError(.valueError, "unknown action \"\(actionName)\"") }
        self.kind = kind
        switch s[2] {
        case nil, .none?: nargs = nil
        case .int(let n)?:
            if n < 0 { throw PyError(.valueError, "invalid nargs value: \(n)") }
            if n == 0, [.store, .append].contains(kind) {
                throw PyError(.valueError, "nargs for store actions must be != 0; if you have nothing to store, actions such as store true or store const may be more appropriate")
            }
            nargs = .exactly(n)
        case .str("?")?: nargs = .optional
        case .str("*")?: nargs = .zeroOrMore
        case .str("+")?: nargs = .oneOrMore
        case let other?: throw PyError(.valueError, "invalid nargs value: \(try ev.repr(other))")
        }
        switch kind {
        case .storeTrue: const = .bool(true)
        case .storeFalse: const = .bool(false)
        default: const = s[3] ?? .none
        }
        switch kind {
        case .storeTrue: defaultValue = s[4] ?? .bool(false)
        case .storeFalse: defaultValue = s[4] ?? .bool(true)
        case .help, .version: defaultValue = .str(ArgparseModule.suppress)
        default: defaultValue = s[4] ?? .none
        }
        type = s[5] ?? .none
        choices = try s[7].flatMap { $0.isNone ? nil : try ev.iterate($0) }
        required = positional ? (nargs != .optional && nargs != .zeroOrMore) : try s[6].map { try ev.truthy($0) } ?? false
        help = try s[8].flatMap { $0.isNone ? nil : try $0.asString("help") }
        metavar = try s[9].flatMap { $0.isNone ? nil : try ev.str($0) }
        version = try s[10].flatMap { $0.isNone ? nil : try ev.str($0) }
        super.init()
    }

    override var typeName: String { "_\(kind.rawValue.split(separator: "_").map { $0.capitalized }.joined())Action" }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "dest": return .str(dest)
        case "option_strings": return ev.makeList(optionStrings.map { .str($0) })
        case "default": return defaultValue
        case "help": return help.map { .str($0) } ?? .none
        case "required": return .bool(required)
        case "type": return type
        case "const": return const
        case "metavar": return metavar.map { .str($0) } ?? .none
        case "choices": return choices.map { ev.makeList($0) } ?? .none
        default: return nil
        }
    }

    override func setAttribute(_ name: String, _ value: Value, _ ev: Evaluator) throws {
        guard name == "default" else { throw PyError(.attributeError, "'\(typeName)' object attribute '\(name)' cannot be set") }
        defaultValue = value
    }

    /// The name errors use: `--lr/-l`, or a positional's metavar or dest.
    var errorName: String { isPositional ? (metavar ?? dest) : optionStrings.joined(separator: "/") }

    /// The placeholder for its values: metavar, `{a,b}` for choices, else DEST (optionals) or dest.
    func metavarText(_ ev: Evaluator) -> String {
        if let metavar { return metavar }
        if let choices { return "{" + choices.map { (try? ev.str($0)) ?? "" }.joined(separator: ",") + "}" }
        return isPositional ? dest : dest.uppercased()
    }

    /// CPython's `_format_args`.
    func argumentsText(_ ev: Evaluator) -> String {
        let m = metavarText(ev)
        if takesNone { return "" }
        switch nargs {
        case nil: return m
        case .optional?: return "[\(m)]"
        case .zeroOrMore?: return "[\(m) ...]"
        case .oneOrMore?: return "\(m) [\(m) ...]"
        case .exactly(let n)?: return Array(repeating: m, count: n).joined(separator: " ")
        }
    }

    /// The help listing's left column: `-l LR, --lr LR` or the positional's metavar.
    func invocation(_ ev: Evaluator) -> String {
        if isPositional { return metavarText(ev) }
        let args = argumentsText(ev)
        return optionStrings.map { args.isEmpty ? $0 : "\($0) \(args)" }.joined(separator: ", ")
    }

    /// Its part of the usage line: `[--lr LR]`, `--out OUT` when required, `data`.
    func usagePart(_ ev: Evaluator, bracketed: Bool = true) -> String {
        if isPositional { return argumentsText(ev) }
        let args = argumentsText(ev)
        let text = args.isEmpty ? optionStrings[0] : "\(optionStrings[0]) \(args)"
        return required || !bracketed ? text : "[\(text)]"
    }
}

/// `argparse.ArgumentParser`.
final class ArgumentParser: PyObject {
    /// A help section: "positional arguments", "options", or an `add_argument_group`'s.
    final class Group: PyObject {
        let title: String?
        let groupDescription: String?
        var actions: [ArgumentAction] = []
        /// Set for a mutually exclusive group (whether one of it is required); its actions are
        /// listed in the section they would be in anyway.
        let exclusive: Bool?
        /// Strong: a group kept by a script keeps its parser (the cycle lives as long as the parser).
        let parser: ArgumentParser

        init(title: String?, description: String?, exclusive: Bool?, parser: ArgumentParser) {
            self.title = title
            self.groupDescription = description
            self.exclusive = exclusive
            self.parser = parser
            super.init()
        }

        override var typeName: String { exclusive == nil ? "_ArgumentGroup" : "_MutuallyExclusiveGroup" }

        override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
            guard name == "add_argument" else { return nil }
            return method(name) { a, ev in .object(try self.parser.addArgument(a, to: self, ev)) }
        }
    }

    let prog: String
    let usage: String?
    let parserDescription: String?
    let epilog: String?
    let showDefaults: Bool
    let rawDescription: Bool
    let rawText: Bool
    var actions: [ArgumentAction] = []
    var positionalsGroup: Group!
    var optionalsGroup: Group!
    var groups: [Group] = []
    var exclusiveGroups: [Group] = []
    var defaults = NameTable()

    init(_ a: Arguments, _ ev: Evaluator) throws {
        let s = try a.bind("ArgumentParser", ["prog", "usage", "description", "epilog", "parents", "formatter_class", "prefix_chars",
                                              "fromfile_prefix_chars", "argument_default", "conflict_handler", "add_help",
                                              "allow_abbrev", "exit_on_error"])
        func text(_ i: Int, _ what: String) throws -> String? {
            guard let v = s[i], !v.isNone else { return nil }
            return try v.asString(what)
        }
        prog = try text(0, "prog") ?? (try ArgparseModule.argv(ev).first.map { ($0 as NSString).lastPathComponent } ?? "")
        usage = try text(1, "usage")
        parserDescription = try text(2, "description")
        epilog = try text(3, "epilog")
        func formatter(_ name: String) -> Bool {
            guard case .object(let o)? = s[5] else { return false }
            return ArgparseModule.formatters.contains { $0 === o && $0.name == name }
        }
        showDefaults = formatter("ArgumentDefaultsHelpFormatter")
        rawText = formatter("RawTextHelpFormatter")
        rawDescription = rawText || formatter("RawDescriptionHelpFormatter")
        super.init()
        positionalsGroup = Group(title: "positional arguments", description: nil, exclusive: nil, parser: self)
        optionalsGroup = Group(title: "options", description: nil, exclusive: nil, parser: self)
        groups = [positionalsGroup, optionalsGroup]
        if try s[10].map({ try ev.truthy($0) }) ?? true {
            _ = try addArgument(Arguments([.str("-h"), .str("--help")], keywords: [("action", .str("help")),
                                ("help", .str("show this help message and exit"))]), to: nil, ev)
        }
    }

    override var typeName: String { "ArgumentParser" }

    override func repr(_ ev: Evaluator) throws -> String {
        "ArgumentParser(prog=\(try ev.repr(.str(prog))), usage=\(try ev.repr(usage.map { .str($0) } ?? .none)), description=\(try ev.repr(parserDescription.map { .str($0) } ?? .none)), formatter_class=<class 'argparse.HelpFormatter'>, conflict_handler='error', add_help=True)"
    }

    private static let addSignature = Signature("*name_or_flags, action=None, dest=None, nargs=None, const=None, default=None, type=None, required=None, choices=None, help=None, metavar=None, version=None")

    /// `add_argument(*names, **settings)` into `group` (nil: the positional or options section).
    func addArgument(_ a: Arguments, to group: Group?, _ ev: Evaluator) throws -> ArgumentAction {
        let names = try a.positional.map { try $0.asString("name") }
        let keys = ["action", "dest", "nargs", "const", "default", "type", "required", "choices", "help", "metavar", "version"]
        var bound = [Value?](filling: nil, count: keys.count)
        for (k, v) in a.keywords {
            guard let i = keys.firstIndex(of: k) else { throw PyError(.typeError, "_StoreAction.__init__() got an unexpected keyword argument '\(k)'") }
            bound[i] = v
        }
        let action = try ArgumentAction(names, bound, ev)
        for option in action.optionStrings {
            if let other = actions.first(where: { $0.optionStrings.contains(option) }) {
                _ = other
                throw PyError(.valueError, "argument \(action.errorName): conflicting option string: \(option)")
            }
        }
        actions.append(action)
        if let group, group.exclusive == nil { group.actions.append(action) }
        else { (action.isPositional ? positionalsGroup : optionalsGroup).actions.append(action) }
        if let group, group.exclusive != nil {
            if action.required { throw PyError(.valueError, "mutually exclusive arguments must be optional") }
            group.actions.append(action)
        }
        return action
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "prog": return .str(prog)
        case "description": return parserDescription.map { .str($0) } ?? .none
        case "epilog": return epilog.map { .str($0) } ?? .none
        case "add_argument":
            return method(name) { a, ev in .object(try self.addArgument(a, to: nil, ev)) }
        case "add_argument_group":
            return method(name) { a, _ in
                let s = try a.bind("add_argument_group", ["title", "description"])
                let g = Group(title: try s[0].flatMap { $0.isNone ? nil : try $0.asString("title") },
                              description: try s[1].flatMap { $0.isNone ? nil : try $0.asString("description") }, exclusive: nil, parser: self)
                self.groups.append(g)
                return .object(g)
            }
        case "add_mutually_exclusive_group":
            return method(name) { a, ev in
                let s = try a.bind("add_mutually_exclusive_group", ["required"])
                let g = Group(title: nil, description: nil, exclusive: try s[0].map { try ev.truthy($0) } ?? false, parser: self)
                self.exclusiveGroups.append(g)
                return .object(g)
            }
        case "set_defaults":
            return method(name) { a, _ in
                for (k, v) in a.keywords {
                    self.defaults[k] = v
                    for action in self.actions where action.dest == k { action.defaultValue = v }
                }
                return .none
            }
        case "get_default":
            return method(name) { a, _ in
                let dest = try (try a.bind("get_default", ["dest"], required: 1)[0] ?? .none).asString("dest")
                if let action = self.actions.first(where: { $0.dest == dest }), !action.defaultValue.isNone { return action.defaultValue }
                return self.defaults[dest] ?? .none
            }
        case "parse_args", "parse_known_args":
            return method(name) { a, ev in
                let s = try a.bind(name, ["args", "namespace"])
                let (ns, extras) = try self.parse(s[0], namespace: s[1], ev)
                if name == "parse_known_args" { return ev.makeTuple([.object(ns), ev.makeList(extras.map { .str($0) })]) }
                if !extras.isEmpty { throw try self.fail("unrecognized arguments: \(extras.joined(separator: " "))", ev) }
                return .object(ns)
            }
        case "format_help": return method(name) { _, ev in .str(self.formatHelp(ev)) }
        case "format_usage": return method(name) { _, ev in .str(self.formatUsage(ev)) }
        case "print_help", "print_usage":
            return method(name) { a, ev in
                let file = try a.bind(name, ["file"])[0] ?? .none
                let text = name == "print_help" ? self.formatHelp(ev) : self.formatUsage(ev)
                if file.isNone { ev.write(text) } else { _ = try ev.call(try ev.getAttribute(file, "write"), Arguments([.str(text)])) }
                return .none
            }
        case "error":
            return method(name) { a, ev in
                throw try self.fail(try (try a.bind("error", ["message"], required: 1)[0] ?? .none).asString("message"), ev)
            }
        case "exit":
            return method(name) { a, ev in
                let s = try a.bind("exit", ["status", "message"])
                if let message = s[1], !message.isNone { try Interpreter.of(ev).errorOutput(try message.asString("message")) }
                throw PyError(.systemExit, args: [s[0] ?? .int(0)])
            }
        default: return nil
        }
    }

    /// Prints the usage and `prog: error: message` on stderr; the SystemExit(2) to throw.
    func fail(_ message: String, _ ev: Evaluator) throws -> Error {
        try Interpreter.of(ev).errorOutput(formatUsage(ev) + "\(prog): error: \(message)\n")
        return PyError(.systemExit, args: [.int(2)])
    }

    // MARK: - Parsing

    /// Whether `s` is an option rather than a value: starts with `-`, is not `-` alone, and is
    /// not a negative number (unless some option looks like one) nor a string with a space
    /// that names no option.
    private func isOption(_ s: String) -> Bool {
        guard s.hasPrefix("-"), s != "-" else { return false }
        if Double(s) != nil, !actions.contains(where: { $0.optionStrings.contains { Double($0) != nil } }) { return false }
        if s.contains(" "), findOption(s) == nil { return false }
        return true
    }

    /// The action an option string names, with a value given in the same string (`--lr=0.1`,
    /// `-l0.1`); nil when none matches. Throws on an ambiguous prefix.
    private func findOption(_ s: String) -> (ArgumentAction, String?)? {
        if let exact = actions.first(where: { $0.optionStrings.contains(s) }) { return (exact, nil) }
        if s.hasPrefix("--") {
            let (name, value): (String, String?) = s.firstIndex(of: "=").map { (String(s[..<$0]), String(s[s.index(after: $0)...])) } ?? (s, nil)
            if let exact = actions.first(where: { $0.optionStrings.contains(name) }) { return (exact, value) }
            let matches = actions.filter { $0.optionStrings.contains { $0.hasPrefix("--") && $0.hasPrefix(name) } }
            if matches.count == 1 { return (matches[0], value) }
            return nil
        }
        if s.count > 2, let short = actions.first(where: { $0.optionStrings.contains(String(s.prefix(2))) }) {
            return (short, String(s.dropFirst(2)))
        }
        return nil
    }

    /// The long options a prefix could mean, when more than one.
    private func ambiguity(_ s: String) -> [String]? {
        guard s.hasPrefix("--") else { return nil }
        let name = s.split(separator: "=", maxSplits: 1).first.map(String.init) ?? s
        let matches = actions.flatMap { $0.optionStrings.filter { $0.hasPrefix("--") && $0.hasPrefix(name) } }
        return matches.count > 1 ? matches : nil
    }

    /// The value of one string for `action`: through `type`, then checked against `choices`.
    private func convert(_ text: String, _ action: ArgumentAction, _ ev: Evaluator) throws -> Value {
        var value = Value.str(text)
        if !action.type.isNone {
            do { value = try ev.call(action.type, Arguments([value])) } catch {
                let interp = try Interpreter.of(ev)
                let exc = interp.exceptionObject(for: error)
                if exc.cls.isSubclass(of: ArgparseModule.argumentTypeError) {
                    throw try fail("argument \(action.errorName): \(try exc.str(ev))", ev)
                }
                guard exc.cls.isSubclass(of: ExceptionClasses.forKind(.typeError)) || exc.cls.isSubclass(of: ExceptionClasses.forKind(.valueError)) else {
                    throw error
                }
                let typeName = try (try? ev.getAttribute(action.type, "__name__")).flatMap { if case .str(let n) = $0 { return n }; return nil }
                    ?? (try ev.repr(action.type))
                throw try fail("argument \(action.errorName): invalid \(typeName) value: \(try ev.repr(.str(text)))", ev)
            }
        }
        if let choices = action.choices, !(try choices.contains { try valuesEqual($0, value, ev) }) {
            let listed = try choices.map { try ev.repr($0) }.joined(separator: ", ")
            throw try fail("argument \(action.errorName): invalid choice: \(try ev.repr(value)) (choose from \(listed))", ev)
        }
        return value
    }

    /// Applies `action` to its strings.
    private func take(_ action: ArgumentAction, _ strings: [String], _ ns: AttributeNamespace, _ ev: Evaluator) throws {
        func values() throws -> Value {
            switch action.nargs {
            case nil: return try convert(strings.first ?? "", action, ev)
            case .optional?:
                guard let first = strings.first else {
                    if action.isPositional {
                        if case .str(let d) = action.defaultValue { return try convert(d, action, ev) }
                        return action.defaultValue
                    }
                    return action.const
                }
                return try convert(first, action, ev)
            case .zeroOrMore? where strings.isEmpty && action.isPositional:
                return action.defaultValue.isNone ? ev.makeList([]) : action.defaultValue
            default: return ev.makeList(try strings.map { try convert($0, action, ev) })
            }
        }
        func existingList() throws -> [Value] {
            guard let current = ns.attributes[action.dest], !current.isNone else { return [] }
            return try ev.iterate(current)
        }
        switch action.kind {
        case .store: ns.attributes[action.dest] = try values()
        case .storeConst, .storeTrue, .storeFalse: ns.attributes[action.dest] = action.const
        case .append: ns.attributes[action.dest] = ev.makeList(try existingList() + [try values()])
        case .appendConst: ns.attributes[action.dest] = ev.makeList(try existingList() + [action.const])
        case .extend: ns.attributes[action.dest] = ev.makeList(try existingList() + (try ev.iterate(try values())))
        case .count:
            let current = ns.attributes[action.dest] ?? .none
            ns.attributes[action.dest] = .int((current.isNone ? 0 : try current.asInt()) + 1)
        case .help:
            ev.write(formatHelp(ev))
            throw PyError(.systemExit, args: [.int(0)])
        case .version:
            ev.write((action.version ?? "").replacingOccurrences(of: "%(prog)s", with: prog) + "\n")
            throw PyError(.systemExit, args: [.int(0)])
        }
    }

    /// The minimum and maximum number of strings an action takes.
    private func range(_ action: ArgumentAction) -> (Int, Int) {
        if action.takesNone { return (0, 0) }
        switch action.nargs {
        case nil: return (1, 1)
        case .optional?: return (0, 1)
        case .zeroOrMore?: return (0, Int.max)
        case .oneOrMore?: return (1, Int.max)
        case .exactly(let n)?: return (n, n)
        }
    }

    func parse(_ argsValue: Value?, namespace: Value?, _ ev: Evaluator) throws -> (AttributeNamespace, [String]) {
        let args: [String]
        if let argsValue, !argsValue.isNone { args = try ev.iterate(argsValue).map { try ev.str($0) } }
        else { args = Array(try ArgparseModule.argv(ev).dropFirst()) }
        let ns: AttributeNamespace
        if let namespace, !namespace.isNone {
            guard case .object(let o) = namespace, let given = o as? AttributeNamespace else {
                throw PyError(.typeError, "namespace must be an argparse.Namespace")
            }
            ns = given
        } else {
            ns = AttributeNamespace(.argparse)
        }
        for action in actions where ns.attributes[action.dest] == nil {
            if case .str(ArgparseModule.suppress) = action.defaultValue { continue }
            ns.attributes[action.dest] = action.defaultValue
        }
        for (k, v) in defaults.items where ns.attributes[k] == nil { ns.attributes[k] = v }

        var seen: [ArgumentAction] = []
        var extras: [String] = [], positionals: [String] = []
        func see(_ action: ArgumentAction) throws {
            for g in exclusiveGroups where g.actions.contains(where: { $0 === action }) {
                if let other = g.actions.first(where: { $0 !== action && seen.contains($0) }) {
                    throw try fail("argument \(action.errorName): not allowed with argument \(other.errorName)", ev)
                }
            }
            seen.append(action)
        }
        var i = 0
        while i < args.count {
            let arg = args[i]
            if arg == "--" {
                positionals += args[(i + 1)...]
                break
            }
            guard isOption(arg) else {
                positionals.append(arg)
                i += 1
                continue
            }
            if findOption(arg) == nil, let names = ambiguity(arg) {
                throw try fail("ambiguous option: \(arg) could match \(names.joined(separator: ", "))", ev)
            }
            guard let (action, explicit) = findOption(arg) else {
                extras.append(arg)
                i += 1
                continue
            }
            i += 1
            if let explicit {
                if action.takesNone {
                    // `-vv`, `-xv`: single-letter flags run together (the last may take the rest as its value).
                    guard !arg.hasPrefix("--") else {
                        throw try fail("argument \(action.errorName): ignored explicit argument \(try ev.repr(.str(explicit)))", ev)
                    }
                    try see(action)
                    try take(action, [], ns, ev)
                    var rest = explicit
                    while !rest.isEmpty {
                        guard let (flag, more) = findOption("-" + rest) else {
                            throw try fail("argument \(action.errorName): ignored explicit argument \(try ev.repr(.str(rest)))", ev)
                        }
                        try see(flag)
                        if flag.takesNone {
                            try take(flag, [], ns, ev)
                            rest = more ?? ""
                        } else {
                            try take(flag, more.map { [$0] } ?? [], ns, ev)
                            rest = ""
                        }
                    }
                    continue
                }
                try see(action)
                try take(action, [explicit], ns, ev)
                continue
            }
            let (low, high) = range(action)
            var strings: [String] = []
            while strings.count < high, i < args.count, args[i] != "--", !isOption(args[i]) {
                strings.append(args[i])
                i += 1
            }
            if strings.count < low {
                let expected: String
                switch action.nargs {
                case .oneOrMore?: expected = "expected at least one argument"
                case .exactly(let n)? where n != 1: expected = "expected \(n) arguments"
                default: expected = "expected one argument"
                }
                throw try fail("argument \(action.errorName): \(expected)", ev)
            }
            try see(action)
            try take(action, strings, ns, ev)
        }
        // Positionals, in order, each taking as many strings as the later ones leave.
        let positionalActions = actions.filter(\.isPositional)
        var p = 0
        for (k, action) in positionalActions.enumerated() {
            let (low, high) = range(action)
            let reserved = positionalActions[(k + 1)...].reduce(0) { $0 + range($1).0 }
            let available = positionals.count - p - reserved
            if available < low { break }
            let count = Swift.min(high, available)
            try see(action)
            try take(action, Array(positionals[p..<(p + count)]), ns, ev)
            p += count
        }
        extras += positionals[p...]
        // A str default goes through `type`, as CPython converts it when it is used.
        for action in actions where !seen.contains(where: { $0 === action }) && action.kind == .store {
            if case .str(let d) = action.defaultValue, d != ArgparseModule.suppress,
               let current = ns.attributes[action.dest], case .str(d) = current {
                ns.attributes[action.dest] = try convert(d, action, ev)
            }
        }
        let missing = actions.filter { $0.required && !seen.contains($0) }
        if !missing.isEmpty {
            throw try fail("the following arguments are required: \(missing.map(\.errorName).joined(separator: ", "))", ev)
        }
        for g in exclusiveGroups where g.exclusive == true && !g.actions.contains(where: { seen.contains($0) }) {
            let names = g.actions.filter { $0.help != ArgparseModule.suppress }.map(\.errorName)
            throw try fail("one of the arguments \(names.joined(separator: " ")) is required", ev)
        }
        return (ns, extras)
    }

    // MARK: - Help

    /// CPython's `_format_usage`: `usage: prog [options] positionals`, wrapped at the width.
    func formatUsage(_ ev: Evaluator) -> String {
        let prefix = "usage: "
        if let usage { return prefix + usage.replacingOccurrences(of: "%(prog)s", with: prog) + "\n" }
        let width = ArgparseModule.width
        var optionalParts: [String] = [], positionalParts: [String] = []
        var done: [ArgumentAction] = []
        for action in actions where !done.contains(action) && action.help != ArgparseModule.suppress {
            if let g = exclusiveGroups.first(where: { $0.actions.contains(action) }), g.actions.count > 1 {
                let inner = g.actions.map { $0.usagePart(ev, bracketed: false) }.joined(separator: " | ")
                optionalParts.append(g.exclusive == true ? "(\(inner))" : "[\(inner)]")
                done += g.actions
                continue
            }
            let part = action.usagePart(ev)
            if action.isPositional { if !part.isEmpty { positionalParts.append(part) } } else { optionalParts.append(part) }
        }
        let full = ([prog] + optionalParts + positionalParts).joined(separator: " ")
        guard prefix.count + full.count > width else { return prefix + full + "\n" }
        func lines(_ parts: [String], _ indent: String, prefixed: Bool) -> [String] {
            var out: [String] = [], line: [String] = []
            var length = prefixed ? prefix.count - 1 : indent.count - 1
            for part in parts {
                if length + 1 + part.count > width, !line.isEmpty {
                    out.append(indent + line.joined(separator: " "))
                    line = []
                    length = indent.count - 1
                }
                line.append(part)
                length += part.count + 1
            }
            if !line.isEmpty { out.append(indent + line.joined(separator: " ")) }
            if prefixed, !out.isEmpty { out[0] = String(out[0].dropFirst(indent.count)) }
            return out
        }
        var result: [String]
        if Double(prefix.count + prog.count) <= 0.75 * Double(width) {
            let indent = String(repeating: " ", count: prefix.count + prog.count + 1)
            if !optionalParts.isEmpty {
                result = lines([prog] + optionalParts, indent, prefixed: true) + lines(positionalParts, indent, prefixed: false)
            } else if !positionalParts.isEmpty {
                result = lines([prog] + positionalParts, indent, prefixed: true)
            } else {
                result = [prog]
            }
        } else {
            let indent = String(repeating: " ", count: prefix.count)
            result = lines(optionalParts + positionalParts, indent, prefixed: false)
            if result.count > 1 { result = lines(optionalParts, indent, prefixed: false) + lines(positionalParts, indent, prefixed: false) }
            result = [prog] + result
        }
        return prefix + result.joined(separator: "\n") + "\n"
    }

    /// A paragraph filled to `width` after `indent` (as is, for the raw formatters).
    private func paragraph(_ text: String, indent: Int, raw: Bool) -> String {
        let pad = String(repeating: " ", count: indent)
        if raw { return text.split(separator: "\n", omittingEmptySubsequences: false).map { pad + $0 }.joined(separator: "\n") + "\n" }
        let collapsed = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        var o = TextwrapModule.Options()
        o.width = Swift.max(ArgparseModule.width - indent, 11)
        o.initialIndent = pad
        o.subsequentIndent = pad
        guard let wrapped = try? TextwrapModule.wrap(collapsed, o) else { return pad + collapsed + "\n" }
        return wrapped.joined(separator: "\n") + "\n"
    }

    /// An action's help with `%(default)s`-style fields filled in.
    private func expandedHelp(_ action: ArgumentAction, _ ev: Evaluator) -> String {
        var text = action.help ?? ""
        if showDefaults, !text.contains("%(default)"), !action.takesNone || action.kind == .storeTrue || action.kind == .storeFalse,
           !(action.isPositional && action.nargs != .optional && action.nargs != .zeroOrMore),
           action.kind != .help, action.kind != .version {
            text += " (default: %(default)s)"
        }
        let fields: [(String, Value)] = [
            ("default", action.defaultValue), ("dest", .str(action.dest)), ("prog", .str(prog)), ("type", action.type),
            ("const", action.const), ("required", .bool(action.required)),
            ("choices", action.choices.map { ev.makeList($0) } ?? .none), ("metavar", action.metavar.map { .str($0) } ?? .none),
        ]
        for (name, value) in fields {
            let shown = name == "type" ? ((try? ev.getAttribute(value, "__name__")).flatMap { try? ev.str($0) } ?? "None")
                : ((try? ev.str(value)) ?? "")
            text = text.replacingOccurrences(of: "%(\(name))s", with: shown).replacingOccurrences(of: "%(\(name))r", with: (try? ev.repr(value)) ?? "")
        }
        return text.replacingOccurrences(of: "%%", with: "%")
    }

    /// CPython's `format_help`: usage, description, the sections, epilog.
    func formatHelp(_ ev: Evaluator) -> String {
        let width = ArgparseModule.width
        let maxHelpPosition = Swift.min(24, Swift.max(width - 20, 4))
        let shown = actions.filter { $0.help != ArgparseModule.suppress }
        let longest = shown.map { $0.invocation(ev).count + 2 }.max() ?? 0
        let helpPosition = Swift.min(longest + 2, maxHelpPosition)
        let helpWidth = Swift.max(width - helpPosition, 11)
        let actionWidth = helpPosition - 2 - 2
        var out = formatUsage(ev) + "\n"
        if let parserDescription { out += paragraph(parserDescription, indent: 0, raw: rawDescription) + "\n" }
        for group in groups {
            let members = group.actions.filter { $0.help != ArgparseModule.suppress }
            guard !members.isEmpty || group.groupDescription != nil else { continue }
            out += "\(group.title ?? ""):\n"
            if let d = group.groupDescription { out += paragraph(d, indent: 2, raw: rawDescription) + "\n" }
            for action in members {
                let header = action.invocation(ev)
                let help = action.help.map { _ in expandedHelp(action, ev) }
                guard let help, !help.trimmingCharacters(in: .whitespaces).isEmpty else {
                    out += "  \(header)\n"
                    continue
                }
                var helpLines: [String]
                if rawText { helpLines = help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
                else {
                    var o = TextwrapModule.Options()
                    o.width = helpWidth
                    let collapsed = help.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
                    helpLines = (try? TextwrapModule.wrap(collapsed, o)) ?? [collapsed]
                }
                if helpLines.isEmpty { helpLines = [""] }
                let pad = String(repeating: " ", count: helpPosition)
                if header.count <= actionWidth {
                    out += "  " + header + String(repeating: " ", count: actionWidth - header.count) + "  " + helpLines[0] + "\n"
                } else {
                    out += "  \(header)\n" + pad + helpLines[0] + "\n"
                }
                for line in helpLines.dropFirst() { out += pad + line + "\n" }
            }
            out += "\n"
        }
        if let epilog { out += paragraph(epilog, indent: 0, raw: rawDescription) + "\n" }
        while out.hasSuffix("\n\n") { out.removeLast() }
        return out
    }
}

extension ArgumentAction: Equatable {
    static func == (a: ArgumentAction, b: ArgumentAction) -> Bool { a === b }
}
