/// Runs `body` one level deeper on the interpreter's recursion counter (the one script calls
/// use). Swift code that recurses into nested values — comparing or printing lists, dicts and
/// tuples — goes through here, so a self-containing or absurdly deep structure raises
/// RecursionError (`maximum recursion depth exceeded in comparison`) instead of overflowing the
/// native stack. `context` is appended to the message, as CPython does.
func recursionGuarded<T>(_ ev: Evaluator, _ context: String, _ body: () throws -> T) throws -> T {
    guard let interp = ev as? Interpreter else { return try body() }
    try interp.checkRecursion(context)
    interp.callDepth += 1
    defer { interp.callDepth -= 1 }
    return try body()
}
