import XCTest
@testable import NNLang

/// `Signature`: the parameter-list text every declared binding is written in, and how it binds calls.
final class SignatureTests: XCTestCase {
    private func bind(_ sig: Signature, _ positional: [Value], _ keywords: [(String, Value)] = []) throws -> Bound {
        try sig.bind(Arguments(positional, keywords: keywords.map { (name: $0.0, value: $0.1) }), "f")
    }

    private func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch let e as PyError { return e.description } catch { return "\(error)" }
    }

    func testTextRoundTripsAndDefaultsParse() throws {
        let text = "input, dim=None, keepdim=False, *, dtype=None"
        XCTAssertEqual(Signature(text).text, text)
        XCTAssertEqual(Signature("a, /, b=1, *args, c, d='x', **kw").text, "a, /, b=1, *args, c, d='x', **kw")
        let s = Signature("eps=1e-05, betas=(0.9, 0.999), mode='zeros', n=-100, flag=True, none=None")
        let b = try bind(s, [])
        XCTAssertEqual(b[0].asDoubleIfFloat, 1e-05)
        guard case .object(let t as PyTuple) = b[1] else { return XCTFail("betas is not a tuple") }
        XCTAssertEqual(t.items.map(\.asDoubleIfFloat), [0.9, 0.999])
        guard case .str("zeros") = b[2], case .int(-100) = b[3], case .bool(true) = b[4], case .none = b[5] else {
            return XCTFail("defaults: \(b.values)")
        }
        XCTAssertEqual(s.keywordNames, ["eps", "betas", "mode", "n", "flag", "none"])
        XCTAssertEqual(Signature("input, *size, **kw").keywordNames, ["input"])
    }

    func testBindingFillsDefaultsAndRecordsWhatWasGiven() throws {
        let s = Signature("a, b=2, *, c=3")
        let b = try bind(s, [.int(1)], [("c", .int(30))])
        guard case .int(1) = b[0], case .int(2) = b[1], case .int(30) = b[2] else { return XCTFail("\(b.values)") }
        XCTAssertEqual(b.given, [true, false, true])
        let varargs = try bind(Signature("x, *rest, **extra"), [.int(1), .int(2), .int(3)], [("k", .int(4))])
        XCTAssertEqual(varargs.extraPositional.count, 2)
        XCTAssertEqual(varargs.extraKeywords.map(\.name), ["k"])
    }

    func testPythonErrors() {
        let s = Signature("a, b, c=1, *, d, e=2")
        XCTAssertEqual(message { _ = try bind(s, [.int(1)]) },
                       "TypeError: f() missing 1 required positional argument: 'b'")
        XCTAssertEqual(message { _ = try bind(s, []) },
                       "TypeError: f() missing 2 required positional arguments: 'a' and 'b'")
        XCTAssertEqual(message { _ = try bind(s, [.int(1), .int(2)]) },
                       "TypeError: f() missing 1 required keyword-only argument: 'd'")
        XCTAssertEqual(message { _ = try bind(s, [.int(1), .int(2), .int(3), .int(4)], [("d", .int(0))]) },
                       "TypeError: f() takes 3 positional arguments but 4 were given")
        XCTAssertEqual(message { _ = try bind(s, [.int(1), .int(2)], [("d", .int(0)), ("zz", .int(0))]) },
                       "TypeError: f() got an unexpected keyword argument 'zz'")
        XCTAssertEqual(message { _ = try bind(s, [.int(1), .int(2)], [("a", .int(0)), ("d", .int(0))]) },
                       "TypeError: f() got multiple values for argument 'a'")
        XCTAssertEqual(message { _ = try bind(Signature("a, /, b"), [], [("a", .int(1)), ("b", .int(2))]) },
                       "TypeError: f() got an unexpected keyword argument 'a'")
    }

    func testTorchStyleMessagesAndVarargsByKeyword() throws {
        let s = Signature("input, k, dim=-1", style: .torch)
        XCTAssertEqual(message { _ = try bind(s, [.int(1)]) }, "TypeError: f() missing 1 required positional arguments: \"k\"")
        // PyTorch takes an int-list varargs by its name too: x.view(size=(2, 3)).
        let view = try bind(Signature("input, *size", style: .torch), [.int(0)], [("size", .int(6))])
        guard case .int(6)? = view.extraPositional.first else { return XCTFail("\(view.extraPositional)") }
        XCTAssertThrowsError(try bind(Signature("input, *size"), [.int(0)], [("size", .int(6))]))
    }
}

private extension Value {
    var asDoubleIfFloat: Double? { if case .float(let d) = self { return d } else { return nil } }
}
