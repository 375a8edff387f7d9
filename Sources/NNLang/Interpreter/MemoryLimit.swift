import TensorRuntime

/// The interpreter's allocation guard. Strings, lists and tuples whose size a script chooses
/// (`'x' * n`, `[0] * n`, `list(range(n))`, `'a'.center(n)`) are held to the same limit as tensor
/// storage (`Storage.allocationLimitBytes`), so a huge request raises MemoryError instead of
/// aborting in the Swift allocator or getting the process OOM-killed.
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
}
