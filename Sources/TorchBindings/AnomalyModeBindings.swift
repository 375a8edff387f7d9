import NNLang
import TensorRuntime

/// `torch.autograd.set_detect_anomaly(mode, check_nan=True)` (takes effect when called; also a
/// context manager restoring the previous mode), `torch.autograd.detect_anomaly(check_nan=True)`
/// (a context manager), `torch.is_anomaly_enabled()`, `torch.is_anomaly_check_nan_enabled()`.
final class AnomalyModeContext: ModeContext {
    private let mode: Bool, checkNaN: Bool, warns: Bool
    private var saved: [(Bool, Bool)] = []

    init(_ name: String, mode: Bool, checkNaN: Bool) {
        self.mode = mode
        self.checkNaN = checkNaN
        warns = name == "detect_anomaly"
        super.init(name)
    }

    override func switchOn(_ ev: Evaluator) {
        if warns {
            ev.warn("UserWarning: Anomaly Detection has been enabled. This mode will increase the runtime and should only be enabled for debugging.")
        }
        saved.append((AnomalyMode.isEnabled, AnomalyMode.checksNaN))
        AnomalyMode.isEnabled = mode
        AnomalyMode.checksNaN = checkNaN
    }

    override func restore() {
        guard let (enabled, checks) = saved.popLast() else { return }
        AnomalyMode.isEnabled = enabled
        AnomalyMode.checksNaN = checks
    }

    static func install(autograd: Namespace) {
        autograd["set_detect_anomaly"] = .object(NativeFunction("set_detect_anomaly", "mode, check_nan=True",
            doc: "Turns anomaly detection on or off (NaN gradients stop backward); also a context manager.") { b, ev in
            .object(AnomalyModeContext("set_detect_anomaly", mode: try ev.truthy(b[0]), checkNaN: try ev.truthy(b[1])).switchingAtCall(ev))
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
