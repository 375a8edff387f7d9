import Foundation
import XCTest

/// Ctrl-C inside one long built-in operation: the kernels' check points (TensorRuntime's
/// `KernelCancellation`, hooked up by `Interrupt.attach`) stop it.
extension InteractiveREPLTests {
    /// One convolution on a 16×64×224×224 batch runs ~0.65 s in a debug build (~0.2 s in a
    /// release build) with no module call or loop back-edge inside it. Ctrl-C must stop it
    /// between chunks: KeyboardInterrupt, `y` left unassigned, the session still running.
    /// Without the kernel check points the convolution runs to its end and `y` is assigned.
    func testCtrlCStopsOneLongConvolution() throws {
        let pty = try start()
        pty.send("import torch, torch.nn.functional as F" + PTYSession.enter)
        try pty.expect(">>> ")
        pty.send("x = torch.ones(16, 64, 224, 224); w = torch.ones(64, 64, 3, 3)" + PTYSession.enter)
        try pty.expect(">>> ", timeout: 60)
        let latency = try interrupt("y = F.conv2d(x, w, padding=1)", in: pty)
        pty.send("'y' in dir(), x.shape, float(x.sum())" + PTYSession.enter)
        try pty.expect("(False, torch.Size([16, 64, 224, 224]), 51380224.0)\n")
        try endWithCtrlD(pty)
        print("Ctrl-C to KeyboardInterrupt inside one 16x64x224x224 convolution (debug build): \(String(format: "%.2f", latency)) s")
    }

    /// Types `statement`, presses Ctrl-C 0.15 s after its echo and waits for `KeyboardInterrupt` and
    /// the next prompt; returns the seconds from Ctrl-C to `KeyboardInterrupt`.
    func interrupt(_ statement: String, in pty: PTYSession) throws -> TimeInterval {
        pty.send(statement + PTYSession.enter)
        // The echo first (a Ctrl-C that reaches the line editor before it has taken the line
        // cancels the input, not the statement), then Ctrl-C soon: since session 9's kernels the
        // long convolution takes only ~0.65 s in a debug build, and a Ctrl-C 0.5 s after typing
        // sometimes came after it had finished.
        try pty.expect(statement, timeout: 15)
        _ = pty.drain(for: 0.15)
        let pressed = Date()
        pty.send(PTYSession.ctrlC)
        try pty.expect("KeyboardInterrupt\n", timeout: 15)
        let latency = Date().timeIntervalSince(pressed)
        try pty.expect(">>> ")
        return latency
    }
}
