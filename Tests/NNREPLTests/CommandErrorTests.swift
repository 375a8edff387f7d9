import Foundation
import XCTest
import NNLang
@testable import NNREPL

/// `:command` errors and the command options added for issue 14, run in-process.
extension CommandGoldenTests {
    func testCommandSyntaxErrorsShowTheArgumentNotTheWrapper() {
        let tree = run(Self.complexNet + ":tree model extra\n")
        XCTAssertEqual(tree.outcome, .failed)
        XCTAssertEqual(tree.err, ":tree: SyntaxError: invalid syntax\n    model extra\n          ^\n")
        let swap = run(Self.complexNet + ":swap model nn.Tanh -> nn.ReLU(\n")
        XCTAssertEqual(swap.err, ":swap: SyntaxError: '(' was never closed\n    nn.ReLU(\n           ^\n")
    }

    func testCommandRuntimeErrorsShowTheExpressionAsTyped() {
        let r = run(Self.complexNet + ":tree modle\n")
        XCTAssertEqual(r.err, """
        Traceback (most recent call last):
          <command>:1:1, in <module>
            modle
            ^^^^^
        NameError: name 'modle' is not defined. Did you mean: 'model'?

        """)
        // A bare torch.nn name is bound while the expression runs, under its own name.
        let bare = run(Self.complexNet + ":swap model nn.ReLU -> LeakyReLU(1, 2, 3, 4)\n")
        XCTAssertEqual(bare.outcome, .failed)
        XCTAssertTrue(bare.err.contains("    LeakyReLU(1, 2, 3, 4)\n"), bare.err)
        XCTAssertFalse(bare.err.contains("__nnrepl"), bare.err)
        XCTAssertNil(bare.session.interpreter.global("LeakyReLU"))
    }

    func testEvaluateRunsOnlyOneExpression() throws {
        let r = run(Self.customModel)
        guard case .module(let m) = try r.session.evaluate("model.fc1") else { return XCTFail("not a module") }
        XCTAssertEqual(m.typeName, "Linear")
        guard case .none = try r.session.evaluate("None") else { return XCTFail("None expected") }
        XCTAssertThrowsError(try r.session.evaluate("x = 1"))
        XCTAssertThrowsError(try r.session.evaluate("1)\nprint(2"))
        XCTAssertNil(r.session.interpreter.global("x"))
        XCTAssertNil(r.session.interpreter.global("__nnrepl_value__"))
    }

    func testFreezeOfAModuleWithoutParameters() {
        let r = run("import torch.nn as nn\n:freeze nn.ReLU()\n")
        XCTAssertEqual(r.err, ":freeze: nn.ReLU() has no parameters\n")
    }

    func testSwapOfATypeThatDoesNotExistSuggestsTheRightName() {
        XCTAssertEqual(run(Self.complexNet + ":swap model nn.Relu -> nn.GELU()\n").err,
                       ":swap: nn.Relu does not exist (did you mean 'ReLU'?)\n")
        XCTAssertEqual(run(Self.complexNet + ":swap model Relu -> GELU()\n").err,
                       ":swap: Relu does not exist (did you mean 'ReLU'?)\n")
        XCTAssertEqual(run(Self.complexNet + ":swap model nn.Frobnicate -> GELU()\n").err,
                       ":swap: nn.Frobnicate does not exist\n")
        XCTAssertEqual(run(Self.complexNet + ":swap model fill -> GELU()\n").err,
                       ":swap: fill is not a layer type (it is function)\n")
        // A bare name defined nowhere still matches the type names of the model's modules.
        let local = run("""
        import torch.nn as nn
        def make():
            class Block(nn.Module):
                def forward(self, x):
                    return x
            return nn.Sequential(Block(), nn.ReLU())
        model = make()
        :swap model Block -> Identity()
        print(model)
        """)
        XCTAssertEqual(local.err, "")
        XCTAssertTrue(local.out.hasPrefix("swapped 1 Block module -> Identity()\n"), local.out)
    }

