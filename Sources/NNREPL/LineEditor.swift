import CEditLine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one `LineEditor.readLine(prompt:)` call produced.
public enum LineResult: Equatable, Sendable {
    /// An accepted line, without its trailing newline. A history entry
    /// recalled and accepted as a whole may contain embedded `"\n"`s.
    case line(String)
    /// Ctrl-C at the prompt: the partial line was discarded.
    case interrupted
    /// Ctrl-D on an empty line, or the end of piped input.
    case endOfInput
    /// A bracketed paste of several lines (already shown on the terminal, continuation lines
    /// behind `... `), joined with the text typed around it; newlines are `"\n"`.
    case paste(String)
}

/// Result of a completion request: the candidates replace the text between
/// `start` and the cursor (both are `Character` offsets into the line).
public struct Completion: Equatable, Sendable {
    /// Character offset where the word being completed starts (<= cursor).
    public var start: Int
    /// Full replacement texts for `line[start..<cursor]`.
    public var candidates: [String]

    /// A completion replacing `line[start..<cursor]` by one of `candidates`.
    public init(start: Int, candidates: [String]) {
        self.start = start
        self.candidates = candidates
    }

    /// No candidates.
    public static let none = Completion(start: 0, candidates: [])
}

/// Pure completion logic (bash-like), separated from libedit for testing.
public enum CompletionPlanner {
    /// What to do for one Tab press.
    public enum Action: Equatable, Sendable {
        /// Delete `deleteCount` Unicode scalars before the cursor, then insert `insert`.
        case edit(deleteCount: Int, insert: String)
        /// Print the candidates below the line (second Tab with several candidates).
        case list([String])
        /// Nothing to insert: ring the bell.
        case beep
        /// Nothing to do (e.g. the word is already the only candidate).
        case nothing
    }

    /// Longest common prefix of `strings`, by `Character`.
    public static func commonPrefix(_ strings: [String]) -> String {
        guard var prefix = strings.first.map(Array.init) else { return "" }
        for s in strings.dropFirst() {
            var n = 0
            for (a, b) in zip(prefix, s) {
                if a != b { break }
                n += 1
            }
            prefix.removeSubrange(n...)
            if prefix.isEmpty { break }
        }
        return String(prefix)
    }

    /// Decide the action for a Tab at `cursor` (a Character offset) in `line`.
    /// `repeated` is true when the previous key was also Tab on the same text.
    public static func plan(line: String, cursor: Int, completion: Completion, repeated: Bool) -> Action {
        let chars = Array(line)
        let cur = min(max(0, cursor), chars.count)
        let start = min(max(0, completion.start), cur)
        let word = String(chars[start..<cur])
        var seen = Set<String>()
        let candidates = completion.candidates.filter { seen.insert($0).inserted }
        guard !candidates.isEmpty else { return .beep }
        let prefix = commonPrefix(candidates)
        if candidates.count == 1 {
            let only = candidates[0]
            if only == word { return .nothing }
            if only.hasPrefix(word) {
                return .edit(deleteCount: 0, insert: String(only.dropFirst(word.count)))
            }
            return .edit(deleteCount: word.unicodeScalars.count, insert: only)
        }
        if prefix.count > word.count && prefix.hasPrefix(word) {
            return .edit(deleteCount: 0, insert: String(prefix.dropFirst(word.count)))
        }
        // The candidates rewrite the word (`r18.layer1.0.con` → `r18.layer1[0].conv1/2`):
        // their common part replaces it, unless that would shorten it.
        if !prefix.hasPrefix(word), prefix.count >= word.count {
            return .edit(deleteCount: word.unicodeScalars.count, insert: prefix)
        }
        return repeated ? .list(candidates.sorted()) : .beep
    }

    /// Lay `items` out in columns (column-major, like `ls`/bash) for a
    /// terminal `width` columns wide. Each row ends with `"\n"`.
    public static func formatColumns(_ items: [String], width: Int) -> String {
        guard !items.isEmpty else { return "" }
        let longest = items.map { $0.count }.max() ?? 0
        let cellWidth = longest + 2
        let columns = max(1, max(1, width) / max(1, cellWidth))
        let rows = (items.count + columns - 1) / columns
        var out = ""
        for r in 0..<rows {
            var line = ""
            for c in 0..<columns {
                let i = c * rows + r
                guard i < items.count else { break }
                let item = items[i]
                let isLast = (c + 1) * rows + r >= items.count
                line += item
                if !isLast { line += String(repeating: " ", count: cellWidth - item.count) }
            }
            out += line + "\n"
        }
        return out
    }
}

