import XCTest
@testable import NeuralNet
import TensorRuntime

/// Layer reprs, hyperparameters, shapes and numerics (reference §3, §4, §7).
final class LayerTests: XCTestCase {
    func testReprs() throws {
        XCTAssertEqual(try Linear(10, 5).description, "Linear(in_features=10, out_features=5, bias=True)")
        XCTAssertEqual(try Linear(10, 5, bias: false).description, "Linear(in_features=10, out_features=5, bias=False)")
        XCTAssertEqual(try Conv2d(3, 8, kernelSize: 3).description, "Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))")
        XCTAssertEqual(try Conv2d(4, 8, kernelSize: .pair(3, 5), stride: .single(2), padding: .explicit(1, 2), dilation: .single(2), groups: 2, bias: false).description,
                       "Conv2d(4, 8, kernel_size=(3, 5), stride=(2, 2), padding=(1, 2), dilation=(2, 2), groups=2, bias=False)")
        XCTAssertEqual(try Conv2d(3, 8, kernelSize: .single(3), padding: .same).description, "Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=same)")
        XCTAssertEqual(ReLU().description, "ReLU()")
        XCTAssertEqual(ReLU(inplace: true).description, "ReLU(inplace=True)")
        XCTAssertEqual(LeakyReLU().description, "LeakyReLU(negative_slope=0.01)")
        XCTAssertEqual(LeakyReLU(negativeSlope: 0.2, inplace: true).description, "LeakyReLU(negative_slope=0.2, inplace=True)")
        XCTAssertEqual(try Dropout().description, "Dropout(p=0.5, inplace=False)")
        XCTAssertEqual(try BatchNorm2d(8).description, "BatchNorm2d(8, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)")
        XCTAssertEqual(try BatchNorm1d(4, momentum: nil, affine: false).description, "BatchNorm1d(4, eps=1e-05, momentum=None, affine=False, bias=False, track_running_stats=True)")
        XCTAssertEqual(Flatten().description, "Flatten(start_dim=1, end_dim=-1)")
        XCTAssertEqual(MaxPool2d(kernelSize: .single(2)).description, "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)")
        XCTAssertEqual(AvgPool2d(kernelSize: .single(2)).description, "AvgPool2d(kernel_size=2, stride=2, padding=0)")
        XCTAssertEqual(AdaptiveAvgPool2d(outputSize: .pair(7, 7)).description, "AdaptiveAvgPool2d(output_size=(7, 7))")
        XCTAssertEqual(Softmax(dim: 1).description, "Softmax(dim=1)")
        XCTAssertEqual(Softmax().description, "Softmax(dim=None)")
        XCTAssertEqual(LogSoftmax(dim: -1).description, "LogSoftmax(dim=-1)")
        XCTAssertEqual(GELU().description, "GELU(approximate='none')")
        for m in [Sigmoid(), Tanh(), Identity()] as [Module] { XCTAssertEqual(m.description, m.typeName + "()") }
        XCTAssertEqual(try MSELoss().description, "MSELoss()")
        XCTAssertEqual(try CrossEntropyLoss().description, "CrossEntropyLoss()")
        XCTAssertEqual(try Embedding(10, 3).description, "Embedding(10, 3)")
        XCTAssertEqual(try Linear(2, 2).pythonQualifiedName, "torch.nn.modules.linear.Linear")
        XCTAssertEqual(ReLU().pythonQualifiedName, "torch.nn.modules.activation.ReLU")
    }

    func testNestedReprExample() throws {
        let s = Sequential(try Linear(2, 3), ReLU(), Sequential(try Linear(3, 3), Tanh()))
        XCTAssertEqual(s.description, """
        Sequential(
          (0): Linear(in_features=2, out_features=3, bias=True)
          (1): ReLU()
          (2): Sequential(
            (0): Linear(in_features=3, out_features=3, bias=True)
            (1): Tanh()
          )
        )
        """)
        let list = ModuleList([try Linear(2, 2), try Linear(2, 2), try Linear(2, 2), ReLU(), ReLU(), try Linear(2, 2)])
        XCTAssertEqual(list.description, """
        ModuleList(
          (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)
          (3-4): 2 x ReLU()
          (5): Linear(in_features=2, out_features=2, bias=True)
        )
        """)
    }

