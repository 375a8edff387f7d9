import TensorRuntime
import NeuralNet

/// A Python value reduced to what `hash()`/`==` see, for dict keys and set members: numbers
/// compare across int/float/bool, tuples structurally, tensors/modules/objects by identity,
/// instances of a script class with `__hash__` (and tuples holding one) by that hash and `==`.
enum HashKey: Hashable {
    case none
    case int(Int)
    case float(Double)
    case str(String)
    case tuple([HashKey])
    case bytes([UInt8])
    case identity(ObjectIdentifier)
    /// A key hashed by a script's `__hash__` and compared with `==` (ScriptKeys.swift): a
    /// `PyDict` probe compares it with `==`, never with `HashKey` equality.
    case scripted(Int)

    /// The key of `v`, or TypeError `unhashable type: 'list'`.
    init(_ v: Value) throws {
        switch v {
        case .none: self = .none
        case .bool(let b): self = .int(b ? 1 : 0)
        case .int(let i): self = .int(i)
        case .float(let d):
            if d == d.rounded(), abs(d) < 9.2e18 { self = .int(Int(d)) } else { self = .float(d) }
        case .str(let s): self = .str(s)
        case .tensor(let t): self = .identity(ObjectIdentifier(t))
        case .module(let m): self = .identity(ObjectIdentifier(m))
        case .object(let o):
            if let t = o as? PyTuple {
                let items = try t.items.map { try HashKey($0) }
                let scripted = items.contains { if case .scripted = $0 { return true } else { return false } }
                self = scripted ? .scripted(HashKey.tuple(items).hashValue) : .tuple(items)
                return
            }
            if let inst = o as? PyInstance {
                if let h = try ScriptKeys.hash(inst) { self = .scripted(h); return }
                if let d = inst as? DerivedValueInstance { self = try HashKey(d.hashableValue()); return }
            }
            if let b = o as? PyBytes { self = .bytes(b.data); return }
            if o is PyList || o is PyDict || o is PyDictView {
                throw PyError(.typeError, "unhashable type: '\(o.typeName)'")
            }
            if let s = o as? PySet {
                guard s.frozen else { throw PyError(.typeError, "unhashable type: 'set'") }
                self = .tuple(try s.items.map { try HashKey($0) }.sorted { "\($0)" < "\($1)" })
                return
            }
            self = .identity(ObjectIdentifier(o))
        }
    }
}

extension HashKey {
    /// Python's key equality: strings by code points (the synthesised `==` would use Swift's
    /// canonical equivalence, making "é" and "e\u{301}" one key).
    static func == (a: HashKey, b: HashKey) -> Bool {
        switch (a, b) {
        case (.none, .none): return true
        case (.int(let x), .int(let y)): return x == y
        case (.float(let x), .float(let y)): return x == y
        case (.str(let x), .str(let y)): return codePointsEqual(x, y)
        case (.tuple(let x), .tuple(let y)): return x == y
        case (.bytes(let x), .bytes(let y)): return x == y
        case (.identity(let x), .identity(let y)): return x == y
        case (.scripted(let x), .scripted(let y)): return x == y
        default: return false
        }
    }

    /// Feeds what `==` compares: a string's UTF-8 bytes (not Swift's normalised form).
    func hash(into hasher: inout Hasher) {
        switch self {
        case .none: hasher.combine(0)
        case .int(let i): hasher.combine(i)
        case .float(let d): hasher.combine(d)
        case .str(let s): hasher.combine(HashKey.stringHash(s, seed: 0))
        case .tuple(let items):
            hasher.combine(items.count)
            for item in items { item.hash(into: &hasher) }
        case .bytes(let b): hasher.combine(b)
        case .identity(let o): hasher.combine(o)
        case .scripted(let h): hasher.combine(h)
        }
    }

