/// Whether operations record the autograd graph (`torch.no_grad()` turns it off; nestable).
public enum GradMode {
    nonisolated(unsafe) public static var isEnabled = true

    /// Runs `body` with recording off (`with torch.no_grad():`), restoring the previous mode.
    public static func withNoGrad<T>(_ body: () throws -> T) rethrows -> T {
        let saved = isEnabled
        isEnabled = false
        defer { isEnabled = saved }
        return try body()
    }
}

/// One step of the backward graph (`grad_fn`): turns the gradient of its single output into
/// gradients for its inputs, which flow on to `next` (nil for inputs that need no gradient).
public final class Node {
    /// The name PyTorch prints: `AddBackward0`, `AccumulateGrad`, …
    public let name: String
    /// Where each input's gradient goes, aligned with what `backward` returns.
    public let next: [Node?]
    /// Maps the output gradient to input gradients; nil once freed after a backward pass.
    var backwardFn: ((Tensor) throws -> [Tensor?])?
    /// False for nodes that saved no tensors: PyTorch lets those run backward twice.
    let savesTensors: Bool
    /// For AccumulateGrad: the leaf that receives the gradient.
    let leaf: Tensor?
    /// A non-leaf output that asked for `retain_grad()`.
    weak var retainedOutput: Tensor?
    /// `register_hook` hooks of the non-leaf tensor this node produced (PyTorch keeps them on
    /// its grad_fn), run in order on the gradient before it is used.
    var gradHooks: [GradHook] = []

    init(name: String, next: [Node?], savesTensors: Bool, backward: @escaping (Tensor) throws -> [Tensor?]) {
        self.name = name
        self.next = next
        self.savesTensors = savesTensors
        self.backwardFn = backward
        self.leaf = nil
    }

    init(accumulatingInto leaf: Tensor) {
        self.name = "AccumulateGrad"
        self.next = []
        self.savesTensors = false
        self.backwardFn = nil
        self.leaf = leaf
    }

    /// `grad_fn.next_functions`' nodes.
    public var nextFunctions: [Node?] { next }
    /// For AccumulateGrad, the leaf it accumulates into (`grad_fn.variable`); nil for other nodes.
    public var variable: Tensor? { leaf }

    /// The node whose backward function is running, so an output it saved can be handed back
    /// attached to it when the backward pass records a graph (see `SavedTensor.get`).
    nonisolated(unsafe) static var running: Node?
}

extension Tensor {
    /// The node a gradient for this tensor flows into (its grad_fn, or its leaf accumulator).
    var gradEdge: Node? {
        if let fn = gradFn { return fn }
        guard leafRequiresGrad else { return nil }
        if let acc = gradAccumulator { return acc }
        let acc = Node(accumulatingInto: self)
        gradAccumulator = acc
        return acc
    }

    /// Attaches a backward node to `self` (an op's fresh result) when grad mode is on and any
    /// input requires grad. `backward` receives d(loss)/d(self) and returns one gradient per input
    /// (same shapes as the inputs; nil where there is none). Returns `self` for chaining.
    /// `numberOperand`: the op also took a Python number, which PyTorch wraps as a tensor that
    /// needs no gradient (a trailing `(None, 0)` in `next_functions`).
    @discardableResult
    public func recordingGrad(_ name: String, inputs: [Tensor], savesTensors: Bool = true, numberOperand: Bool = false,
                              backward: @escaping (Tensor) throws -> [Tensor?]) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return self }
        var next = inputs.map { $0.requiresGrad ? $0.gradEdge : nil }
        if numberOperand { next.append(nil) }
        gradFn = Node(name: name, next: next, savesTensors: savesTensors, backward: backward)
        return self
    }

    /// `backward(gradient=None, retain_graph=False, inputs=None)`.
    public func backward(gradient: Tensor? = nil, retainGraph: Bool = false, inputs: [Tensor]? = nil) throws {
        try Autograd.backward([self], gradients: [gradient], retainGraph: retainGraph, inputs: inputs)
    }
}

