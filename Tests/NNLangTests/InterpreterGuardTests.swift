import XCTest
@testable import NNLang

/// Tracebacks (format, caret position), recursion and interrupt guards, REPL entry points.
final class InterpreterGuardTests: XCTestCase {
    func testTracebackFormatAndCaret() {
        let source = "x = 1\nprint('ok')\noutput = model(intput)\n"
        let (status, out, err) = GoldenTests.run(source, fileName: "typo.nnrepl")
        XCTAssertEqual(status, 1)
        XCTAssertEqual(out, "ok\n")
        XCTAssertEqual(err, """
            Traceback (most recent call last):
              typo.nnrepl:3:10, in <module>
                output = model(intput)
                         ^^^^^
            NameError: name 'model' is not defined

            """)
    }

    func testTracebackHasOneFramePerCallInnermostLast() {
        let source = """
            def inner(d):
                return d["k"] + 1
            def outer():
                return inner({})
            outer()
            """
        let (status, _, err) = GoldenTests.run(source, fileName: "f.nnrepl")
        XCTAssertEqual(status, 1)
        XCTAssertEqual(err, """
            Traceback (most recent call last):
              f.nnrepl:5:1, in <module>
                outer()
                ^^^^^^^
              f.nnrepl:4:12, in outer
                return inner({})
                       ^^^^^^^^^
              f.nnrepl:2:12, in inner
                return d["k"] + 1
                       ^^^^^^
            KeyError: 'k'

            """)
    }

    func testRaiseFromShowsCause() {
        let source = "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    raise ValueError('bad') from e\n"
        let (_, _, err) = GoldenTests.run(source, fileName: "c.nnrepl")
        XCTAssertTrue(err.contains("ZeroDivisionError: division by zero"))
        XCTAssertTrue(err.contains("The above exception was the direct cause of the following exception:"))
        XCTAssertTrue(err.hasSuffix("ValueError: bad\n"))
    }

    func testRecursionGuardRaisesRecursionError() {
        let (status, out, err) = GoldenTests.run("def f(n):\n    return f(n + 1)\ntry:\n    f(0)\nexcept RecursionError as e:\n    print(e)\nf(0)\n")
        XCTAssertEqual(out, "maximum recursion depth exceeded\n")
        XCTAssertEqual(status, 1)
        XCTAssertTrue(err.hasSuffix("RecursionError: maximum recursion depth exceeded\n"))
    }

    func testInterruptCheckRaisesKeyboardInterrupt() {
        let result = Interpreter.withLargeStack { () -> (Int32, String) in
            let interpreter = Interpreter()
            var err = ""
            interpreter.errorOutput = { err += $0 }
            interpreter.output = { _ in }
            var polls = 0
            interpreter.interruptCheck = { polls += 1; return polls > 3 }
            let status = interpreter.runScript(source: "while True:\n    pass\n", fileName: "loop.nnrepl")
            return (status, err)
        }
        XCTAssertEqual(result.0, 1)
        XCTAssertTrue(result.1.hasSuffix("KeyboardInterrupt\n"), result.1)
    }

    func testKeyboardInterruptIsNotAnException() {
        let (_, out, _) = GoldenTests.run("print(issubclass(KeyboardInterrupt, Exception), issubclass(KeyboardInterrupt, BaseException))")
        XCTAssertEqual(out, "False True\n")
    }

    func testYieldIsAClearError() {
        let (status, _, err) = GoldenTests.run("def g():\n    yield 1\n", fileName: "y.nnrepl")
        XCTAssertEqual(status, 1)
        XCTAssertTrue(err.contains("yield"), err)
    }

    func testExitStatus() {
        XCTAssertEqual(GoldenTests.run("exit(3)").0, 3)
        XCTAssertEqual(GoldenTests.run("quit()").0, 0)
    }

    func testReplEchoesExpressionsAndKeepsState() throws {
        let interpreter = Interpreter()
        var out = ""
        interpreter.output = { out += $0 }
        try interpreter.execute(source: "x = 41", fileName: "<stdin>", echoExpressions: true)
        let v = try interpreter.execute(source: "x + 1", fileName: "<stdin>", echoExpressions: true)
        try interpreter.execute(source: "None", fileName: "<stdin>", echoExpressions: true)
        try interpreter.execute(source: "_ * 2", fileName: "<stdin>", echoExpressions: true)
        XCTAssertEqual(out, "42\n84\n")
        if case .int(42)? = v {} else { XCTFail("expected 42, got \(String(describing: v))") }
        XCTAssertThrowsError(try interpreter.execute(source: "undefined_name", fileName: "<stdin>", echoExpressions: true)) { error in
            XCTAssertEqual(interpreter.exceptionTypeName(error), "NameError")
            XCTAssertTrue(interpreter.describe(error).contains("<stdin>:1:1, in <module>"))
        }
        try interpreter.execute(source: "print(x)", fileName: "<stdin>", echoExpressions: true)
        XCTAssertEqual(out, "42\n84\n41\n")
        interpreter.reset()
        XCTAssertNil(interpreter.global("x"))
    }

    func testIsComplete() {
        let interpreter = Interpreter()
        XCTAssertTrue(interpreter.isComplete("x = 1"))
        XCTAssertFalse(interpreter.isComplete("def f():"))
        XCTAssertFalse(interpreter.isComplete("x = (1,"))
    }

    func testCompletions() throws {
        let interpreter = Interpreter()
        try interpreter.execute(source: "class Net:\n    def forward(self): pass\nmodel = Net()\nmodel.hidden = 3\nmodest = 1\n")
        XCTAssertEqual(interpreter.completions(for: "mod", cursor: 3), ["model", "modest"])
        XCTAssertEqual(interpreter.completions(for: "print(model.h", cursor: 13), ["model.hidden"])
        XCTAssertEqual(interpreter.completions(for: "model.f", cursor: 7), ["model.forward"])
        XCTAssertTrue(interpreter.completions(for: "pri", cursor: 3).contains("print"))
        XCTAssertTrue(interpreter.completions(for: "whi", cursor: 3).contains("while"))
    }

    func testSyntaxErrorReport() {
        let (status, _, err) = GoldenTests.run("x = (1,\n", fileName: "s.nnrepl")
        XCTAssertEqual(status, 1)
        XCTAssertTrue(err.contains("s.nnrepl:1:5"), err)
        XCTAssertTrue(err.contains("SyntaxError: '(' was never closed"), err)
    }

    func testNoCrashOnHostileInput() {
        for source in ["-9223372036854775807 - 2", "2 ** 64", "[1] * -5", "'a' * -1", "int('9' * 30)",
                       "9223372036854775807 + 1", "(-9223372036854775807 - 1) // -1", "abs(-9223372036854775807 - 1)",
                       "range(0, 10, 0)", "[][0]", "''.center(-5)", "'%d' % 'x'", "f'{1:.-3f}'", "chr(-1)",
                       "1 << 100", "round(1e308, -400)", "x = []; x.insert(-100, 1)", "'abc'[::0]"] {
            let (status, _, _) = GoldenTests.run(source)
            XCTAssertTrue(status == 0 || status == 1, source)
        }
    }
}
