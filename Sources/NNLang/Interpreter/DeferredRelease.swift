/// Bounded-depth release of long object chains (CPython's "trashcan"). Swift frees an object's
/// references when it is freed, so dropping the head of a chain of 2M closures (function →
/// cell → function …), generators (generator → frame → generator …), nested lists or linked
/// script objects would free 2M objects recursively and overflow the native stack.
///
/// The objects that can form such chains (Cell, Frame, PyGenerator, PyFunction, BoundMethod,
/// PyInstance, PyList, PyTuple, PyDict) drop their references inside their `deinit` through
/// `release`, which counts how deeply frees are nested. Past `maximumDepth` the references are
/// parked instead (so the field's own release is not the last one) and the outermost `release`
/// frees the parked values one at a time, each again at most `maximumDepth` deep.
///
/// Interpreter objects are only freed on the thread running the interpreter, so the state is
/// plain globals: a short `deinit` pays one counter increment and decrement.
enum DeferredRelease {
    /// How many frees may nest before references are parked (each level is a few native frames).
    static let maximumDepth = 200

    nonisolated(unsafe) private static var depth = 0
    nonisolated(unsafe) private static var parked: [Any] = []
    /// Whether `parked` may hold values. A plain integer global is initialised statically, while
    /// reading the array global checks its lazy initialisation (`swift_once`) each time: every
    /// returning call (`Frame.recycle`) asks this.
    nonisolated(unsafe) private static var anyParked = false

    /// Drops the references `field` holds by setting it to `empty`, unless frees are already
    /// nested `maximumDepth` deep: then the old value is parked and freed later by the
    /// outermost `release`.
    @inline(__always)
    static func release<T>(_ field: inout T, to empty: T) {
        guard depth < maximumDepth else {
            parked.append(field)
            anyParked = true
            return
        }
        depth += 1
        field = empty
        leave()
    }

    /// Runs `dropReferences` counted as one nesting level, or parks what `references` returns
    /// when frees are nested too deep (for storage that is not a plain field, e.g. a frame's
    /// local slots, which `dropReferences` deinitializes either way).
    @inline(__always)
    static func release(parking references: () -> Any, _ dropReferences: () -> Void) {
        guard depth < maximumDepth else {
            parked.append(references())
            anyParked = true
            dropReferences()
            return
        }
        depth += 1
        dropReferences()
        leave()
    }

    @inline(__always)
    private static func leave() {
        depth -= 1
        if depth == 0, anyParked { drainParked() }
    }

    /// Frees the parked values one by one; whatever they park in turn joins the queue.
    private static func drainParked() {
        depth = 1
        while !parked.isEmpty {
            _ = parked.removeLast()
        }
        anyParked = false
        depth = 0
    }
}