/// `torch.autograd.backward` and `torch.autograd.grad`.
public enum Autograd {
    /// The seed gradient for `output` (PyTorch's `_make_grads`): `gradient` checked against its
    /// shape, or ones for a scalar output.
    static func seed(for output: Tensor, _ gradient: Tensor?, index i: Int) throws -> Tensor {
        if let g = gradient {
            guard g.shape == output.shape else {
                throw TorchError.runtime("Mismatch in shape: grad_output[\(i)] has a shape of torch.Size(\(shapeDescription(g.shape))) and output[\(i)] has a shape of torch.Size(\(shapeDescription(output.shape))).")
            }
            return g
        }
        guard output.numel == 1 else { throw TorchError.runtime("grad can be implicitly created only for scalar outputs") }
        guard output.dtype.isFloatingPoint else {
            throw TorchError.runtime("grad can be implicitly created only for real scalar outputs but got \(output.dtype.name)")
        }
        let one = try Tensor(shape: output.shape, dtype: output.dtype)
        one.storage.setDouble(1, at: 0)
        return one
    }

    /// `torch.autograd.backward(tensors, grad_tensors, retain_graph, create_graph, inputs=...)`:
    /// accumulates into the leaves' `.grad` (or only into `inputs`' `.grad` when given). With
    /// `createGraph` the backward pass records a graph of its own, so the gradients can be
    /// differentiated again.
    public static func backward(_ outputs: [Tensor], gradients: [Tensor?], retainGraph: Bool = false,
                                createGraph: Bool = false, inputs: [Tensor]? = nil) throws {
        let seeds = try makeSeeds(outputs, gradients)
        let roots = try rootEdges(outputs)
        if let inputs {
            guard !inputs.isEmpty else { throw TorchError.runtime("`inputs` argument to `backward()` cannot be empty.") }
            let captures = try inputEdges(inputs)
            let grads = try recording(createGraph) {
                try runBackward(roots: roots, seeds: seeds, captures: captures, retainGraph: retainGraph)
            }
            for (t, g) in zip(inputs, grads) {
                guard var g else { continue }
                try accumulate(&g, into: t)
            }
            return
        }
        _ = try recording(createGraph) { try runBackward(roots: roots, seeds: seeds, captures: nil, retainGraph: retainGraph) }
    }

    /// Runs a backward pass with grad mode on when it must record a graph (`create_graph=True`:
    /// the backward formulas then use differentiable tensor ops), off otherwise.
    private static func recording<T>(_ createGraph: Bool, _ body: () throws -> T) rethrows -> T {
        guard createGraph else { return try GradMode.withNoGrad(body) }
        let saved = GradMode.isEnabled
        GradMode.isEnabled = true
        defer { GradMode.isEnabled = saved }
        return try body()
    }

    /// `torch.autograd.grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused,
    /// materialize_grads=False)`: the gradients of the outputs with respect to `inputs`, without
    /// touching any `.grad` (except those of non-leaves that asked for `retain_grad()`).
    public static func grad(outputs: [Tensor], inputs: [Tensor], gradOutputs: [Tensor?]? = nil,
                            retainGraph: Bool? = nil, createGraph: Bool = false, allowUnused: Bool? = nil,
                            materializeGrads: Bool = false) throws -> [Tensor?] {
        guard !inputs.isEmpty else { throw TorchError.runtime("`inputs` argument to `grad()` cannot be empty.") }
        let unusedAllowed = allowUnused ?? materializeGrads
        if materializeGrads && !unusedAllowed {
            throw TorchError.value("Expected allow_unused to be True or not passed when materialize_grads=True, but got: allow_unused=False.")
        }
        let seeds = try makeSeeds(outputs, gradOutputs ?? [Tensor?](repeating: nil, count: outputs.count))
        let roots = try rootEdges(outputs)
        let captures = try inputEdges(inputs)
        let grads = try recording(createGraph) {
            try runBackward(roots: roots, seeds: seeds, captures: captures, retainGraph: retainGraph ?? createGraph)
        }
        var result: [Tensor?] = []
        for (i, (input, g)) in zip(inputs, grads).enumerated() {
            if let g {
                result.append(g)
            } else if materializeGrads {
                result.append(try Tensor.zerosLike(input))
            } else if unusedAllowed {
                result.append(nil)
            } else {
                throw TorchError.runtime("The differentiated Tensor at index \(i) appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.")
            }
        }
        return result
    }