/// Interactive line input for the REPL.
///
/// On a terminal (`isatty(0)`) it uses libedit's native API through the
/// CEditLine shim: emacs key bindings, ^R reverse search, history with
/// persistence, Tab completion through `completer`, coloured prompts (only if
/// stdout is a tty, `NO_COLOR` is unset and `TERM` is not `dumb`). When stdin
/// is not a terminal, libedit is not used at all: lines come from Swift's
/// `readLine()`, no prompt is printed, and history is neither read nor written.
///
/// Creating an interactive editor installs the `Interrupt` SIGINT handler
/// (without it, libedit's re-raised SIGINT would kill the process).
/// Not thread-safe: use from one thread.
public final class LineEditor {
    /// Called on Tab with the whole line and the cursor (a `Character` offset).
    /// Must be fast and side-effect free (read a symbol table; never evaluate).
    /// Tab in leading whitespace (or on an empty line) inserts 4 spaces instead.
    public var completer: ((_ line: String, _ cursor: Int) -> Completion)?
    /// Applied to pasted text (newlines already `"\n"`) before it is used, e.g. to remove
    /// copied `>>> ` prompts.
    public var pasteFilter: (String) -> String = { $0 }

    /// True when reading from a terminal through libedit.
    public let isInteractive: Bool
    /// True when prompts are coloured.
    public let usesColor: Bool
    /// SGR parameters for the prompt colour (e.g. `"1;32"`), used when `usesColor`.
    public var promptColor: String = "1;32"
    /// The persistent history file, or nil when history is disabled / not interactive.
    public let historyFile: HistoryFile?
    /// Entries accepted into the history (loaded + added), oldest first.
    public private(set) var history: [String] = []

    private var editor: OpaquePointer?
    private var lastTabState: (line: String, cursor: Int)?
    /// A multi-line paste accepted by `handlePaste`, returned by the current `readLine`.
    private var pendingPaste: String?

    /// Where the persistent history lives.
    public enum HistoryLocation: Equatable, Sendable {
        /// `$NNREPL_HISTORY` (empty = disabled), else `~/.nnrepl_history`.
        case fromEnvironment
        /// This file.
        case file(String)
        /// No persistent history (in-memory history still works).
        case disabled
    }

    /// A line editor on the process's stdin/stdout. Interactive (libedit)
    /// iff stdin is a tty.
    /// - Parameters:
    ///   - history: where to load/append history (only used when interactive).
    ///   - historyCapacity: entries kept in memory and loaded from the file.
    ///   - environment: used for `NNREPL_HISTORY`, `HOME`, `NO_COLOR`, `TERM`.
    public convenience init(history: HistoryLocation = .fromEnvironment,
                            historyCapacity: Int = HistoryFile.defaultCapacity,
                            environment: [String: String] = LineEditor.processEnvironment()) {
        let interactive = isatty(0) != 0
        self.init(interactive: interactive, inputFD: -1, outputFD: -1,
                  colorTerminal: isatty(1) != 0,
                  history: history, historyCapacity: historyCapacity,
                  environment: environment)
    }

    /// Designated initializer; `inputFD`/`outputFD` = -1 mean stdin/stdout.
    /// Other fds let tests drive libedit through a pty.
    init(interactive: Bool, inputFD: Int32, outputFD: Int32, colorTerminal: Bool,
         history location: HistoryLocation, historyCapacity: Int, environment: [String: String]) {
        isInteractive = interactive
        let noColor = environment["NO_COLOR"] != nil || environment["TERM"] == "dumb"
        usesColor = interactive && colorTerminal && !noColor
        let capacity = max(1, historyCapacity)
        if interactive {
            let path: String?
            switch location {
            case .fromEnvironment: path = HistoryFile.resolvePath(environment: environment)
            case .file(let explicit): path = explicit.isEmpty ? nil : explicit
            case .disabled: path = nil
            }
            historyFile = path.map { HistoryFile(path: $0, capacity: capacity) }
        } else {
            historyFile = nil
        }
        guard interactive else { return }

        nnrepl_setup_locale()
        Interrupt.install()
        let context = Unmanaged.passUnretained(self).toOpaque()
        editor = nnrepl_editor_create("nnrepl", inputFD, outputFD, Int32(clamping: capacity),
                                      lineEditorCompletionTrampoline, context)
        if environment["TERM"] != "dumb" {
            nnrepl_editor_set_paste_handler(editor, lineEditorPasteTrampoline)
        }
        if let file = historyFile {
            for entry in file.load() {
                history.append(entry)
                nnrepl_editor_history_add(editor, entry)
            }
        }
    }

    deinit {
        if let editor { nnrepl_editor_destroy(editor) }
    }

