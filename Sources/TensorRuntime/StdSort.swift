/// A port of libstdc++'s `std::sort` (introsort), `std::nth_element` (introselect) and
/// `std::partial_sort` (heap select + heap sort). PyTorch's CPU `sort(stable=False)` and `topk`
/// call these on (value, index) pairs, so equal values come out in the same (unspecified but
/// deterministic) order only when the exact same algorithm runs: reproducing it makes
/// `indices` match PyTorch even with ties. `less` is a strict weak order on the keys.
struct StdSorter<Key> {
    var keys: [Key]
    var indices: [Int64]
    let less: (Key, Key) -> Bool

    /// Keys with their positions 0..<n.
    init(_ keys: [Key], less: @escaping (Key, Key) -> Bool) {
        self.keys = keys
        self.indices = (0..<keys.count).map { Int64($0) }
        self.less = less
    }

    /// libstdc++'s `_S_threshold`.
    private static var threshold: Int { 16 }

    @inline(__always) private func lessAt(_ i: Int, _ j: Int) -> Bool { less(keys[i], keys[j]) }

    @inline(__always) private mutating func swapAt(_ i: Int, _ j: Int) {
        keys.swapAt(i, j)
        indices.swapAt(i, j)
    }

    /// `std::__lg`: floor(log2(n)) for n > 0.
    private static func lg(_ n: Int) -> Int { n <= 0 ? 0 : (Int.bitWidth - 1 - n.leadingZeroBitCount) }

    // MARK: - Public entry points

    /// `std::sort(first, last)` over `lo..<hi`.
    mutating func sort(_ lo: Int, _ hi: Int) {
        guard hi - lo > 1 else { return }
        introsortLoop(lo, hi, depth: Self.lg(hi - lo) * 2)
        finalInsertionSort(lo, hi)
    }

    /// `std::stable_sort`: any stable sort gives the same order, so ties go by position.
    mutating func stableSort() {
        let less = self.less
        let order = (0..<keys.count).sorted { a, b in
            if less(keys[a], keys[b]) { return true }
            if less(keys[b], keys[a]) { return false }
            return a < b
        }
        keys = order.map { keys[$0] }
        indices = order.map { indices[$0] }
    }

    /// `std::nth_element(first, nth, last)` over `lo..<hi`.
    mutating func nthElement(_ lo: Int, _ nth: Int, _ hi: Int) {
        guard lo != hi, nth != hi else { return }
        var first = lo, last = hi
        var depth = Self.lg(hi - lo) * 2
        while last - first > 3 {
            if depth == 0 {
                heapSelect(first, nth + 1, last)
                swapAt(first, nth)
                return
            }
            depth -= 1
            let cut = partitionPivot(first, last)
            if cut <= nth { first = cut } else { last = cut }
        }
        insertionSort(first, last)
    }

    /// `std::partial_sort(first, middle, last)`.
    mutating func partialSort(_ lo: Int, _ middle: Int, _ hi: Int) {
        heapSelect(lo, middle, hi)
        sortHeap(lo, middle)
    }

    // MARK: - Introsort

    private mutating func introsortLoop(_ lo: Int, _ hi: Int, depth: Int) {
        var last = hi, depth = depth
        while last - lo > Self.threshold {
            if depth == 0 {
                partialSort(lo, last, last)
                return
            }
            depth -= 1
            let cut = partitionPivot(lo, last)
            introsortLoop(cut, last, depth: depth)
            last = cut
        }
    }

    private mutating func moveMedianToFirst(_ result: Int, _ a: Int, _ b: Int, _ c: Int) {
        if lessAt(a, b) {
            if lessAt(b, c) { swapAt(result, b) } else if lessAt(a, c) { swapAt(result, c) } else { swapAt(result, a) }
        } else if lessAt(a, c) {
            swapAt(result, a)
        } else if lessAt(b, c) {
            swapAt(result, c)
        } else {
            swapAt(result, b)
        }
    }

