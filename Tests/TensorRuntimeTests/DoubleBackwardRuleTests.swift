import XCTest
@testable import TensorRuntime

/// Second derivatives by the two general rules of DoubleBackwardRules.swift, against float64
/// finite differences of a gradient penalty: linear ops whose input gradient is recorded with the
/// op as its own gradient (resampling, padding modes, unfold/fold, embedding, max unpooling), and
/// fused kernels differentiated through a recomputation in recorded ops (group norm, the
/// recurrent layers, packed and reversed).
final class DoubleBackwardRuleTests: XCTestCase {
    private func check(_ shapes: [[Int]], file: StaticString = #filePath, line: UInt = #line, _ f: @escaping ([Tensor]) throws -> Tensor) throws {
        try GradCheck.checkSecondOrder(shapes, file: file, line: line, f)
    }

    func testResampling() throws {
        try check([[1, 2, 3, 3]]) { try Functional.interpolate($0[0], scaleFactor: .all(2), mode: "nearest").tanh() }
        try check([[1, 2, 3, 4]]) { try Functional.interpolate($0[0], size: .each([5, 3]), mode: "bilinear", alignCorners: false).tanh() }
        try check([[1, 2, 3, 3]]) { try Functional.interpolate($0[0], scaleFactor: .all(1.5), mode: "bilinear", alignCorners: true).tanh() }
        try check([[2, 2, 4]]) { try Functional.interpolate($0[0], scaleFactor: .all(2), mode: "linear").tanh() }
    }

    func testPaddingAndBlocks() throws {
        for mode in [PaddingMode.reflect, .replicate, .circular] {
            try check([[1, 2, 3, 3]]) { try $0[0].modePad([1, 2, 2, 1], mode: mode).tanh() }
        }
        try check([[1, 2, 4, 4]]) { try Functional.unfold($0[0], kernelSize: (2, 2), stride: (1, 2)).tanh() }
        try check([[1, 8, 6]]) { try Functional.fold($0[0], outputSize: (3, 4), kernelSize: (2, 2)).tanh() }
    }

    func testGathers() throws {
        let indices = try Tensor(doubles: [1, 3, 1, 0, 2], shape: [5], dtype: .int64)
        try check([[4, 3]]) { try Functional.embedding(indices, weight: $0[0], paddingIdx: 0).tanh() }
        let positions = try Tensor(doubles: [0, 3, 9, 14], shape: [1, 1, 2, 2], dtype: .int64)
        try check([[1, 1, 2, 2]]) { try Functional.maxUnpool2d($0[0], indices: positions, kernelSize: (2, 2)).tanh() }
    }

    func testGroupNorm() throws {
        try check([[2, 4, 3], [4], [4]]) { try Functional.groupNorm($0[0], numGroups: 2, weight: $0[1], bias: $0[2]).tanh() }
        try check([[2, 4, 2, 2]]) { try Functional.groupNorm($0[0], numGroups: 4).mul($0[0]) }
    }

    func testRecurrentLayers() throws {
        func layer(_ cell: RecurrentCell, _ t: [Tensor], batchSizes: [Int], reverse: Bool, biases: Bool) throws -> Tensor {
            let lstm = cell == .lstm
            var k = lstm ? 3 : 2
            func next() -> Tensor { defer { k += 1 }; return t[k] }
            let wIH = next(), wHH = next()
            let bIH = biases ? next() : nil, bHH = biases ? next() : nil
            let r = try Functional.recurrentLayer(cell, input: t[0], batchSizes: batchSizes, reverse: reverse, h0: t[1],
                                                  c0: lstm ? t[2] : nil, weightIH: wIH, weightHH: wHH, biasIH: bIH, biasHH: bHH, weightHR: nil)
            return try Tensor.cat([r.output.flatten(), r.hidden.flatten()] + (r.cell.map { [try $0.flatten()] } ?? []), dim: 0).tanh()
        }
        // LSTM: 3 steps of batch 2, input 2, hidden 2 (gates 8).
        try check([[6, 2], [2, 2], [2, 2], [8, 2], [8, 2], [8], [8]]) {
            try layer(.lstm, $0, batchSizes: [2, 2, 2], reverse: false, biases: true)
        }
        // GRU over a packed batch (lengths 3 and 1), reversed; RNN tanh/relu without biases.
        try check([[4, 2], [2, 3], [9, 2], [9, 3], [9], [9]]) {
            try layer(.gru, $0, batchSizes: [2, 1, 1], reverse: true, biases: true)
        }
        try check([[4, 2], [2, 3], [3, 2], [3, 3]]) { try layer(.rnnTanh, $0, batchSizes: [2, 1, 1], reverse: false, biases: false) }
        try check([[4, 2], [2, 3], [3, 2], [3, 3]]) { try layer(.rnnReLU, $0, batchSizes: [2, 2], reverse: true, biases: false) }
    }
}