    /// The process environment as a dictionary.
    public static func processEnvironment() -> [String: String] {
        var env: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") {
                env[String(s[..<eq])] = String(s[s.index(after: eq)...])
            }
            p += 1
        }
        return env
    }

    /// Terminal width in columns (80 when unknown or not interactive).
    public var terminalWidth: Int {
        guard let editor else { return 80 }
        return Int(nnrepl_editor_columns(editor))
    }

    /// Read one line. Interactive: shows `prompt`, edits with libedit; on
    /// Ctrl-C prints `^C` + newline and returns `.interrupted`; on Ctrl-D on
    /// an empty line prints a newline and returns `.endOfInput`.
    /// Non-interactive: ignores `prompt`, returns `.line` or `.endOfInput`.
    public func readLine(prompt: String) -> LineResult {
        guard isInteractive, let editor else {
            if let line = Swift.readLine(strippingNewline: true) { return .line(line) }
            return .endOfInput
        }
        nnrepl_editor_set_prompt(editor, renderPrompt(prompt))
        lastTabState = nil
        pendingPaste = nil
        Interrupt.clear()
        var count: Int32 = 0
        var err: Int32 = 0
        guard let raw = nnrepl_editor_gets(editor, &count, &err) else {
            // ^C: libedit re-raised SIGINT to our handler; el_gets gives NULL
            // with errno EINTR (count -1, or 0 inside a ^R search, which
            // otherwise looks like EOF). Decide by the flag, then errno.
            if Interrupt.check() || err == EINTR {
                nnrepl_editor_write(editor, "^C\n")
                return .interrupted
            }
            nnrepl_editor_write(editor, "\n")
            return .endOfInput
        }
        _ = Interrupt.check()  // a ^C that raced with Enter is dropped
        if let paste = pendingPaste {
            pendingPaste = nil
            // libedit showed the first line; show the others as continuation lines.
            for line in paste.split(separator: "\n", omittingEmptySubsequences: false).dropFirst() {
                nnrepl_editor_write(editor, renderPrompt("... ", marker: "") + line + "\n")
            }
            return .paste(paste)
        }
        var text = String(cString: raw)
        if text.hasSuffix("\n") { text.removeLast() }
        if text.hasSuffix("\r") { text.removeLast() }
        return .line(text)
    }

    /// Add one entry (a line, or a whole multi-line block) to the history and
    /// append it to the history file. Blank entries and an exact repeat of the
    /// previous entry are skipped. No-op when not interactive.
    public func addHistory(_ entry: String) {
        guard isInteractive, let editor else { return }
        var text = entry
        while text.hasSuffix("\n") { text.removeLast() }
        guard text.contains(where: { !$0.isWhitespace }) else { return }
        if history.last == text { return }
        history.append(text)
        if let file = historyFile, history.count > file.capacity * 2 {
            history.removeFirst(history.count - file.capacity)
        }
        nnrepl_editor_history_add(editor, text)
        historyFile?.append(text)
    }

    /// Write text to the terminal (through libedit's output stream) and flush.
    public func write(_ text: String) {
        if let editor {
            nnrepl_editor_write(editor, text)
        } else {
            print(text, terminator: "")
            fflush(stdout)
        }
    }

    /// Wrap `prompt` in colour escapes, delimited by `marker` (libedit's `\1` by default;
    /// "" for text written directly). The last character stays outside the markers
    /// (libedit requirement).
    func renderPrompt(_ prompt: String, marker: String = "\u{1}") -> String {
        let clean = prompt.replacingAll("\u{1}", with: "")
        guard usesColor, clean.count >= 2 else { return clean }
        var body = Substring(clean)
        var tail = ""
        while let last = body.last, last == " " {
            tail.append(last)
            body.removeLast()
        }
        if tail.isEmpty, let last = body.popLast() { tail = String(last) }
        guard !body.isEmpty else { return clean }
        return marker + "\u{1B}[\(promptColor)m" + marker + body + marker + "\u{1B}[0m" + marker + tail
    }

    /// Tab handler, called from the C trampoline. Returns an NNREPL_CC_* code.
    fileprivate func handleTab(lineBytes: UnsafeBufferPointer<UInt8>, cursorByte: Int) -> Int32 {
        guard let editor else { return Int32(NNREPL_CC_NORM) }
        let line = String(decoding: lineBytes, as: UTF8.self)
        let cursorByte = min(max(0, cursorByte), lineBytes.count)
        let before = String(decoding: UnsafeBufferPointer(rebasing: lineBytes[0..<cursorByte]), as: UTF8.self)
        let cursor = before.count

        // Python-style: Tab in leading whitespace indents.
        if before.allSatisfy({ $0 == " " || $0 == "\t" }) {
            lastTabState = nil
            nnrepl_editor_insert(editor, "    ")
            return Int32(NNREPL_CC_REFRESH)
        }
        guard let completer else { return Int32(NNREPL_CC_REFRESH_BEEP) }
        let repeated = lastTabState.map { $0.line == line && $0.cursor == cursor } ?? false
        let completion = completer(line, cursor)
        switch CompletionPlanner.plan(line: line, cursor: cursor, completion: completion, repeated: repeated) {
        case .edit(let deleteCount, let insert):
            nnrepl_editor_delete_before(editor, Int32(clamping: deleteCount))
            if nnrepl_editor_insert(editor, insert) != 0 {
                lastTabState = nil
                return Int32(NNREPL_CC_REFRESH_BEEP)
            }
            // As in bash: after an ambiguous partial completion the next Tab lists.
            if Set(completion.candidates).count > 1 {
                var chars = Array(line)
                let removeFrom = max(0, cursor - deleteCountInCharacters(chars, cursor, deleteCount))
                chars.replaceSubrange(removeFrom..<cursor, with: Array(insert))
                lastTabState = (String(chars), removeFrom + insert.count)
                return Int32(NNREPL_CC_REFRESH_BEEP)
            }
            lastTabState = nil
            return Int32(NNREPL_CC_REFRESH)
        case .list(let items):
            lastTabState = (line, cursor)
            let table = CompletionPlanner.formatColumns(items, width: Int(nnrepl_editor_columns(editor)))
            nnrepl_editor_write(editor, "\n" + table)
            return Int32(NNREPL_CC_REDISPLAY)
        case .beep:
            lastTabState = (line, cursor)
            return Int32(NNREPL_CC_REFRESH_BEEP)
        case .nothing:
            lastTabState = (line, cursor)
            return Int32(NNREPL_CC_NORM)
        }
    }

    /// Bracketed-paste handler, called from the C trampoline with the line, the cursor (a byte
    /// offset) and the pasted text. Text without a newline is inserted at the cursor, to be
    /// edited further; text with one completes the line: the whole (typed + pasted) text is
    /// kept for `readLine` to return as `.paste`, libedit's line shows its first line, and
    /// the line is accepted.
    fileprivate func handlePaste(lineBytes: UnsafeBufferPointer<UInt8>, cursorByte: Int, text: String) -> Int32 {
        guard let editor else { return Int32(NNREPL_CC_NORM) }
        lastTabState = nil
        var pasted = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        pasted = pasteFilter(pasted)
        guard pasted.contains("\n") else {
            return Int32(nnrepl_editor_insert(editor, pasted) == 0 ? NNREPL_CC_REFRESH : NNREPL_CC_REFRESH_BEEP)
        }
        let cursorByte = min(max(0, cursorByte), lineBytes.count)
        let before = String(decoding: UnsafeBufferPointer(rebasing: lineBytes[0..<cursorByte]), as: UTF8.self)
        let after = String(decoding: UnsafeBufferPointer(rebasing: lineBytes[cursorByte...]), as: UTF8.self)
        var whole = before + pasted + after
        while whole.hasSuffix("\n") { whole.removeLast() }
        pendingPaste = whole
        nnrepl_editor_replace_line(editor, String(whole.prefix { $0 != "\n" }))
        return Int32(NNREPL_CC_ACCEPT)
    }

    /// How many Characters before `cursor` make up `scalars` Unicode scalars.
    private func deleteCountInCharacters(_ chars: [Character], _ cursor: Int, _ scalars: Int) -> Int {
        var remaining = scalars
        var n = 0
        var i = min(cursor, chars.count)
        while remaining > 0, i > 0 {
            i -= 1
            remaining -= chars[i].unicodeScalars.count
            n += 1
        }
        return n
    }
}

