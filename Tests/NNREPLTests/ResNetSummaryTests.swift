import XCTest
import NNLang
import NeuralNet
@testable import NNREPL

/// `:summary` of torchvision's resnet18 on (1, 3, 224, 224): torchinfo's well-known table
/// (11,689,512 params, 1.81 G mult-adds, 39.75 MB forward/backward, 87.11 MB in total).
/// The model comes from NeuralNet directly, so the test does not depend on the bindings'
/// `torchvision` namespace.
final class ResNetSummaryTests: XCTestCase {
    func testResNet18Summary() throws {
        let session = Session()
        var out = "", err = ""
        session.interpreter.output = { out += $0 }
        session.interpreter.errorOutput = { err += $0 }
        session.interpreter.setGlobal("r", .module(try ResNet.resnet18()))
        XCTAssertEqual(session.run(":summary r (1, 3, 224, 224)"), .ok)
        XCTAssertEqual(err, "")
        XCTAssertEqual(out, Self.expected)
    }

    /// depth=1 (torchinfo's table for the same call, but "(M)" as torchinfo 1.8 prints it):
    /// 25 lines, one screen.
    func testResNet18SummaryAtDepthOneFitsOneScreen() throws {
        let session = Session()
        var out = ""
        session.interpreter.output = { out += $0 }
        session.interpreter.setGlobal("r", .module(try ResNet.resnet18()))
        XCTAssertEqual(session.run(":summary r (1, 3, 64, 64) depth=1"), .ok)
        XCTAssertEqual(out, """
        ==========================================================================================
        Layer (type:depth-idx)                   Output Shape              Param #
        ==========================================================================================
        ResNet                                   [1, 1000]                 --
        ├─Conv2d: 1-1                            [1, 64, 32, 32]           9,408
        ├─BatchNorm2d: 1-2                       [1, 64, 32, 32]           128
        ├─ReLU: 1-3                              [1, 64, 32, 32]           --
        ├─MaxPool2d: 1-4                         [1, 64, 16, 16]           --
        ├─Sequential: 1-5                        [1, 64, 16, 16]           147,968
        ├─Sequential: 1-6                        [1, 128, 8, 8]            525,568
        ├─Sequential: 1-7                        [1, 256, 4, 4]            2,099,712
        ├─Sequential: 1-8                        [1, 512, 2, 2]            8,393,728
        ├─AdaptiveAvgPool2d: 1-9                 [1, 512, 1, 1]            --
        ├─Linear: 1-10                           [1, 1000]                 513,000
        ==========================================================================================
        Total params: 11,689,512
        Trainable params: 11,689,512
        Non-trainable params: 0
        Total mult-adds (M): 148.57
        ==========================================================================================
        Input size (MB): 0.05
        Forward/backward pass size (MB): 3.25
        Params size (MB): 46.76
        Estimated Total Size (MB): 50.06
        ==========================================================================================

        """)
        XCTAssertEqual(out.split(separator: "\n").count, 25)
    }

