import Foundation

/// One interpreter's warning filters and what it has shown (Python's `warnings.filters` and
/// `__warningregistry__`), applied to `warnings.warn` and to the host's warnings (PyTorch's
/// UserWarnings) alike.
struct WarningState {
    /// One `filterwarnings` entry: the first whose message prefix (case-insensitive) and category match decides.
    struct Filter {
        let action: String
        let message: String
        let category: PyClass
    }

    /// CPython's default filters: DeprecationWarning shows for `__main__` (where all script code runs).
    var filters: [Filter] = ["PendingDeprecationWarning", "ImportWarning", "ResourceWarning"].compactMap { name in
        ExceptionClasses.named[name].map { Filter(action: "ignore", message: "", category: $0) }
    }
    /// The `Category: text` lines shown under the "default"/"once"/"module" actions.
    var shown = Set<String>()
    /// `catch_warnings(record=True)`'s list, when recording.
    var record: PyList?

    /// The action for a warning, from the first matching filter ("default" if none matches).
    func action(for category: PyClass, _ text: String) -> String {
        for f in filters where category.isSubclass(of: f.category) {
            if f.message.isEmpty || text.lowercased().hasPrefix(f.message.lowercased()) { return f.action }
        }
        return "default"
    }
}

/// Python's `warnings` module: `warn`, `filterwarnings`, `simplefilter`, `resetwarnings`,
/// `catch_warnings(record=)`. A shown warning prints `Category: message` on stderr (nnrepl does not
/// know the warning's source line, which CPython prints before it); "error" raises it.
enum WarningsModule {
    static let actions: Set<String> = ["default", "error", "ignore", "always", "module", "once"]

    static func module() -> Namespace {
        let m = Namespace("warnings")
        m["warn"] = .object(NativeFunction("warn", "message, category=None, stacklevel=1, source=None",
                                           doc: "Issues a warning (UserWarning unless category says otherwise), filtered by the warning filters.") { b, ev in
            guard let interp = ev as? Interpreter else { return .none }
            var category = ExceptionClasses.named["UserWarning"] ?? ExceptionClasses.exception
            var text: String
            if case .object(let e as PyExceptionObject) = b[0] {
                category = e.cls
                text = try ev.str(b[0])
            } else {
                text = try ev.str(b[0])
                if case .object(let c as PyClass) = b[1] {
                    guard c.isSubclass(of: warningClass) else {
                        throw PyError(.typeError, "category must be a Warning subclass, not 'type'")
                    }
                    category = c
                } else if case .object(let t as PyType) = b[1] {
                    throw PyError(.typeError, "category must be a Warning subclass, not '\(t.typeName)'")
                } else if !b[1].isNone {
                    throw PyError(.typeError, "category must be a Warning subclass, not '\(b[1].typeName)'")
                }
            }
            try interp.issueWarning(category, text, instance: b[0])
            return .none
        })
        m["filterwarnings"] = .object(NativeFunction("filterwarnings", "action, message='', category=None, module='', lineno=0, append=False",
                                                     doc: "Adds a warning filter: action for warnings whose message starts with message (a regular expression in CPython; a prefix here).") { b, ev in
            try addFilter(b[0], message: try b[1].asString("message"), category: b[2], append: try ev.truthy(b[5]), ev)
        })
        m["simplefilter"] = .object(NativeFunction("simplefilter", "action, category=None, lineno=0, append=False",
                                                   doc: "Adds a warning filter for every message of a category.") { b, ev in
            try addFilter(b[0], message: "", category: b[1], append: try ev.truthy(b[3]), ev)
        })
        m["resetwarnings"] = .object(NativeFunction("resetwarnings", "", doc: "Removes every warning filter.") { _, ev in
            (ev as? Interpreter)?.warningState.filters = []
            return .none
        })
        m["catch_warnings"] = .object(NativeFunction("catch_warnings", "*, record=False",
                                                     doc: "A context manager that restores the warning filters on exit; record=True collects the warnings in a list.") { b, ev in
            .object(CatchWarnings(record: try ev.truthy(b[0])))
        })
        return m
    }

    static var warningClass: PyClass { ExceptionClasses.named["Warning"] ?? ExceptionClasses.exception }

