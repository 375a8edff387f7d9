import NeuralNet

/// What a frame holds besides its local slots.
struct FrameHeader {
    let code: CodeUnit
    var function: PyFunction?
    var cells: ContiguousArray<Cell>
    var namespace: NameTable?
    let localCount: Int
    /// While this frame is one of its code's extra spares (`CodeUnit.moreSpareFrames`): the next.
    var nextSpare: Frame? = nil
}

/// The activation record of one running unit: local slots, closure cells, and for class bodies
/// the namespace being built. The local slots are allocated in the same block as the frame
/// (`ManagedBuffer`), so a call makes at most one allocation for its frame; a call of a function
/// without cells usually makes none: it takes the frame its code's last call left behind
/// (`CodeUnit.spareFrame`, see `recycle`).
final class Frame: ManagedBuffer<FrameHeader, Value?> {
    /// How many finished frames a code unit keeps besides `spareFrame` (recursion deeper than
    /// this allocates for the levels past it).
    static let spareLimit = 32

    /// A frame for `code` with every local unbound and its cells made per `code.cellPlan`.
    static func make(code: CodeUnit, function: PyFunction?, closure: [Cell]) -> Frame {
        if let spare = code.spareFrame.take() {
            spare.reuse(code, function, closure)
            return spare
        }
        if let spare = code.moreSpareFrames.take() {
            code.moreSpareFrames = spare.header.nextSpare.take()
            code.moreSpareCount &-= 1
            spare.reuse(code, function, closure)
            return spare
        }
        let cells = cells(code, closure)
        let count = code.localCount
        let buffer = Frame.create(minimumCapacity: count) { _ in
            FrameHeader(code: code, function: function, cells: cells, namespace: nil, localCount: count)
        }
        let frame = unsafeDowncast(buffer, to: Frame.self)
        frame.withUnsafeMutablePointerToElements { $0.initialize(repeating: nil, count: count) }
        return frame
    }

    /// Readies this spare frame of `code` for a call of `function`. (Kept apart from `make`, whose
    /// `??` between the two spare sources cost a retain/release pair of the frame per call.)
    @inline(__always)
    private func reuse(_ code: CodeUnit, _ function: PyFunction?, _ closure: [Cell]) {
        if header.function !== function { header.function = function }
        // Captured cells (a spare has no fresh ones) from another closure of the same code,
        // or another call of the function enclosing a comprehension: replaced.
        if !code.cellPlan.isEmpty && !holdsCells(code, closure) { header.cells = Frame.cells(code, closure) }
    }

    /// The cells of a call of `code` whose function captured `closure`.
    private static func cells(_ code: CodeUnit, _ closure: [Cell]) -> ContiguousArray<Cell> {
        var cells = ContiguousArray<Cell>()
        guard !code.cellPlan.isEmpty else { return cells }
        cells.reserveCapacity(code.cellPlan.count)
        for source in code.cellPlan {
            switch source {
            case .fresh: cells.append(Cell())
            case .free(let k): cells.append(k < closure.count ? closure[k] : Cell())
            }
        }
        return cells
    }

    /// Whether this frame's cells are the ones `closure` gives a call of `code`.
    private func holdsCells(_ code: CodeUnit, _ closure: [Cell]) -> Bool {
        let cells = header.cells
        guard cells.count == code.cellPlan.count else { return false }
        for (i, source) in code.cellPlan.enumerated() {
            guard case .free(let k) = source, k < closure.count, cells[i] === closure[k] else { return false }
        }
        return true
    }

    deinit {
        let count = header.localCount
        DeferredRelease.release(parking: {
            withUnsafeMutablePointerToElements { Array(UnsafeBufferPointer(start: $0, count: count)) }
        }) {
            _ = withUnsafeMutablePointerToElements { $0.deinitialize(count: count) }
        }
    }

