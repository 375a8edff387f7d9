import XCTest
@testable import Checkpoints
import TensorRuntime

/// Each opcode the reader accepts, in hand-assembled programs.
final class PickleOpcodeTests: XCTestCase {
    func testProtocol2ContainerOpcodes() throws {
        var p = PickleBytes()
        p.op(0x7d, 0x71, 0)                      // EMPTY_DICT BINPUT 0
        p.op(0x28)                               // MARK
        p.unicode("list"); p.op(0x5d, 0x71, 1)   // BINUNICODE, EMPTY_LIST BINPUT 1
        p.op(0x4e, 0x61)                         // NONE APPEND
        p.op(0x28, 0x88, 0x89, 0x65)             // MARK NEWTRUE NEWFALSE APPENDS
        p.unicode("t0"); p.op(0x29)              // EMPTY_TUPLE
        p.unicode("t1"); p.int1(1); p.op(0x85)   // TUPLE1
        p.unicode("t2"); p.int1(1); p.int1(2); p.op(0x86)
        p.unicode("t3"); p.int1(1); p.int1(2); p.int1(3); p.op(0x87)
        p.unicode("t4"); p.op(0x28); p.int1(1); p.int1(2); p.int1(3); p.int1(4); p.op(0x74) // MARK … TUPLE
        p.op(0x75)                               // SETITEMS
        p.unicode("one"); p.int1(1); p.op(0x73)  // SETITEM
        p.unicode("again"); p.op(0x68, 1)        // BINGET 1 (the list)
        p.op(0x73)
        let v = try unpickle(p.bytes)
        XCTAssertEqual(v.stringKeys, ["list", "t0", "t1", "t2", "t3", "t4", "one", "again"])
        XCTAssertTrue(sameValue(v["list"]!, .list([.none, .bool(true), .bool(false)])))
        XCTAssertTrue(sameValue(v["again"]!, .list([.none, .bool(true), .bool(false)])))
        XCTAssertTrue(sameValue(v["t0"]!, .tuple([])))
        XCTAssertTrue(sameValue(v["t3"]!, .tuple([.int(1), .int(2), .int(3)])))
        XCTAssertTrue(sameValue(v["t4"]!, .tuple([.int(1), .int(2), .int(3), .int(4)])))
        XCTAssertTrue(sameValue(v["one"]!, .int(1)))
    }

    func testNumberOpcodes() throws {
        var p = PickleBytes()
        p.op(0x28)
        p.int1(200)                                  // BININT1
        p.op(0x4d, 0x34, 0x12)                       // BININT2 0x1234
        p.op(0x4a); p.u32(UInt32(bitPattern: -7))    // BININT -7
        p.op(0x8a, 5, 0, 0, 0, 0, 1)                 // LONG1 2^32
        p.op(0x8a, 1, 0xff)                          // LONG1 -1
        p.op(0x8a, 0)                                // LONG1 0
        p.op(0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0x80, 0xff) // LONG1 Int64.min in 9 bytes
        p.op(0x8b); p.u32(2); p.raw([0x00, 0x01])    // LONG4 256
        p.op(0x47, 0x40, 0x04, 0, 0, 0, 0, 0, 0)     // BINFLOAT 2.5 (big-endian)
        p.op(0x74)
        let v = try unpickle(p.bytes)
        XCTAssertTrue(sameValue(v, .tuple([.int(200), .int(0x1234), .int(-7), .int(1 << 32), .int(-1), .int(0),
                                           .int(Int64.min), .int(256), .float(2.5)])), "\(v)")
    }

    func testStringAndBytesOpcodes() throws {
        var p = PickleBytes()
        p.op(0x28)
        p.unicode("héllo")                                        // BINUNICODE
        p.shortUnicode("short")                                   // SHORT_BINUNICODE
        p.op(0x8d); p.u64(2); p.raw(Array("u8".utf8))             // BINUNICODE8
        p.op(0x55, 2, 0x41, 0xe9)                                 // SHORT_BINSTRING (latin-1)
        p.op(0x54); p.u32(1); p.raw([0x5a])                       // BINSTRING
        p.op(0x43, 2, 0x00, 0xff)                                 // SHORT_BINBYTES
        p.op(0x42); p.u32(1); p.raw([0x07])                       // BINBYTES
        p.op(0x8e); p.u64(0)                                      // BINBYTES8 (empty)
        p.global("_codecs", "encode"); p.unicode("a\u{ff}"); p.unicode("latin1"); p.op(0x86, 0x52) // bytes as protocol 2 writes them
        p.global("__builtin__", "bytes"); p.op(0x29, 0x52)       // empty bytes as PyTorch writes them
        p.op(0x74)
        let v = try unpickle(p.bytes)
        XCTAssertTrue(sameValue(v, .tuple([.string("héllo"), .string("short"), .string("u8"), .string("Aé"), .string("Z"),
                                           .bytes([0, 0xff]), .bytes([7]), .bytes([]), .bytes([0x61, 0xff]), .bytes([])])), "\(v)")
    }