    /// One seed per output (PyTorch's `_make_grads`; extra gradients are ignored as zip does).
    private static func makeSeeds(_ outputs: [Tensor], _ gradients: [Tensor?]) throws -> [Tensor] {
        guard gradients.count >= outputs.count else {
            throw TorchError.runtime("got \(outputs.count) tensors and \(gradients.count) gradients")
        }
        return try outputs.enumerated().map { i, out in
            // An output that does not require grad is reported by `rootEdges`; its seed is unused.
            if gradients[i] == nil && !out.requiresGrad { return try Tensor(shape: [], dtype: out.dtype) }
            return try seed(for: out, gradients[i], index: i)
        }
    }

    private static func rootEdges(_ outputs: [Tensor]) throws -> [Node] {
        try outputs.enumerated().map { i, out in
            guard out.requiresGrad, let edge = out.gradEdge else {
                throw TorchError.runtime("element \(i) of tensors does not require grad and does not have a grad_fn")
            }
            return edge
        }
    }

    private static func inputEdges(_ inputs: [Tensor]) throws -> [Node] {
        try inputs.map { t in
            guard t.requiresGrad, let edge = t.gradEdge else {
                throw TorchError.runtime("One of the differentiated Tensors does not require grad")
            }
            return edge
        }
    }
}

/// Runs the graph from `root` with `seed`, accumulating into the leaves' `.grad`.
func runBackward(from root: Node, seed: Tensor, retainGraph: Bool) throws {
    _ = try runBackward(roots: [root], seeds: [seed], captures: nil, retainGraph: retainGraph)
}

