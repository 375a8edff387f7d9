import Foundation

/// Python's `timeit`: `timeit`, `repeat`, `default_timer` and `Timer` (`timeit`, `repeat`,
/// `autorange`). A statement may be a callable or source text; text is compiled once into a
/// function as CPython's template does, and runs in the script's globals (as with
/// `globals=globals()`; CPython's default is a fresh namespace).
enum TimeitModule {
    static func module() -> Namespace {
        let m = Namespace("timeit")
        let timer = PythonStdlib.time()["perf_counter"] ?? .none
        m["default_timer"] = timer
        m["timeit"] = .object(NativeFunction("timeit", "stmt='pass', setup='pass', timer=None, number=1000000, globals=None",
                                             doc: "Seconds taken to run stmt `number` times (after setup once).") { b, ev in
            .float(try TimedStatement(b[0], b[1], b[2].isNone ? timer : b[2], ev).time(try b[3].asInt("number"), ev))
        })
        m["repeat"] = .object(NativeFunction("repeat", "stmt='pass', setup='pass', timer=None, repeat=5, number=1000000, globals=None",
                                             doc: "A list of `repeat` timeit results.") { b, ev in
            let t = try TimedStatement(b[0], b[1], b[2].isNone ? timer : b[2], ev)
            return try t.repeated(try b[3].asInt("repeat"), try b[4].asInt("number"), ev)
        })
        let timerType = HostType("Timer", signature: Signature("stmt='pass', setup='pass', timer=None, globals=None"),
                                 doc: "A statement to time: timeit(number), repeat(repeat, number), autorange().", check: {
            if case .object(let o) = $0 { return o is TimedStatement }
            return false
        }, construct: { a, ev in
            let s = try a.bind("Timer", ["stmt", "setup", "timer", "globals"])
            let chosen = s[2] ?? .none
            return .object(try TimedStatement(s[0] ?? .str("pass"), s[1] ?? .str("pass"), chosen.isNone ? timer : chosen, ev))
        })
        timerType.module = "timeit"
        m["Timer"] = .object(timerType)
        return m
    }
}

/// A statement and its setup, ready to time (`timeit.Timer`).
final class TimedStatement: PyObject {
    /// Runs the setup, then the statement `n` times between two timer readings; the seconds.
    private let run: (Int, Evaluator) throws -> Double

    init(_ stmt: Value, _ setup: Value, _ timer: Value, _ ev: Evaluator) throws {
        if case .str(let stmtText) = stmt, case .str(let setupText) = setup {
            let interp = try Interpreter.of(ev)
            TimedStatement.count += 1
            let name = "_timeit_inner_\(TimedStatement.count)"
            func body(_ text: String) -> String { text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n        ") }
            let source = """
            def \(name)(_n, _timer):
                \(body(setupText).dropFirst(4))
                _t0 = _timer()
                for _i in range(_n):
                    \(body(stmtText).dropFirst(4))
                    pass
                _t1 = _timer()
                return _t1 - _t0
            """
            try interp.execute(source: source, fileName: "<timeit-src>")
            let inner = interp.global(name) ?? .none
            interp.setGlobal(name, nil)
            run = { n, ev in try (try ev.call(inner, Arguments([.int(n), timer]))).asDouble() }
        } else {
            for (v, what) in [(stmt, "stmt"), (setup, "setup")] where !TimedStatement.isCallable(v) {
                if case .str = v { continue }
                throw PyError(.valueError, "\(what) is neither a string nor callable")
            }
            run = { n, ev in
                if case .str(let s) = setup { if s != "pass" { throw PyError(.notImplementedError, "timeit: a text setup with a callable stmt is not supported by nnrepl") } }
                else { _ = try ev.call(setup, Arguments([])) }
                let t0 = try ev.call(timer, Arguments([])).asDouble()
                if case .str(let s) = stmt {
                    if s != "pass" { throw PyError(.notImplementedError, "timeit: a text stmt with a callable setup is not supported by nnrepl") }
                } else {
                    for _ in 0..<Swift.max(0, n) { _ = try ev.call(stmt, Arguments([])) }
                }
                return try ev.call(timer, Arguments([])).asDouble() - t0
            }
        }
        super.init()
    }

    nonisolated(unsafe) private static var count = 0

    private static func isCallable(_ v: Value) -> Bool {
        if case .object = v { return true }
        if case .module = v { return true }
        return false
    }

    func time(_ number: Int, _ ev: Evaluator) throws -> Double { try run(number, ev) }

    func repeated(_ times: Int, _ number: Int, _ ev: Evaluator) throws -> Value {
        ev.makeList(try (0..<Swift.max(0, times)).map { _ in .float(try time(number, ev)) })
    }

    override var typeName: String { "Timer" }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "timeit":
            return method(name) { a, ev in
                let n = try Convert.optionalInt(try a.bind("timeit", ["number"])[0] ?? .none, "number") ?? 1_000_000
                return .float(try self.time(n, ev))
            }
        case "repeat":
            return method(name) { a, ev in
                let s = try a.bind("repeat", ["repeat", "number"])
                return try self.repeated(try Convert.optionalInt(s[0] ?? .none, "repeat") ?? 5,
                                         try Convert.optionalInt(s[1] ?? .none, "number") ?? 1_000_000, ev)
            }
        case "autorange":
            return method(name) { a, ev in
                let callback = try a.bind("autorange", ["callback"])[0] ?? .none
                var i = 1
                while true {
                    for multiple in [1, 2, 5] {
                        let number = i * multiple
                        let taken = try self.time(number, ev)
                        if !callback.isNone { _ = try ev.call(callback, Arguments([.int(number), .float(taken)])) }
                        if taken >= 0.2 || number >= Int.max / 10 { return ev.makeTuple([.int(number), .float(taken)]) }
                    }
                    i *= 10
                }
            }
        default: return nil
        }
    }
}