    static let expected = """
        ==========================================================================================
        Layer (type:depth-idx)                   Output Shape              Param #
        ==========================================================================================
        ResNet                                   [1, 1000]                 --
        ├─Conv2d: 1-1                            [1, 64, 112, 112]         9,408
        ├─BatchNorm2d: 1-2                       [1, 64, 112, 112]         128
        ├─ReLU: 1-3                              [1, 64, 112, 112]         --
        ├─MaxPool2d: 1-4                         [1, 64, 56, 56]           --
        ├─Sequential: 1-5                        [1, 64, 56, 56]           --
        │    └─BasicBlock: 2-1                   [1, 64, 56, 56]           --
        │    │    └─Conv2d: 3-1                  [1, 64, 56, 56]           36,864
        │    │    └─BatchNorm2d: 3-2             [1, 64, 56, 56]           128
        │    │    └─ReLU: 3-3                    [1, 64, 56, 56]           --
        │    │    └─Conv2d: 3-4                  [1, 64, 56, 56]           36,864
        │    │    └─BatchNorm2d: 3-5             [1, 64, 56, 56]           128
        │    │    └─ReLU: 3-6                    [1, 64, 56, 56]           --
        │    └─BasicBlock: 2-2                   [1, 64, 56, 56]           --
        │    │    └─Conv2d: 3-7                  [1, 64, 56, 56]           36,864
        │    │    └─BatchNorm2d: 3-8             [1, 64, 56, 56]           128
        │    │    └─ReLU: 3-9                    [1, 64, 56, 56]           --
        │    │    └─Conv2d: 3-10                 [1, 64, 56, 56]           36,864
        │    │    └─BatchNorm2d: 3-11            [1, 64, 56, 56]           128
        │    │    └─ReLU: 3-12                   [1, 64, 56, 56]           --
        ├─Sequential: 1-6                        [1, 128, 28, 28]          --
        │    └─BasicBlock: 2-3                   [1, 128, 28, 28]          --
        │    │    └─Conv2d: 3-13                 [1, 128, 28, 28]          73,728
        │    │    └─BatchNorm2d: 3-14            [1, 128, 28, 28]          256
        │    │    └─ReLU: 3-15                   [1, 128, 28, 28]          --
        │    │    └─Conv2d: 3-16                 [1, 128, 28, 28]          147,456
        │    │    └─BatchNorm2d: 3-17            [1, 128, 28, 28]          256
        │    │    └─Sequential: 3-18             [1, 128, 28, 28]          8,448
        │    │    └─ReLU: 3-19                   [1, 128, 28, 28]          --
        │    └─BasicBlock: 2-4                   [1, 128, 28, 28]          --
        │    │    └─Conv2d: 3-20                 [1, 128, 28, 28]          147,456
        │    │    └─BatchNorm2d: 3-21            [1, 128, 28, 28]          256
        │    │    └─ReLU: 3-22                   [1, 128, 28, 28]          --
        │    │    └─Conv2d: 3-23                 [1, 128, 28, 28]          147,456
        │    │    └─BatchNorm2d: 3-24            [1, 128, 28, 28]          256
        │    │    └─ReLU: 3-25                   [1, 128, 28, 28]          --
        ├─Sequential: 1-7                        [1, 256, 14, 14]          --
        │    └─BasicBlock: 2-5                   [1, 256, 14, 14]          --
        │    │    └─Conv2d: 3-26                 [1, 256, 14, 14]          294,912
        │    │    └─BatchNorm2d: 3-27            [1, 256, 14, 14]          512
        │    │    └─ReLU: 3-28                   [1, 256, 14, 14]          --
        │    │    └─Conv2d: 3-29                 [1, 256, 14, 14]          589,824
        │    │    └─BatchNorm2d: 3-30            [1, 256, 14, 14]          512
        │    │    └─Sequential: 3-31             [1, 256, 14, 14]          33,280
        │    │    └─ReLU: 3-32                   [1, 256, 14, 14]          --
        │    └─BasicBlock: 2-6                   [1, 256, 14, 14]          --
        │    │    └─Conv2d: 3-33                 [1, 256, 14, 14]          589,824
        │    │    └─BatchNorm2d: 3-34            [1, 256, 14, 14]          512
        │    │    └─ReLU: 3-35                   [1, 256, 14, 14]          --
        │    │    └─Conv2d: 3-36                 [1, 256, 14, 14]          589,824
        │    │    └─BatchNorm2d: 3-37            [1, 256, 14, 14]          512
        │    │    └─ReLU: 3-38                   [1, 256, 14, 14]          --
        ├─Sequential: 1-8                        [1, 512, 7, 7]            --
        │    └─BasicBlock: 2-7                   [1, 512, 7, 7]            --
        │    │    └─Conv2d: 3-39                 [1, 512, 7, 7]            1,179,648
        │    │    └─BatchNorm2d: 3-40            [1, 512, 7, 7]            1,024
        │    │    └─ReLU: 3-41                   [1, 512, 7, 7]            --
        │    │    └─Conv2d: 3-42                 [1, 512, 7, 7]            2,359,296
        │    │    └─BatchNorm2d: 3-43            [1, 512, 7, 7]            1,024
        │    │    └─Sequential: 3-44             [1, 512, 7, 7]            132,096
        │    │    └─ReLU: 3-45                   [1, 512, 7, 7]            --
        │    └─BasicBlock: 2-8                   [1, 512, 7, 7]            --
        │    │    └─Conv2d: 3-46                 [1, 512, 7, 7]            2,359,296
        │    │    └─BatchNorm2d: 3-47            [1, 512, 7, 7]            1,024
        │    │    └─ReLU: 3-48                   [1, 512, 7, 7]            --
        │    │    └─Conv2d: 3-49                 [1, 512, 7, 7]            2,359,296
        │    │    └─BatchNorm2d: 3-50            [1, 512, 7, 7]            1,024
        │    │    └─ReLU: 3-51                   [1, 512, 7, 7]            --
        ├─AdaptiveAvgPool2d: 1-9                 [1, 512, 1, 1]            --
        ├─Linear: 1-10                           [1, 1000]                 513,000
        ==========================================================================================
        Total params: 11,689,512
        Trainable params: 11,689,512
        Non-trainable params: 0
        Total mult-adds (G): 1.81
        ==========================================================================================
        Input size (MB): 0.60
        Forward/backward pass size (MB): 39.75
        Params size (MB): 46.76
        Estimated Total Size (MB): 87.11
        ==========================================================================================

        """
}