/// Runs the graph from `roots` in dependency order (each node after all its consumers).
/// Without `captures`, every node runs and leaves accumulate into `.grad`. With `captures`, the
/// gradient reaching each captured node is returned instead (nil when none reached it), no
/// leaf's `.grad` changes, and only the nodes that lead to a captured node run.
/// Per-node bookkeeping (consumer count, pending gradient) lives in arrays indexed by a node
/// number assigned during the discovery walk; only that walk uses a dictionary.
func runBackward(roots: [Node], seeds: [Tensor], captures: [Node]?, retainGraph: Bool) throws -> [Tensor?] {
    var index: [ObjectIdentifier: Int] = [:]
    var nodes: [Node] = []
    var dependencies: [Int] = []
    for r in roots where index[ObjectIdentifier(r)] == nil {
        index[ObjectIdentifier(r)] = nodes.count
        nodes.append(r)
        dependencies.append(0)
    }
    var childIndex: [[Int]] = []
    var k = 0
    while k < nodes.count {
        let node = nodes[k]
        var children: [Int] = []
        children.reserveCapacity(node.next.count)
        for child in node.next {
            guard let child else { children.append(-1); continue }
            let id = ObjectIdentifier(child)
            let c: Int
            if let known = index[id] {
                c = known
            } else {
                c = nodes.count
                index[id] = c
                nodes.append(child)
                dependencies.append(0)
            }
            dependencies[c] += 1
            children.append(c)
        }
        childIndex.append(children)
        k += 1
    }
    // Which nodes run: all, or (capturing) those from which a captured node can be reached.
    var captured = [Bool](repeating: false, count: nodes.count)
    var runs = [Bool](repeating: true, count: nodes.count)
    if let captures {
        for c in captures { if let i = index[ObjectIdentifier(c)] { captured[i] = true } }
        var remaining = dependencies, order: [Int] = [], stack = roots.compactMap { index[ObjectIdentifier($0)] }
        var queued = [Bool](repeating: false, count: nodes.count)
        stack = stack.filter { i in
            guard remaining[i] == 0, !queued[i] else { return false }
            queued[i] = true
            return true
        }
        while let n = stack.popLast() {
            order.append(n)
            for c in childIndex[n] where c >= 0 {
                remaining[c] -= 1
                if remaining[c] == 0 { stack.append(c) }
            }
        }
        var leads = captured
        for n in order.reversed() where !leads[n] {
            leads[n] = childIndex[n].contains { $0 >= 0 && leads[$0] }
        }
        for n in 0..<nodes.count { runs[n] = childIndex[n].contains { $0 >= 0 && leads[$0] } }
    }
    var pending = [Tensor?](repeating: nil, count: nodes.count)
    var ready: [Int] = []
    for (r, seed) in zip(roots, seeds) {
        guard let i = index[ObjectIdentifier(r)] else { continue }
        if let existing = pending[i] {
            pending[i] = try existing.addingSameShape(seed)
        } else {
            pending[i] = seed
            if dependencies[i] == 0 { ready.append(i) }
        }
    }
    var results = [Tensor?](repeating: nil, count: nodes.count)
    // `.grad` updates wait until every node has run: a pass stopped half-way (Ctrl-C in a kernel,
    // an error) leaves every `.grad` as it was.
    var updates = GradUpdates()
    while let n = ready.popLast() {
        let node = nodes[n]
        let incoming = pending[n]
        pending[n] = nil
        var gradsIn: [Tensor?] = []
        if var gradOut = incoming {
            let hooks = node.leaf.map(GradHook.registered(on:)) ?? node.gradHooks
            for hook in hooks {
                if let replaced = try hook.body(gradOut) { gradOut = replaced }
            }
            if captured[n] { results[n] = gradOut }
            if let leaf = node.leaf {
                if captures == nil { updates.add(gradOut, into: leaf) }
            } else {
                if let retained = node.retainedOutput, retained.retainsGrad {
                    updates.add(gradOut, into: retained)
                }
                if runs[n] {
                    guard let fn = node.backwardFn else {
                        throw TorchError.runtime("Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.")
                    }
                    let outer = Node.running
                    Node.running = node
                    defer { Node.running = outer }
                    do { gradsIn = try fn(gradOut) } catch { throw SavedTensor.naming(error, producer: node.name) }
                    if AnomalyMode.isEnabled { try AnomalyMode.check(node.name, gradsIn) }
                    if !retainGraph && node.savesTensors { node.backwardFn = nil }
                }
            }
        }
        for (i, c) in childIndex[n].enumerated() where c >= 0 {
            if i < gradsIn.count, let g = gradsIn[i] {
                if let existing = pending[c] {
                    pending[c] = try existing.addingSameShape(g)
                } else {
                    pending[c] = g
                }
            }
            dependencies[c] -= 1
            if dependencies[c] == 0 { ready.append(c) }
        }
    }
    try updates.apply()
    guard let captures else { return [] }
    return captures.map { c in index[ObjectIdentifier(c)].flatMap { results[$0] } }
}

/// The `.grad` accumulations of one backward pass, applied together at its end.
private struct GradUpdates {
    private var targets: [Tensor] = []
    private var grads: [Tensor?] = []

    mutating func add(_ g: Tensor, into t: Tensor) {
        targets.append(t)
        grads.append(g)
    }

    /// Accumulates in the order the pass reached them; each gradient is released from the list
    /// first, so a sole reference can still be adopted as `.grad` without a copy.
    mutating func apply() throws {
        for i in grads.indices {
            guard var g = grads[i] else { continue }
            grads[i] = nil
            try accumulate(&g, into: targets[i])
        }
    }
}

