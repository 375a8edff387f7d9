import XCTest
@testable import NNLang

/// Subclasses of built-in value types and the descriptor protocol: the rules where CPython's C
/// code does or does not call an overridden dunder, checked against what CPython 3.11 printed.
final class DerivedValueTests: XCTestCase {
    func testDictMethodsIgnoreOverriddenItemDunders() {
        let (status, out, _) = GoldenTests.run("""
        class D(dict):
            def __getitem__(self, k):
                return "override"
            def __setitem__(self, k, v):
                dict.__setitem__(self, k, v * 10)
        d = D(a=1)
        d.update(b=2)
        d["c"] = 3
        print(d["a"], d.get("a"), dict(d), d.setdefault("e", 5), d.pop("b"))
        class M(dict):
            def __missing__(self, k):
                return k * 2
        m = M(x=1)
        print(m["ab"], "ab" in m, m.get("ab"), len(m))
        """)
        XCTAssertEqual(status, 0)
        XCTAssertEqual(out, "override 1 {'a': 1, 'b': 2, 'c': 30} 5 2\nabab False None 1\n")
    }

    func testHashingLayoutsAndResultTypes() {
        let (status, out, _) = GoldenTests.run("""
        class Token(str):
            pass
        class Stack(list):
            pass
        class Eq(int):
            def __eq__(self, other):
                return True
        print({"a": 1}[Token("a")], hash(Token("a")) == hash("a"), Token("a") in {"a"})
        for v in (Stack(), Eq(1)):
            try:
                hash(v)
            except TypeError as e:
                print(e)
        try:
            class A(dict, list):
                pass
        except TypeError as e:
            print(e)
        s = Stack([1])
        t = s
        s += [2]
        print(t is s, type(s).__name__, type(s + [3]).__name__, type(s[:1]).__name__, type(s * 2).__name__, s)
        """)
        XCTAssertEqual(status, 0)
        XCTAssertEqual(out, "1 True True\nunhashable type: 'Stack'\nunhashable type: 'Eq'\n"
                       + "multiple bases have instance lay-out conflict\nTrue Stack list list list [1, 2]\n")
    }

    func testDescriptorPrecedence() {
        let (status, out, _) = GoldenTests.run("""
        class Data:
            def __get__(self, obj, objtype=None):
                return "data"
            def __set__(self, obj, value):
                obj.__dict__["seen"] = value
        class NonData:
            def __get__(self, obj, objtype=None):
                return "non-data" if obj is not None else "class"
        class C:
            d = Data()
            n = NonData()
        c = C()
        c.__dict__.update(d="instance", n="instance")
        print(c.d, c.n, C.n)
        c.d = 5
        print(c.seen, c.__dict__["d"])
        """)
        XCTAssertEqual(status, 0)
        XCTAssertEqual(out, "data instance class\n5 instance\n")
    }
}
