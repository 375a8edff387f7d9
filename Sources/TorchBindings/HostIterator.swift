import NNLang
import TensorRuntime
import NeuralNet

/// A single-use Python generator over items computed up front (`model.parameters()`,
/// `named_children()` …): `list(g)` or a `for` loop consumes it, a second pass sees nothing,
/// `next(g)` takes one item or raises StopIteration. Prints like CPython's generator objects.
final class HostIterator: PyObject {
    /// The qualified name CPython prints (`Module.parameters`).
    let qualifiedName: String
    private var items: [Value]
    private var position = 0
    private let address: Int

    nonisolated(unsafe) private static var nextAddress = 0x7f3a_2c00_0000

    init(_ qualifiedName: String, _ items: [Value]) {
        self.qualifiedName = qualifiedName
        self.items = items
        HostIterator.nextAddress &+= 0x70
        address = HostIterator.nextAddress
        super.init()
    }

    override var typeName: String { "generator" }

    override func repr(_ ev: Evaluator) throws -> String {
        "<generator object \(qualifiedName) at 0x\(String(address, radix: 16))>"
    }

    override func iterate(_ ev: Evaluator) throws -> [Value]? {
        let rest = Array(items[position...])
        position = items.count
        return rest
    }

    override func truthiness(_ ev: Evaluator) throws -> Bool? { true }

    /// The next item, or nil when exhausted.
    func next() -> Value? {
        guard position < items.count else { return nil }
        defer { position += 1 }
        return items[position]
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "__next__":
            return method(name) { _, _ in
                guard let v = self.next() else { throw PyError(.stopIteration, "") }
                return v
            }
        case "__iter__":
            return method(name) { _, _ in .object(self) }
        default:
            return nil
        }
    }
}
