// Closing abandoned generators, as CPython does when the last reference to a suspended
// generator goes away (its `finally` blocks and `__exit__`s run at once) and at exit.
//
// - Only a generator suspended inside a `try` or `with` (or delegating with `yield from`, to a
//   generator which may be) is closed: elsewhere GeneratorExit would unwind without running
//   anything. Others, and generators that finished, pay two flag tests in `deinit`.
// - `deinit` cannot hand out the dying object, so its body, frame and resume points move into a
//   fresh generator object which is closed instead (and marked finished whatever happens).
// - The close runs nested in whatever released the generator (an assignment, a frame's return,
//   a loop's end): the interpreter's resume state (points, sent value, thrown error) is set
//   aside around it, as the release may come while a generator is being suspended or resumed.
// - An error escaping the close is reported on stderr ("Exception ignored in: …") and dropped.
// - At exit (after `atexit` handlers), generators bound to module-level names are closed, in
//   the order of the names (CPython clears the module's dict in insertion order; a generator
//   only reachable through a container is not closed there).

extension PyGenerator {
    /// Whether closing may run anything: the body stands inside a `try` or `with`, or in a
    /// `yield from`.
    var suspendedInHandler: Bool { saved.holdsHandler }

    /// Called from `deinit` of a started, unfinished generator: closes a copy holding its state.
    func closeAbandoned() {
        guard !running, suspendedInHandler, let interp = ScriptKeys.evaluator else { return }
        let heir = PyGenerator(body: body, frame: frame, name: name, qualifiedName: qualifiedName)
        heir.started = true
        heir.saved.exchange(with: saved)
        interp.closeDropped(heir)
    }
}

extension Interpreter {
    /// Closes `g` for `closeAbandoned` or at exit, with the interpreter's resume state set
    /// aside; an error is reported as CPython's "Exception ignored in".
    func closeDropped(_ g: PyGenerator) {
        let outerPoints = ResumeStack()
        resumePoints.exchange(with: outerPoints)
        let outerSend = resumeSend, outerThrow = resumeThrow
        resumeSend = .none
        resumeThrow = nil
        defer {
            resumePoints.removeAll()
            resumePoints.exchange(with: outerPoints)
            resumeSend = outerSend
            resumeThrow = outerThrow
        }
        do {
            try closeGenerator(g)
        } catch {
            errorOutput("Exception ignored in: <generator object \(g.qualifiedName) at \(addressString(g))>\n" + describe(error))
        }
        if !g.finished {
            g.finished = true
            g.saved.removeAll()
        }
    }

    /// At exit: closes the suspended generators bound to module-level names.
    func closeGlobalGenerators() {
        for name in globals.keys.sorted() {
            guard let cell = globals[name], case .object(let o)? = cell.value, let g = o as? PyGenerator,
                  g.started, !g.finished, g.suspendedInHandler else { continue }
            cell.value = nil
            closeDropped(g)
        }
    }
}