    func testProtocol4Opcodes() throws {
        var p = PickleBytes()
        p.b = [0x80, 4]                                   // PROTO 4
        p.op(0x95); p.u64(0)                              // FRAME (length patched below; bounded by the input)
        let frameAt = p.b.count - 8
        p.op(0x28)                                        // MARK
        p.shortUnicode("collections"); p.op(0x94)         // MEMOIZE (0)
        p.shortUnicode("OrderedDict"); p.op(0x94)         // MEMOIZE (1)
        p.op(0x93, 0x94)                                  // STACK_GLOBAL, MEMOIZE (2)
        p.op(0x29, 0x52, 0x94)                            // EMPTY_TUPLE REDUCE MEMOIZE (3)
        p.shortUnicode("k"); p.int1(5); p.op(0x73)        // SETITEM
        p.op(0x6c)                                        // LIST (from MARK)
        p.op(0x72); p.u32(300)                            // LONG_BINPUT 300
        p.op(0x6a); p.u32(300)                            // LONG_BINGET 300
        p.op(0x32)                                        // DUP
        p.op(0x30)                                        // POP
        p.op(0x28, 0x4e, 0x31)                            // MARK NONE POP_MARK
        p.op(0x28); p.shortUnicode("x"); p.int1(1); p.op(0x64) // DICT from MARK
        p.op(0x87)                                        // TUPLE3: (list, list, dict)
        let frameLength = p.bytes.count - (frameAt + 8)
        for k in 0..<8 { p.b[frameAt + k] = UInt8(truncatingIfNeeded: frameLength >> (8 * k)) }
        let v = try unpickle(p.bytes)
        guard case .tuple(let t) = v, t.count == 3 else { return XCTFail("\(v)") }
        guard case .list(let l) = t[0], case .orderedDict(let od) = l.first ?? .none else { return XCTFail("\(t[0])") }
        XCTAssertTrue(sameValue(.orderedDict(od), .orderedDict([(.string("k"), .int(5))])))
        XCTAssertTrue(sameValue(t[0], t[1]))
        XCTAssertTrue(sameValue(t[2], .dict([(.string("x"), .int(1))])))
    }

