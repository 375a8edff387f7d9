import TensorRuntime
import NeuralNet

/// The hash table of a `PySet`, as CPython 3.11's (Objects/setobject.c), so that sets iterate
/// and print in CPython's order: a power-of-two table of slots probed from `hash & mask`
/// through the next 9 slots (when they fit before the end), then from
/// `(i * 5 + 1 + perturb) & mask`, `perturb` being the hash shifted right 5 more bits each
/// time. A removed member leaves a dummy that probes pass and an insertion reuses; the table is
/// rebuilt (dummies dropped) 4 times the members (2 times past 50,000) when 3/5 filled.
/// Members are placed by `pythonHash`, CPython's own hash for ints, floats and tuples.
extension PySet {
    private static let linearProbes = 9

    /// The slot of the member equal to `key` (whose hash is `hash`), or -1.
    @inline(__always)
    func slot(of key: Value, _ hash: Int) throws -> Int { try probe(key, hash).member }

    /// Probes for `key`: the slot of the member equal to it (or -1), and where an insertion
    /// would put it: the last dummy the probe passed, else the empty slot that ended it.
    @inline(__always)
    private func probe(_ key: Value, _ hash: Int) throws -> (member: Int, free: Int) {
        restart: while true {
            let mask = self.mask
            var perturb = UInt(bitPattern: hash)
            var i = hash & mask
            var dummy = -1
            while true {
                var j = i
                let last = i &+ PySet.linearProbes <= mask ? i &+ PySet.linearProbes : i
                while true {
                    if let stored = keys[j] {
                        if hashes[j] == hash {
                            switch (stored, key) {
                            case (.int(let a), .int(let b)):
                                if a == b { return (j, -1) }
                            case (.str(let a), .str(let b)):
                                if codePointsEqual(a, b) { return (j, -1) }
                            default:
                                let version = self.version
                                let same = try PySet.sameMember(stored, key)
                                // A script's `__eq__` changed the set: probe it again, as CPython does.
                                if version != self.version { continue restart }
                                if same { return (j, -1) }
                            }
                        }
                    } else if hashes[j] == 0 {
                        return (-1, dummy >= 0 ? dummy : j)
                    } else {
                        dummy = j
                    }
                    if j == last { break }
                    j &+= 1
                }
                perturb >>= 5
                i = (i &* 5 &+ 1 &+ Int(bitPattern: perturb)) & mask
            }
        }
    }

    /// Member equality past the int/str fast path: identity, `==` (possibly a script's `__eq__`)
    /// when either is an object, else `HashKey` equality (numbers across int/float/bool).
    private static func sameMember(_ stored: Value, _ key: Value) throws -> Bool {
        switch (stored, key) {
        case (.object(let a), .object(let b)) where a === b: return true
        case (.object, _), (_, .object):
            if let ev = ScriptKeys.evaluator { return try valuesEqual(stored, key, ev) }
        default: break
        }
        return try HashKey(stored) == HashKey(key)
    }

    /// Adds `key` unless a member equals it (CPython 3.11's `set_add_entry`): in the last
    /// dummy its probe passed, else in the empty slot that ended the probe.
    func insert(_ key: Value, _ hash: Int) throws {
        let (member, free) = try probe(key, hash)
        guard member < 0 else { return }
        let reusesDummy = keys[free] == nil && hashes[free] == -1
        keys[free] = key
        hashes[free] = hash
        used += 1
        if reusesDummy { return }
        fill += 1
        if fill &* 5 >= mask &* 3 { try resize(used > 50000 ? used &* 2 : used &* 4) }
    }

    /// Removes the member equal to `key`, leaving a dummy; false when there is none.
    @discardableResult
    func discard(_ key: Value, _ hash: Int) throws -> Bool {
        let j = try slot(of: key, hash)
        guard j >= 0 else { return false }
        keys[j] = nil
        hashes[j] = -1
        used -= 1
        version &+= 1
        return true
    }

    /// A new table of the smallest power of two above `minUsed` (at least 8), the members
    /// placed again in slot order, dummies dropped.
    func resize(_ minUsed: Int) throws {
        var size = 8
        while size <= minUsed { size &<<= 1 }
        try MemoryLimit.checkValues(size &* 2)
        let oldKeys = keys, oldHashes = hashes
        keys = [Value?](repeating: nil, count: size)
        hashes = [Int](repeating: 0, count: size)
        mask = size &- 1
        for p in oldKeys.indices { if let k = oldKeys[p] { insertClean(k, oldHashes[p]) } }
        fill = used
        version &+= 1
    }

    /// Places `key` in the first empty slot of its probe sequence (a table without dummies
    /// that does not hold it; CPython's `set_insert_clean`). The caller counts it.
    private func insertClean(_ key: Value, _ hash: Int) {
        var perturb = UInt(bitPattern: hash)
        var i = hash & mask
        search: while true {
            if keys[i] == nil { break }
            if i &+ PySet.linearProbes <= mask {
                for j in (i &+ 1)...(i &+ PySet.linearProbes) where keys[j] == nil { i = j; break search }
            }
            perturb >>= 5
            i = (i &* 5 &+ 1 &+ Int(bitPattern: perturb)) & mask
        }
        keys[i] = key
        hashes[i] = hash
    }

    /// Empties the set to the smallest table.
    func clear() {
        keys = [Value?](repeating: nil, count: 8)
        hashes = [Int](repeating: 0, count: 8)
        mask = 7; fill = 0; used = 0
        version &+= 1
    }

    /// Adds `other`'s members (CPython's `set_merge`: one resize up front, then a copy of the
    /// slots when the tables match, clean insertions when this set is empty).
    func merge(_ other: PySet) throws {
        if other === self || other.used == 0 { return }
        if (fill &+ other.used) &* 5 >= mask &* 3 { try resize((used &+ other.used) &* 2) }
        if fill == 0 && mask == other.mask && other.fill == other.used {
            keys = other.keys; hashes = other.hashes
            fill = other.fill; used = other.used
            return
        }
        let otherKeys = other.keys, otherHashes = other.hashes
        if fill == 0 {
            fill = other.used; used = other.used
            for p in otherKeys.indices { if let k = otherKeys[p] { insertClean(k, otherHashes[p]) } }
            return
        }
        for p in otherKeys.indices { if let k = otherKeys[p] { try insert(k, otherHashes[p]) } }
    }

    /// The next member from the search finger, removed (CPython's `set.pop`).
    func popMember() -> Value? {
        guard used > 0 else { return nil }
        var j = finger & mask
        while keys[j] == nil { j = j == mask ? 0 : j &+ 1 }
        let key = keys[j]
        keys[j] = nil
        hashes[j] = -1
        used -= 1
        version &+= 1
        finger = j &+ 1
        return key
    }

    /// Takes `other`'s table (CPython's `set_swap_bodies`, for `intersection_update`).
    func takeTable(of other: PySet) {
        keys = other.keys; hashes = other.hashes
        mask = other.mask; fill = other.fill; used = other.used
        version &+= 1
    }
}
