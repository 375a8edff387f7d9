/// A check point at every module call (`Module.call`), so a long forward pass of built-in
/// layers (resnet18 on a large batch) can be interrupted between layers: the front end sets
/// `check` to a function that throws (KeyboardInterrupt after a Ctrl-C); nil costs nothing.
public enum ModuleCallCheck {
    nonisolated(unsafe) public static var check: (() throws -> Void)?
}
