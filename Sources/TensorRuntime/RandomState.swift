import Foundation

/// `torch.get_rng_state()` / `set_rng_state()`: the engine as the bytes of PyTorch's
/// `CPUGeneratorImplState` (5056 bytes, little-endian, C layout), so a state saved by either
/// program restores the other's stream exactly:
///
/// | offset | field |
/// |---|---|
/// | 0 | `the_initial_seed` (u64) |
/// | 8 | `left` (i32), 12 `seeded` (i32) |
/// | 16 | `next` (u64) |
/// | 24 | `state[624]` (u64 each, holding the 32-bit words) |
/// | 5016 | `normal_x`, 5024 `normal_y` (the cached double normal), 5032 `normal_rho` (f64) |
/// | 5040 | `normal_is_valid` (i32), 4 bytes padding |
/// | 5048 | `next_float_normal_sample` (f32), 5052 its validity (u8), 3 bytes padding |
extension RandomGenerator {
    /// `sizeof(CPUGeneratorImplState)`.
    public static let stateByteCount = 5056

    /// The state bytes (`torch.get_rng_state()`, `Generator.get_state()`).
    public func stateBytes() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Self.stateByteCount)
        func put<T: FixedWidthInteger>(_ v: T, at offset: Int) {
            withUnsafeBytes(of: v.littleEndian) { for (i, b) in $0.enumerated() { bytes[offset + i] = b } }
        }
        put(seed, at: 0)
        put(Int32(truncatingIfNeeded: left), at: 8)
        put(Int32(1), at: 12)
        put(UInt64(next), at: 16)
        for (i, w) in state.enumerated() { put(UInt64(w), at: 24 + 8 * i) }
        if let y = nextDoubleNormal {
            put(y.bitPattern, at: 5024)
            put(Int32(1), at: 5040)
        }
        if let f = nextFloatNormal {
            put(f.bitPattern, at: 5048)
            bytes[5052] = 1
        }
        return bytes
    }

    /// Restores a state from `stateBytes()`'s layout; RuntimeError as PyTorch's for a wrong size
    /// or an invalid engine state (not seeded, `left` outside 1...624, `next` past 624).
    public func setState(bytes: [UInt8]) throws {
        guard bytes.count == Self.stateByteCount else {
            throw TorchError(.runtimeError, "Expected a CPUGeneratorImplState of size \(Self.stateByteCount) but found the input RNG state size to be \(bytes.count)")
        }
        func get<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
            var v = T.zero
            withUnsafeMutableBytes(of: &v) { for i in $0.indices { $0[i] = bytes[offset + i] } }
            return T(littleEndian: v)
        }
        let newLeft = get(Int32.self, at: 8), seeded = get(Int32.self, at: 12)
        // ATen reads `next` into a uint32_t.
        let newNext = UInt32(truncatingIfNeeded: get(UInt64.self, at: 16))
        // mt19937::is_valid: `seeded_` is a bool, so any nonzero low byte counts. Beyond it,
        // `next + left <= 625` (true of every state the engine reaches): PyTorch accepts more
        // and then reads past its state array.
        guard seeded & 0xff != 0, newLeft > 0, newLeft <= 624, newNext <= 624, Int(newNext) + Int(newLeft) <= 625 else {
            throw TorchError(.runtimeError, "Invalid mt19937 state")
        }
        seed = get(UInt64.self, at: 0)
        left = Int(newLeft)
        next = Int(newNext)
        for i in 0..<624 { state[i] = UInt32(truncatingIfNeeded: get(UInt64.self, at: 24 + 8 * i)) }
        nextDoubleNormal = get(Int32.self, at: 5040) != 0 ? Double(bitPattern: get(UInt64.self, at: 5024)) : nil
        nextFloatNormal = bytes[5052] != 0 ? Float(bitPattern: get(UInt32.self, at: 5048)) : nil
    }
}

extension RandomGenerator {
    /// The state as a 1-D uint8 tensor (`torch.get_rng_state()`).
    public func stateTensor() throws -> Tensor {
        let t = try Tensor(shape: [Self.stateByteCount], dtype: .uint8)
        let bytes = stateBytes()
        bytes.withUnsafeBytes { b in if let p = b.baseAddress { t.storage.data.copyMemory(from: p, byteCount: b.count) } }
        return t
    }

    /// `torch.set_rng_state(t)`: TypeError unless `t` is a uint8 tensor (a ByteTensor).
    public func setState(_ t: Tensor) throws {
        guard t.dtype == .uint8 else { throw TorchError(.typeError, "RNG state must be a torch.ByteTensor") }
        let c = try t.contiguous()
        let bytes = [UInt8](UnsafeRawBufferPointer(start: c.storage.data + c.storageOffset, count: c.numel))
        try setState(bytes: bytes)
    }
}