    func testSwapWarnsAboutOtherShapesAndOptimizersHoldingTheOldParameters() {
        let r = run(Self.complexNet + """
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        :swap model nn.ReLU -> nn.GELU()
        :swap model nn.Linear -> nn.Linear(1152, 5)
        """)
        XCTAssertEqual(r.out, "swapped 2 ReLU modules -> GELU(approximate='none')\n"
                       + "swapped 1 Linear module -> Linear(in_features=1152, out_features=5, bias=True)\n")
        XCTAssertEqual(r.err, """
        warning: fc: weight [10, 1152] -> [5, 1152], bias [10] -> [5] (parameters of another shape: the layers around it may no longer fit)
        warning: optimizer opt holds the parameters of the replaced modules, not the new ones; create it again (or add_param_group) to train them

        """)
        // Only the conv of another shape is reported; the optimizer holds other parameters.
        let convs = run(Self.complexNet + """
        opt = torch.optim.SGD(model.fc.parameters(), lr=0.1)
        :swap model nn.Conv2d -> nn.Conv2d(3, 16, 3)
        """)
        XCTAssertEqual(convs.err, "warning: layer2.0: weight [32, 16, 3, 3] -> [16, 3, 3, 3], bias [32] -> [16] "
                       + "(parameters of another shape: the layers around it may no longer fit)\n")
    }

    func testParamsShowsNoStdForOneElement() {
        let r = run("""
        import torch.nn as nn
        m = nn.Linear(1, 1)
        nn.init.constant_(m.weight, 0.5)
        nn.init.zeros_(m.bias)
        :params m
        """)
        XCTAssertEqual(r.out, """
        name    shape   numel  requires_grad    mean  std  grad_norm
        weight  [1, 1]      1  True           0.5000    -          -
        bias    [1]         1  True           0.0000    -          -
        total: 2 parameters in 2 tensors (2 trainable)

        """)
    }

    func testTimeWithRepeats() {
        let r = run("n = 0\n:time -n 3 n += 1\nprint(n)\n")
        XCTAssertEqual(r.err, "")
        let lines = r.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, r.out)
        XCTAssertTrue(lines[0].hasPrefix("3 runs: best "), lines[0])
        XCTAssertTrue(lines[0].contains(", mean "), lines[0])
        XCTAssertEqual(lines[1], "3")
        XCTAssertEqual(run(":time -n x = 1\n").err, "usage: :time [-n N] STATEMENT\n")
        XCTAssertEqual(run(":time -n 0 x = 1\n").err, ":time: -n takes a count from 1 to 1,000,000, not 0\n")
        // The first error stops the runs.
        let failing = run("n = 0\n:time -n 5 n += 1; 1 / (n - 2)\n")
        XCTAssertEqual(failing.outcome, .failed)
        XCTAssertTrue(failing.err.hasSuffix("ZeroDivisionError: division by zero\n"), failing.err)
        guard case .int(2)? = failing.session.interpreter.global("n") else { return XCTFail("ran past the error") }
    }

    func testResetAsksBeforeDeletingModules() {
        let session = run(Self.customModel).session
        var questions: [String] = []
        var answer = false
        session.confirm = { questions.append($0); return answer }
        var out = ""
        session.interpreter.output = { out += $0 }
        XCTAssertEqual(session.run(":reset"), .failed)
        XCTAssertEqual(questions, ["delete 4 variables, including the module model? [y/N] "])
        XCTAssertEqual(out, "nothing deleted\n")
        XCTAssertNotNil(session.interpreter.global("model"))
        answer = true
        XCTAssertEqual(session.run(":reset"), .ok)
        XCTAssertNil(session.interpreter.global("model"))
        questions = []
        session.run("x = 1")
        XCTAssertEqual(session.run(":reset"), .ok)  // no module: no question
        session.run("import torch.nn as nn\nm = nn.ReLU()")
        XCTAssertEqual(session.run(":reset -f"), .ok)
        XCTAssertEqual(questions, [])
        XCTAssertEqual(session.run(":reset now"), .failed)
    }

    func testHelpLanguageDoesNotClaimSingleInheritance() {
        let text = run(":help language\n").out
        XCTAssertFalse(text.contains("single inheritance"), text)
        XCTAssertTrue(text.contains("multiple"), text)
    }
}

final class NameSuggestionTests: XCTestCase {
    func testPython311Rule() {
        XCTAssertEqual(NameSuggestion.closest(to: "Relu", in: ["ReLU", "ReLU6", "RNN"]), "ReLU")
        XCTAssertEqual(NameSuggestion.closest(to: "Linaer", in: ["Linear", "Bilinear"]), "Linear")
        XCTAssertNil(NameSuggestion.closest(to: "Frobnicate", in: ["ReLU", "Linear"]))
        XCTAssertNil(NameSuggestion.closest(to: "ReLU", in: ["ReLU"]))
        XCTAssertEqual(NameSuggestion.distance(Array("Relu"), Array("ReLU")), 2)
        XCTAssertEqual(NameSuggestion.distance(Array(""), Array("ab")), 4)
        XCTAssertEqual(NameSuggestion.hint(for: "conv", in: ["Conv2d", "conv"]), "")
    }
}
