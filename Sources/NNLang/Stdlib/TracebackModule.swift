/// Python's `traceback`, for `except` blocks that report and go on: `print_exc`, `format_exc`,
/// `print_exception`, `format_exception`, `format_exception_only`. Tracebacks are nnrepl's own
/// format (`file:line:col, in function`, as uncaught errors print), not CPython's `File "…", line N`.
enum TracebackModule {
    static func module() -> Namespace {
        let m = Namespace("traceback")
        /// The exception being handled, or the one passed (`print_exception(e)`).
        func exception(_ v: Value?, _ ev: Evaluator) throws -> PyExceptionObject? {
            if let v, !v.isNone {
                guard case .object(let o) = v, let e = o as? PyExceptionObject else { return nil }
                return e
            }
            return try Interpreter.of(ev).handling.last
        }
        func text(_ e: PyExceptionObject?, _ ev: Evaluator) -> String {
            guard let e else { return "NoneType: None\n" }
            return Traceback.render(e, ev)
        }
        func emit(_ s: String, to file: Value?, _ ev: Evaluator) throws {
            if let file, !file.isNone { _ = try ev.call(try ev.getAttribute(file, "write"), Arguments([.str(s)])) }
            else { try Interpreter.of(ev).errorOutput(s) }
        }
        func lines(_ s: String, _ ev: Evaluator) -> Value {
            ev.makeList(s.split(separator: "\n").map { .str($0 + "\n") })
        }
        m["format_exc"] = .object(NativeFunction("format_exc", "limit=None, chain=True", doc: "The traceback of the exception being handled, as text.") { _, ev in
            .str(text(try exception(nil, ev), ev))
        })
        m["print_exc"] = .object(NativeFunction("print_exc", "limit=None, file=None, chain=True", doc: "Prints the traceback of the exception being handled (to stderr by default).") { b, ev in
            try emit(text(try exception(nil, ev), ev), to: b[1], ev)
            return .none
        })
        m["format_exception"] = .object(NativeFunction("format_exception", "exc, value=None, tb=None, limit=None, chain=True", doc: "The traceback of exc as a list of lines.") { b, ev in
            lines(text(try exception(b[1].isNone ? b[0] : b[1], ev), ev), ev)
        })
        m["print_exception"] = .object(NativeFunction("print_exception", "exc, value=None, tb=None, limit=None, file=None, chain=True", doc: "Prints the traceback of exc.") { b, ev in
            try emit(text(try exception(b[1].isNone ? b[0] : b[1], ev), ev), to: b[4], ev)
            return .none
        })
        m["format_exception_only"] = .object(NativeFunction("format_exception_only", "exc, value=None", doc: "The last line of exc's traceback, in a list.") { b, ev in
            guard let e = try exception(b[1].isNone ? b[0] : b[1], ev) else { return ev.makeList([.str("NoneType: None\n")]) }
            // The message line, then each `add_note` note, as lines of their own.
            let lines = [Traceback.messageLine(e, ev, withNotes: false)] + Traceback.notes(e, ev)
            return ev.makeList(lines.map { .str($0 + "\n") })
        })
        return m
    }
}
