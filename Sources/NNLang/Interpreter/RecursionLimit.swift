import Foundation

/// The recursion limit (CPython's `sys.setrecursionlimit`): script calls, generator resumes and
/// the Swift code that recurses into nested values count one level each, and the level that
/// would reach the limit raises RecursionError. The module's own frame counts as one, as in
/// CPython, so `def f(n): f(n + 1)` called from the module reaches `f(999)` under the default
/// limit 1000. Past the default depth the native stack is checked too: a limit raised by the
/// script never lets a deep recursion overflow the thread's stack (it raises the same
/// RecursionError once less than an eighth of the stack is left).
extension Interpreter {
    /// The limit scripts start with (`sys.getrecursionlimit()`).
    static let defaultRecursionLimit = 1000

    /// Raises RecursionError (`maximum recursion depth exceeded` + `context`) when one more level
    /// is not allowed; see the type's comment.
    @inline(__always)
    func checkRecursion(_ context: String = "") throws {
        if callDepth + 1 >= recursionLimit
            || (callDepth >= Interpreter.defaultRecursionLimit && nativeStack.isLow()) {
            throw PyError(.recursionError, "maximum recursion depth exceeded" + context)
        }
    }

    /// `sys.setrecursionlimit(limit)` with CPython's checks and messages.
    func setRecursionLimit(_ limit: Value) throws {
        let n: Int
        switch limit {
        case .int(let i): n = i
        case .bool(let b): n = b ? 1 : 0
        default: throw PyError(.typeError, "'\(limit.typeName)' object cannot be interpreted as an integer")
        }
        guard n <= Int(Int32.max), n >= Int(Int32.min) else { throw PyError(.overflowError, "Python int too large to convert to C int") }
        guard n >= 1 else { throw PyError(.valueError, "recursion limit must be greater or equal than 1") }
        // CPython's depth here counts the module frame and the call of setrecursionlimit itself.
        let depth = callDepth + 2
        guard depth < n else {
            throw PyError(.recursionError, "cannot set the recursion limit to \(n) at the recursion depth \(depth): the limit is too low")
        }
        recursionLimit = n
    }
}

/// Where the stack of the thread running an interpreter ends, to stop a recursion before it
/// overflows the stack.
struct NativeStack {
    /// The thread whose stack `floor` describes, and the lowest address calls may reach on it
    /// (an eighth of its stack above its end).
    private var thread: pthread_t?
    private var floor: UInt = 0

    /// Whether the caller's stack frame is below the running thread's floor.
    mutating func isLow() -> Bool {
        let me = pthread_self()
        if thread.map({ pthread_equal($0, me) == 0 }) ?? true {
            floor = stackFloor(me)
            thread = me
        }
        var marker: UInt8 = 0
        return withUnsafePointer(to: &marker) { UInt(bitPattern: $0) } < floor
    }

    /// The lowest address plus an eighth of the size of `thread`'s stack (0 when unknown).
    private func stackFloor(_ thread: pthread_t) -> UInt {
        #if canImport(Darwin)
        let top = UInt(bitPattern: pthread_get_stackaddr_np(thread))
        let size = UInt(pthread_get_stacksize_np(thread))
        return top - size + size / 8
        #else
        var attributes = pthread_attr_t()
        guard threadAttributes(thread, &attributes) == 0 else { return 0 }
        defer { pthread_attr_destroy(&attributes) }
        var base: UnsafeMutableRawPointer?
        var size = 0
        guard pthread_attr_getstack(&attributes, &base, &size) == 0, let base else { return 0 }
        return UInt(bitPattern: base) + UInt(size) / 8
        #endif
    }
}

#if !canImport(Darwin)
/// glibc's `pthread_getattr_np` (the attributes of a running thread, its stack among them),
/// which Swift's Glibc module does not import.
@_silgen_name("pthread_getattr_np")
private func threadAttributes(_ thread: pthread_t, _ attributes: UnsafeMutablePointer<pthread_attr_t>) -> Int32
#endif
