import XCTest
@testable import TensorRuntime

/// OpenBLAS's kernel choice: never a generic fallback on a CPU with AVX2 or AVX-512.
final class BLASKernelTests: XCTestCase {
    /// On the machine the tests run on: a CPU reporting AVX2 runs an AVX2 or AVX-512 kernel
    /// (unless the user set OPENBLAS_CORETYPE).
    func testKernelInUseIsNotGenericWhenCPUHasAVX2() {
        let info = BLASInfo.current
        XCTAssertEqual(info.kernel, BLASKernelSelection.coreName())
        guard info.choice != .userSetting else { return }
        if CPUInfo.vectorLevel >= 1 {
            XCTAssertGreaterThanOrEqual(BLASKernelSelection.vectorLevel(ofKernel: info.kernel), 1, info.description)
        }
        XCTAssertTrue(info.library.hasPrefix("OpenBLAS"), info.library)
        XCTAssertGreaterThanOrEqual(info.threads, 1)
        XCTAssertTrue(info.description.contains(info.kernel))
    }

    /// Forcing OpenBLAS onto its generic Prescott kernel, as its detection does on CPU models it
    /// doesn't know, then applying the upgrade list gives a vector kernel again, and products
    /// stay right.
    func testGenericKernelIsReplacedAtRunTime() throws {
        let info = BLASInfo.current
        guard info.choice != .userSetting, CPUInfo.vectorLevel >= 1 else { return }
        defer { XCTAssertTrue(BLASKernelSelection.switchKernel(to: info.kernel)) }
        XCTAssertTrue(BLASKernelSelection.switchKernel(to: "Prescott"))
        XCTAssertEqual(BLASKernelSelection.coreName(), "Prescott")
        let wanted = BLASKernelSelection.upgrades(for: "Prescott", cpuLevel: CPUInfo.vectorLevel,
                                                  hasBF16: false, isAMD: false)
        XCTAssertTrue(wanted.contains { BLASKernelSelection.switchKernel(to: $0) })
        XCTAssertGreaterThanOrEqual(BLASKernelSelection.vectorLevel(ofKernel: BLASKernelSelection.coreName()), 1)
        let a = try KernelTest.random([64, 48], seed: 3, dtype: .float32, requiresGrad: false)
        let b = try KernelTest.random([48, 40], seed: 4, dtype: .float32, requiresGrad: false)
        let av = KernelTest.values(a), bv = KernelTest.values(b)
        var expected = [Double](repeating: 0, count: 64 * 40)
        for i in 0..<64 {
            for j in 0..<40 {
                for k in 0..<48 { expected[i * 40 + j] += av[i * 48 + k] * bv[k * 40 + j] }
            }
        }
        KernelTest.assertClose(try a.matmul(b), expected, tol: 1e-4)
    }

    func testUpgradeListFollowsTheCPU() {
        typealias S = BLASKernelSelection
        XCTAssertEqual(S.upgrades(for: "Prescott", cpuLevel: 0, hasBF16: false, isAMD: false), [])
        XCTAssertEqual(S.upgrades(for: "Prescott", cpuLevel: 1, hasBF16: false, isAMD: false), ["Haswell", "Zen"])
        XCTAssertEqual(S.upgrades(for: "Core2", cpuLevel: 1, hasBF16: false, isAMD: true), ["Zen", "Haswell"])
        XCTAssertEqual(S.upgrades(for: "Prescott", cpuLevel: 2, hasBF16: true, isAMD: false),
                       ["Cooperlake", "SkylakeX", "Haswell", "Zen"])
        XCTAssertEqual(S.upgrades(for: "Katmai", cpuLevel: 2, hasBF16: false, isAMD: false).first, "SkylakeX")
        // A vector kernel that detection chose is kept.
        XCTAssertEqual(S.upgrades(for: "Haswell", cpuLevel: 2, hasBF16: true, isAMD: false), [])
        XCTAssertEqual(S.upgrades(for: "Cooperlake", cpuLevel: 2, hasBF16: true, isAMD: true), [])
    }
}