    /// The hash `Dictionary` and `Set` use (their `_rawHashValue(seed:)` hook), without SipHash
    /// for the hot keys: an int is mixed in a few instructions, a string hashed over its UTF-8
    /// bytes (FNV-1a, then mixed). Dict keys need no flooding resistance here, and SipHash of every
    /// key cost more than the rest of a dict lookup. Other keys go through `Hasher`.
    func _rawHashValue(seed: Int) -> Int {
        switch self {
        case .int(let i):
            return HashKey.mix(UInt64(bitPattern: Int64(i)) &+ UInt64(bitPattern: Int64(seed)))
        case .str(let s):
            return HashKey.stringHash(s, seed: seed)
        default:
            var hasher = Hasher()
            hasher.combine(seed)
            hash(into: &hasher)
            return hasher.finalize()
        }
    }

    /// A hash of the UTF-8 bytes of `s`: the bytes taken as little-endian 64-bit words (the
    /// last one zero-padded), each folded in with a multiply and a rotate, then the length, then
    /// mixed. A small string (at most 15 bytes, which Swift stores inline) is hashed from its
    /// two words (`SmallStrings`), without visiting its bytes one at a time.
    static func stringHash(_ s: String, seed: Int) -> Int {
        let start = 0xcbf2_9ce4_8422_2325 ^ UInt64(bitPattern: Int64(seed))
        if let (low, high, count) = SmallStrings.words(of: s) {
            var h = start
            if count > 0 { h = fold(h, low) }
            if count > 8 { h = fold(h, high) }
            return mix(h ^ UInt64(count))
        }
        func hashBytes(_ bytes: UnsafeRawBufferPointer) -> Int {
            var h = start
            var i = 0
            while i &+ 8 <= bytes.count {
                h = fold(h, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                i &+= 8
            }
            if i < bytes.count {
                var last: UInt64 = 0
                var shift: UInt64 = 0
                while i < bytes.count {
                    last |= UInt64(bytes[i]) << shift
                    shift &+= 8
                    i &+= 1
                }
                h = fold(h, last)
            }
            return mix(h ^ UInt64(bytes.count))
        }
        if let h = s.utf8.withContiguousStorageIfAvailable({ hashBytes(UnsafeRawBufferPointer($0)) }) { return h }
        return Array(s.utf8).withUnsafeBytes(hashBytes)
    }

    @inline(__always)
    private static func fold(_ h: UInt64, _ word: UInt64) -> UInt64 {
        let x = (h ^ word) &* 0x9e37_79b9_7f4a_7c15
        return (x << 31) | (x >> 33)
    }

    /// A 64-bit finaliser (MurmurHash3's): spreads every input bit over the whole word.
    static func mix(_ x: UInt64) -> Int {
        var z = x
        z = (z ^ (z >> 33)) &* 0xff51_afd7_ed55_8ccd
        z = (z ^ (z >> 33)) &* 0xc4ce_b9fe_1a85_ec53
        return Int(bitPattern: UInt(z ^ (z >> 33)))
    }
}


extension HashKey {
    /// The hash a dict keeps for `key` (equal keys hash alike: 1, 1.0 and True; strings by their
    /// code points), and the key's `HashKey` when it is neither an int nor a str (what a probe
    /// compares stored keys with).
    @inline(__always)
    static func tableHash(of key: Value) throws -> (Int, HashKey?) {
        switch key {
        case .int(let i): return (intHash(i), nil)
        case .str(let s): return (stringHash(s, seed: 0), nil)
        default:
            let k = try HashKey(key)
            return (k.tableHash, k)
        }
    }

    /// `tableHash(of:)` for a key already reduced.
    var tableHash: Int {
        switch self {
        case .int(let i): return HashKey.intHash(i)
        case .str(let s): return HashKey.stringHash(s, seed: 0)
        case .scripted(let h): return h
        default: return hashValue
        }
    }

    @inline(__always)
    static func intHash(_ i: Int) -> Int { mix(UInt64(bitPattern: Int64(i))) }
}
