import XCTest
@testable import NNLang
@testable import TorchBindings

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

    func testUnsupportedYieldPositionsAreSyntaxErrors() {
        let cases: [(String, String)] = [
            ("yield 1\n", "SyntaxError: 'yield' outside function"),
            ("class A:\n    yield 1\n", "SyntaxError: 'yield' outside function"),
            ("def g():\n    print((yield))\n", "SyntaxError: 'yield' inside an expression is not supported by nnrepl"),
            ("def g():\n    return [(yield x) for x in y]\n", "SyntaxError: 'yield' inside a lambda or comprehension is not supported by nnrepl"),
            ("f = lambda: (yield)\n", "SyntaxError: 'yield' inside a lambda or comprehension is not supported by nnrepl"),
        ]
        for (source, message) in cases {
            let (status, out, err) = GoldenTests.run("print('ran')\n" + source, fileName: "y.nnrepl")
            XCTAssertEqual(status, 1, source)
            XCTAssertEqual(out, "", "nothing runs before a syntax error: \(source)")
            XCTAssertTrue(err.contains(message), "\(source): \(err)")
        }
    }

    func testGeneratorProtocolErrors() {
        let (status, out, err) = GoldenTests.run("""
            def g():
                x = yield 1
                yield x
            it = g()
            try:
                it.send(5)
            except TypeError as e:
                print(e)
            print(next(it), it.send(7))
            print(next(it, 'end'), it.send(None) if False else 'ok')
            try:
                it.send(1)
            except StopIteration:
                print('stop')
            print(it.throw(ValueError) if False else it.close())
            try:
                it.throw(ValueError('late'))
            except ValueError as e:
                print('raised', e)
            def ignore():
                while True:
                    try:
                        yield 1
                    except GeneratorExit:
                        pass
            h = ignore()
            next(h)
            try:
                h.close()
            except RuntimeError as e:
                print(e)
            """)
        XCTAssertEqual(status, 0, err)
        XCTAssertEqual(out, """
            can't send non-None value to a just-started generator
            1 7
            end ok
            stop
            None
            raised late
            generator ignored GeneratorExit

            """)
    }

    /// A generator runs pushed (PushedGenerators.swift) where its receiver owns it, pulled
    /// wherever anything else could resume it meanwhile; the output is the same either way.
    func testGeneratorsRunPushedOnlyWhereTheReceiverOwnsThem() throws {
        func run(_ source: String) throws -> (pushed: Int, output: String) {
            let interpreter = Interpreter()
            var output = ""
            interpreter.output = { output += $0 }
            interpreter.errorOutput = { _ in }
            try interpreter.execute(source: "def gen(n):\n    for i in range(n):\n        yield i\n" + source)
            return (interpreter.pushedRuns, output)
        }
        let cases: [(source: String, pushed: Int, output: String)] = [
            ("for x in gen(3):\n    print(x)\n", 1, "0\n1\n2\n"),
            ("for x in (v * 2 for v in gen(2)):\n    print(x)\n", 2, "0\n2\n"),
            ("g = gen(3)\nfor x in g:\n    print(x, next(g, 'end'))\n", 0, "0 1\n2 end\n"),
            ("print(list(gen(3)), ','.join(str(v) for v in range(3)))\n", 2, "[0, 1, 2] 0,1,2\n"),
            ("def outer():\n    yield from gen(2)\n    yield from [5]\nfor x in outer():\n    print(x)\n", 2, "0\n1\n5\n"),
            ("def twice():\n    for x in gen(2):\n        yield x\n        yield x\nt = twice()\nprint(next(t), next(t), next(t), list(t))\n",
             2, "0 0 1 [1]\n"),
        ]
        for c in cases {
            let result = try run(c.source)
            XCTAssertEqual(result.output, c.output, c.source)
            XCTAssertEqual(result.pushed, c.pushed, c.source)
        }
    }

    func testGeneratorLoopsCanBeInterrupted() {
        let interpreter = Interpreter()
        var polls = 0
        interpreter.interruptCheck = {
            polls += 1
            return polls > 3
        }
        interpreter.output = { _ in }
        interpreter.errorOutput = { _ in }
        XCTAssertThrowsError(try interpreter.execute(source: "def forever():\n    while True:\n        yield 1\nfor x in forever():\n    pass\n")) { error in
            XCTAssertEqual(interpreter.exceptionTypeName(error), "KeyboardInterrupt")
        }
    }

    func testExitStatus() {
        XCTAssertEqual(GoldenTests.run("exit(3)").0, 3)
        XCTAssertEqual(GoldenTests.run("quit()").0, 0)
        XCTAssertEqual(GoldenTests.run("raise SystemExit(4)").0, 4)
        XCTAssertEqual(GoldenTests.run("raise SystemExit").0, 0)
        XCTAssertEqual(GoldenTests.run("raise SystemExit(None)").0, 0)
        XCTAssertEqual(GoldenTests.run("raise SystemExit(True)").0, 1)
        let (status, out, err) = GoldenTests.run("print('before')\nraise SystemExit('bye')\nprint('after')")
        XCTAssertEqual(status, 1)
        XCTAssertEqual(out, "before\n")
        XCTAssertEqual(err, "bye\n")
        let caught = TorchGoldenTests.run("""
            import sys
            for make in (lambda: sys.exit(2), lambda: exit(5), lambda: quit("q")):
                try:
                    make()
                except SystemExit as e:
                    print(type(e).__name__, repr(e.code), e.args)
            try:
                raise SystemExit(7)
            except Exception:
                print("not an Exception")
            except BaseException as e:
                print("BaseException", e.code)
            try:
                sys.exit()
            finally:
                print("finally runs")
            """)
        XCTAssertEqual(caught.0, 0, caught.2)
        XCTAssertEqual(caught.1, "SystemExit 2 (2,)\nSystemExit 5 (5,)\nSystemExit 'q' ('q',)\nBaseException 7\nfinally runs\n")
        XCTAssertEqual(caught.2, "")
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

    func testFlushRequestsReachTheOutput() throws {
        // print(..., flush=True) and sys.stdout.flush() flush; a plain print leaves buffering alone.
        let interpreter = Interpreter(host: TorchHost(moduleBase: Interpreter.moduleBaseType))   // sys lives in the bindings
        var events: [String] = []
        interpreter.output = { events.append("write \($0)") }
        interpreter.flush = { events.append("flush") }
        try interpreter.execute(source: "import sys\nprint('a')\nprint('b', flush=True)\nprint('c', flush=0)\nsys.stdout.flush()\n",
                                fileName: "<test>")
        XCTAssertEqual(events, ["write a\n", "write b\n", "flush", "write c\n", "flush"])
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
