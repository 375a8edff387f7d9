// Generators run pushed: when a generator's items all go to one known receiver — the body of a
// `for` loop that made the generator for itself (`for x in gen(...)`, `for x in (... for ...)`,
// nothing else holding it), or a Swift collector taking every item (`list(g)`, `str.join`) — the
// generator's body runs once, start to end, and each `yield` hands its value straight to the
// receiver (`deliver`) instead of suspending and being resumed through every statement level
// (Generators.swift). A `for` loop over a pushed generator costs its body per item, as CPython's
// `FOR_ITER`/`YIELD_VALUE` pair costs a frame switch.
//
// - The same executor runs both ways: `execYield` asks `activePush` whether the frame runs pushed.
//   Only generator frames contain `yield`, and they run either pulled (`resumeGenerator`, which
//   clears `activePush`) or pushed (`runPushed`, which sets it); a loop body run by `deliver`
//   gets back the push context its own frame had when the loop started (`YieldSink.outer`). Other
//   frames never read it.
// - The receiver stopping early — `break`, `return`, an exception, or (a loop body inside a
//   pulled generator) its own `yield` — suspends the pushed generator at the `yield` that
//   delivered the item, exactly as a pulled generator is suspended there; the loop then ends, or
//   is left suspended at `.loop(g, .body)` and later resumes the generator pulled.
// - While the loop body runs it sees its own frame, call depth and exceptions being handled, not
//   the generator's: `deliver` swaps them, as CPython's generator frames swap exception state.
// - A receiver that runs user code needs the generator to itself (`isKnownUniquelyReferenced`):
//   nothing else may `next()` it while its body is on the stack below the loop body.

/// Where a generator running pushed sends its items (see the file comment). Held by the code
/// that runs the generator pushed for as long as it runs; everything else refers to it, and it
/// to its loop, unretained.
final class YieldSink {
    /// How the receiver stopped early.
    enum Stop {
        /// The loop body ended with `break`, `return` or its own `yield`.
        case flow(Flow)
        case error(Error)
    }

    /// The receiving `for` statement (its body runs per item, in `frame`, after the item is
    /// stored into its target: the local slot `localSlot` when it is a plain local, else -1);
    /// nil: every item is appended to `items` (`Interpreter.iterate`).
    let loop: Unretained<Op>?
    let target: Unretained<Target>?
    let localSlot: Int
    let frame: Unmanaged<Frame>?
    /// The push context of the receiver's own frame (`Interpreter.activePush` when the loop started).
    let outer: Unmanaged<YieldSink>?
    /// The call depth, frame and count of exceptions being handled of the receiver's frame.
    let callDepth: Int
    let frameMark: Unmanaged<Frame>?
    let handlingDepth: Int
    /// The items a collecting receiver has taken.
    var items: [Value] = []
    var stop: Stop?
    /// The resume points of a loop body that suspended at its own `yield` (its generator runs
    /// pulled): set aside while the pushed generator suspends, then put back by the loop.
    var parked: ResumeStack?

    init(loop: Unretained<Op>?, target: Unretained<Target>?, localSlot: Int, frame: Unmanaged<Frame>?,
         outer: Unmanaged<YieldSink>?, callDepth: Int, frameMark: Unmanaged<Frame>?, handlingDepth: Int) {
        self.loop = loop
        self.target = target
        self.localSlot = localSlot
        self.frame = frame
        self.outer = outer
        self.callDepth = callDepth
        self.frameMark = frameMark
        self.handlingDepth = handlingDepth
    }
}

extension Interpreter {
    /// A sink for the `for` statement `loop` running in `f` (nil: a collecting sink), in the
    /// current frame's context.
    func yieldSink(loop: Unretained<Op>?, target: Unretained<Target>?, localSlot: Int, _ f: Frame?) -> YieldSink {
        YieldSink(loop: loop, target: target, localSlot: localSlot, frame: f.map { Unmanaged.passUnretained($0) },
                  outer: activePush, callDepth: callDepth, frameMark: currentFrameMark, handlingDepth: handling.count)
    }

