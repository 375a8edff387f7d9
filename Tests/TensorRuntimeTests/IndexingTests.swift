import XCTest
@testable import TensorRuntime

final class IndexingTests: XCTestCase {
    typealias C = Check
    typealias G = GradCheck

    private func range(_ shape: [Int], _ dtype: DType = .float32) throws -> Tensor {
        let n = shape.reduce(1, *)
        return try Tensor(doubles: (0..<n).map(Double.init), shape: shape, dtype: dtype)
    }
    private func long(_ v: [Int64], _ shape: [Int]? = nil) throws -> Tensor {
        try Tensor(doubles: v.map(Double.init), shape: shape ?? [v.count], dtype: .int64)
    }
    private let all = TensorIndex.slice(start: nil, stop: nil, step: nil)

    func testBasicIndexingGivesViews() throws {
        let x = try range([3, 4])
        let r = try x.index([.int(1)])
        C.values(r, [4, 5, 6, 7])
        XCTAssertTrue(C.sharesStorage(r, x))
        C.values(try x.index([.int(-1), .int(-2)]), [10])
        XCTAssertEqual(try x.index([.int(-1), .int(-2)]).shape, [])
        C.values(try x.index([all, .int(1)]), [1, 5, 9])
        C.values(try x.index([.slice(start: 1, stop: nil, step: 2), .slice(start: nil, stop: -1, step: nil)]), [4, 5, 6])
        XCTAssertEqual(try x.index([.none, all, .none]).shape, [1, 3, 1, 4])
        XCTAssertEqual(try x.index([.ellipsis, .int(0)]).shape, [3])
        XCTAssertEqual(try x.index([.ellipsis, .none]).shape, [3, 4, 1])
        XCTAssertEqual(try x.index([.slice(start: 10, stop: 20, step: nil)]).shape, [0, 4])
        let whole = try x.index([.ellipsis])
        XCTAssertFalse(whole === x)
        XCTAssertTrue(C.sharesStorage(whole, x))
        C.throwsError(.indexError, "index 5 is out of bounds for dimension 0 with size 3") { try x.index([.int(5)]) }
        C.throwsError(.indexError, "index 4 is out of bounds for dimension 1 with size 4") { try x.index([.int(0), .int(4)]) }
        C.throwsError(.indexError, "too many indices for tensor of dimension 2") { try x.index([.int(0), .int(0), .int(0)]) }
        C.throwsError(.valueError, "step must be greater than zero") { try x.index([.slice(start: nil, stop: nil, step: -1)]) }
        C.throwsError(.indexError, "an index can only have a single ellipsis ('...')") { try x.index([.ellipsis, .ellipsis]) }
    }

    func testAdvancedIndexing() throws {
        let x = try range([3, 4])
        let rows = try x.index([.tensor(try long([2, 0, -1]))])
        XCTAssertEqual(rows.shape, [3, 4])
        C.values(rows, [8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11])
        XCTAssertFalse(C.sharesStorage(rows, x))
        C.values(try x.index([.tensor(try long([0, 2])), .tensor(try long([1, 3]))]), [1, 11])
        C.values(try x.index([all, .tensor(try long([3, 0]))]), [3, 0, 7, 4, 11, 8])
        XCTAssertEqual(try x.index([all, .tensor(try long([3, 0]))]).shape, [3, 2])
        // Index tensors broadcast together.
        XCTAssertEqual(try x.index([.tensor(try long([0, 1], [2, 1])), .tensor(try long([0, 1, 2]))]).shape, [2, 3])
        // Non-adjacent advanced indices move to the front.
        let y = try range([2, 3, 4])
        XCTAssertEqual(try y.index([.tensor(try long([0, 1])), all, .tensor(try long([1, 2]))]).shape, [2, 3])
        XCTAssertEqual(try y.index([all, .tensor(try long([0, 2])), .tensor(try long([1, 2]))]).shape, [2, 2])
        XCTAssertEqual(try y.index([.int(0), all, .tensor(try long([1, 2, 3]))]).shape, [3, 3])
        // Bool masks.
        let mask = try x.gt(.int(6))
        C.values(try x.index([.tensor(mask)]), [7, 8, 9, 10, 11])
        C.values(try x.index([.tensor(try C.tensor([1, 0, 1]).gt(.int(0)))]), [0, 1, 2, 3, 8, 9, 10, 11])
        XCTAssertEqual(try x.index([.tensor(try Tensor(scalar: .bool(true)))]).shape, [1, 3, 4])
        C.throwsError(.indexError, "index 3 is out of bounds for dimension 0 with size 3") { try x.index([.tensor(try self.long([3]))]) }
        C.throwsError(.indexError, "The shape of the mask [2] at index 0 does not match the shape of the indexed tensor [3, 4] at index 0") {
            try x.index([.tensor(try C.tensor([1, 0]).gt(.int(0)))])
        }
        C.throwsError(.indexError, "tensors used as indices must be long, int, byte or bool tensors") { try x.index([.tensor(try C.tensor([0]))]) }
    }

