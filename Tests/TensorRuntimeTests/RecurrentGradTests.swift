import XCTest
@testable import TensorRuntime

/// `Functional.recurrentLayer`'s own backward (backpropagation through time) against central
/// differences in float64: every cell, both directions, packed batches (rows ending early),
/// LSTM projections, and the gradients of output, h_n and c_n together.
final class RecurrentGradTests: XCTestCase {
    /// One layer run whose output, h_n and c_n all feed the checked result.
    private func layer(_ cell: RecurrentCell, _ xs: [Tensor], batchSizes: [Int], reverse: Bool, bias: Bool, projected: Bool) throws -> Tensor {
        var i = 0
        func next() -> Tensor { defer { i += 1 }; return xs[i] }
        let input = next(), h0 = next(), c0 = cell == .lstm ? next() : nil
        let wIH = next(), wHH = next()
        let bIH = bias ? next() : nil, bHH = bias ? next() : nil
        let wHR = projected ? next() : nil
        let r = try Functional.recurrentLayer(cell, input: input, batchSizes: batchSizes, reverse: reverse, h0: h0, c0: c0,
                                              weightIH: wIH, weightHH: wHH, biasIH: bIH, biasHH: bHH, weightHR: wHR)
        var parts = [try r.output.reshape([-1]), try r.hidden.mul(.double(0.7)).reshape([-1])]
        if let c = r.cell { parts.append(try c.mul(c).reshape([-1])) }
        return try Tensor.cat(parts)
    }

    private func check(_ cell: RecurrentCell, batchSizes: [Int], reverse: Bool = false, bias: Bool = true, projection: Int = 0,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let inputSize = 3, hidden = 4, batch = batchSizes[0], rows = batchSizes.reduce(0, +)
        let width = projection > 0 ? projection : hidden, gates = cell.gateCount * hidden
        var shapes = [[rows, inputSize], [batch, width]]
        if cell == .lstm { shapes.append([batch, hidden]) }
        shapes += [[gates, inputSize], [gates, width]]
        if bias { shapes += [[gates], [gates]] }
        if projection > 0 { shapes.append([projection, hidden]) }
        try GradCheck.check(shapes, file: file, line: line) { xs in
            try layer(cell, xs, batchSizes: batchSizes, reverse: reverse, bias: bias, projected: projection > 0)
        }
    }

    func testLSTM() throws {
        try check(.lstm, batchSizes: [2, 2, 2])
        try check(.lstm, batchSizes: [3, 2, 2, 1], reverse: true)
        try check(.lstm, batchSizes: [3, 3, 1], bias: false)
    }

    func testLSTMWithProjection() throws {
        try check(.lstm, batchSizes: [2, 2, 1], projection: 2)
        try check(.lstm, batchSizes: [3, 2, 1], reverse: true, projection: 3)
    }

    func testGRU() throws {
        try check(.gru, batchSizes: [2, 2, 2])
        try check(.gru, batchSizes: [3, 2, 1, 1], reverse: true)
        try check(.gru, batchSizes: [2, 1], bias: false)
    }

    func testElmanRNN() throws {
        try check(.rnnTanh, batchSizes: [2, 2, 2])
        try check(.rnnTanh, batchSizes: [3, 1, 1], reverse: true)
        try check(.rnnReLU, batchSizes: [3, 2, 2], reverse: true)
    }

    /// A row that ends early keeps its last state: h_n of a packed batch is each row's own last step.
    func testPackedRowsKeepTheirLastState() throws {
        let x = try Tensor(doubles: (0..<15).map { Double($0) * 0.1 - 0.7 }, shape: [5, 3], dtype: .float64)
        let h0 = try Tensor.zeros([2, 4], dtype: .float64)
        let w = try Tensor(doubles: (0..<12).map { Double($0) * 0.05 - 0.3 }, shape: [4, 3], dtype: .float64)
        let u = try Tensor(doubles: (0..<16).map { Double($0) * 0.03 - 0.2 }, shape: [4, 4], dtype: .float64)
        let r = try Functional.recurrentLayer(.rnnTanh, input: x, batchSizes: [2, 2, 1], reverse: false, h0: h0, c0: nil,
                                              weightIH: w, weightHH: u, biasIH: nil, biasHH: nil, weightHR: nil)
        let out = r.output.toDoubles(), h = r.hidden.toDoubles()
        XCTAssertEqual(Array(h[0..<4]), Array(out[16..<20]), "row 0 ends at step 2 (packed row 4)")
        XCTAssertEqual(Array(h[4..<8]), Array(out[12..<16]), "row 1 ends at step 1 (packed row 3)")
    }

    func testShapeErrors() throws {
        let x = try Tensor.zeros([4, 3]), h0 = try Tensor.zeros([2, 4])
        let w = try Tensor.zeros([16, 3]), u = try Tensor.zeros([16, 4])
        Check.throwsError(.runtimeError, "input.size(-1) must be equal to input_size. Expected 3, got 5") {
            try Functional.recurrentLayer(.lstm, input: try Tensor.zeros([4, 5]), batchSizes: [2, 2], reverse: false, h0: h0,
                                          c0: h0, weightIH: w, weightHH: u, biasIH: nil, biasHH: nil, weightHR: nil)
        }
        Check.throwsError(.runtimeError, "batch_sizes must be positive and non-increasing, got [1, 3]") {
            try Functional.recurrentLayer(.lstm, input: x, batchSizes: [1, 3], reverse: false, h0: h0, c0: h0,
                                          weightIH: w, weightHH: u, biasIH: nil, biasHH: nil, weightHR: nil)
        }
        Check.throwsError(.runtimeError, "Expected cell size [2, 4], got None") {
            try Functional.recurrentLayer(.lstm, input: x, batchSizes: [2, 2], reverse: false, h0: h0, c0: nil,
                                          weightIH: w, weightHH: u, biasIH: nil, biasHH: nil, weightHR: nil)
        }
    }
}