    private mutating func unguardedPartition(_ lo: Int, _ hi: Int, pivot: Int) -> Int {
        var first = lo, last = hi
        while true {
            while first < hi && lessAt(first, pivot) { first += 1 }
            last -= 1
            while last > pivot && lessAt(pivot, last) { last -= 1 }
            if !(first < last) { return first }
            swapAt(first, last)
            first += 1
        }
    }

    private mutating func partitionPivot(_ lo: Int, _ hi: Int) -> Int {
        let mid = lo + (hi - lo) / 2
        moveMedianToFirst(lo, lo + 1, mid, hi - 1)
        return unguardedPartition(lo + 1, hi, pivot: lo)
    }

    // MARK: - Insertion sorts

    /// `__unguarded_linear_insert`, with a bound check that never fires for a strict weak order.
    private mutating func linearInsert(_ position: Int, floor: Int) {
        let key = keys[position], index = indices[position]
        var last = position
        while last > floor && less(key, keys[last - 1]) {
            keys[last] = keys[last - 1]
            indices[last] = indices[last - 1]
            last -= 1
        }
        keys[last] = key
        indices[last] = index
    }

    private mutating func insertionSort(_ lo: Int, _ hi: Int) {
        guard lo != hi else { return }
        var i = lo + 1
        while i < hi {
            if lessAt(i, lo) {
                let key = keys[i], index = indices[i]
                var j = i
                while j > lo {
                    keys[j] = keys[j - 1]
                    indices[j] = indices[j - 1]
                    j -= 1
                }
                keys[lo] = key
                indices[lo] = index
            } else {
                linearInsert(i, floor: lo)
            }
            i += 1
        }
    }

    private mutating func finalInsertionSort(_ lo: Int, _ hi: Int) {
        if hi - lo > Self.threshold {
            insertionSort(lo, lo + Self.threshold)
            for i in (lo + Self.threshold)..<hi { linearInsert(i, floor: lo) }
        } else {
            insertionSort(lo, hi)
        }
    }

    // MARK: - Heap

    private mutating func pushHeap(_ first: Int, _ hole: Int, _ top: Int, _ key: Key, _ index: Int64) {
        var hole = hole
        var parent = (hole - 1) / 2
        while hole > top && less(keys[first + parent], key) {
            keys[first + hole] = keys[first + parent]
            indices[first + hole] = indices[first + parent]
            hole = parent
            parent = (hole - 1) / 2
        }
        keys[first + hole] = key
        indices[first + hole] = index
    }

    private mutating func adjustHeap(_ first: Int, _ hole: Int, _ length: Int, _ key: Key, _ index: Int64) {
        let top = hole
        var hole = hole, child = hole
        while child < (length - 1) / 2 {
            child = 2 * (child + 1)
            if lessAt(first + child, first + child - 1) { child -= 1 }
            keys[first + hole] = keys[first + child]
            indices[first + hole] = indices[first + child]
            hole = child
        }
        if length & 1 == 0 && child == (length - 2) / 2 {
            child = 2 * (child + 1)
            keys[first + hole] = keys[first + child - 1]
            indices[first + hole] = indices[first + child - 1]
            hole = child - 1
        }
        pushHeap(first, hole, top, key, index)
    }

    private mutating func makeHeap(_ first: Int, _ last: Int) {
        let length = last - first
        guard length >= 2 else { return }
        var parent = (length - 2) / 2
        while true {
            adjustHeap(first, parent, length, keys[first + parent], indices[first + parent])
            if parent == 0 { return }
            parent -= 1
        }
    }

    private mutating func popHeap(_ first: Int, _ last: Int, _ result: Int) {
        let key = keys[result], index = indices[result]
        keys[result] = keys[first]
        indices[result] = indices[first]
        adjustHeap(first, 0, last - first, key, index)
    }

    private mutating func heapSelect(_ first: Int, _ middle: Int, _ last: Int) {
        makeHeap(first, middle)
        var i = middle
        while i < last {
            if lessAt(i, first) { popHeap(first, middle, i) }
            i += 1
        }
    }

    private mutating func sortHeap(_ first: Int, _ last: Int) {
        var last = last
        while last - first > 1 {
            last -= 1
            popHeap(first, last, last)
        }
    }
}