    func testSetItem() throws {
        let x = try range([3, 4])
        try x.indexPut([.int(0)], .int(-1))
        C.values(try x.index([.int(0)]), [-1, -1, -1, -1])
        try x.indexPut([all, .int(1)], try C.tensor([10, 20, 30]))
        C.values(try x.index([all, .int(1)]), [10, 20, 30])
        try x.indexPut([.tensor(try x.gt(.int(25)))], .double(0))
        C.values(try x.index([.int(2)]), [8, 0, 10, 11])
        try x.indexPut([.tensor(try long([1, 2])), .tensor(try long([0, 3]))], try C.tensor([100, 200]))
        C.values(x, [-1, 10, -1, -1, 100, 20, 6, 7, 8, 0, 10, 200])
        try x.indexPut([.int(1)], try C.tensor([1, 2, 3, 4], [1, 4]))
        C.values(try x.index([.int(1)]), [1, 2, 3, 4])
        XCTAssertEqual(x.version, 5)
        C.throwsError(.runtimeError, "The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 0.  Target sizes: [4].  Tensor sizes: [3]") {
            try x.indexPut([.int(0)], try C.tensor([1, 2, 3]))
        }
        // int64 tensor receiving floats converts.
        let i = try range([3], .int64)
        try i.indexPut([.int(1)], .double(7.9))
        C.values(i, [0, 7, 2])
    }

    func testGatherIndexSelectMaskedFill() throws {
        let x = try range([3, 4])
        C.values(try x.gather(dim: 1, index: try long([0, 3, 1, 1, 2, 0], [3, 2])), [0, 3, 5, 5, 10, 8])
        C.values(try x.gather(dim: 0, index: try long([2, 0, 1, 0], [1, 4])), [8, 1, 6, 3])
        C.values(try x.indexSelect(dim: 1, index: try long([3, 0])), [3, 0, 7, 4, 11, 8])
        C.values(try x.indexSelect(dim: 0, index: try long([1])), [4, 5, 6, 7])
        C.values(try x.maskedFill(try x.lt(.int(10)), .double(-1)), [-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 10, 11])
        C.throwsError(.runtimeError, "index 4 is out of bounds for dimension 1 with size 4") {
            try x.gather(dim: 1, index: try self.long([4], [1, 1]))
        }
        C.throwsError(.indexError, "index out of range in self") { try x.indexSelect(dim: 0, index: try self.long([3])) }
        C.values(try C.tensor([0, 2, 0, 3]).nonzero(), [1, 3])
    }

    func testGradients() throws {
        XCTAssertEqual(try G.leaf([3, 4], seed: 1).index([.tensor(try long([0]))]).gradFn?.name, "IndexBackward0")
        XCTAssertEqual(try G.leaf([3, 4], seed: 1).index([.int(0)]).gradFn?.name, "SelectBackward0")
        XCTAssertEqual(try G.leaf([3, 4], seed: 1).index([.slice(start: 1, stop: nil, step: nil)]).gradFn?.name, "SliceBackward0")
        XCTAssertEqual(try G.leaf([3, 4], seed: 1).gather(dim: 0, index: try long([0], [1, 1])).gradFn?.name, "GatherBackward0")
        let idx = try long([2, 0, 2, 1])
        try G.check([[3, 4]]) { try $0[0].index([.tensor(idx)]) }
        try G.check([[3, 4]]) { try $0[0].index([.int(1), .slice(start: nil, stop: nil, step: 2)]) }
        try G.check([[3, 4]], layout: .transposed) { try $0[0].index([self.all, .tensor(idx)]) }
        try G.check([[3, 4]]) { try $0[0].index([.tensor(try $0[0].detached().gt(.int(0)))]) }
        try G.check([[2, 3, 4]]) { try $0[0].index([.tensor(try self.long([1, 0])), self.all, .tensor(try self.long([3, 3]))]) }
        try G.check([[3, 4]]) { try $0[0].gather(dim: 1, index: try self.long([0, 3, 1, 1, 2, 0], [3, 2])) }
        try G.check([[3, 4]]) { try $0[0].indexSelect(dim: 1, index: try self.long([3, 0, 3])) }
        try G.check([[3, 4]]) { try $0[0].maskedFill(try $0[0].detached().gt(.int(0)), .double(2)) }
    }

    func testSetItemGradient() throws {
        // out = x * 2; out[1] = v; gradient flows to x outside the written region and to v.
        try G.check([[3, 4], [4]]) { xs in
            let out = try xs[0].mul(.int(2))
            try out.indexPut([.int(1)], xs[1])
            return out
        }
        try G.check([[3, 4], [2]]) { xs in
            let out = try xs[0].mul(.int(1))
            try out.indexPut([.tensor(try self.long([0, 2])), .tensor(try self.long([1, 3]))], xs[1])
            return out
        }
        let x = try G.leaf([2, 2], seed: 2)
        let out = try x.mul(.int(2))
        try out.indexPut([.int(0)], .int(0))
        XCTAssertEqual(out.gradFn?.name, "CopySlices")
    }
}
