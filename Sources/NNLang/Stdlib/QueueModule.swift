/// Python's `queue`: `Queue` (first in, first out), `LifoQueue`, `PriorityQueue` (heapq's
/// order), `SimpleQueue`, and the `Empty`/`Full` exceptions. nnrepl runs one thread, so a
/// blocking `get` on an empty queue (or `put` on a full one) raises Empty (Full) at once
/// instead of waiting forever.
enum QueueModule {
    static let empty = PyClass(name: "Empty", base: ExceptionClasses.exception, moduleName: "_queue")
    static let full = PyClass(name: "Full", base: ExceptionClasses.exception, moduleName: "queue")

    static func module() -> Namespace {
        let m = Namespace("queue")
        m["Empty"] = .object(empty)
        m["Full"] = .object(full)
        var queueType: HostType?
        for (name, order) in [("Queue", PyQueue.Order.fifo), ("LifoQueue", .lifo), ("PriorityQueue", .priority), ("SimpleQueue", .fifo)] {
            // LifoQueue and PriorityQueue subclass Queue (isinstance), SimpleQueue does not.
            let t = HostType(name, parent: name == "SimpleQueue" ? nil : queueType, doc: "A \(order.rawValue) queue: put, get, qsize, empty, full.", check: {
                guard case .object(let o) = $0, let q = o as? PyQueue else { return false }
                return q.kind == name || (name == "Queue" && q.kind != "SimpleQueue")
            }, construct: { a, _ in
                let maxsize = name == "SimpleQueue" ? 0 : try Convert.optionalInt(try a.bind(name, ["maxsize"])[0] ?? .none, "maxsize") ?? 0
                return .object(PyQueue(kind: name, order: order, maxsize: maxsize))
            })
            t.module = "queue"
            m[name] = .object(t)
            if name == "Queue" { queueType = t }
        }
        return m
    }

    static func raise(_ cls: PyClass) -> Error { ScriptError(exception: PyExceptionObject(cls: cls, args: [])) }
}

/// A `queue.Queue` / `LifoQueue` / `PriorityQueue` / `SimpleQueue`.
final class PyQueue: PyObject {
    enum Order: String { case fifo = "first-in first-out", lifo = "last-in first-out", priority = "smallest-first" }
    let kind: String
    let order: Order
    let maxsize: Int
    private let items = PyList([])
    private var unfinished = 0

    init(kind: String, order: Order, maxsize: Int) {
        self.kind = kind
        self.order = order
        self.maxsize = maxsize
        super.init()
    }

    override var typeName: String { kind }

    private var isFull: Bool { maxsize > 0 && items.items.count >= maxsize }

    private func put(_ v: Value, _ ev: Evaluator) throws {
        if isFull { throw QueueModule.raise(QueueModule.full) }
        if order == .priority { _ = try ev.call(HeapqBisect.heapq()["heappush"] ?? .none, Arguments([.object(items), v])) }
        else { items.items.append(v) }
        unfinished += 1
    }

    private func get(_ ev: Evaluator) throws -> Value {
        guard !items.items.isEmpty else { throw QueueModule.raise(QueueModule.empty) }
        switch order {
        case .fifo: return items.items.removeFirst()
        case .lifo: return items.items.removeLast()
        case .priority: return try ev.call(HeapqBisect.heapq()["heappop"] ?? .none, Arguments([.object(items)]))
        }
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "put", "put_nowait":
            return method(name) { a, ev in
                try self.put(try a.bind(name, ["item", "block", "timeout"], required: 1)[0] ?? .none, ev)
                return .none
            }
        case "get", "get_nowait":
            return method(name) { a, ev in
                _ = try a.bind(name, name == "get" ? ["block", "timeout"] : [])
                return try self.get(ev)
            }
        case "qsize": return method(name) { _, _ in .int(self.items.items.count) }
        case "empty": return method(name) { _, _ in .bool(self.items.items.isEmpty) }
        case "full": return method(name) { _, _ in .bool(self.isFull) }
        case "maxsize": return .int(maxsize)
        case "queue": return .object(items)
        case "task_done":
            return method(name) { _, _ in
                guard self.unfinished > 0 else { throw PyError(.valueError, "task_done() called too many times") }
                self.unfinished -= 1
                return .none
            }
        case "join": return method(name) { _, _ in .none }
        default: return nil
        }
    }
}
