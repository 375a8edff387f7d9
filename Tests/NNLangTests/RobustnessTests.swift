import XCTest
@testable import NNLang

/// Input that used to crash the process (allocator abort, Int overflow trap, stack overflow) now
/// raises a Python exception. Each case checks the last line printed (stdout or traceback).
final class RobustnessTests: XCTestCase {
    private func lastLine(_ source: String) -> String {
        let (_, out, err) = TorchGoldenTests.run(source)
        let text = err.isEmpty ? out : err
        return text.split(separator: "\n").last.map(String.init) ?? ""
    }

    private func check(_ cases: [(String, String)], file: StaticString = #filePath, line: UInt = #line) {
        for (source, expected) in cases {
            XCTAssertEqual(lastLine(source), expected, source, file: file, line: line)
        }
    }

    func testHugeSequencesAreMemoryErrors() {
        check([
            ("'x' * 10**12", "MemoryError"),
            ("'ab' * 2**62", "MemoryError"),
            ("[0] * 10**12", "MemoryError"),
            ("[0, 1] * 2**62", "MemoryError"),
            ("(0,) * 10**12", "MemoryError"),
            ("l = [1]\nl *= 10**12", "MemoryError"),
            ("list(range(10**12))", "MemoryError"),
            ("tuple(range(10**18))", "MemoryError"),
            ("set(range(10**12))", "MemoryError"),
            ("'a'.center(10**12)", "MemoryError"),
            ("'a'.rjust(9223372036854775807)", "MemoryError"),
            ("'a'.zfill(10**12)", "MemoryError"),
            ("print('ab' * 2, [1] * 3, 'a'.center(5, '*'), '-1'.zfill(4))", "abab [1, 1, 1] **a** -001"),
        ])
    }

    func testRangesNearIntLimits() {
        let big = "range(-9223372036854775807 - 1, 9223372036854775807)"
        check([
            ("len(\(big))", "OverflowError: Python int too large to convert to C ssize_t"),
            ("print(bool(\(big)), \(big)[5], 9223372036854775806 in range(-5, 9223372036854775807))",
             "True -9223372036854775803 True"),
            ("print(4 in range(10, 0, -3), 3 in range(10, 0, -3), len(range(10, 0, -3)))", "True False 4"),
        ])
    }

    func testSelfReferenceAndDeepNestingRaiseRecursionError() {
        check([
            ("a = []\na.append(a)\nprint(a)", "[[...]]"),
            ("a = []\na.append(a)\nb = []\nb.append(b)\na == b", "RecursionError: maximum recursion depth exceeded in comparison"),
            ("a = []\nfor i in range(10**5): a = [a]\nprint(a)",
             "RecursionError: maximum recursion depth exceeded while getting the repr of an object"),
        ])
    }

    func testIntBuiltinsNearIntLimits() {
        check([
            ("print(pow(3, 4, -5), pow(2, 100, 7), pow(-3, 3, 7), pow(2, 3, -9223372036854775807 - 1), pow(5, 2, 9223372036854775807))",
             "-4 2 1 -9223372036854775800 25"),
            ("import math\nmath.gcd(-9223372036854775807 - 1, 0)", "OverflowError: integer overflow: nnrepl ints are 64-bit"),
            ("import math\nprint(math.gcd(12, -18))", "6"),
            ("print(list(enumerate('a', 9223372036854775807)))", "[(9223372036854775807, 'a')]"),
            ("list(enumerate('ab', 9223372036854775807))", "OverflowError: integer overflow: nnrepl ints are 64-bit"),
        ])
    }

    func testTensorGeometryOverflowsAreErrors() {
        check([
            ("import torch\ntorch.ones(2, 3).repeat(2**62, 2**62)", "RuntimeError: numel: integer multiplication overflow"),
            ("import torch\nprint(torch.ones(2, 3)[::9223372036854775807].shape)", "torch.Size([1, 3])"),
            ("import torch\nprint(len(torch.ones(2, 3).chunk(9223372036854775807)))", "2"),
            ("import torch\nimport torch.nn.functional as F\nF.conv2d(torch.ones(1, 3, 5, 5), torch.ones(3, 3, 3, 3), padding='same', dilation=2**62)",
             "RuntimeError: conv2d: arguments are too large"),
            ("import torch\ntorch.nn.AdaptiveAvgPool2d(2**40)(torch.ones(1, 1, 4, 4))", "RuntimeError: numel: integer multiplication overflow"),
        ])
    }

    func testModuleCannotContainItself() {
        let error = "RecursionError: maximum recursion depth exceeded: a module can't contain itself"
        check([
            ("import torch.nn as nn\nm = nn.Sequential()\nm.add_module('a', m)", error),
            ("import torch.nn as nn\nm = nn.Sequential(nn.Linear(2, 2))\nm.append(m)", error),
            ("import torch.nn as nn\nm = nn.ModuleList()\nouter = nn.Sequential(m)\nm.insert(0, outer)", error),
            ("import torch.nn as nn\nm = nn.ModuleDict()\nm['a'] = m", error),
            ("import torch.nn as nn\nm = nn.Sequential(nn.Linear(2, 2))\ntry:\n    m.a = m\nexcept RecursionError:\n    pass\nprint(m)",
             ")"),
        ])
    }
}
