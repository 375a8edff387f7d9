import TensorRuntime
import NeuralNet

/// CPython's `hash(v)`, which places a value in a set's table (PySet) and which `hash()` returns.
/// Exact where CPython's is the same on every run: ints, bools, floats, and tuples and
/// frozensets of those, and "". Another str hashes by nnrepl's own function (CPython randomises str
/// hashes per process), None and identity-hashed objects by nnrepl's (CPython's come from addresses), a
/// script object by its `__hash__`. Never -1 (CPython's error marker), as in CPython.
func pythonHash(_ v: Value) throws -> Int {
    switch v {
    case .int(let i): return intHash(i)
    case .bool(let b): return b ? 1 : 0
    case .float(let d) where !d.isNaN: return floatHash(d)
    case .str(let s) where s.isEmpty: return 0   // CPython's one unrandomised str hash
    case .object(let o):
        if let t = o as? PyTuple { return try tupleHash(t.items) }
        if let s = o as? PySet, s.frozen { return s.frozensetHash }
        if let d = o as? DerivedValueInstance, try ScriptKeys.hash(d) == nil { return try pythonHash(d.hashableValue()) }
    default: break
    }
    // A str's is HashKey's own, without making the key.
    let h = try HashKey.tableHash(of: v).0
    return h == -1 ? -2 : h
}

/// CPython 3.8+'s tuple hash (xxHash's round over each item's hash, Objects/tupleobject.c).
func tupleHash(_ items: [Value]) throws -> Int {
    let prime1: UInt64 = 11400714785074694791, prime2: UInt64 = 14029467366897019727
    let prime5: UInt64 = 2870177450012600261
    var acc = prime5
    for item in items {
        let lane = UInt64(bitPattern: Int64(try pythonHash(item)))
        acc = acc &+ lane &* prime2
        acc = (acc << 31) | (acc >> 33)
        acc = acc &* prime1
    }
    acc = acc &+ (UInt64(items.count) ^ (prime5 ^ 3527539))
    if acc == UInt64.max { return 1546275796 }
    return Int(bitPattern: UInt(acc))
}

/// CPython's frozenset hash from its members' hashes (order-independent: each shuffled and
/// xor-ed in, then the count mixed in; Objects/setobject.c `frozenset_hash`).
func frozensetHash<S: Sequence>(of hashes: S, count: Int) -> Int where S.Element == Int {
    func shuffle(_ h: UInt64) -> UInt64 { ((h ^ 89869747) ^ (h << 16)) &* 3644798167 }
    var hash: UInt64 = 0
    for h in hashes { hash ^= shuffle(UInt64(bitPattern: Int64(h))) }
    hash ^= (UInt64(count) &+ 1) &* 1927868237
    hash ^= (hash >> 11) ^ (hash >> 25)
    hash = hash &* 69069 &+ 907133923
    if hash == UInt64.max { hash = 590923713 }
    return Int(bitPattern: UInt(hash))
}
