import Foundation
import Checkpoints
import NNLang
import NeuralNet
import TensorRuntime
import TorchBindings

/// The fuzz targets: each takes one input and must return normally (a thrown error is a normal
/// outcome; a crash, sanitizer report, hang or huge allocation is a bug). Built with libFuzzer by
/// `scripts/fuzz TARGET SECONDS` (`-DFUZZING`, `--sanitize=fuzzer,address`); a plain build gives
/// a replayer: `nnrepl-fuzz TARGET FILE…` runs the target on each file.
enum FuzzTarget: String, CaseIterable {
    /// `data.pkl` programs for the pickle VM.
    case pickle
    /// Whole `.pth` files (zip archive + pickle + storage records), loaded from a file.
    case pth
    /// Whole `.safetensors` files, loaded from a file.
    case safetensors
    /// Source text for the lexer and parser (`Parser.parseModule`).
    case parser
    /// Scripts made by `ProgramGenerator` from the bytes, run by a fresh interpreter with torch,
    /// under a step budget (then KeyboardInterrupt) and a 64 MB allocation limit.
    case interp

    func run(_ bytes: [UInt8]) {
        switch self {
        case .pickle: _ = try? CheckpointFuzzing.unpickle(bytes)
        case .pth: loadFromFile(bytes, suffix: ".pth")
        case .safetensors: loadFromFile(bytes, suffix: ".safetensors")
        case .parser:
            guard let source = String(validating: bytes, as: UTF8.self) else { return }
            _ = try? Parser.parseModule(source: source)
        case .interp: FuzzTarget.interpret(ProgramGenerator.program(from: bytes))
        }
    }

    /// Interrupt polls (one per 128 loop back-edges or calls) before a program is stopped.
    static let stepBudget = 2_000
    /// Wall-clock time before a program is stopped as if by Ctrl-C. The step budget alone let one
    /// expensive operation between two polls (a big tensor op, a long native loop) run for 20-35 s
    /// under ASan and libFuzzer's 30 s timeout called it a hang; the deadline also arms the
    /// kernels' cancellation check points and the per-module-call check, as the REPL's Ctrl-C does.
    static let timeBudgetNanoseconds: UInt64 = 3_000_000_000

    /// Runs `source` as a script on a large stack (as nnrepl does), discarding its output.
    static func interpret(_ source: String) {
        Storage.allocationLimitBytes = 64 << 20
        let deadline = DispatchTime.now().uptimeNanoseconds + timeBudgetNanoseconds
        let pastDeadline: @Sendable () -> Bool = { DispatchTime.now().uptimeNanoseconds > deadline }
        KernelCancellation.isPending = pastDeadline
        KernelCancellation.interrupt = { throw PyError(.keyboardInterrupt, args: []) }
        ModuleCallCheck.check = { if pastDeadline() { throw PyError(.keyboardInterrupt, args: []) } }
        defer {
            KernelCancellation.isPending = nil
            KernelCancellation.interrupt = nil
            ModuleCallCheck.check = nil
        }
        _ = Interpreter.withLargeStack {
            let interpreter = Interpreter(host: TorchHost(moduleBase: Interpreter.moduleBaseType))
            interpreter.output = { _ in }
            interpreter.errorOutput = { _ in }
            var polls = 0
            interpreter.interruptCheck = {
                polls += 1
                return polls > stepBudget || pastDeadline()
            }
            return interpreter.runScript(source: source, fileName: "<fuzz>")
        }
    }

    /// Scratch file for the file-based targets (in /dev/shm when there is one: no disk writes).
    private static let scratchStem: String = {
        let dir = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return dir + "/nnrepl-fuzz-\(getpid())"
    }()

    private func loadFromFile(_ bytes: [UInt8], suffix: String) {
        let path = FuzzTarget.scratchStem + suffix
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return }
        defer { unlink(path) }
        _ = try? CheckpointIO.load(from: path)
    }

    /// The target named by `NNREPL_FUZZ_TARGET` (how scripts/fuzz picks one under libFuzzer).
    static var fromEnvironment: FuzzTarget? {
        ProcessInfo.processInfo.environment["NNREPL_FUZZ_TARGET"].flatMap(FuzzTarget.init(rawValue:))
    }
}

#if FUZZING
private let selectedTarget: FuzzTarget = {
    guard let t = FuzzTarget.fromEnvironment else {
        FileHandle.standardError.write(Data("set NNREPL_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return t
}()

/// libFuzzer's entry point.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    selectedTarget.run(bytes)
    return 0
}
#else
/// Replays inputs without libFuzzer: `nnrepl-fuzz TARGET FILE…`.
@main
enum FuzzReplay {
    static func main() {
        let args = CommandLine.arguments.dropFirst()
        guard let name = args.first, let target = FuzzTarget(rawValue: name) else {
            print("usage: nnrepl-fuzz {\(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|"))} FILE…")
            exit(2)
        }
        for file in args.dropFirst() {
            guard let data = FileManager.default.contents(atPath: file) else { print("cannot read \(file)"); exit(1) }
            target.run(Array(data))
            print("ok \(file)")
        }
    }
}
#endif