/// Adds a gradient into `.grad`, in place when one exists (as PyTorch's AccumulateGrad). A first
/// gradient is adopted without a copy when nothing else references it or its storage (PyTorch
/// steals such gradients too), so a training step doesn't clone every weight gradient.
func accumulate(_ g: inout Tensor, into t: Tensor) throws {
    if GradMode.isEnabled && g.requiresGrad {
        // backward(create_graph=True): `.grad` keeps the gradient's graph, summed out of place.
        t.grad = try t.grad.map { try $0.add(g) } ?? g
        return
    }
    if let existing = t.grad {
        try existing.addInPlaceForGrad(g)
    } else if releaseUnsharedBase(&g) && isKnownUniquelyReferenced(&g.storage)
                && g.gradFn == nil && g.storageOffset == 0 && g.storage.count == g.numel && g.isContiguous
                && g.dtype == t.dtype && g.shape == t.shape {
        g.leafRequiresGrad = false
        t.grad = g
    } else {
        t.grad = try g.cloned()
    }
}

/// True when `g` is referenced only here; a view of it is then cut from a base that nothing else
/// holds (linear's weight gradient is the transpose of a transposed buffer), so the storage can be
/// found unshared and adopted. The view keeps its base's version.
private func releaseUnsharedBase(_ g: inout Tensor) -> Bool {
    guard isKnownUniquelyReferenced(&g) else { return false }
    guard var root = g.base else { return true }
    g.base = nil
    guard isKnownUniquelyReferenced(&root) else {
        g.base = root
        return true
    }
    g.versionCounter = root.versionCounter
    g.viewCreation = .normal
    return true
}

/// A tensor hook (`t.register_hook(fn)`): gets the gradient flowing into the tensor and may
/// return a replacement. Leaves keep theirs in a side table (their AccumulateGrad node is made
/// lazily and held weakly); non-leaves on the node that produced them.
public final class GradHook {
    let body: (Tensor) throws -> Tensor?
    init(_ body: @escaping (Tensor) throws -> Tensor?) { self.body = body }

    /// The hooks of one leaf, kept with a weak reference so a dead tensor's entry is recognised.
    private final class LeafEntry {
        weak var tensor: Tensor?
        var hooks: [GradHook] = []
        init(_ t: Tensor) { tensor = t }
    }
    nonisolated(unsafe) private static var leaves: [ObjectIdentifier: LeafEntry] = [:]

    static func registered(on leaf: Tensor) -> [GradHook] {
        guard let e = leaves[ObjectIdentifier(leaf)], e.tensor === leaf else { return [] }
        return e.hooks
    }

    /// `register_hook(hook)` with PyTorch's check; returns the hook (its handle removes it).
    public static func register(on t: Tensor, _ body: @escaping (Tensor) throws -> Tensor?) throws -> GradHook {
        guard t.requiresGrad else {
            throw TorchError.runtime("cannot register a hook on a tensor that doesn't require gradient")
        }
        let hook = GradHook(body)
        if let node = t.gradFn {
            node.gradHooks.append(hook)
        } else {
            leaves = leaves.filter { $0.value.tensor != nil }
            let id = ObjectIdentifier(t)
            let entry = leaves[id].flatMap { $0.tensor === t ? $0 : nil } ?? LeafEntry(t)
            entry.hooks.append(hook)
            leaves[id] = entry
        }
        return hook
    }

    /// `handle.remove()`: the hook no longer runs (on `t`, where it was registered).
    public func remove(from t: Tensor) {
        t.storedGradFn?.gradHooks.removeAll { $0 === self }
        if let e = GradHook.leaves[ObjectIdentifier(t)], e.tensor === t { e.hooks.removeAll { $0 === self } }
    }
}
