import TensorRuntime
import NeuralNet

/// A host without torch: pure-Python scripts run; anything touching tensors or importing
/// torch fails with a clear error. Used when no bindings are given (tests of the language).
final class NullHost: Host {
    private func unavailable() -> PyError { PyError(.runtimeError, "torch bindings are not available") }

    func importModule(_ dottedName: String, _ ev: Evaluator) throws -> Value? { nil }
    func tensorAttribute(_ t: Tensor, _ name: String, _ ev: Evaluator) throws -> Value? { throw unavailable() }
    func setTensorAttribute(_ t: Tensor, _ name: String, _ value: Value, _ ev: Evaluator) throws { throw unavailable() }
    func tensorBinary(_ op: BinaryOperator, _ lhs: Value, _ rhs: Value, _ ev: Evaluator) throws -> Value? { throw unavailable() }
    func tensorCompare(_ op: ComparisonOperator, _ lhs: Value, _ rhs: Value, _ ev: Evaluator) throws -> Value? { throw unavailable() }
    func tensorUnary(_ op: UnaryOperator, _ t: Tensor, _ ev: Evaluator) throws -> Value { throw unavailable() }
    func tensorGetItem(_ t: Tensor, _ key: Value, _ ev: Evaluator) throws -> Value { throw unavailable() }
    func tensorSetItem(_ t: Tensor, _ key: Value, _ value: Value, _ ev: Evaluator) throws { throw unavailable() }
    func tensorRepr(_ t: Tensor) -> String { "tensor(...)" }
    func tensorFormat(_ t: Tensor, spec: String, _ ev: Evaluator) throws -> String { throw unavailable() }
    func tensorTruthiness(_ t: Tensor) throws -> Bool { throw unavailable() }
    func tensorLength(_ t: Tensor) throws -> Int { throw unavailable() }
    func tensorIterate(_ t: Tensor) throws -> [Value] { throw unavailable() }
    func moduleAttribute(_ m: Module, _ name: String, _ ev: Evaluator) throws -> Value? { nil }
    func setModuleAttribute(_ m: Module, _ name: String, _ value: Value, _ ev: Evaluator) throws { throw unavailable() }
    func moduleGetItem(_ m: Module, _ key: Value, _ ev: Evaluator) throws -> Value { throw unavailable() }
    func moduleSetItem(_ m: Module, _ key: Value, _ value: Value, _ ev: Evaluator) throws { throw unavailable() }
    func moduleDeleteItem(_ m: Module, _ key: Value, _ ev: Evaluator) throws { throw unavailable() }
    func moduleLength(_ m: Module) throws -> Int { throw unavailable() }
    func moduleIterate(_ m: Module) throws -> [Value] { throw unavailable() }
    func moduleType(_ m: Module) -> PyType? { nil }
}
