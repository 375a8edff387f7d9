import Foundation
import XCTest
@testable import NNLang

final class ParserTests: XCTestCase {
    private func expr(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            return try Parser.parseExpression(source).description
        } catch {
            XCTFail("\(source): \(error)", file: file, line: line)
            return ""
        }
    }

    private func module(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            return ASTDump.module(try Parser.parseModule(source: source))
        } catch {
            XCTFail("\(source): \(error)", file: file, line: line)
            return ""
        }
    }

    private func parseError(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> SyntaxError? {
        do {
            let m = try Parser.parseModule(source: source, fileName: "t.nnrepl")
            XCTFail("expected a SyntaxError for \(source.debugDescription), got \(ASTDump.module(m))",
                    file: file, line: line)
        } catch let e as SyntaxError {
            return e
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return nil
    }

    private func assertError(_ source: String, _ message: String, line l: Int? = nil, column: Int? = nil,
                             file: StaticString = #filePath, line: UInt = #line) {
        guard let e = parseError(source, file: file, line: line) else { return }
        XCTAssertEqual(e.message, message, source, file: file, line: line)
        if let l = l { XCTAssertEqual(e.span.line, l, "line of \(source)", file: file, line: line) }
        if let c = column { XCTAssertEqual(e.span.column, c, "column of \(source)", file: file, line: line) }
    }

    // MARK: Expressions

    func testAtoms() {
        XCTAssertEqual(expr("x"), "x")
        XCTAssertEqual(expr("42"), "42")
        XCTAssertEqual(expr("1.5"), "1.5")
        XCTAssertEqual(expr("'a' \"b\"\n"), "\"ab\"")
        XCTAssertEqual(expr("True"), "True")
        XCTAssertEqual(expr("None"), "None")
        XCTAssertEqual(expr("..."), "...")
        XCTAssertEqual(expr("(x)"), "x")
        XCTAssertEqual(expr("()"), "(tuple)")
        XCTAssertEqual(expr("(1,)"), "(tuple 1)")
        XCTAssertEqual(expr("1, 2,"), "(tuple 1 2)")
        XCTAssertEqual(expr("[]"), "(list)")
        XCTAssertEqual(expr("[1, *a, 2,]"), "(list 1 (* a) 2)")
        XCTAssertEqual(expr("{}"), "(dict)")
        XCTAssertEqual(expr("{'a': 1, **d}"), "(dict (\"a\" 1) (** d))")
        XCTAssertEqual(expr("{**d}"), "(dict (** d))")
        XCTAssertEqual(expr("{1, 2}"), "(set 1 2)")
    }

    func testPrecedence() {
        XCTAssertEqual(expr("-2**2"), "(- (** 2 2))")
        XCTAssertEqual(expr("2**-1"), "(** 2 (- 1))")
        XCTAssertEqual(expr("2**3**2"), "(** 2 (** 3 2))")
        XCTAssertEqual(expr("a + b * c - d"), "(- (+ a (* b c)) d)")
        XCTAssertEqual(expr("a * b @ c // d % e / f"), "(/ (% (// (@ (* a b) c) d) e) f)")
        XCTAssertEqual(expr("a | b ^ c & d << 1 + 2"), "(| a (^ b (& c (<< d (+ 1 2)))))")
        XCTAssertEqual(expr("a >> b << c"), "(<< (>> a b) c)")
        XCTAssertEqual(expr("~a + -b"), "(+ (~ a) (- b))")
        XCTAssertEqual(expr("not a == b and c or d"), "(or (and (not (== a b)) c) d)")
        XCTAssertEqual(expr("a or b and c"), "(or a (and b c))")
        XCTAssertEqual(expr("a if b else c if d else e"), "(if b a (if d c e))")
        XCTAssertEqual(expr("a if b or c else d"), "(if (or b c) a d)")
        XCTAssertEqual(expr("lambda: a if b else c"), "(lambda () (if b a c))")
        XCTAssertEqual(expr("-x.y ** 2"), "(- (** (. x y) 2))")
        XCTAssertEqual(expr("not not a"), "(not (not a))")
    }

    func testComparisons() {
        XCTAssertEqual(expr("a < b"), "(< a b)")
        XCTAssertEqual(expr("a < b <= c != d"), "(cmp a < b <= c != d)")
        XCTAssertEqual(expr("a is not None"), "(is not a None)")
        XCTAssertEqual(expr("a not in b"), "(not in a b)")
        XCTAssertEqual(expr("a in b is c"), "(cmp a in b is c)")
        XCTAssertEqual(expr("a == b > c + 1"), "(cmp a == b > (+ c 1))")
    }

    func testPrimaries() {
        XCTAssertEqual(expr("x.y.z(1)[2]"), "([] (call (. (. x y) z) 1) 2)")
        XCTAssertEqual(expr("f(a, *b, k=1, **d)"), "(call f a (* b) (kw k 1) (** d))")
        XCTAssertEqual(expr("f(*a, *b, **c, **d)"), "(call f (* a) (* b) (** c) (** d))")
        XCTAssertEqual(expr("f(k=1, *a)"), "(call f (kw k 1) (* a))")
        XCTAssertEqual(expr("f(x for x in y)"), "(call f (genexp x (for x y)))")
        XCTAssertEqual(expr("f()()"), "(call (call f))")
        XCTAssertEqual(expr("super(A, self).__init__()"), "(call (. (call super A self) __init__))")
    }

    func testSubscriptsAndSlices() {
        XCTAssertEqual(expr("x[0]"), "([] x 0)")
        XCTAssertEqual(expr("x[-1]"), "([] x (- 1))")
        XCTAssertEqual(expr("x[:, 0]"), "([] x (tuple (slice _ _ _) 0))")
        XCTAssertEqual(expr("x[1:2:3]"), "([] x (slice 1 2 3))")
        XCTAssertEqual(expr("x[::2]"), "([] x (slice _ _ 2))")
        XCTAssertEqual(expr("x[a:]"), "([] x (slice a _ _))")
        XCTAssertEqual(expr("x[:b]"), "([] x (slice _ b _))")
        XCTAssertEqual(expr("x[None, ..., 1:]"), "([] x (tuple None ... (slice 1 _ _)))")
        XCTAssertEqual(expr("x[i:i + 8]"), "([] x (slice i (+ i 8) _))")
        XCTAssertEqual(expr("x[0,]"), "([] x (tuple 0))")
        XCTAssertEqual(expr("d['k']"), "([] d \"k\")")
    }

    func testComprehensions() {
        XCTAssertEqual(expr("[x*y for x in a if x if y for y in b]"),
                       "(listcomp (* x y) (for x a (if x) (if y)) (for y b))")
        XCTAssertEqual(expr("{x for x in a}"), "(setcomp x (for x a))")
        XCTAssertEqual(expr("{k: v for k, v in d.items()}"), "(dictcomp k v (for (tuple k v) (call (. d items))))")
        XCTAssertEqual(expr("(x for x in a)"), "(genexp x (for x a))")
        XCTAssertEqual(expr("[(a, b) for a, *b in c]"), "(listcomp (tuple a b) (for (tuple a (* b)) c))")
        XCTAssertEqual(expr("[x if x else 0 for x in a if x > 1]"), "(listcomp (if x x 0) (for x a (if (> x 1))))")
        XCTAssertEqual(expr("[xs[i:i + 8] for i in range(0, 32, 8)]"),
                       "(listcomp ([] xs (slice i (+ i 8) _)) (for i (call range 0 32 8)))")
    }

    func testLambda() {
        XCTAssertEqual(expr("lambda x, y=1, *a, k, **kw: x"), "(lambda (x (y 1) *a k **kw) x)")
        XCTAssertEqual(expr("lambda *, k=2: k"), "(lambda (* (k 2)) k)")
        XCTAssertEqual(expr("lambda a, /, b: a"), "(lambda (a / b) a)")
        XCTAssertEqual(expr("lambda: (yield_)"), "(lambda () yield_)")
    }

    func testFStrings() {
        XCTAssertEqual(expr(#"f"{x!r:>{w}} and {y=} {{}}""#),
                       #"(f (fmt x !r (spec ">" (fmt w))) " and y=" (fmt y !r) " {}")"#)
        XCTAssertEqual(expr(#""a" "b" f"c{d}" 'e'"#), #"(f "abc" (fmt d) "e")"#)
        XCTAssertEqual(expr(#"f"{(time.perf_counter() - t) / 100000 * 1e6:.3f}""#),
                       #"(f (fmt (* (/ (- (call (. time perf_counter)) t) 100000) 1000000.0) (spec ".3f")))"#)
        XCTAssertEqual(expr(#"f"{a, b}""#), #"(f (fmt (tuple a b)))"#)
        XCTAssertEqual(expr(#"f"{x:{'>' if a else '<'}10}""#), #"(f (fmt x (spec (fmt (if a ">" "<")) "10")))"#)
        XCTAssertEqual(expr(#"f'{d["k"]!s}'"#), #"(f (fmt ([] d "k") !s))"#)
        XCTAssertEqual(expr(#"f"plain""#), #"(f "plain")"#)
        XCTAssertEqual(expr(#"rf"\n{x}""#), #"(f "\\n" (fmt x))"#)
    }

    func testFStringExpressionSpans() throws {
        let e = try Parser.parseExpression("  f\"ab{foo + 1}\"")
        guard case .fstring(let parts) = e.kind, case .value(let v) = parts[1] else { return XCTFail() }
        XCTAssertEqual(v.expression.span, SourceSpan(line: 1, column: 8, length: 7))
        let err = parseError("x = f'{1 +}'")
        XCTAssertEqual(err?.message, "f-string: invalid syntax")
        XCTAssertEqual(err?.span.line, 1)
        XCTAssertEqual(err?.span.column, 11)
        XCTAssertEqual(err?.isIncompleteInput, false)
        XCTAssertEqual(parseError("x = f'{(1}'")?.isIncompleteInput, false)
    }

    // MARK: Statements

    func testAssignments() {
        XCTAssertEqual(module("a = b = 1"), "(= a b 1)")
        XCTAssertEqual(module("if (n := f(x)) > 1: pass"), "(if (> (:= n (call f x)) 1) (body pass))")
        XCTAssertEqual(module("a, *b = c"), "(= (tuple a (* b)) c)")
        XCTAssertEqual(module("[a, (b, c)] = x"), "(= (list a (tuple b c)) x)")
        XCTAssertEqual(module("x.y, z[0] = 1, 2"), "(= (tuple (. x y) ([] z 0)) (tuple 1 2))")
        XCTAssertEqual(module("self.layer1 = nn.Linear(in_features=784, out_features=256)"),
                       "(= (. self layer1) (call (. nn Linear) (kw in_features 784) (kw out_features 256)))")
        XCTAssertEqual(module("x: int = 1\ny: 'T'\nself.a: int = 2"), "(: x int 1)\n(: y \"T\")\n(: (. self a) int 2)")
        XCTAssertEqual(module("x = *a, b"), "(= x (tuple (* a) b))")
        let ops = ["+", "-", "*", "/", "//", "%", "**", "@", "&", "|", "^", ">>", "<<"]
        for op in ops {
            XCTAssertEqual(module("x[0] \(op)= 1"), "(\(op)= ([] x 0) 1)")
        }
    }

    func testControlFlow() {
        XCTAssertEqual(module("if a:\n    pass\nelif b:\n    x = 1\nelse:\n    y = 2\n"),
                       "(if a (body pass) (else (if b (body (= x 1)) (else (= y 2)))))")
        XCTAssertEqual(module("for i, j in z:\n    break\nelse:\n    pass\n"),
                       "(for (tuple i j) z (body break) (else pass))")
        XCTAssertEqual(module("for x in 1, 2: continue"), "(for x (tuple 1 2) (body continue))")
        XCTAssertEqual(module("for x.a in y: pass"), "(for (. x a) y (body pass))")
        XCTAssertEqual(module("while x > 0:\n    x -= 1\nelse:\n    pass\n"),
                       "(while (> x 0) (body (-= x 1)) (else pass))")
        XCTAssertEqual(module("if x: a = 1; b = 2\n"), "(if x (body (= a 1) (= b 2)))")
        XCTAssertEqual(module("x = 1; y = 2;\n"), "(= x 1)\n(= y 2)")
    }

    func testFunctions() {
        XCTAssertEqual(module("def f(a, b=1, *args, c, d=2, **kw) -> int:\n    return a\n"),
                       "(def f (a (b 1) *args c (d 2) **kw) (body (return a)))")
        XCTAssertEqual(module("def f(self, x: torch.Tensor = None, *, flag: bool = False):\n    return\n"),
                       "(def f (self (x None) * (flag False)) (body (return)))")
        XCTAssertEqual(module("def f(a, /, b):\n  return a, b\n"), "(def f (a / b) (body (return (tuple a b))))")
        XCTAssertEqual(module("@dec\n@mod.dec(1)\ndef g(): pass\n"),
                       "(def g () (decorators dec (call (. mod dec) 1)) (body pass))")
        XCTAssertEqual(module("def outer():\n    x = 0\n    def inner():\n        nonlocal x\n        global y\n"
                              + "        x += 1\n    return inner\n"),
                       "(def outer () (body (= x 0) (def inner () (body (nonlocal x) (global y) (+= x 1))) (return inner)))")
        XCTAssertEqual(module("f = lambda x: x * 2"), "(= f (lambda (x) (* x 2)))")
    }

    func testClasses() {
        XCTAssertEqual(module("class A(nn.Module):\n    def __init__(self):\n        super().__init__()\n"),
                       "(class A (bases (. nn Module)) (body (def __init__ (self) (body (call (. (call super) __init__))))))")
        XCTAssertEqual(module("class B: pass"), "(class B (bases) (body pass))")
        XCTAssertEqual(module("class C(): x = 1"), "(class C (bases) (body (= x 1)))")
        XCTAssertEqual(module("class D(A, B):\n  pass\n"), "(class D (bases A B) (body pass))")
    }

    func testTryRaiseAssertDel() {
        XCTAssertEqual(module("try:\n    pass\nexcept (A, B) as e:\n    raise X from e\nexcept C:\n    raise\n"
                              + "except:\n    pass\nelse:\n    pass\nfinally:\n    pass\n"),
                       "(try (body pass) (except (tuple A B) as e (body (raise X from e))) (except C (body (raise)))"
                       + " (except _ (body pass)) (else pass) (finally pass))")
        XCTAssertEqual(module("try:\n  x\nfinally:\n  y\n"), "(try (body x) (finally y))")
        XCTAssertEqual(module("raise ValueError('bad')"), "(raise (call ValueError \"bad\"))")
        XCTAssertEqual(module("assert x, 'msg'\nassert y"), "(assert x \"msg\")\n(assert y)")
        XCTAssertEqual(module("del a, b.c, d[0]"), "(del a (. b c) ([] d 0))")
        XCTAssertEqual(module("del (a, b)"), "(del (tuple a b))")
    }

    func testWithAndImports() {
        XCTAssertEqual(module("with torch.no_grad():\n    y = model(x)\n"),
                       "(with (call (. torch no_grad)) (body (= y (call model x))))")
        XCTAssertEqual(module("with a as b, c:\n    pass\n"), "(with (as a b) c (body pass))")
        XCTAssertEqual(module("with a as (b, c): pass"), "(with (as a (tuple b c)) (body pass))")
        XCTAssertEqual(module("import torch\nimport torch.nn as nn, torchvision.models as models"),
                       "(import torch)\n(import (as torch.nn nn) (as torchvision.models models))")
        XCTAssertEqual(module("from torch import nn, optim as o\nfrom torch.optim.lr_scheduler import StepLR"),
                       "(from torch nn (as optim o))\n(from torch.optim.lr_scheduler StepLR)")
        XCTAssertEqual(module("from x import (a,\n  b as c,)"), "(from x a (as b c))")
        XCTAssertEqual(module("from math import *"), "(from math *)")
        XCTAssertEqual(module("from . import x\nfrom ..m import y"), "(from . x)\n(from ..m y)")
    }

    func testStatementSpans() throws {
        let stmts = try Parser.parseModule(source: "# 注释\nx = 1\nif a:\n    y = foo(1,\n   2)\n")
        XCTAssertEqual(stmts[0].span, SourceSpan(line: 2, column: 1, length: 5))
        XCTAssertEqual(stmts[1].span, SourceSpan(line: 3, column: 1, length: 4))
        guard case .ifStmt(_, let body, _) = stmts[1].kind, case .assign(_, let value) = body[0].kind else {
            return XCTFail()
        }
        XCTAssertEqual(body[0].span, SourceSpan(line: 4, column: 5, endLine: 5, endColumn: 6))
        XCTAssertEqual(value.span, SourceSpan(line: 4, column: 9, endLine: 5, endColumn: 6))
        let e = try Parser.parseExpression("model(intput)")
        guard case .call(let callee, let args) = e.kind else { return XCTFail() }
        XCTAssertEqual(callee.span, SourceSpan(line: 1, column: 1, length: 5))
        XCTAssertEqual(args[0].value.span, SourceSpan(line: 1, column: 7, length: 6))
        let chinese = try Parser.parseExpression("'定义' + 变量")
        guard case .binary(_, _, let r) = chinese.kind else { return XCTFail() }
        XCTAssertEqual(r.span, SourceSpan(line: 1, column: 8, length: 2))
        let attr = try Parser.parseExpression("a.bcd")
        XCTAssertEqual(attr.span.length, 5)
    }

    // MARK: Errors

    func testSyntaxErrors() {
        assertError("if x\n  pass\n", "expected ':'", line: 1, column: 5)
        assertError("  x = 1\n", "unexpected indent", line: 1)
        XCTAssertEqual(parseError("x = 1\n    y = 2\n")?.typeName, "IndentationError")
        assertError("if x:\n    a\n  b\n", "unindent does not match any outer indentation level", line: 3)
        assertError("x = )", "unmatched ')'")
        assertError("x = (1,\n2\n", "'(' was never closed", line: 1, column: 5)
        assertError("x = 'abc\n", "unterminated string literal (detected at line 1)", line: 1, column: 5)
        assertError("x = 1 +\n", "invalid syntax", line: 1, column: 8)
        assertError("x = = 1", "invalid syntax", line: 1, column: 5)
        assertError("f() = 1", "cannot assign to function call here. Maybe you meant '==' instead of '='?")
        assertError("1 = x", "cannot assign to literal here. Maybe you meant '==' instead of '='?")
        assertError("None = 1", "cannot assign to None")
        assertError("a + 1 += 2", "'expression' is an illegal expression for augmented assignment")
        assertError("a, b += 1", "'tuple' is an illegal expression for augmented assignment")
        assertError("for f() in x: pass", "cannot assign to function call")
        assertError("a, *b, *c = d", "multiple starred expressions in assignment")
        assertError("*a = b", "starred assignment target must be in a list or tuple")
        assertError("*a", "can't use starred expression here")
        assertError("del f()", "cannot delete function call")
        assertError("f(a=1, b)", "positional argument follows keyword argument")
        assertError("f(**k, a)", "positional argument follows keyword argument unpacking")
        assertError("f(a=1, a=2)", "keyword argument repeated: a")
        assertError("f(a, b for b in c)", "Generator expression must be parenthesized")
        assertError("f(a.b=1)", "expression cannot contain assignment, perhaps you meant \"==\"?")
        assertError("f(a b)", "invalid syntax. Perhaps you forgot a comma?")
        assertError("[a b]", "invalid syntax. Perhaps you forgot a comma?")
        assertError("def f(a=1, b): pass", "parameter without a default follows parameter with a default")
        assertError("def f(*, **k): pass", "named arguments must follow bare *")
        assertError("def f(a, a): pass", "duplicate argument 'a' in function definition")
        assertError("def f(**k, a): pass", "arguments cannot follow var-keyword argument")
        assertError("def f:\n  pass", "expected '('")
        assertError("try:\n  pass\nx = 1\n", "expected 'except' or 'finally' block", line: 3)
        assertError("try:\n  pass\nexcept:\n  pass\nexcept E:\n  pass\n", "default 'except:' must be last", line: 5)
        assertError("try:\n  pass\nexcept A, B:\n  pass\n", "multiple exception types must be parenthesized")
        assertError("return 1", "'return' outside function")
        assertError("break", "'break' outside loop")
        assertError("continue", "'continue' not properly in loop")
        assertError("nonlocal x", "nonlocal declaration not allowed at module level")
        assertError("def f():\n  class A:\n    return 1\n", "'return' outside function")
        assertError("for x in y:\n  def f():\n    break\n", "'break' outside loop")
        assertError("print 'hello'", "Missing parentheses in call to 'print'. Did you mean print(...)?")
        assertError("from x import a,", "trailing comma not allowed without surrounding parentheses")
        assertError("x = 1 if y", "expected 'else' after 'if' expression")
        assertError("x = 1，2", "invalid character '，' (U+FF0C)", line: 1, column: 6)
        assertError("x[]", "invalid syntax")
        assertError("for x y: pass", "expected 'in'")
        assertError("x = 1 2", "invalid syntax", column: 7)
        assertError("x := 5", "invalid syntax")
        assertError("f(x=y := 1)", "invalid syntax")
        assertError("print((a.b := 1))", "cannot use assignment expressions with attribute")
        assertError("print([x[0] := 1])", "cannot use assignment expressions with subscript")
        assertError("if x:\npass\n", "expected an indented block after 'if' statement on line 1", line: 2)
        assertError("def f():\n# c\nreturn\n", "expected an indented block after function definition on line 1")
    }

    func testUnsupportedConstructsAreNamed() {
        let cases: [(String, String)] = [
            ("async def f(): pass", "'async' is not supported by nnrepl"),
            ("await x", "'await' is not supported by nnrepl"),
            ("x = await y", "'await' is not supported by nnrepl"),
            ("class A(metaclass=M): pass", "metaclass= is not supported by nnrepl"),
            ("class A(*bases): pass", "unpacking in a class's base list is not supported by nnrepl"),
            ("try:\n  pass\nexcept* E:\n  pass\n", "'except*' (exception groups) is not supported by nnrepl"),
            ("x = b'abc' 'd'", "cannot mix bytes and nonbytes literals"),
            ("x = 'abc' b'd'", "cannot mix bytes and nonbytes literals"),
            ("x = 3j", "complex numbers (imaginary literals) are not supported by nnrepl"),
            ("[x async for x in y]", "'async' comprehensions are not supported by nnrepl"),
        ]
        for (src, message) in cases {
            XCTAssertEqual(parseError(src)?.message, message, src)
        }
        // `match` as an ordinary name still works.
        XCTAssertEqual(module("match = re.match(p, s)\nmatch(x)\nprint(match)"),
                       "(= match (call (. re match) p s))\n(call match x)\n(call print match)")
    }

    func testYieldForms() {
        XCTAssertEqual(module("def f():\n  yield\n  yield 1\n  yield a, *b\n  x = yield y\n  y = (yield)\n  r = yield from g()\n  yield from xs\n"),
                       module("def f():\n  yield\n  yield 1\n  yield a, *b\n  x = yield y\n  y = (yield)\n  r = yield from g()\n  yield from xs\n"))
        let dump = module("def f():\n  yield\n  yield 1\n  x = yield y\n  y = (yield)\n  r = yield from g()\n")
        XCTAssertTrue(dump.contains("(yield)"), dump)
        XCTAssertTrue(dump.contains("(yield 1)"), dump)
        XCTAssertTrue(dump.contains("(= x (yield y))"), dump)
        XCTAssertTrue(dump.contains("(= y (yield))"), dump)
        XCTAssertTrue(dump.contains("(= r (yield-from (call g)))"), dump)
        XCTAssertEqual(parseError("def f():\n  yield from\n")?.message, "invalid syntax")
        XCTAssertEqual(parseError("def f():\n  print(yield)\n")?.message, "invalid syntax")
    }

    func testNestingLimits() {
        let parens = parseError(String(repeating: "(", count: 10_000))
        XCTAssertEqual(parens?.message, "too many nested parentheses")
        XCTAssertEqual(parens?.isIncompleteInput, false)
        for src in [String(repeating: "-", count: 10_000) + "1", String(repeating: "not ", count: 10_000) + "x",
                    String(repeating: "lambda: ", count: 10_000) + "1", String(repeating: "2**", count: 10_000) + "1",
                    String(repeating: "a if b else ", count: 10_000) + "c",
                    "x" + String(repeating: "[0]", count: 10_000), "x" + String(repeating: ".a", count: 10_000),
                    "1" + String(repeating: " + 1", count: 10_000), "a" + String(repeating: " or a", count: 10_000),
                    String(repeating: "[", count: 150) + String(repeating: "-", count: 300) + "1"] {
            XCTAssertEqual(parseError(src)?.message.hasPrefix("expression too deeply nested"), true,
                           String(src.prefix(20)))
        }
        // Reasonable nesting is fine.
        let ok = String(repeating: "(", count: 150) + "1" + String(repeating: ")", count: 150)
        XCTAssertEqual(expr(ok), "1")
        XCTAssertFalse(expr("1" + String(repeating: " + 1", count: 500)).isEmpty)
    }

    func testMatchStatements() {
        XCTAssertEqual(module("match p:\n case Point(0, y=[a, *_]) | {1: b} as q if q:\n  pass\n case -1 | 'a' | None | C.D:\n  pass\n"),
                       "(match p (case (as (| (class Point 0 (y= (seq a *_))) (map (1 b))) q) (if q) (body pass)) "
                       + "(case (| (- 1) \"a\" None (. C D)) (body pass)))")
        XCTAssertEqual(module("match a, *b:\n case (x, y), *z:\n  pass\n"),
                       "(match (tuple a (* b)) (case (seq (seq x y) *z) (body pass)))")
        // `match` remains a name elsewhere.
        XCTAssertEqual(module("match = 1"), "(= match 1)")
        XCTAssertEqual(module("match(x)"), "(call match x)")
        XCTAssertEqual(module("match[x]: int"), "(: ([] match x) int)")
        assertError("match x:\n case 1:\n pass\n", "expected an indented block after 'case' statement on line 2")
        assertError("match x:\n case {**r, 1: a}:\n  pass\n", "invalid syntax")
        assertError("match x:\n case C(a=1, 2):\n  pass\n", "positional patterns follow keyword patterns")
        assertError("match x:\n case a as _:\n  pass\n", "cannot use '_' as a target")
    }

    // MARK: REPL support

    func testIncompleteInput() {
        let incomplete = [
            "if x:", "if x:\n", "def f():\n", "def f():\n    return 1\n", "x = (1 +\n", "foo(1,\n  [2,\n",
            "x = 1 \\\n", "x = 1 \\", "s = '''abc\n", "s = \"\"\"\n", "for i in range(3):\n    print(i)\n",
            "class A:\n    pass\n", "try:\n    pass\n", "try:\n    pass\nexcept:\n    pass\n", "@dec\n",
            "if x: pass\n", "with a:\n", "while True:\n    x += 1\n\n    y\n",
            "class A:\n    def f(self):", "class A:\n    def f(self):\n", "class A:\n  class B:\n    def f(self):\n",
            "match x:", "match x:\n    case 1:\n        pass\n",
        ]
        for src in incomplete {
            XCTAssertFalse(isCompleteInput(src), src.debugDescription)
            if case .invalid(let e) = Parser.inputStatus(src) { XCTFail("\(src.debugDescription): \(e)") }
        }
        let complete = [
            "", "\n", "x = 1", "x = 1\n", "print(x)\n", "if x:\n    pass\n\n", "def f():\n    return 1\n\n",
            "for i in r:\n    print(i)\n    \n", "x = [1,\n 2]\n", "# comment\n", "import torch\n",
        ]
        for src in complete {
            guard case .complete = Parser.inputStatus(src) else {
                XCTFail("expected complete: \(src.debugDescription)")
                continue
            }
        }
        let invalid = ["x = )", "x = 'abc\n", "if x\n", "x = 1 +\n", "  x\n", "def f(:\n    pass\n",
                       "def f():\n\n", "class A:\n    def f(self):\n\n", "class A:\n    def f(self):\nx = 1\n"]
        for src in invalid {
            guard case .invalid = Parser.inputStatus(src) else {
                XCTFail("expected invalid: \(src.debugDescription)")
                continue
            }
            XCTAssertTrue(isCompleteInput(src))
        }
        XCTAssertEqual(parseError("if x:\n")?.isIncompleteInput, true)
        XCTAssertEqual(parseError("x = )")?.isIncompleteInput, false)
    }

    func testErrorDescription() {
        let e = parseError("x = )")
        XCTAssertEqual(e?.description, "t.nnrepl:1:5: SyntaxError: unmatched ')'")
    }

    // MARK: Real scripts

    func testParsesConformanceAndBenchScripts() throws {
        let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("../../../shared").standardized
        let dirs = ["conformance/seed", "conformance", "bench"].map { root.appendingPathComponent($0) }
        var files: [URL] = []
        for dir in dirs {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { continue }
            files += names.filter { $0.hasSuffix(".nnrepl") }.sorted().map { dir.appendingPathComponent($0) }
        }
        if files.isEmpty { throw XCTSkip("no shared scripts at \(root.path)") }
        for url in files {
            let source = try String(contentsOf: url, encoding: .utf8)
            // `:commands` are stripped by the front end before parsing.
            let python = source.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces).hasPrefix(":") ? "" : String($0) }
                .joined(separator: "\n")
            do {
                let stmts = try Parser.parseModule(source: python, fileName: url.lastPathComponent)
                XCTAssertFalse(stmts.isEmpty, url.lastPathComponent)
            } catch {
                XCTFail("\(url.lastPathComponent): \(error)")
            }
        }
    }

    func testSeedScriptShape() throws {
        let src = """
            import torch
            import torch.nn as nn

            class CustomModel(nn.Module):
                def __init__(self):
                    super(CustomModel, self).__init__()
                    # 定义网络层
                    self.layer1 = nn.Linear(in_features=784, out_features=256)

                def forward(self, x):
                    x = self.layer1(x)
                    return x

            model = CustomModel()
            print(output.shape)
            """
        XCTAssertEqual(module(src), """
            (import torch)
            (import (as torch.nn nn))
            (class CustomModel (bases (. nn Module)) (body (def __init__ (self) (body (call (. (call super CustomModel self) __init__)) \
            (= (. self layer1) (call (. nn Linear) (kw in_features 784) (kw out_features 256))))) \
            (def forward (self x) (body (= x (call (. self layer1) x)) (return x)))))
            (= model (call CustomModel))
            (call print (. output shape))
            """)
    }
}
