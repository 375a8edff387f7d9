import XCTest
@testable import TensorRuntime

final class RandomTests: XCTestCase {
    typealias C = Check

    func testMatchesPyTorchReferenceValues() throws {
        TorchRandom.manualSeed(UInt64(0))
        C.values(try Tensor.rand([3]), [0.4963, 0.7682, 0.0885], tol: 1e-4)
        TorchRandom.manualSeed(UInt64(0))
        C.values(try Tensor.randn([3]), [1.5410, -0.2934, -2.1788], tol: 1e-4)
        TorchRandom.manualSeed(UInt64(0))
        C.values(try Tensor.randn([2, 3]), [1.5410, -0.2934, -2.1788, 0.5684, -1.0845, -1.3986], tol: 1e-4)
        TorchRandom.manualSeed(UInt64(0))
        C.values(try Tensor.randint(low: 0, high: 10, shape: [5]), [4, 9, 3, 0, 3])
    }

    func testMersenneTwisterStream() {
        // std::mt19937 with the default seed 5489: the 10000th output is 4123659995.
        let g = RandomGenerator(seed: 5489)
        var last: UInt32 = 0
        for _ in 0..<10000 { last = g.random() }
        XCTAssertEqual(last, 4_123_659_995)
    }

    func testBlockFillsContinueTheSingleDrawStream() {
        // fillUniform takes the stream a state block at a time; it must match draw-by-draw calls
        // across twists and chunk boundaries, and leave the generator where they would.
        let a = RandomGenerator(seed: 7), b = RandomGenerator(seed: 7)
        for _ in 0..<5 { XCTAssertEqual(a.random(), b.random()) }
        var floats = [Float](repeating: 0, count: 6000)
        floats.withUnsafeMutableBufferPointer { p in
            if let base = p.baseAddress { a.fillUniform(base, count: p.count, from: -1, to: 2) }
        }
        XCTAssertEqual(floats, (0..<6000).map { _ in b.uniformFloat(-1, 2) })
        var doubles = [Double](repeating: 0, count: 2600)
        doubles.withUnsafeMutableBufferPointer { p in
            if let base = p.baseAddress { a.fillUniform(base, count: p.count) }
        }
        XCTAssertEqual(doubles, (0..<2600).map { _ in b.uniformDouble() })
        XCTAssertEqual(a.random(), b.random())
    }

    func testReproducibleAndSeedable() throws {
        TorchRandom.manualSeed(UInt64(42))
        let a = try Tensor.randn([40]).toDoubles()
        let b = try Tensor.rand([5], dtype: .float64).toDoubles()
        TorchRandom.manualSeed(UInt64(42))
        XCTAssertEqual(try Tensor.randn([40]).toDoubles(), a)
        XCTAssertEqual(try Tensor.rand([5], dtype: .float64).toDoubles(), b)
        XCTAssertEqual(TorchRandom.initialSeed, 42)
    }

    func testDistributions() throws {
        TorchRandom.manualSeed(UInt64(1))
        let u = try Tensor.zeros([10000]).uniformInPlace(from: -2, to: 3)
        let uv = u.toDoubles()
        XCTAssertTrue(uv.allSatisfy { $0 >= -2 && $0 < 3 })
        XCTAssertEqual(uv.reduce(0, +) / 10000, 0.5, accuracy: 0.05)
        let n = try Tensor.zeros([10000]).normalInPlace(mean: 1, std: 2)
        XCTAssertEqual(try n.mean().item().doubleValue, 1, accuracy: 0.06)
        XCTAssertEqual(try n.std().item().doubleValue, 2, accuracy: 0.06)
        // Non-contiguous and small normal fills use the scalar path.
        let small = try Tensor.zeros([4, 4]).t().normalInPlace()
        XCTAssertEqual(small.toDoubles().filter { $0 == 0 }.count, 0)
        let bern = try Tensor.zeros([10000]).bernoulliInPlace(p: 0.3)
        XCTAssertEqual(try bern.mean().item().doubleValue, 0.3, accuracy: 0.02)
        let r = try Tensor.randint(low: -3, high: 3, shape: [1000]).toDoubles()
        XCTAssertTrue(r.allSatisfy { $0 >= -3 && $0 < 3 })
        XCTAssertEqual(Set(r).count, 6)
        let p = try Tensor.randperm(10).toDoubles()
        XCTAssertEqual(p.sorted(), (0..<10).map(Double.init))
        XCTAssertEqual(try Tensor.randLike(try Tensor.zeros([2, 2], dtype: .float64)).dtype, .float64)
        XCTAssertEqual(try Tensor.randnLike(try Tensor.zeros([3])).shape, [3])
    }

    func testErrors() throws {
        C.throwsError(.runtimeError, "random_ expects 'from' to be less than 'to', but got from=5 >= to=5") {
            try Tensor.randint(low: 5, high: 5, shape: [2])
        }
        C.throwsError(.runtimeError, "uniform_ expects to return a [from, to) range, but found from=2 > to=1") {
            try Tensor.zeros([2]).uniformInPlace(from: 2, to: 1)
        }
        C.throwsError(.runtimeError, "bernoulli_ expects p to be in [0, 1], but got p=2") { try Tensor.zeros([2]).bernoulliInPlace(p: 2) }
        let leaf = try Tensor.zeros([2])
        try leaf.setRequiresGrad(true)
        C.throwsError(.runtimeError, "a leaf Variable that requires grad is being used in an in-place operation.") {
            try leaf.normalInPlace()
        }
        XCTAssertNoThrow(try GradMode.withNoGrad { try leaf.normalInPlace() })
    }
}