/// C completion callback: recovers the `LineEditor` from the context pointer
/// (passed unretained; the editor outlives its libedit handle).
private let lineEditorCompletionTrampoline: nnrepl_complete_cb = { context, line, length, cursor in
    guard let context else { return Int32(NNREPL_CC_NORM) }
    let editor = Unmanaged<LineEditor>.fromOpaque(context).takeUnretainedValue()
    return withLineBytes(line, length) { editor.handleTab(lineBytes: $0, cursorByte: Int(cursor)) }
}

/// C paste callback: recovers the `LineEditor` as the completion trampoline does.
private let lineEditorPasteTrampoline: nnrepl_paste_cb = { context, line, length, cursor, text, textLength in
    guard let context else { return Int32(NNREPL_CC_NORM) }
    let editor = Unmanaged<LineEditor>.fromOpaque(context).takeUnretainedValue()
    let pasted = text.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: max(0, Int(textLength))), as: UTF8.self) } ?? ""
    return withLineBytes(line, length) { editor.handlePaste(lineBytes: $0, cursorByte: Int(cursor), text: pasted) }
}

/// Calls `body` with the `length` bytes at `line` (none when NULL or empty).
private func withLineBytes(_ line: UnsafePointer<CChar>?, _ length: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> Int32) -> Int32 {
    let count = max(0, Int(length))
    guard let line, count > 0 else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
    return body(UnsafeBufferPointer(start: UnsafeRawPointer(line).assumingMemoryBound(to: UInt8.self), count: count))
}

extension String {
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
