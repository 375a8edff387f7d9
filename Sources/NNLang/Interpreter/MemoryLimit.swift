import TensorRuntime

/// The interpreter's allocation guard. Every path that grows a string, list, tuple, set or
/// dict by an amount a script chooses (`'x' * n`, `[0] * n`, `l + l`, `l += l`, `l.extend(l)`,
/// `s + s`, `list(range(n))`, comprehensions, `'a'.center(n)`, file reads) is held to the limit
/// of tensor storage (`Storage.allocationLimitBytes`, a quarter of `MemoryBudget`: the
/// smallest of the process's rlimits, its cgroup's memory limit and physical RAM), so a huge
/// request raises MemoryError instead of aborting in the Swift allocator or getting the process
/// OOM-killed.
enum MemoryLimit {
    /// Throws MemoryError unless `count` items of `itemBytes` bytes each fit under the limit.
    static func check(count: Int, itemBytes: Int) throws {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: itemBytes)
        if overflow || bytes > Storage.allocationLimitBytes { throw PyError(.memoryError, "") }
    }

    /// The most Values one array may hold (for loops that grow an array item by item).
    static var maxValues: Int { Storage.allocationLimitBytes / MemoryLayout<Value>.stride }

    /// `check` for an array of `count` Values.
    static func checkValues(_ count: Int) throws {
        try check(count: count, itemBytes: MemoryLayout<Value>.stride)
    }

    /// `check` for the concatenation of `a` and `b` items of `itemBytes` bytes each.
    static func checkSum(_ a: Int, _ b: Int, itemBytes: Int) throws {
        let (total, overflow) = a.addingReportingOverflow(b)
        if overflow { throw PyError(.memoryError, "") }
        try check(count: total, itemBytes: itemBytes)
    }

    /// `check` for a string of `base` bytes plus `count` pieces of `pieceBytes` bytes each
    /// (`sep.join(parts)`, `s.replace(old, new)`).
    static func checkBytes(_ base: Int, plus count: Int, of pieceBytes: Int) throws {
        let (pieces, overflow) = count.multipliedReportingOverflow(by: pieceBytes)
        if overflow { throw PyError(.memoryError, "") }
        try checkSum(base, pieces, itemBytes: 1)
    }

    /// Before appending to `items`: when the array is full (the append reallocates it at about
    /// twice the size), throws MemoryError unless `itemsPerSlot` times that fits. Appends that
    /// do not reallocate cost one comparison.
    @inline(__always)
    static func checkGrowth<T>(_ items: [T], itemsPerSlot: Int = 1) throws {
        if items.count == items.capacity { try checkValues((items.count &+ 1) &* 2 &* itemsPerSlot) }
    }
}