    func testHyperparameters() throws {
        XCTAssertEqual(try Linear(3, 4).hyperparameter("in_features"), .int(3))
        XCTAssertEqual(LeakyReLU().hyperparameter("negative_slope"), .double(0.01))
        XCTAssertEqual(try Conv2d(3, 8, kernelSize: 3).hyperparameter("kernel_size"), .tuple([.int(3), .int(3)]))
        XCTAssertEqual(MaxPool2d(kernelSize: .single(2)).hyperparameter("stride"), .int(2))
        XCTAssertNil(ReLU().hyperparameter("negative_slope"))
        let l = LeakyReLU()
        XCTAssertTrue(try l.setHyperparameter("negative_slope", .double(0.2)))
        XCTAssertEqual(l.description, "LeakyReLU(negative_slope=0.2)")
        // A hyperparameter counts as an existing attribute.
        assertTorchError(.keyError, "attribute 'in_features' already exists") { try Linear(1, 1).registerBuffer("in_features", nil) }
    }

    func testLinearShapesInitAndForward() throws {
        TorchRandom.manualSeed(Int64(0))
        let fc = try Linear(784, 256)
        XCTAssertEqual(fc.namedParameters().map { $0.0 }, ["weight", "bias"])
        XCTAssertEqual(fc.parameter("weight")?.shape, [256, 784])
        let bound = 1 / 784.0.squareRoot()
        let w = fc.parameter("weight")!.toDoubles()
        XCTAssertTrue(w.allSatisfy { abs($0) <= bound })
        XCTAssertGreaterThan(w.map(abs).max() ?? 0, bound * 0.95)
        XCTAssertTrue(fc.parameter("bias")!.toDoubles().allSatisfy { abs($0) <= bound })
        XCTAssertTrue(fc.parameter("weight")!.requiresGrad && fc.parameter("weight")!.isParameter)
        let out = try fc(try Tensor.randn([64, 784]))
        XCTAssertEqual(out.shape, [64, 256])
    }

    func testConvForwardShapeAndErrors() throws {
        let conv = try Conv2d(3, 16, kernelSize: 3)
        XCTAssertEqual(try conv(try Tensor.randn([2, 3, 10, 10])).shape, [2, 16, 8, 8])
        XCTAssertEqual(conv.parameter("weight")?.shape, [16, 3, 3, 3])
        assertTorchError(.valueError, "in_channels must be divisible by groups") { _ = try Conv2d(3, 4, kernelSize: 1, groups: 2) }
        assertTorchError(.valueError, "padding='same' is not supported for strided convolutions") {
            _ = try Conv2d(3, 4, kernelSize: .single(3), stride: .single(2), padding: .same)
        }
        let same = try Conv2d(3, 4, kernelSize: .single(3), padding: .same)
        XCTAssertEqual(try same(try Tensor.randn([1, 3, 5, 5])).shape, [1, 4, 5, 5])
    }

    func testPoolingFlattenActivations() throws {
        let x = try Tensor.randn([2, 3, 8, 8])
        XCTAssertEqual(try MaxPool2d(kernelSize: .single(2))(x).shape, [2, 3, 4, 4])
        XCTAssertEqual(try AvgPool2d(kernelSize: .single(2))(x).shape, [2, 3, 4, 4])
        XCTAssertEqual(try AdaptiveAvgPool2d(outputSize: .pair(1, 1))(x).shape, [2, 3, 1, 1])
        XCTAssertEqual(try Flatten()(x).shape, [2, 192])
        let v = try Tensor([-1, 2], shape: [2])
        XCTAssertEqual(try ReLU()(v).toDoubles(), [0, 2])
        XCTAssertEqual(try LeakyReLU(negativeSlope: 0.5)(v).toDoubles(), [-0.5, 2])
        let sm = try Softmax(dim: 0)(v).toDoubles()
        XCTAssertEqual(sm[0] + sm[1], 1, accuracy: 1e-6)
    }

    func testDropoutTrainEval() throws {
        assertTorchError(.valueError, "dropout probability has to be between 0 and 1, but got 1.5") { _ = try Dropout(p: 1.5) }
        let d = try Dropout(p: 0.5)
        let x = try Tensor.ones([1000])
        let y = try d(x).toDoubles()
        XCTAssertTrue(y.allSatisfy { $0 == 0 || $0 == 2 })
        let kept = y.filter { $0 == 2 }.count
        XCTAssertTrue(kept > 400 && kept < 600)
        d.eval()
        XCTAssertTrue(try d(x) === x)
        d.train()
        XCTAssertEqual(try Dropout(p: 1)(x).toDoubles().reduce(0, +), 0)
    }