    /// Leaves `frame`, whose call has returned, as its code's spare frame when nothing else
    /// refers to it (a generator expression or a generator may keep a frame past its call) and
    /// the frame has no fresh cells (a closure made by the call may hold those; cells captured
    /// from the function's closure are kept, and replaced when another closure of the same code
    /// takes the spare): its locals are unbound, so the spare keeps
    /// only its code and function alive (a code unit and its spares refer to each other, for as
    /// long as the body). When the code already has a spare (a recursive call returning), the
    /// frame joins `moreSpareFrames` (up to `spareLimit`): recursion allocates frames only on its
    /// first descent, and a plain call touches only the one slot.
    /// The function stays in the spare (it is replaced, not cleared, by the next `make`; a
    /// function and its code outlive the spare anyway unless the function is dropped, which then
    /// waits for its code's next call or end): one retain/release pair less per call.
    static func recycle(_ frame: consuming Frame) {
        let code = Unmanaged.passUnretained(frame.header.code)
        guard frame.header.namespace == nil,
              code._withUnsafeGuaranteedRef({ !$0.hasFreshCells && ($0.spareFrame == nil || $0.moreSpareCount < spareLimit) }),
              isKnownUniquelyReferenced(&frame) else { return }
        let count = frame.header.localCount
        frame.withUnsafeMutablePointerToElements { locals in
            DeferredRelease.release(parking: { Array(UnsafeBufferPointer(start: locals, count: count)) }) {
                // Only slots holding a reference need a release (an outlined call per slot else);
                // the rest are overwritten.
                for i in 0..<count {
                    if locals[i].holdsReference { locals[i] = nil } else { (locals + i).initialize(to: nil) }
                }
            }
        }
        if code._withUnsafeGuaranteedRef({ $0.spareFrame == nil }) {
            code.takeUnretainedValue().spareFrame = consume frame
        } else {
            let unit = code.takeUnretainedValue()
            frame.header.nextSpare = unit.moreSpareFrames.take()
            unit.moreSpareFrames = consume frame
            unit.moreSpareCount &+= 1
        }
    }

    var code: CodeUnit { header.code }
    var function: PyFunction? { header.function }
    var cells: ContiguousArray<Cell> { header.cells }
    var namespace: NameTable? {
        get { header.namespace }
        set { header.namespace = newValue }
        _modify { yield &header.namespace }
    }

    /// Local slot `i` (nil: unbound). Slots are numbered by the compiler, below `localCount`.
    subscript(local i: Int) -> Value? {
        get {
            assert(i >= 0 && i < header.localCount)
            return withUnsafeMutablePointerToElements { $0[i] }
        }
        set {
            assert(i >= 0 && i < header.localCount)
            withUnsafeMutablePointerToElements { $0[i] = newValue }
        }
    }

    /// `self[local: i]` for the evaluator: an int or float is rebuilt from its payload, so only
    /// a value holding a reference goes through `Value`'s outlined copy (a call per read).
    @inline(__always)
    func localValue(_ i: Int) -> Value? {
        assert(i >= 0 && i < header.localCount)
        return withUnsafeMutablePointerToElements { locals in
            switch locals[i] {
            case .int(let x)?: return .int(x)
            case .float(let d)?: return .float(d)
            default: return locals[i]
            }
        }
    }

    /// Binds parameter slot `i` of a frame `make` just returned (every slot unbound, so there is
    /// nothing to release first).
    @inline(__always)
    func bindParameter(_ i: Int, _ v: Value) {
        assert(i >= 0 && i < header.localCount)
        withUnsafeMutablePointerToElements { ($0 + i).initialize(to: v) }
    }

    /// A traceback entry for `span` in this frame.
    func entry(_ span: SourceSpan) -> TraceEntry {
        TraceEntry(file: code.source, span: span, function: code.name)
    }
}

/// How a statement finished.
enum Flow {
    case normal
    case breakLoop
    case continueLoop
    case returned(Value)
    /// A generator's body reached a `yield` of this value: every statement it unwinds through
    /// saves where it stands (`Interpreter.resumePoints`) and returns at once.
    case yielded(Value)
}

extension Optional where Wrapped == Value {
    /// Whether releasing this slot releases anything: false for unbound, None, bool, int and
    /// float (asked of a slot in place, without copying it).
    @inline(__always)
    var holdsReference: Bool {
        switch self {
        case nil, .none?, .bool?, .int?, .float?: return false
        default: return true
        }
    }
}
