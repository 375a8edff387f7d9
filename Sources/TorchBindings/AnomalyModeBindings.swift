import NNLang
import TensorRuntime

/// `torch.autograd.set_detect_anomaly(mode, check_nan=True)` (takes effect when called; also a
/// context manager restoring the previous mode), `torch.autograd.detect_anomaly(check_nan=True)`
/// (a context manager), `torch.is_anomaly_enabled()`, `torch.is_anomaly_check_nan_enabled()`.
final class AnomalyModeContext: PyObject {
    private let mode: Bool, checkNaN: Bool, name: String
    private var saved: [(Bool, Bool)] = []

    init(_ name: String, mode: Bool, checkNaN: Bool) {
        self.name = name
        self.mode = mode
        self.checkNaN = checkNaN
    }

    override var typeName: String { name }

    func apply() {
        saved.append((AnomalyMode.isEnabled, AnomalyMode.checksNaN))
        AnomalyMode.isEnabled = mode
        AnomalyMode.checksNaN = checkNaN
    }

    override func getAttribute(_ attribute: String, _ ev: Evaluator) throws -> Value? {
        switch attribute {
        case "__enter__":
            return method(attribute) { _, _ in
                // set_detect_anomaly already switched when it was called.
                if self.name == "detect_anomaly" {
                    ev.warn("UserWarning: Anomaly Detection has been enabled. This mode will increase the runtime and should only be enabled for debugging.")
                    self.apply()
                }
                return .none
            }
        case "__exit__":
            return method(attribute) { _, _ in
                if let (enabled, checks) = self.saved.popLast() {
                    AnomalyMode.isEnabled = enabled
                    AnomalyMode.checksNaN = checks
                }
                return .bool(false)
            }
        default: return nil
        }
    }

    static func install(autograd: Namespace) {
        autograd["set_detect_anomaly"] = .object(NativeFunction("set_detect_anomaly", "mode, check_nan=True",
            doc: "Turns anomaly detection on or off (NaN gradients stop backward); also a context manager.") { b, ev in
            let context = AnomalyModeContext("set_detect_anomaly", mode: try ev.truthy(b[0]), checkNaN: try ev.truthy(b[1]))
            context.apply()
            return .object(context)
        })
        autograd["detect_anomaly"] = .object(NativeFunction("detect_anomaly", "check_nan=True",
            doc: "Context manager: anomaly detection on inside (NaN gradients stop backward).") { b, ev in
            .object(AnomalyModeContext("detect_anomaly", mode: true, checkNaN: try ev.truthy(b[0])))
        })
    }

    static func install(torch: Namespace) {
        torch["is_anomaly_enabled"] = .object(NativeFunction("is_anomaly_enabled", "", doc: "Whether anomaly detection is on.") { _, _ in
            .bool(AnomalyMode.isEnabled)
        })
        torch["is_anomaly_check_nan_enabled"] = .object(NativeFunction("is_anomaly_check_nan_enabled", "",
            doc: "Whether anomaly detection checks for NaN gradients.") { _, _ in .bool(AnomalyMode.checksNaN) })
    }
}
