/// Python's `threading` for scripts that use it around one thread of work: `Thread(target,
/// args, kwargs, name, daemon)` whose `start()` runs the target to its end at once (nnrepl runs
/// one thread; CPython's would run beside the caller), `join`, `is_alive`, `name`; `Lock` and
/// `RLock` (`acquire`, `release`, `locked`, `with`), `Event`, `local`, `current_thread`,
/// `main_thread`, `get_ident`, `active_count`. An exception in a target is reported on stderr
/// (`Exception in thread …`) and the caller goes on, as CPython.
enum ThreadingModule {
    nonisolated(unsafe) private static var made = 0

    static func module() -> Namespace {
        let m = Namespace("threading")
        let main = ThreadObject(name: "MainThread", target: .none, args: Arguments([]))
        main.state = .running
        func type(_ name: String, _ doc: String, check: @escaping (PyObject) -> Bool, _ construct: @escaping NativeFunction.Body) {
            let t = HostType(name, doc: doc, check: { if case .object(let o) = $0 { return check(o) }; return false }, construct: construct)
            t.module = "threading"
            m[name] = .object(t)
        }
        type("Thread", "A unit of work: start() runs target(*args, **kwargs).", check: { $0 is ThreadObject }) { a, ev in
            let s = try a.bind("Thread", ["group", "target", "name", "args", "kwargs", "daemon"], positionalLimit: 6)
            made += 1
            let target = s[1] ?? .none
            var name = "Thread-\(made)"
            if case .object(let o) = target, let fn = o as? PyFunction { name += " (\(fn.name))" }
            if let n = s[2], !n.isNone { name = try n.asString("name") }
            let args = try s[3].map { $0.isNone ? [] : try ev.iterate($0) } ?? []
            let keywords = try (s[4].flatMap { $0.isNone ? nil : ev.mappingItems($0) } ?? []).map { (try $0.0.asString("kwargs"), $0.1) }
            let t = ThreadObject(name: name, target: target, args: Arguments(args, keywords: keywords))
            if let d = s[5], !d.isNone { t.daemon = try ev.truthy(d) }
            return .object(t)
        }
        for name in ["Lock", "RLock"] {
            type(name, "A lock: acquire/release, or `with`.", check: { ($0 as? LockObject)?.kind == name }) { _, _ in .object(LockObject(kind: name)) }
        }
        type("Event", "A flag: set, clear, is_set, wait.", check: { $0 is EventObject }) { _, _ in .object(EventObject()) }
        type("local", "An object whose attributes belong to the (one) thread.", check: { $0 is AttributeNamespace }) { _, _ in
            .object(AttributeNamespace(.simple))
        }
        m["current_thread"] = .object(NativeFunction("current_thread", "", doc: "The running thread (the main one).") { _, _ in .object(main) })
        m["main_thread"] = .object(NativeFunction("main_thread", "", doc: "The main thread.") { _, _ in .object(main) })
        m["get_ident"] = .object(NativeFunction("get_ident", "", doc: "The thread's id.") { _, _ in .int(Int(bitPattern: UInt(bitPattern: ObjectIdentifier(main)))) })
        m["active_count"] = .object(NativeFunction("active_count", "", doc: "1: the main thread.") { _, _ in .int(1) })
        return m
    }
}

/// `threading.Thread`.
final class ThreadObject: PyObject {
    enum State { case initial, running, finished }
    var name: String
    let target: Value
    let args: Arguments
    var daemon = false
    var state = State.initial

    init(name: String, target: Value, args: Arguments) {
        self.name = name
        self.target = target
        self.args = args
        super.init()
    }

    override var typeName: String { "Thread" }

    override func repr(_ ev: Evaluator) throws -> String {
        let status = state == .initial ? "initial" : (state == .running ? "started" : "stopped")
        return "<Thread(\(name), \(status)\(daemon ? " daemon" : ""))>"
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "name": return .str(self.name)
        case "daemon": return .bool(daemon)
        case "start":
            return method(name) { _, ev in
                guard self.state == .initial else { throw PyError(.runtimeError, "threads can only be started once") }
                self.state = .running
                defer { self.state = .finished }
                if !self.target.isNone {
                    do { _ = try ev.call(self.target, self.args) } catch {
                        let interp = try Interpreter.of(ev)
                        interp.errorOutput("Exception in thread \(self.name):\n" + interp.describe(error))
                    }
                }
                return .none
            }
        case "run": return method(name) { _, ev in self.target.isNone ? .none : try ev.call(self.target, self.args) }
        case "join":
            return method(name) { _, _ in
                if self.state == .initial { throw PyError(.runtimeError, "cannot join thread before it is started") }
                return .none
            }
        case "is_alive": return method(name) { _, _ in .bool(self.state == .running) }
        default: return nil
        }
    }

    override func setAttribute(_ name: String, _ value: Value, _ ev: Evaluator) throws {
        switch name {
        case "name": self.name = try value.asString("name")
        case "daemon": daemon = try ev.truthy(value)
        default: throw PyError(.attributeError, "'Thread' object has no attribute '\(name)'")
        }
    }
}

/// `threading.Lock` / `RLock`: one thread, so acquiring a held Lock would wait forever in
/// CPython; here it returns False when not blocking and raises RuntimeError otherwise.
final class LockObject: PyObject {
    let kind: String
    private var depth = 0

    init(kind: String) {
        self.kind = kind
        super.init()
    }

    override var typeName: String { kind == "Lock" ? "_thread.lock" : "_thread.RLock" }

    private func acquire(blocking: Bool) throws -> Bool {
        if depth > 0 && kind == "Lock" {
            if !blocking { return false }
            throw PyError(.runtimeError, "nnrepl: acquiring a held Lock in its one thread would wait forever")
        }
        depth += 1
        return true
    }

    private func release() throws {
        guard depth > 0 else { throw PyError(.runtimeError, kind == "Lock" ? "release unlocked lock" : "cannot release un-acquired lock") }
        depth -= 1
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "acquire":
            return method(name) { a, ev in
                let s = try a.bind("acquire", ["blocking", "timeout"])
                return .bool(try self.acquire(blocking: try s[0].map { try ev.truthy($0) } ?? true))
            }
        case "__enter__": return method(name) { _, _ in .bool(try self.acquire(blocking: true)) }
        case "release", "__exit__": return method(name) { _, _ in try self.release(); return .none }
        case "locked": return method(name) { _, _ in .bool(self.depth > 0) }
        default: return nil
        }
    }
}

/// `threading.Event`.
final class EventObject: PyObject {
    private var flag = false

    override var typeName: String { "Event" }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "set": return method(name) { _, _ in self.flag = true; return .none }
        case "clear": return method(name) { _, _ in self.flag = false; return .none }
        case "is_set": return method(name) { _, _ in .bool(self.flag) }
        case "wait": return method(name) { _, _ in .bool(self.flag) }
        default: return nil
        }
    }
}