    func testTensorRebuildWithPersistentIdAndBuild() throws {
        var p = PickleBytes()
        p.global("collections", "OrderedDict"); p.op(0x29, 0x52) // the state_dict
        p.op(0x28)
        p.unicode("w"); p.tensor("FloatStorage", key: "0", numel: 6, size: [2, 3], stride: [3, 1])
        p.unicode("v"); p.tensor("FloatStorage", key: "0", numel: 6, offset: 1, size: [2], stride: [3])
        p.unicode("p")
        p.global("torch._utils", "_rebuild_parameter")
        p.op(0x28); p.tensor("DoubleStorage", key: "1", numel: 1, size: [], stride: []); p.op(0x88)
        p.global("collections", "OrderedDict"); p.op(0x29, 0x52, 0x74, 0x52)
        p.unicode("size"); p.global("torch", "Size"); p.int1(2); p.int1(3); p.op(0x86, 0x85, 0x52)
        p.op(0x75)
        p.op(0x7d); p.unicode("_metadata"); p.op(0x7d, 0x73) // state {'_metadata': {}}
        p.op(0x62)                                           // BUILD
        let one = (1.0).bitPattern
        let v = try unpickle(p.bytes, records: ["0": le32Bytes([0, 1, 2, 3, 4, 5]),
                                                "1": (0..<8).map { UInt8(truncatingIfNeeded: one >> (8 * UInt64($0))) }])
        guard case .orderedDict = v else { return XCTFail("\(v)") }
        let w = try XCTUnwrap(v["w"]?.tensorValue), vv = try XCTUnwrap(v["v"]?.tensorValue), param = try XCTUnwrap(v["p"]?.tensorValue)
        XCTAssertEqual(w.toDoubles(), [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(vv.toDoubles(), [1, 4])
        XCTAssertTrue(w.storage === vv.storage)
        XCTAssertTrue(param.isParameter)
        XCTAssertTrue(param.requiresGrad)
        XCTAssertEqual(param.dtype, .float64)
        XCTAssertEqual(try param.item(), .double(1))
        XCTAssertTrue(sameValue(v["size"] ?? .none, .tuple([.int(2), .int(3)])), "\(String(describing: v["size"]))")
    }

    func testReducedStorageTypesLoadAsTheirDTypes() throws {
        var p = PickleBytes()
        p.op(0x28)
        p.tensor("HalfStorage", key: "h", numel: 3, size: [3], stride: [1])
        p.tensor("BFloat16Storage", key: "bf", numel: 1, size: [1], stride: [1])
        p.tensor("IntStorage", key: "i", numel: 1, size: [1], stride: [1])
        p.tensor("ShortStorage", key: "s", numel: 1, size: [1], stride: [1])
        p.tensor("CharStorage", key: "c", numel: 1, size: [1], stride: [1])
        p.tensor("ByteStorage", key: "u", numel: 1, size: [1], stride: [1])
        p.tensor("BoolStorage", key: "b", numel: 2, size: [2], stride: [1])
        p.op(0x74)
        let v = try unpickle(p.bytes, records: [
            "h": [0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00],   // 1.0, -2.0, smallest subnormal
            "bf": [0xc0, 0x3f],                           // 1.5
            "i": [0xfe, 0xff, 0xff, 0xff], "s": [0x00, 0x80], "c": [0xff], "u": [0xff], "b": [0, 7],
        ])
        let t = try XCTUnwrap(v.elements).compactMap { $0.tensorValue }
        XCTAssertEqual(t.map(\.dtype), [.float16, .bfloat16, .int32, .int16, .int8, .uint8, .bool])
        XCTAssertEqual(t[0].toDoubles()[0...1], [1, -2])
        XCTAssertEqual(t[0].toDoubles()[2], 5.960464477539063e-08, accuracy: 1e-12)
        XCTAssertEqual(t[1].toDoubles(), [1.5])
        XCTAssertEqual(t[2].toScalars(), [.int(-2)])
        XCTAssertEqual(t[3].toScalars(), [.int(-32768)])
        XCTAssertEqual(t[4].toScalars(), [.int(-1)])
        XCTAssertEqual(t[5].toScalars(), [.int(255)])
        XCTAssertEqual(t[6].toScalars(), [.bool(false), .bool(true)])
    }

    /// The writer's output uses only opcodes PyTorch's weights_only unpickler accepts (protocol 2).
    func testWriterUsesOnlyWeightsOnlyOpcodes() throws {
        let base = try floats([1, 2, 3, 4], [2, 2])
        let p = try floats([1], [1]); p.isParameter = true
        var w = PickleWriter()
        try w.write(.dict([(.string("t"), .tensor(base)), (.string("p"), .tensor(p)), (.string("b"), .bytes([1, 2])),
                           (.string("n"), .list([.int(-1), .int(1 << 40), .float(1), .none, .bool(true), .tuple([.int(1), .int(2), .int(3), .int(4)])])),
                           (.string("od"), .orderedDict([]))]))
        let allowed: Set<UInt8> = [0x80, 0x63, 0x71, 0x72, 0x68, 0x6a, 0x28, 0x74, 0x85, 0x86, 0x87, 0x29, 0x5d, 0x7d,
                                   0x58, 0x4a, 0x4b, 0x4d, 0x8a, 0x47, 0x4e, 0x88, 0x89, 0x51, 0x52, 0x61, 0x65, 0x73, 0x75, 0x2e]
        // Walk the opcodes (arguments skipped by their known sizes).
        let b = w.output
        var i = 0
        var seen = Set<UInt8>()
        while i < b.count {
            let op = b[i]; i += 1
            XCTAssertTrue(allowed.contains(op), "opcode 0x\(String(op, radix: 16)) at \(i - 1)")
            seen.insert(op)
            switch op {
            case 0x80, 0x71, 0x68, 0x4b: i += 1
            case 0x4d: i += 2
            case 0x72, 0x6a, 0x4a: i += 4
            case 0x47: i += 8
            case 0x8a: i += 1 + Int(b[i])
            case 0x58: i += 4 + (Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16)
            case 0x63: var lines = 0; while lines < 2 { if b[i] == 0x0a { lines += 1 }; i += 1 }
            default: break
            }
        }
        XCTAssertEqual(b.last, 0x2e)
        XCTAssertTrue(seen.isSuperset(of: [0x51, 0x52, 0x63, 0x8a, 0x47]))
        XCTAssertEqual(w.storages.count, 2)
        let back = try unpickle(b, records: ["0": le32Bytes([1, 2, 3, 4]), "1": le32Bytes([1])])
        XCTAssertEqual(back["t"]?.tensorValue?.toDoubles(), [1, 2, 3, 4])
        XCTAssertEqual(back["p"]?.tensorValue?.isParameter, true)
    }
}
