import Foundation

/// `!cmd` at the prompt: runs `cmd` with `/bin/sh -c` on the terminal, as IPython does (its
/// output goes straight to the terminal, it is not captured). Ctrl-C reaches the command (it
/// is in the terminal's foreground process group) and ends it; the session carries on.
enum ShellCommand {
    /// Runs `command` and waits for it. `.failed` only when the shell cannot be started; the
    /// command's own exit status is not an error (IPython's `!` ignores it too).
    static func run(_ command: String, in session: Session) -> Session.Outcome {
        let text = command.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return .ok }
        session.interpreter.flushOutput()  // what was printed before comes first
        let words: [String] = ["/bin/sh", "-c", text]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ)
        guard rc == 0 else {
            session.reportMessage("!: cannot run /bin/sh: \(String(cString: strerror(rc)))")
            return .failed
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        Interrupt.clear()  // a Ctrl-C that ended the command is not for the next input
        return .ok
    }
}
