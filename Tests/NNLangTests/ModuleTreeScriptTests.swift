import XCTest
@testable import NNLang

/// Module behaviour from scripts where nnrepl deliberately differs from PyTorch (so no golden
/// `.out` from real PyTorch is possible): very deep trees, and the checks on stores into the
/// live `_parameters` / `_buffers` / `_modules` dicts (golden case: torch/module_member_dicts).
final class ModuleTreeScriptTests: XCTestCase {
    /// PyTorch raises RecursionError printing this (its repr recurses); nnrepl prints it, and
    /// quickly: the repr is laid out iteratively in time linear in its 18 MB.
    func testPrintsA3000DeepModule() {
        let (status, out, err) = TorchGoldenTests.run("""
            import torch.nn as nn
            m = nn.Sequential(); cur = m
            for i in range(3000):
                nxt = nn.Sequential(); cur.append(nxt); cur = nxt
            print(m)
            print(repr(m) == str(m), len(list(m.named_modules())), len(m.state_dict()))
            """)
        XCTAssertEqual(status, 0, err)
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 6003)
        XCTAssertEqual(lines.first, "Sequential(")
        XCTAssertEqual(lines[1], "  (0): Sequential(")
        XCTAssertEqual(lines[3000], String(repeating: " ", count: 6000) + "(0): Sequential()")
        XCTAssertEqual(lines[5999], "  )")
        XCTAssertEqual(lines[6000], ")")
        XCTAssertEqual(lines[6001], "True 3001 0")
        XCTAssertEqual(lines.last, "")
    }

    func testNestingBeyondTheLimitIsRecursionError() {
        let (status, out, err) = TorchGoldenTests.run("""
            import torch.nn as nn
            m = nn.Sequential(); cur = m
            try:
                for i in range(100000):
                    nxt = nn.Sequential(); cur.append(nxt); cur = nxt
            except RecursionError as e:
                print(i, e)
            print(len(list(m.modules())))
            """)
        XCTAssertEqual(status, 0, err)
        XCTAssertEqual(out, "10000 maximum recursion depth exceeded: nnrepl nests modules at most 10000 deep\n10001\n")
    }

    /// Stores PyTorch's plain dicts would accept and that break later are refused with
    /// register_parameter / register_buffer / add_module's errors; the module is unchanged.
    /// (A missing non-string key is `KeyError '0'` where Python shows `KeyError 0`: host
    /// errors carry text, as for ModuleDict.)
    func testMemberDictStoresAreChecked() {
        let (status, out, err) = TorchGoldenTests.run("""
            import torch
            import torch.nn as nn
            lin = nn.Linear(2, 2)
            seq = nn.Sequential(lin)
            def attempt(f):
                try:
                    f()
                    print('ok')
                except Exception as e:
                    print(type(e).__name__, e)
            def put(d, k, v):
                d[k] = v
            attempt(lambda: put(lin._parameters, 'w', torch.ones(2)))
            attempt(lambda: put(lin._parameters, 'a.b', nn.Parameter(torch.ones(2))))
            attempt(lambda: put(lin._parameters, 3, nn.Parameter(torch.ones(2))))
            attempt(lambda: put(lin._buffers, 'weight', torch.zeros(1)))
            attempt(lambda: put(lin._buffers, 'b', 3))
            attempt(lambda: put(seq._modules, 'x', 3))
            attempt(lambda: put(seq._modules, '', nn.ReLU()))
            attempt(lambda: put(lin._modules, 'up', seq))
            attempt(lambda: lin._parameters[0])
            print([n for n, _ in seq.named_parameters()], list(lin._buffers), list(seq._modules))
            class Early(nn.Module):
                def __init__(self):
                    print(hasattr(self, '_parameters'))
                    super().__init__()
                    print(self._parameters, self._modules.keys())
            e = Early()
            """)
        XCTAssertEqual(status, 0, err)
        XCTAssertEqual(out, """
            TypeError cannot assign 'torch.FloatTensor' object to parameter 'w' (torch.nn.Parameter or None required)
            KeyError 'parameter name can\\'t contain "."'
            TypeError parameter name should be a string. Got int
            KeyError "attribute 'weight' already exists"
            TypeError cannot assign 'int' object to buffer 'b' (torch Tensor or None required)
            TypeError int is not a Module subclass
            KeyError 'module name can\\'t be empty string ""'
            RecursionError maximum recursion depth exceeded: a module can't contain itself
            KeyError 0
            ['0.weight', '0.bias'] [] ['0']
            False
            {} dict_keys([])

            """)
    }
}
