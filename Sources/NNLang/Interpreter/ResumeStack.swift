/// The resume points of a suspending or resuming generator (`ResumePoint`s, innermost first;
/// Exec.swift). A stack with its own storage: pushing and popping make no uniqueness check or
/// copy-on-write test (the `Array` it replaces checked uniqueness on each of the 8 pushes and
/// pops per item of a `for` loop over a generator). The interpreter's stack and a generator's
/// swap their contents (`exchange`) when it resumes and suspends: three words each way.
final class ResumeStack {
    private var base: UnsafeMutablePointer<ResumePoint>?
    private var capacity = 0
    private(set) var count = 0

    init() {}

    /// A stack holding `points`, the first one innermost (the last popped).
    init(_ points: [ResumePoint]) {
        for p in points { append(p) }
    }

    deinit {
        removeAll()
        base?.deallocate()
    }

    var isEmpty: Bool {
        @inline(__always) get { count == 0 }
    }

    /// Pushes `point` (the next one out from those already held).
    @inline(__always)
    func append(_ point: ResumePoint) {
        if count == capacity { grow() }
        guard let base else { return }
        (base + count).initialize(to: point)
        count &+= 1
    }

    /// The outermost point held, removed; nil when empty.
    @inline(__always)
    func popLast() -> ResumePoint? {
        guard count > 0, let base else { return nil }
        count &-= 1
        return (base + count).move()
    }

    /// The points held, outermost last, moved out (the stack is left empty).
    func takeAll() -> [ResumePoint] {
        guard count > 0, let base else { return [] }
        let n = count
        let points = [ResumePoint](unsafeUninitializedCapacity: n) { buffer, initialized in
            if let target = buffer.baseAddress { target.moveInitialize(from: base, count: n) }
            initialized = n
        }
        count = 0
        return points
    }

    /// Whether a point held is inside a `try` or `with`, or at a `yield from` (closing the
    /// generator that holds these points would run something: GeneratorFinalization.swift).
    /// Matched in place, nothing copied.
    var holdsHandler: Bool {
        guard let base else { return false }
        for i in 0..<count {
            switch base[i] {
            case .tryPhase, .with, .yielded(delegate: .some): return true
            default: continue
            }
        }
        return false
    }

    func removeAll() {
        guard count > 0, let base else { return }
        base.deinitialize(count: count)
        count = 0
    }

    /// Swaps the contents of the two stacks.
    @inline(__always)
    func exchange(with other: ResumeStack) {
        swap(&base, &other.base)
        swap(&capacity, &other.capacity)
        swap(&count, &other.count)
    }

    private func grow() {
        let newCapacity = Swift.max(8, capacity &* 2)
        let grown = UnsafeMutablePointer<ResumePoint>.allocate(capacity: newCapacity)
        if let base {
            grown.moveInitialize(from: base, count: count)
            base.deallocate()
        }
        base = grown
        capacity = newCapacity
    }
}