    func testBatchNormRunningStats() throws {
        let bn = try BatchNorm1d(2)
        XCTAssertEqual(bn.stateDict().map { $0.0 }, ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
        XCTAssertEqual(bn.buffer("num_batches_tracked")?.dtype, .int64)
        XCTAssertEqual(bn.buffer("num_batches_tracked")?.shape, [])
        let x = try Tensor([1, 2, 3, 6, 5, 10], shape: [3, 2])
        let y = try bn(x)
        let rm = bn.buffer("running_mean")!.toDoubles(), rv = bn.buffer("running_var")!.toDoubles()
        XCTAssertEqual(rm[0], 0.3, accuracy: 1e-6); XCTAssertEqual(rm[1], 0.6, accuracy: 1e-6)
        XCTAssertEqual(rv[0], 1.3, accuracy: 1e-6); XCTAssertEqual(rv[1], 2.5, accuracy: 1e-6)
        XCTAssertEqual(bn.buffer("num_batches_tracked")?.toDoubles(), [1])
        // Training output is normalised with the biased batch variance.
        let col0 = [y.toDoubles()[0], y.toDoubles()[2], y.toDoubles()[4]]
        XCTAssertEqual(col0[0], -2 / (8.0 / 3 + 1e-5).squareRoot(), accuracy: 1e-4)
        bn.eval()
        let e = try bn(x).toDoubles()
        XCTAssertEqual(e[0], (1 - 0.3) / (1.3 + 1e-5).squareRoot(), accuracy: 1e-5)
        XCTAssertEqual(bn.buffer("num_batches_tracked")?.toDoubles(), [1])
        bn.train()
        assertTorchError(.valueError, "Expected more than 1 value per channel when training, got input size torch.Size([1, 2])") {
            _ = try bn(try Tensor([1, 2], shape: [1, 2]))
        }
        assertTorchError(.valueError, "expected 2D or 3D input (got 4D input)") { _ = try bn(try Tensor.zeros([1, 2, 1, 1])) }
        assertTorchError(.valueError, "expected 4D input (got 2D input)") { _ = try BatchNorm2d(2)(x) }
        // momentum=None: cumulative average.
        let cumulative = try BatchNorm1d(2, momentum: nil)
        _ = try cumulative(x)
        XCTAssertEqual(cumulative.buffer("running_mean")!.toDoubles()[0], 3, accuracy: 1e-6)
        // No running stats: buffers are None and skipped.
        let untracked = try BatchNorm1d(2, trackRunningStats: false)
        XCTAssertEqual(untracked.stateDict().map { $0.0 }, ["weight", "bias"])
        untracked.eval()
        XCTAssertEqual(try untracked(x).shape, [3, 2])
    }

    func testLosses() throws {
        let a = try Tensor([1, 2], shape: [2]), b = try Tensor([0, 0], shape: [2])
        XCTAssertEqual(try MSELoss()(a, b).toDoubles(), [2.5])
        XCTAssertEqual(try L1Loss(reduction: "sum")(a, b).toDoubles(), [3])
        let logits = try Tensor([0, 0], shape: [1, 2])
        let target = try Tensor(doubles: [1], shape: [1], dtype: .int64)
        XCTAssertEqual(try CrossEntropyLoss()(logits, target).toDoubles()[0], log(2), accuracy: 1e-6)
        assertTorchError(.typeError, "MSELoss.forward() missing 1 required positional argument: 'target'") {
            _ = try MSELoss().call(arguments: [a])
        }
        let ce = try CrossEntropyLoss(weight: try Tensor([1, 2], shape: [2]))
        XCTAssertEqual(ce.stateDict().map { $0.0 }, ["weight"])
    }

    func testEmbedding() throws {
        let e = try Embedding(10, 3)
        let idx = try Tensor(doubles: [1, 2, 3, 4], shape: [2, 2], dtype: .int64)
        XCTAssertEqual(try e(idx).shape, [2, 2, 3])
    }
}
