import Foundation

/// Removes Python REPL prompts (`>>> `, `... `) from code copied out of a tutorial or a
/// doctest, as IPython does, so it runs when pasted or typed at nnrepl's prompt.
enum PromptStripper {
    /// The prompt a line starts with (`>>>`/`...` followed by a space or the line's end), if any.
    static func prompt(of line: Substring) -> String? {
        for p in [">>>", "..."] where line.hasPrefix(p) {
            let rest = line.dropFirst(3)
            if rest.isEmpty || rest.first == " " { return p }
        }
        return nil
    }

    /// A typed line without its leading `>>> ` or `... `. A bare `...` is the prompt of an
    /// empty continuation line only inside a block (`continuing`); at the start of an input
    /// it is Python's Ellipsis and stays.
    static func typedLine(_ line: String, continuing: Bool) -> String {
        let text = Substring(line)
        guard let p = prompt(of: text) else { return line }
        if text.count == 3, p == "...", !continuing { return line }
        return String(text.dropFirst(min(4, text.count)))
    }

    /// Pasted text as code: when it is a REPL transcript (its first non-blank line starts
    /// with `>>>`), the prompts are removed and the lines without a prompt — the printed
    /// output — are dropped; any other text is returned unchanged. `\r\n` and `\r` become
    /// `\n`.
    static func pasted(_ text: String) -> String {
        let unified = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        let lines = unified.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.first(where: { !$0.allSatisfy(\.isWhitespace) }), prompt(of: first) == ">>>" else {
            return unified
        }
        var kept: [Substring] = []
        for line in lines {
            guard prompt(of: line) != nil else { continue }
            kept.append(line.dropFirst(min(4, line.count)))
        }
        return kept.joined(separator: "\n") + (unified.hasSuffix("\n") ? "\n" : "")
    }
}
