import CBLAS
import CKernels
import Foundation

/// The BLAS library behind every matrix product, the kernel ("core") it runs on this CPU and how
/// many threads nnrepl's kernels split work over: what `nnrepl --version` prints, and what the
/// language's `torch.__config__.show()` can report. Reading it chooses the kernel if no product
/// has done so yet.
public struct BLASInfo: Sendable, Equatable, CustomStringConvertible {
    /// How the kernel in use was chosen.
    public enum KernelChoice: String, Sendable {
        /// OpenBLAS's own detection, kept.
        case detected
        /// The user's `OPENBLAS_CORETYPE`, which always wins.
        case userSetting
        /// nnrepl replaced a generic fallback of OpenBLAS's detection with the kernel for the
        /// CPU's vector units (`detectedKernel` is what detection chose).
        case upgraded
    }

    /// The library and its version, e.g. "OpenBLAS 0.3.21".
    public let library: String
    /// The kernel in use, as OpenBLAS names it (`openblas_get_corename`), e.g. "SkylakeX".
    public let kernel: String
    /// What OpenBLAS's detection chose before nnrepl looked at it.
    public let detectedKernel: String
    public let choice: KernelChoice
    /// Threads the kernels split big work over (OpenBLAS itself runs single-threaded).
    public let threads: Int
    /// The CPU's model name.
    public let cpu: String
    /// The widest vector unit the CPU and OS support: "SSE2", "AVX2" or "AVX-512".
    public let cpuVectorUnits: String

    /// The BLAS set-up of this process (the kernel is chosen before the first product).
    public static var current: BLASInfo {
        let selection = BLASKernelSelection.applied
        return BLASInfo(library: BLASKernelSelection.libraryName(), kernel: BLASKernelSelection.coreName(),
                        detectedKernel: selection.detected, choice: selection.choice, threads: kernelThreads,
                        cpu: CPUInfo.modelName, cpuVectorUnits: CPUInfo.vectorUnitsName)
    }

    /// One line, e.g. "BLAS: OpenBLAS 0.3.21, kernel SkylakeX (upgraded from Prescott), 2 threads".
    public var description: String {
        let how: String
        switch choice {
        case .detected: how = "detected"
        case .userSetting: how = "from OPENBLAS_CORETYPE"
        case .upgraded: how = "OpenBLAS detected \(detectedKernel), a generic kernel; upgraded for \(cpuVectorUnits)"
        }
        return "BLAS: \(library), kernel \(kernel) (\(how)), \(threads) thread\(threads == 1 ? "" : "s")"
    }
}

/// The CPU this process runs on.
public enum CPUInfo {
    /// The CPU's brand string (e.g. "AMD EPYC"), from cpuid.
    public static let modelName: String = {
        var buffer = [CChar](repeating: 0, count: 64)
        nn_cpu_brand(&buffer)
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "unknown CPU" : name
    }()

    /// 0 baseline x86-64 (SSE2), 1 AVX2 with FMA, 2 AVX-512 (F, BW, DQ, VL): CPU and OS support.
    public static let vectorLevel = Int(nn_cpu_vector_level())

    /// `vectorLevel` as a name.
    public static var vectorUnitsName: String { ["SSE2", "AVX2", "AVX-512"][Swift.min(Swift.max(vectorLevel, 0), 2)] }
}

/// Chooses OpenBLAS's kernel once, before the first product. OpenBLAS's DYNAMIC_ARCH detection
/// falls back to a generic SSE kernel (Prescott) on CPU models it doesn't know — Intel family 6
/// model 207 was seen, at a sixth of the speed. When that happens and the CPU has AVX2 or AVX-512,
/// the matching kernel is forced through OpenBLAS's own `OPENBLAS_CORETYPE` mechanism: the
/// variable is set, `gotoblas_dynamic_quit` / `gotoblas_dynamic_init` re-run its selection, and
/// the variable is removed again. A user's own `OPENBLAS_CORETYPE` is left alone.
enum BLASKernelSelection {
    /// What detection chose and how the kernel in use came to be.
    static let applied: (detected: String, choice: BLASInfo.KernelChoice) = {
        let detected = coreName()
        if let setting = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], !setting.isEmpty {
            return (detected, .userSetting)
        }
        let wanted = upgrades(for: detected, cpuLevel: CPUInfo.vectorLevel,
                              hasBF16: nn_cpu_has_avx512_bf16() != 0, isAMD: nn_cpu_is_amd() != 0)
        for name in wanted where switchKernel(to: name) {
            return (detected, .upgraded)
        }
        if !wanted.isEmpty { _ = switchKernel(to: nil) }
        return (detected, .detected)
    }()

    /// The vector level an OpenBLAS kernel is written for (as `CPUInfo.vectorLevel`).
    static func vectorLevel(ofKernel name: String) -> Int {
        switch name.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": return 2
        case "haswell", "zen", "excavator": return 1
        default: return 0
        }
    }

    /// The kernels to try, best first, when `detected` uses narrower vectors than a CPU of
    /// `cpuLevel` has; empty when it already matches (or the CPU has neither AVX2 nor AVX-512).
    static func upgrades(for detected: String, cpuLevel: Int, hasBF16: Bool, isAMD: Bool) -> [String] {
        guard cpuLevel >= 1, vectorLevel(ofKernel: detected) == 0 else { return [] }
        let avx2 = isAMD ? ["Zen", "Haswell"] : ["Haswell", "Zen"]
        guard cpuLevel >= 2 else { return avx2 }
        return (hasBF16 ? ["Cooperlake"] : []) + ["SkylakeX"] + avx2
    }

    /// Makes OpenBLAS re-run its kernel selection with `OPENBLAS_CORETYPE=name` (nil: its own
    /// detection); true when the kernel in use is then `name`. No product may run meanwhile.
    static func switchKernel(to name: String?) -> Bool {
        typealias Hook = @convention(c) () -> Void
        guard let quit = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "gotoblas_dynamic_quit"),
              let initialize = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "gotoblas_dynamic_init") else { return false }
        let previous = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
        if let name { setenv("OPENBLAS_CORETYPE", name, 1) } else { unsetenv("OPENBLAS_CORETYPE") }
        unsafeBitCast(quit, to: Hook.self)()
        unsafeBitCast(initialize, to: Hook.self)()
        if let previous { setenv("OPENBLAS_CORETYPE", previous, 1) } else { unsetenv("OPENBLAS_CORETYPE") }
        return name.map { coreName().lowercased() == $0.lowercased() } ?? true
    }

    /// `openblas_get_corename()`.
    static func coreName() -> String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// The first two words of `openblas_get_config()`, e.g. "OpenBLAS 0.3.21".
    static func libraryName() -> String {
        guard let config = openblas_get_config() else { return "OpenBLAS" }
        return String(cString: config).split(separator: " ").prefix(2).joined(separator: " ")
    }
}
