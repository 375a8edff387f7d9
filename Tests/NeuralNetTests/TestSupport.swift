import XCTest
@testable import NeuralNet
import TensorRuntime

/// A leaf module with a weight parameter and a configurable extra_repr, used where a real layer
/// would drag in kernels.
final class Leaf: Module {
    let label: String
    init(_ label: String = "", weight: [Int]? = [2]) {
        self.label = label
        super.init()
        if let shape = weight { try? registerParameter("weight", try? Tensor.newParameter(shape)) }
    }
    override var typeName: String { "Leaf" }
    override func extraRepr() -> String { label }
    override func forward(_ input: Tensor) throws -> Tensor { input }
}

/// A module standing in for a script class (`class Net(nn.Module)`).
final class Net: Module {
    override var typeName: String { "Net" }
    override var pythonModuleName: String { "__main__" }
}

func param(_ shape: [Int]) -> Tensor {
    (try? Tensor.newParameter(shape)) ?? Tensor(storage: try! Storage(count: 0, dtype: .float32), shape: [0], strides: [1])
}

func plainTensor(_ values: [Float], _ shape: [Int]) -> Tensor {
    (try? Tensor(values, shape: shape)) ?? param([0])
}

/// Runs `body`, expecting a TorchError of `kind` with exactly `message`.
func assertTorchError(_ kind: ExceptionKind, _ message: String, file: StaticString = #filePath, line: UInt = #line,
                      _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("expected \(kind.rawValue): \(message)", file: file, line: line)
    } catch let e as TorchError {
        XCTAssertEqual(e.kind, kind, file: file, line: line)
        XCTAssertEqual(e.message, message, file: file, line: line)
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}
