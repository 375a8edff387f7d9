/// A check point at every module call (`Module.call`), so a long forward pass of built-in
/// layers (resnet18 on a large batch) can be interrupted between layers: the front end sets
/// `check` to a function that throws (KeyboardInterrupt after a Ctrl-C); nil costs nothing.
public enum ModuleCallCheck {
    nonisolated(unsafe) public static var check: (() throws -> Void)?
}

/// The module a forward pass failed in, recorded as the error unwinds through `Module.call`: the
/// innermost module that raised, and the child names that lead to it from the outermost module the
/// error has left so far (`["2", "0"]` for `m[2][0]`). A front end reads it when it prints a
/// traceback (PyTorch's message alone does not say which layer of a `Sequential` failed) and
/// clears it before each statement. Only the error path pays for it.
public enum ModuleCallFailure {
    /// The module whose `forward` raised first.
    nonisolated(unsafe) public private(set) static var innermost: Module?
    /// Child names from `outermost` down to `innermost`.
    nonisolated(unsafe) public private(set) static var path: [String] = []
    nonisolated(unsafe) private static var outermost: Module?

    /// Called by `Module.call` when its `forward` throws.
    static func unwinding(through module: Module) {
        if let inner = outermost, let name = module.namedChildren().first(where: { $0.1 === inner })?.0 {
            path.insert(name, at: 0)
            outermost = module
        } else {
            // A new failure (or one a script caught, followed by another): start again here.
            innermost = module
            outermost = module
            path = []
        }
    }

    /// Forget the last failure (before running the next statement).
    public static func clear() {
        innermost = nil
        outermost = nil
        path = []
    }
}
