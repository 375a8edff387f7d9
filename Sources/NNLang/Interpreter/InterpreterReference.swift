/// A reference to an interpreter that does not keep it alive and reads nil once it is gone,
/// for the objects that may outlive it (script modules, tqdm bars, the script-key hasher).
///
/// Not Swift's `weak`: one weak reference gives the interpreter a side table for good, which
/// moves every retain and release of it (a generator step, a builtin call, a closure that
/// captures it) onto the runtime's slow path (measured: 5% of a generator loop). The
/// interpreter owns its reference and clears it in `deinit`; holders keep the reference.
final class InterpreterReference {
    unowned(unsafe) var interpreter: Interpreter?

    init() {}
}
