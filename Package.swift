// swift-tools-version:6.0
import PackageDescription

let releaseKernelSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

// The interpreter's release settings: the kernel layers' settings, plus non-atomic reference
// counting for the code compiled in NNLang (`-assume-single-threaded`; atomic retain/release was
// about a quarter of a pure-Python profile). Sound because NNLang-compiled code never runs on two
// threads at once and never shares an object with a thread that retains it concurrently:
// - scripts and the REPL run on one thread (`Interpreter.withLargeStack` runs its body on a
//   POSIX thread that the caller joins before it touches anything again, so the two never overlap);
// - the only other Swift threads are TensorRuntime's `KernelPool` workers, which run closures
//   compiled in TensorRuntime/NeuralNet only (nothing in NNLang or above calls `parallelParts`),
//   and the interpreter's thread waits inside `parallelParts` until every part has finished;
// - SIGINT only sets a C flag (NNREPL/Interrupt.swift), which the interpreter polls;
// - there is no DataLoader worker thread, GCD queue or Swift concurrency task in the process.
// Code in other modules keeps atomic counts (they mix freely on one thread). Debug builds, which
// run the tests, keep atomic counts too. Anyone adding a thread that runs script code or holds
// interpreter values must revisit this.
let releaseInterpreterSettings: [SwiftSetting] = releaseKernelSettings + [
    .unsafeFlags(["-Xfrontend", "-assume-single-threaded"], .when(configuration: .release)),
]

// One target per layer; each depends only on the layers below it (see docs/architecture.md).
let package = Package(
    name: "nnrepl",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "nnrepl", targets: ["nnrepl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // OpenBLAS through pkg-config (apt: libopenblas-dev).
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // libedit's variadic C API wrapped in plain C functions Swift can call (apt: libedit-dev).
        .target(
            name: "CEditLine",
            cSettings: [.unsafeFlags(["-I/usr/include/editline"])],
            linkerSettings: [.linkedLibrary("edit")]
        ),
        // C kernels compiled per instruction set (baseline, AVX2+FMA, AVX-512) and chosen at run
        // time for the CPU they run on, plus the CPU feature queries behind that choice.
        .target(name: "CKernels"),
        // Tensors: storage, views, kernels, autograd, RNG, printing.
        // Release builds drop Swift's dynamic exclusivity checks in the two kernel layers (a
        // quarter of the instructions of a small tensor op); debug builds, which run the tests,
        // keep them, so a violation still shows up there.
        .target(name: "TensorRuntime", dependencies: ["CBLAS", "CKernels"], swiftSettings: releaseKernelSettings),
        // nn.Module and friends: layers, losses, init, optimizers, architectures.
        .target(name: "NeuralNet", dependencies: ["TensorRuntime"], swiftSettings: releaseKernelSettings),
        // torch.save / torch.load: pickle, the .pth zip, safetensors.
        .target(name: "Checkpoints", dependencies: ["TensorRuntime", "ZIPFoundation"]),
        // The nnrepl language: a Python 3 subset (syntax, interpreter, Python's builtins and the
        // standard-library modules scripts import). `Value` carries tensors and modules as
        // immediates, so it sees TensorRuntime and NeuralNet, but no torch binding.
        // Release builds skip dynamic exclusivity checks here too (the interpreter's frames and
        // tables are class fields read on every statement); debug test builds keep them.
        .target(name: "NNLang", dependencies: ["NeuralNet"], swiftSettings: releaseInterpreterSettings),
        // torch, torch.nn, F, optim, torchvision …: the bindings, on top of the language through
        // its public contract (`Evaluator`, `Host`, `Value`, `PyObject`) only.
        .target(name: "TorchBindings", dependencies: ["NNLang", "NeuralNet", "Checkpoints"]),
        // Front end: script runner, interactive REPL, :commands.
        .target(name: "NNREPL", dependencies: ["NNLang", "TorchBindings", "CEditLine"]),
        .executableTarget(
            name: "nnrepl",
            dependencies: ["NNREPL", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Swift-level benchmarks printed by scripts/bench (`name value unit` lines).
        .executableTarget(name: "nnrepl-bench", dependencies: ["NeuralNet", "CBLAS"], path: "Sources/Bench"),
        // Fuzz targets for the checkpoint readers, the parser and the interpreter: `scripts/fuzz TARGET SECONDS`
        // builds them with libFuzzer; a plain build is a replayer (`nnrepl-fuzz TARGET FILE…`).
        .executableTarget(name: "nnrepl-fuzz", dependencies: ["Checkpoints", "NNLang", "NeuralNet", "TorchBindings"], path: "Sources/Fuzz"),
        .testTarget(name: "TensorRuntimeTests", dependencies: ["TensorRuntime"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet"]),
        .testTarget(name: "CheckpointsTests", dependencies: ["Checkpoints", "NeuralNet"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "NNLangTests", dependencies: ["NNLang", "TorchBindings"], resources: [.copy("Golden")]),
        .testTarget(name: "NNREPLTests", dependencies: ["NNREPL"]),
    ],
    swiftLanguageModes: [.v5]
)
