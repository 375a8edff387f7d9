import NNLang

/// A context manager switching a global mode (grad recording, inference, anomaly detection):
/// `__enter__` switches it, unless the call already did (`set_grad_enabled`,
/// `set_detect_anomaly`, which then only let `with` restore), and `__exit__` restores what the
/// switch saved. Subclasses save and switch in `switchOn(_:)` and restore in `restore()`.
class ModeContext: PyObject {
    private let name: String
    /// Set when the call switched the mode; the next `__enter__` clears it instead of switching.
    private var switchedAtCall = false

    init(_ name: String) { self.name = name }

    override var typeName: String { name }

    /// Saves the current modes and switches to this context's.
    func switchOn(_ ev: Evaluator) {}
    /// Puts back the modes the last `switchOn` saved.
    func restore() {}

    /// Switches now (the function form: `torch.set_grad_enabled(False)`); returns self.
    func switchingAtCall(_ ev: Evaluator) -> Self {
        switchOn(ev)
        switchedAtCall = true
        return self
    }

    override func getAttribute(_ attribute: String, _ ev: Evaluator) throws -> Value? {
        switch attribute {
        case "__enter__":
            return method(attribute) { _, ev in
                if self.switchedAtCall { self.switchedAtCall = false } else { self.switchOn(ev) }
                return .none
            }
        case "__exit__":
            return method(attribute) { _, _ in
                self.restore()
                return .bool(false)
            }
        default: return nil
        }
    }
}
