import XCTest
@testable import Checkpoints
import TensorRuntime

/// Files written by real PyTorch 2.x (copied from conformance/interop).
final class PyTorchFixtureTests: XCTestCase {
    func testMiscValues() throws {
        let m = try CheckpointIO.load(from: try fixturePath("misc.pth"))
        guard case .dict = m else { return XCTFail("expected a dict, got \(m.typeName)") }
        XCTAssertEqual(m.stringKeys, ["t", "row", "ints", "mask", "f64", "scalar", "nested", "od"])

        let t = try XCTUnwrap(m["t"]?.tensorValue)
        XCTAssertEqual(t.shape, [4, 3])
        XCTAssertEqual(t.strides, [1, 4])
        XCTAssertFalse(t.isContiguous)
        XCTAssertEqual(t.dtype, .float32)
        XCTAssertEqual(t.toDoubles(), [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11])

        let row = try XCTUnwrap(m["row"]?.tensorValue)
        XCTAssertEqual(row.toDoubles(), [4, 5, 6, 7])
        XCTAssertEqual(row.storageOffset, 4)
        XCTAssertTrue(row.storage === t.storage, "tensors of one storage record share one Storage")

        let ints = try XCTUnwrap(m["ints"]?.tensorValue)
        XCTAssertEqual(ints.dtype, .int64)
        XCTAssertEqual(ints.toScalars(), [.int(1), .int(-2), .int(3)])
        let mask = try XCTUnwrap(m["mask"]?.tensorValue)
        XCTAssertEqual(mask.dtype, .bool)
        XCTAssertEqual(mask.toScalars(), [.bool(true), .bool(false)])
        let f64 = try XCTUnwrap(m["f64"]?.tensorValue)
        XCTAssertEqual(f64.dtype, .float64)
        XCTAssertEqual(f64.toDoubles(), [0.5, 0.25])
        let scalar = try XCTUnwrap(m["scalar"]?.tensorValue)
        XCTAssertEqual(scalar.shape, [])
        XCTAssertEqual(try scalar.item(), .int(7))

        let nested = try XCTUnwrap(m["nested"])
        let lst = try XCTUnwrap(nested["lst"]?.elements)
        XCTAssertEqual(lst.count, 5)
        let base = try XCTUnwrap(lst[0].tensorValue)
        XCTAssertEqual(base.shape, [3, 4])
        XCTAssertTrue(base.storage === t.storage)
        XCTAssertTrue(sameValue(.list(Array(lst[1...])), .list([.float(2.5), .string("x"), .none, .bool(true)])))
        guard case .tuple(let tup)? = nested["tup"] else { return XCTFail("tup is not a tuple") }
        XCTAssertTrue(sameValue(.tuple(tup), .tuple([.int(1), .int(2)])))
        guard case .orderedDict(let od)? = m["od"] else { return XCTFail("od is not an OrderedDict") }
        XCTAssertTrue(sameValue(.orderedDict(od), .orderedDict([(.string("b"), .int(1)), (.string("a"), .int(2))])))
    }

    func testStateDictOfLinearBatchNormModel() throws {
        let sd = try CheckpointIO.load(from: try fixturePath("net_with_dropout.pth"))
        guard case .orderedDict(let items) = sd else { return XCTFail("expected an OrderedDict, got \(sd.typeName)") }
        XCTAssertEqual(items.count, 9)
        XCTAssertEqual(sd.stringKeys, ["fc1.weight", "fc1.bias", "bn1.weight", "bn1.bias", "bn1.running_mean",
                                       "bn1.running_var", "bn1.num_batches_tracked", "fc2.weight", "fc2.bias"])
        let tracked = try XCTUnwrap(sd["bn1.num_batches_tracked"]?.tensorValue)
        XCTAssertEqual(tracked.dtype, .int64)
        XCTAssertEqual(tracked.shape, [])
        XCTAssertEqual(try tracked.item(), .int(1))
        let fc2b = try XCTUnwrap(sd["fc2.bias"]?.tensorValue)
        XCTAssertEqual(fc2b.toDoubles().map { ($0 * 10000).rounded() / 10000 }, [-0.3, 0.3])
        let w = try XCTUnwrap(sd["fc1.weight"]?.tensorValue)
        XCTAssertEqual(w.shape, [50, 20])
        XCTAssertFalse(w.requiresGrad)
        XCTAssertFalse(w.isParameter)
        XCTAssertEqual(w.toDoubles().reduce(0) { $0 + abs($1) }, 25.025026, accuracy: 1e-4)
        let mean = try XCTUnwrap(sd["bn1.running_mean"]?.tensorValue)
        XCTAssertEqual(mean.toDoubles()[0], -0.009866204112768173, accuracy: 1e-9)
    }

    func testFlatSafetensors() throws {
        let v = try CheckpointIO.load(from: try fixturePath("flat.safetensors"))
        XCTAssertEqual(v.stringKeys, ["b", "w"])
        let b = try XCTUnwrap(v["b"]?.tensorValue), w = try XCTUnwrap(v["w"]?.tensorValue)
        XCTAssertEqual(b.toDoubles(), [0.5, -1])
        XCTAssertEqual(w.shape, [3, 4])
        XCTAssertEqual(w.toDoubles(), (0..<12).map(Double.init))
    }

    /// Re-saving a PyTorch file and loading it back gives the same values and sharing.
    func testResaveOfPyTorchFile() throws {
        let dir = try makeTempDir()
        let m = try CheckpointIO.load(from: try fixturePath("misc.pth"))
        try CheckpointIO.save(m, to: dir + "/misc.pth")
        let back = try CheckpointIO.load(from: dir + "/misc.pth")
        XCTAssertTrue(sameValue(m, back))
        let t = try XCTUnwrap(back["t"]?.tensorValue), row = try XCTUnwrap(back["row"]?.tensorValue)
        XCTAssertTrue(t.storage === row.storage)
        XCTAssertEqual(t.strides, [1, 4])
    }
}