    /// Runs `g` (not running) pushed into `sink` from where it stands: true when it ended (its
    /// `return` value kept as `resumeGenerator` keeps it), false when the receiver stopped
    /// (`sink.stop`; `g` is suspended at the `yield` that delivered the last item, and the caller
    /// must put back `sink.parked`). Errors the body raises are thrown as `resumeGenerator` throws them.
    func runPushed(_ g: PyGenerator, _ sink: YieldSink) throws -> Bool {
        if g.running { throw PyError(.valueError, "generator already executing") }
        if g.finished { return true }
        pushedRuns &+= 1
        if case .yielded = try runGenerator(g, push: .passUnretained(sink), send: .none, throwing: nil) { return false }
        return true
    }

    /// Hands `item` to `sink`'s receiver. True: the generator goes on (a `yield` expression
    /// evaluates to None); false: the receiver stopped (`sink.stop`) and the generator must
    /// suspend at this `yield`.
    func deliver(_ item: Value, to sink: YieldSink) -> Bool {
        guard let loop = sink.loop, let frame = sink.frame else {
            if sink.items.count >= MemoryLimit.maxValues {
                sink.stop = .error(PyError(.memoryError, ""))
                return false
            }
            sink.items.append(item)
            return true
        }
        // The generator's own exceptions being handled (it yielded in an `except` block) are
        // not the loop body's.
        if handling.count > sink.handlingDepth {
            let generatorHandling = handling[sink.handlingDepth...]
            handling.removeLast(handling.count - sink.handlingDepth)
            defer { handling.append(contentsOf: generatorHandling) }
            return frame._withUnsafeGuaranteedRef { runLoopBody(item, sink, loop, $0) }
        }
        return frame._withUnsafeGuaranteedRef { runLoopBody(item, sink, loop, $0) }
    }

    /// `deliver` to a loop: stores `item`, runs the body in its frame's context.
    @inline(__always)
    private func runLoopBody(_ item: Value, _ sink: YieldSink, _ loop: Unretained<Op>, _ frame: Frame) -> Bool {
        let depth = callDepth
        let mark = currentFrameMark
        let push = activePush
        callDepth = sink.callDepth
        currentFrameMark = sink.frameMark
        activePush = sink.outer
        defer {
            callDepth = depth
            currentFrameMark = mark
            activePush = push
        }
        do {
            if sink.localSlot >= 0 {
                frame[local: sink.localSlot] = item
            } else if let target = sink.target {
                try target._withUnsafeGuaranteedRef { try store($0, item, frame) }
            }
            let flow = try loop._withUnsafeGuaranteedRef { try execBlock($0.blocks.body, frame) }
            switch flow {
            case .normal, .continueLoop:
                return true
            case .yielded:
                let parked = ResumeStack()
                parked.exchange(with: resumePoints)
                sink.parked = parked
            case .breakLoop, .returned:
                break
            }
            sink.stop = .flow(flow)
        } catch {
            sink.stop = .error(error)
        }
        return false
    }

    /// Whether `it` is a generator that nothing but the caller's `it` refers to (so nothing can
    /// resume it while it runs pushed). A `weakref.ref` does not count as a reference for
    /// `isKnownUniquelyReferenced`, so a generator that ever had one is shared.
    @inline(__always)
    func isUnsharedGenerator(_ it: inout PyIterator) -> Bool {
        type(of: it) == PyGenerator.self && isKnownUniquelyReferenced(&it)
            && !unsafeDowncast(it, to: PyGenerator.self).weaklyReferenced
    }

    /// `for target in g: body else: other` with `g` unshared, run pushed from the loop's start.
    func pushedLoop(_ op: Op, _ g: PyGenerator, _ target: Unretained<Target>, _ iterable: Unretained<ExprNode>,
                    _ f: Frame) throws -> Flow {
        var localSlot = -1
        if case .local(let slot) = target._withUnsafeGuaranteedRef({ $0.fast }) { localSlot = slot }
        let sink = yieldSink(loop: .passUnretained(op), target: target, localSlot: localSlot, f)
        let ended: Bool
        do { ended = try runPushed(g, sink) } catch {
            throw wrap(error, iterable._withUnsafeGuaranteedRef { $0.span }, f)
        }
        if let parked = sink.parked { resumePoints.exchange(with: parked) }
        if ended { return try loopElse(op.blocks.orElse, g, f) }
        switch sink.stop {
        case .flow(.breakLoop)?:
            return .normal
        case .flow(.yielded(let v))?:
            resumePoints.append(.loop(g, .body))
            return .yielded(v)
        case .flow(let flow)?:
            return flow
        case .error(let e)?:
            throw e
        case nil:
            throw corruptGenerator()
        }
    }
}
