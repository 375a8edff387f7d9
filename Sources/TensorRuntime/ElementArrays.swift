extension Tensor {
    /// The elements in logical order as a Swift array of `T` (which must match `dtype`). A copy
    /// that owns its memory: what a backward closure keeps instead of a raw pointer into a
    /// tensor that may be freed (a temporary target, a dense copy) before backward runs.
    func elementArray<T>(_: T.Type) throws -> [T] {
        let d = try dense()
        return withExtendedLifetime(d) { Array(UnsafeBufferPointer(start: d.elements(T.self), count: d.numel)) }
    }
}
