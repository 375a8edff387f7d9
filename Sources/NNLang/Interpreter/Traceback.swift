/// Renders Python-style tracebacks with compiler-style positions:
///
///     Traceback (most recent call last):
///       script.nnrepl:21:16, in <module>
///         output = model(intput)
///                        ^^^^^^
///     NameError: name 'intput' is not defined
enum Traceback {
    static func render(_ exc: PyExceptionObject, _ ev: Evaluator) -> String {
        var out = ""
        var seen = Set<ObjectIdentifier>()
        renderChain(exc, ev, &out, &seen)
        return out
    }

    private static func renderChain(_ exc: PyExceptionObject, _ ev: Evaluator, _ out: inout String, _ seen: inout Set<ObjectIdentifier>) {
        seen.insert(ObjectIdentifier(exc))
        if case .object(let o) = exc.cause, let cause = o as? PyExceptionObject, !seen.contains(ObjectIdentifier(cause)) {
            renderChain(cause, ev, &out, &seen)
            out += "\nThe above exception was the direct cause of the following exception:\n\n"
        } else if !exc.suppressContext, case .object(let o) = exc.context, let ctx = o as? PyExceptionObject,
                  !seen.contains(ObjectIdentifier(ctx)) {
            renderChain(ctx, ev, &out, &seen)
            out += "\nDuring handling of the above exception, another exception occurred:\n\n"
        }
        if !exc.traceback.isEmpty {
            out += "Traceback (most recent call last):\n"
            out += framesText(exc.traceback)
        }
        out += messageLine(exc, ev) + "\n"
    }

    /// How many consecutive entries of the same file, line and function are printed before the
    /// rest are counted instead (CPython's `TB_RECURSIVE_CUTOFF`).
    static let repeatedCutoff = 3

    /// The entries outermost first, a run of more than `repeatedCutoff` entries at the same
    /// place (file, line, function: a recursion) printed as its first three and
    /// `  [Previous line repeated N more times]`, as CPython does.
    static func framesText(_ entries: [TraceEntry]) -> String {
        var out = ""
        var count = 0
        var last: TraceEntry?
        func flushRepeats() {
            guard count > repeatedCutoff else { return }
            let more = count - repeatedCutoff
            out += "  [Previous line repeated \(more) more time\(more > 1 ? "s" : "")]\n"
        }
        for entry in entries {
            if let l = last, l.file.name == entry.file.name, l.span.line == entry.span.line, l.function == entry.function {
                count += 1
            } else {
                flushRepeats()
                last = entry
                count = 1
            }
            if count <= repeatedCutoff { out += frameText(entry) }
        }
        flushRepeats()
        return out
    }

    /// `  file:line:col, in function`, the stripped source line and the caret marker.
    static func frameText(_ entry: TraceEntry) -> String {
        var out = "  \(entry.file.name):\(entry.span.line):\(entry.span.column), in \(entry.function)\n"
        let line = entry.file.line(entry.span.line)
        let scalars = Array(line.unicodeScalars)
        var indent = 0
        while indent < scalars.count && (scalars[indent] == " " || scalars[indent] == "\t") { indent += 1 }
        var end = scalars.count
        while end > indent && (scalars[end - 1] == " " || scalars[end - 1] == "\r") { end -= 1 }
        guard indent < end else { return out }
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars[indent..<end])
        out += "    " + text + "\n"
        let start = max(entry.span.column - 1, indent)
        var stop = entry.span.endLine == entry.span.line ? min(entry.span.endColumn - 1, end) : end
        // A span starting just past the text (an error at the end of a line) gets one caret there.
        if start == end && entry.span.endLine == entry.span.line && entry.span.endColumn > entry.span.column { stop = start + 1 }
        if stop > start {
            out += "    " + String(repeating: " ", count: start - indent) + String(repeating: "^", count: stop - start) + "\n"
        }
        return out
    }

    /// The exception's `add_note` notes, in order.
    static func notes(_ exc: PyExceptionObject, _ ev: Evaluator) -> [String] {
        guard case .object(let list as PyList)? = exc.dict["__notes__"] else { return [] }
        return list.items.map { (try? ev.str($0)) ?? "" }
    }

    /// `TypeName: message` (just `TypeName` for an empty message), then (`withNotes`) a line per
    /// `add_note` note.
    static func messageLine(_ exc: PyExceptionObject, _ ev: Evaluator, withNotes: Bool = true) -> String {
        let message = (try? exc.str(ev)) ?? ""
        let name = exc.cls.moduleName == "builtins" || exc.cls.moduleName == "__main__" ? exc.cls.name : "\(exc.cls.moduleName).\(exc.cls.name)"
        let hint = exc.suggestion?().map { ". Did you mean: '\($0)'?" } ?? ""
        let noteLines = withNotes ? notes(exc, ev).map { "\n" + $0 }.joined() : ""
        return (message.isEmpty ? name : "\(name): \(message)\(hint)") + noteLines
    }
}
