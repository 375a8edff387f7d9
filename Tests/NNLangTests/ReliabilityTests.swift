import Foundation
import XCTest
import TensorRuntime
import TorchBindings
@testable import NNLang

/// Issue 15's cases at the language level: long object chains are released without
/// overflowing the native stack, growth paths raise MemoryError under the allocation limit,
/// str.expandtabs, tensor printing depth, convolution argument checks.
final class ReliabilityTests: XCTestCase {
    /// Runs `source` on a thread with a 4 MB stack (so a recursive release of a long chain
    /// would overflow it) and returns (status, stdout, stderr).
    private func runOnSmallStack(_ source: String) -> (Int32, String, String) {
        final class Box: @unchecked Sendable { var result: (Int32, String, String) = (-1, "", "") }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let interpreter = Interpreter(host: TorchHost(moduleBase: Interpreter.moduleBaseType))
            var out = "", err = ""
            interpreter.output = { out += $0 }
            interpreter.errorOutput = { err += $0 }
            let status = interpreter.runScript(source: source, fileName: "<test>")
            box.result = (status, out, err)
            done.signal()
        }
        thread.stackSize = 4 << 20
        thread.start()
        done.wait()
        return box.result
    }

    func testLongChainsAreReleasedWithoutRecursion() {
        let n = 100_000
        let chains = [
            "f = None\nfor i in range(\(n)):\n    f = (lambda p: lambda: p)(f)",                 // function → cell → function
            "f = None\nfor i in range(\(n)):\n    f = lambda p=f: p",                             // function → defaults
            "def gen(prev):\n    yield prev\nf = None\nfor i in range(\(n)):\n    f = gen(f)",     // generator → frame → generator
            "def gen(prev):\n    yield prev\n    yield 1\nf = None\nfor i in range(\(n)):\n    f = gen(f)\n    next(f)",
            "f = iter([])\nfor i in range(\(n)):\n    f = (x for x in f)",                          // generator expressions
            "class Node:\n    pass\nf = None\nfor i in range(\(n)):\n    m = Node()\n    m.next = f\n    f = m\ndel m",
            "class C:\n    def m(self):\n        pass\nf = None\nfor i in range(\(n)):\n    c = C()\n    c.prev = f\n    f = c.m\ndel c",
            "f = []\nfor i in range(\(n)):\n    f = [f]",
            "f = ()\nfor i in range(\(n)):\n    f = (f, i)",
            "f = {}\nfor i in range(\(n)):\n    f = {i: f}",
        ]
        for chain in chains {
            let (status, out, err) = runOnSmallStack(chain + "\ndel f\nprint('released')")
            XCTAssertEqual(status, 0, chain + "\n" + err)
            XCTAssertEqual(out, "released\n", chain)
        }
    }

    /// The last line a script printed (stderr when it failed).
    private func lastLine(_ source: String) -> String {
        let (_, out, err) = TorchGoldenTests.run(source)
        return (err.isEmpty ? out : err).split(separator: "\n").last.map(String.init) ?? ""
    }

    func testGrowthPathsRaiseMemoryError() {
        let saved = Storage.allocationLimitBytes
        Storage.allocationLimitBytes = 4 << 20
        defer { Storage.allocationLimitBytes = saved }
        let cases = [
            "l = [0]\nwhile True:\n    l = l + l",
            "l = [0]\nwhile True:\n    l += l",
            "l = [0]\nwhile True:\n    l.extend(l)",
            "t = (0,)\nwhile True:\n    t = t + t",
            "s = 'ab'\nwhile True:\n    s = s + s",
            "s = 'ab'\nwhile True:\n    s += s",
            "[i for i in range(10**10)]",
            "{i: i for i in range(10**10)}",
            "{i for i in range(10**10)}",
            "l = []\nfor i in range(10**10):\n    l.append(i)",
            "'\\t'.expandtabs(2**31 - 1)",
            "('a' * 1000).replace('', 'b' * 10**4)",
            "('a' * 10**4).replace('a', 'b' * 1000)",
            "('x' * 10**4).join(['a'] * 1000)",
            "import random\nrandom.choices([1], k=10**12)",
        ]
        for source in cases {
            XCTAssertEqual(lastLine(source), "MemoryError", source)
        }
        // The guard leaves ordinary growth alone.
        XCTAssertEqual(lastLine("l = [0]\nfor _ in range(10):\n    l = l + l\nprint(len(l), len([i for i in range(5000)]))"), "1024 5000")
        // A replacement whose bound (every byte a match) is too big but whose real size fits.
        XCTAssertEqual(lastLine("print(len(('ab' * 1000).replace('a', 'xyz' * 1000)), len('-'.join(['a'] * 1000)))"), "3001000 1999")
    }

    func testMemoryBudgetIsBoundedByPhysicalMemory() {
        let physical = sysconf(Int32(_SC_PHYS_PAGES)) * sysconf(Int32(_SC_PAGESIZE))
        XCTAssertGreaterThan(MemoryBudget.availableBytes, 0)
        XCTAssertLessThanOrEqual(MemoryBudget.availableBytes, physical)
        XCTAssertEqual(MemoryBudget.singleAllocationLimit, max(MemoryBudget.availableBytes / 4, 1 << 20))
    }

    func testExpandTabsAsCPython() {
        // CPython 3.11: column-aware, reset by newlines, size <= 0 removes tabs.
        let (_, out, _) = TorchGoldenTests.run("""
        print(repr('a\\tbc\\td'.expandtabs()), repr('a\\tb'.expandtabs(4)), repr('ab\\n\\tc'.expandtabs(3)))
        print(repr('a\\tb'.expandtabs(0)), repr('a\\tb'.expandtabs(-1)), repr('é\\tx'.expandtabs(tabsize=2)))
        """)
        XCTAssertEqual(out, "'a       bc      d' 'a   b' 'ab\\n   c'\n'ab' 'ab' 'é x'\n")
        XCTAssertEqual(lastLine("'\\t'.expandtabs(2**40)"), "OverflowError: Python int too large to convert to C int")
    }

    func testPrintingATensorWithTooManyDimensionsIsARecursionError() {
        let message = "RecursionError: maximum recursion depth exceeded while calling a Python object"
        XCTAssertEqual(lastLine("import torch\nprint(torch.zeros([1] * 100000))"), message)
        XCTAssertEqual(lastLine("import torch\nx = repr(torch.zeros([1] * 495))"), message)
        XCTAssertEqual(lastLine("import torch\nx = f'{torch.zeros([1] * 495)}'"), message)
        XCTAssertEqual(lastLine("import torch\nprint(len(repr(torch.zeros([1] * 494))))"), "\(494 * 2 + 10)")
    }

    /// Messages from PyTorch 2.15 (each case run there).
    func testConvolutionAndPoolingArgumentChecksMatchPyTorch() {
        let cases: [(String, String, String)] = [
            ("nn.Conv2d(3, 3, 0)", "torch.randn(1, 3, 8, 8)", "RuntimeError: kernel size should be greater than zero, but got kernel_height: 0 kernel_width: 0"),
            ("nn.Conv2d(3, 3, (0, 2))", "torch.randn(1, 3, 8, 8)", "RuntimeError: kernel size should be greater than zero, but got kernel_height: 0 kernel_width: 2"),
            ("nn.Conv1d(3, 3, 0)", "torch.randn(1, 3, 8)", "RuntimeError: kernel size should be greater than zero, but got kernel_height: 1 kernel_width: 0"),
            ("nn.Conv3d(3, 3, (1, 0, 2))", "torch.randn(1, 3, 4, 4, 4)", "RuntimeError: kernel size should be greater than zero, but got: 1 x 0 x 2 (TxHxW)"),
            ("nn.ConvTranspose2d(3, 3, 0)", "torch.randn(1, 3, 8, 8)", "RuntimeError: kernel size should be greater than zero, but got kernel_height: 0 kernel_width: 0"),
            ("nn.ConvTranspose3d(3, 3, (1, 0, 2))", "torch.randn(1, 3, 4, 4, 4)", "RuntimeError: non-empty 5D (n_output_plane x n_input_plane x kernel_depth x kernel_height x kernel_width) tensor expected for weight, but got: [3, 3, 1, 0, 2]"),
            ("nn.Conv2d(3, 3, 0, stride=0)", "torch.randn(1, 3, 8, 8)", "RuntimeError: non-positive stride is not supported"),
            ("nn.Conv2d(3, 3, 3, stride=(1, -1))", "torch.randn(1, 3, 8, 8)", "RuntimeError: non-positive stride is not supported"),
            ("nn.Conv1d(3, 3, 3, padding=-2)", "torch.randn(1, 3, 8)", "RuntimeError: negative padding is not supported"),
            ("nn.Conv2d(3, 3, 3, dilation=0)", "torch.randn(1, 3, 8, 8)", "RuntimeError: dilation should be greater than zero, but got [0, 0]"),
            ("nn.Conv1d(3, 3, 3, dilation=0)", "torch.randn(1, 3, 8)", "RuntimeError: dilation should be greater than zero, but got [1, 0]"),
            ("nn.Conv2d(3, 3, 3, dilation=-1)", "torch.randn(1, 3, 8, 8)", "RuntimeError: dilation should be greater than zero"),
            ("nn.ConvTranspose2d(3, 3, 3, dilation=0)", "torch.randn(1, 3, 8, 8)", "RuntimeError: dilation should be greater than zero, but got dilation_height: 0, dilation_width: 0"),
            ("nn.ConvTranspose3d(3, 3, 3, dilation=0)", "torch.randn(1, 3, 4, 4, 4)", "RuntimeError: dilation should be greater than zero, but got dilation_depth: 0, dilation_height: 0, dilation_width: 0"),
            ("nn.Conv2d(3, 3, -2)", "None", "RuntimeError: Trying to create tensor with negative dimension -2: [3, 3, -2, -2]"),
            ("nn.Conv2d(-1, 3, 3)", "None", "RuntimeError: Trying to create tensor with negative dimension -1: [3, -1, 3, 3]"),
            ("nn.Conv2d(3, 4, 3, groups=2)", "None", "ValueError: in_channels must be divisible by groups"),
            ("nn.Conv2d(3, 3, 3, stride=0, padding=-1)", "torch.randn(1, 3, 8, 8)", "RuntimeError: negative padding is not supported"),
            ("nn.ConvTranspose2d(3, 3, 3, stride=2, output_padding=-1)", "torch.randn(1, 3, 8, 8)", "RuntimeError: negative output_padding is not supported"),
            ("nn.Conv2d(3, 0, 3)", "torch.randn(1, 3, 8, 8)", "RuntimeError: Given groups=1, expected weight to be at least 1 at dimension 0, but got weight of size [0, 3, 3, 3] instead"),
            ("nn.MaxPool2d(0)", "torch.randn(1, 3, 8, 8)", "RuntimeError: stride should not be zero"),
            ("nn.AvgPool1d(0)", "torch.randn(1, 3, 8)", "RuntimeError: stride should not be zero"),
            ("nn.MaxPool2d(-1)", "torch.randn(1, 3, 8, 8)", "RuntimeError: kernel size should be greater than zero, but got kH: -1 kW: -1"),
            ("nn.MaxPool2d(2, dilation=0)", "torch.randn(1, 3, 8, 8)", "RuntimeError: dilation should be greater than zero, but got dilationH: 0 dilationW: 0"),
            ("nn.AvgPool2d(2, stride=-1)", "torch.randn(1, 3, 8, 8)", "RuntimeError: stride should be greater than zero, but got dH: -1 dW: -1"),
            ("nn.AvgPool2d(2, padding=2)", "torch.randn(1, 3, 8, 8)", "RuntimeError: pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and dilation=1"),
        ]
        for (layer, input, expected) in cases {
            XCTAssertEqual(lastLine("import torch\nimport torch.nn as nn\nm = \(layer)\nm(\(input))"), expected, layer)
        }
    }

    /// An error raised by exit() inside an except block keeps its context (CPython 3.11's text).
    func testErrorsInExitKeepTheirContext() {
        let (status, _, err) = TorchGoldenTests.run("try:\n    1/0\nexcept ZeroDivisionError:\n    exit(1, 2)")
        XCTAssertEqual(status, 1)
        XCTAssertTrue(err.contains("ZeroDivisionError: division by zero\n\nDuring handling of the above exception, another exception occurred:"), err)
        XCTAssertTrue(err.hasSuffix("TypeError: Quitter.__call__() takes from 1 to 2 positional arguments but 3 were given\n"), err)
        XCTAssertEqual(lastLine("import sys\nsys.exit(1, 2)"), "TypeError: exit expected at most 1 argument, got 2")
    }

    /// Deeply nested values given to code that recurses into them natively: CPython's and
    /// PyTorch 2.15's errors (each case run there), not a native stack overflow.
    func testDeeplyNestedValuesRaiseInsteadOfOverflowingTheStack() {
        let nest = "x = 0\nfor i in range(N):\n    x = [x]\n"
        func deep(_ n: Int, _ body: String) -> String { nest.replacingOccurrences(of: "N", with: "\(n)") + body }
        let report = "try:\n    r = EXPR\n    print('ok', r)\nexcept Exception as e:\n    print(type(e).__name__, e)"
        func expecting(_ expression: String, depth: Int = 100_000) -> String {
            let (status, out, err) = TorchGoldenTests.run("import torch, copy\n" + deep(depth, report.replacingOccurrences(of: "EXPR", with: expression)))
            XCTAssertEqual(status, 0, expression + "\n" + err)
            return out
        }
        XCTAssertEqual(expecting("copy.deepcopy(x) is x"), "RecursionError maximum recursion depth exceeded while calling a Python object\n")
        XCTAssertEqual(expecting("copy.deepcopy(x)[0][0][0] == [[0]]", depth: 5), "ok True\n")
        XCTAssertEqual(expecting("torch.tensor(x).dim()"), "ValueError too many dimensions 'list'\n")
        XCTAssertEqual(expecting("torch.tensor(x).dim()", depth: 129), "ValueError too many dimensions 'list'\n")
        XCTAssertEqual(expecting("torch.tensor(x).dim()", depth: 128), "ok 128\n")
    }
}
