import XCTest
@testable import NNLang

/// `PySet`'s CPython table (SetTable.swift) and `pythonHash`: orders and hashes CPython 3.11
/// printed, and membership under many insertions and removals.
final class SetTableTests: XCTestCase {
    private func ints(_ s: PySet) -> [Int] { s.items.compactMap { if case .int(let i) = $0 { return i } else { return nil } } }

    func testHashesAreCPythons() throws {
        XCTAssertEqual(try pythonHash(.int(7)), 7)
        XCTAssertEqual(try pythonHash(.int(-1)), -2)
        XCTAssertEqual(try pythonHash(.int(1 << 61)), 1)
        XCTAssertEqual(try pythonHash(.int(Int.min)), -4)
        XCTAssertEqual(try pythonHash(.bool(true)), 1)
        XCTAssertEqual(try pythonHash(.float(1.5)), 1152921504606846977)
        XCTAssertEqual(try pythonHash(.float(2.0)), 2)
        XCTAssertEqual(try pythonHash(.object(PyTuple([.int(1), .int(2)]))), -3550055125485641917)
        XCTAssertEqual(try pythonHash(.object(PyTuple([]))), 5740354900026072187)
        let f = try PySet([.int(1), .int(2), .int(3)], frozen: true)
        XCTAssertEqual(try pythonHash(.object(f)), -272375401224217160)
        XCTAssertThrowsError(try pythonHash(.object(PyList([]))))
    }

    func testOrderIsCPythons() throws {
        XCTAssertEqual(ints(try PySet([10, 3, 7, 1000].map { .int($0) })), [1000, 10, 3, 7])
        XCTAssertEqual(ints(try PySet([-1, -2, 5].map { .int($0) })), [5, -1, -2])
        // A removal leaves a dummy; the next insertion on its path reuses the last dummy passed.
        let s = try PySet([.int(1), .int(9)])
        try s.remove(.int(1))
        try s.add(.int(17))
        XCTAssertEqual(ints(s), [17, 9])
        // 1, 1.0 and True are one member: the first one added stays.
        let mixed = try PySet([.int(1), .float(1.0), .bool(true)])
        XCTAssertEqual(mixed.count, 1)
        if case .int(1) = mixed.items[0] {} else { XCTFail("kept \(mixed.items)") }
    }

    func testMembershipThroughResizesAndDummies() throws {
        let s = try PySet()
        var model = Set<Int>()
        var x = 12345
        for step in 0..<20000 {
            x = (x &* 1103515245 &+ 12345) & 0x7fff_ffff
            let v = x % 3000 - 1500
            if step % 3 == 2 {
                XCTAssertEqual(try s.remove(.int(v)), model.remove(v) != nil)
            } else {
                try s.add(.int(v))
                model.insert(v)
            }
        }
        XCTAssertEqual(s.count, model.count)
        XCTAssertEqual(Set(ints(s)), model)
        for v in -1600..<1600 { XCTAssertEqual(try s.has(.int(v)), model.contains(v)) }
        XCTAssertEqual(s.fill <= s.mask, true, "an empty slot always ends a probe")
    }
}