    private static func addFilter(_ actionValue: Value, message: String, category: Value, append: Bool, _ ev: Evaluator) throws -> Value {
        // CPython checks these with asserts: AssertionError.
        let action = try actionValue.asString("action")
        guard actions.contains(action) else { throw PyError(.assertionError, "invalid action: \(try ev.repr(actionValue))") }
        let c: PyClass
        switch category {
        case .none: c = warningClass
        case .object(let cls as PyClass): c = cls
        case .object(let o) where o is PyType: throw PyError(.assertionError, "category must be a Warning subclass")
        default: throw PyError(.assertionError, "category must be a class")
        }
        guard c.isSubclass(of: warningClass) else { throw PyError(.assertionError, "category must be a Warning subclass") }
        guard let interp = ev as? Interpreter else { return .none }
        let filter = WarningState.Filter(action: action, message: message, category: c)
        if append { interp.warningState.filters.append(filter) } else { interp.warningState.filters.insert(filter, at: 0) }
        return .none
    }
}

/// `warnings.catch_warnings()`: saves the filters on enter and restores them on exit; with
/// `record=True` its `__enter__` returns the list the warnings go to.
final class CatchWarnings: PyObject {
    let record: Bool
    private var saved: WarningState?

    init(record: Bool) {
        self.record = record
        super.init()
    }

    override var typeName: String { "catch_warnings" }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "__enter__":
            return builtinMethod(name) { _, ev in
                guard let interp = ev as? Interpreter else { return .none }
                self.saved = interp.warningState
                guard self.record else { return .none }
                let list = PyList([])
                interp.warningState.record = list
                interp.warningState.filters.insert(WarningState.Filter(action: "always", message: "", category: WarningsModule.warningClass), at: 0)
                return .object(list)
            }
        case "__exit__":
            return builtinMethod(name) { _, ev in
                if let interp = ev as? Interpreter, let saved = self.saved {
                    let shown = interp.warningState.shown
                    interp.warningState = saved
                    interp.warningState.shown.formUnion(shown)
                }
                return .bool(false)
            }
        default: return nil
        }
    }
}

/// One recorded warning (`catch_warnings(record=True)`): `message` (the Warning instance),
/// `category`, `filename`, `lineno`, `line`.
final class WarningMessage: PyObject {
    let message: Value
    let category: PyClass

    init(message: Value, category: PyClass) {
        self.message = message
        self.category = category
        super.init()
    }

    override var typeName: String { "WarningMessage" }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "message": return message
        case "category": return .object(category)
        case "filename": return .str(PythonStdlib.argv.first ?? "")
        case "lineno": return .int(0)
        case "line", "file", "source": return Value.none
        default: return nil
        }
    }

    override func repr(_ ev: Evaluator) throws -> String {
        "{message : \(try ev.repr(message)), category : '\(category.name)', filename : '\(PythonStdlib.argv.first ?? "")', lineno : 0, line : None}"
    }
}

extension Interpreter {
    /// Applies the filters to a warning: shows it on stderr, records it, raises it ("error") or drops it.
    func issueWarning(_ category: PyClass, _ text: String, instance: Value? = nil) throws {
        let action = warningState.action(for: category, text)
        if action == "ignore" { return }
        func exception() -> PyExceptionObject {
            if case .object(let e as PyExceptionObject)? = instance { return e }
            return PyExceptionObject(cls: category, args: [.str(text)])
        }
        if action == "error" { throw ScriptError(exception: exception()) }
        if let list = warningState.record {
            list.items.append(.object(WarningMessage(message: .object(exception()), category: category)))
            return
        }
        // "default", "module" and "once" show a warning once: nnrepl knows no warning's location.
        if action != "always" {
            guard warningState.shown.insert("\(category.name): \(text)").inserted else { return }
        }
        errorOutput("\(category.name): \(text)\n")
    }

    /// A host warning (`UserWarning: Implicit dimension choice …`), through the same filters.
    /// An "error" filter cannot raise from the host's side: the warning is shown instead.
    func issueHostWarning(_ line: String) {
        let text = line.hasSuffix("\n") ? String(line.dropLast()) : line
        if let colon = text.range(of: ": "), let cls = ExceptionClasses.named[String(text[..<colon.lowerBound])],
           cls.isSubclass(of: WarningsModule.warningClass) {
            let message = String(text[colon.upperBound...])
            if warningState.action(for: cls, message) == "error" { errorOutput(text + "\n"); return }
            try? issueWarning(cls, message)
            return
        }
        errorOutput(text + "\n")
    }
}
