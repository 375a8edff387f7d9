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
    @discardableResult
    public func recordingGrad(_ name: String, inputs: [Tensor], savesTensors: Bool = true,
                              backward: @escaping (Tensor) throws -> [Tensor?]) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return self }
        gradFn = Node(name: name, next: inputs.map { $0.requiresGrad ? $0.gradEdge : nil },
                      savesTensors: savesTensors, backward: backward)
        return self
    }

    /// `backward(gradient=None, retain_graph=False)`.
    public func backward(gradient: Tensor? = nil, retainGraph: Bool = false) throws {
        guard requiresGrad, let rootEdge = gradEdge else {
            throw TorchError.runtime("element 0 of tensors does not require grad and does not have a grad_fn")
        }
        let seed: Tensor
        if let g = gradient {
            guard g.shape == shape else {
                throw TorchError.runtime("Mismatch in shape: grad_output[0] has a shape of torch.Size(\(shapeDescription(g.shape))) and output[0] has a shape of torch.Size(\(shapeDescription(shape))).")
            }
            seed = g
        } else {
            guard numel == 1 else { throw TorchError.runtime("grad can be implicitly created only for scalar outputs") }
            seed = try Tensor(shape: shape, dtype: dtype)
            seed.storage.setDouble(1, at: 0)
        }
        try GradMode.withNoGrad { try runBackward(from: rootEdge, seed: seed, retainGraph: retainGraph) }
    }
}

/// Runs the graph from `root` in dependency order (each node after all its consumers).
/// Per-node bookkeeping (consumer count, pending gradient) lives in arrays indexed by a node
/// number assigned during the discovery walk; only that walk uses a dictionary.
func runBackward(from root: Node, seed: Tensor, retainGraph: Bool) throws {
    var index: [ObjectIdentifier: Int] = [ObjectIdentifier(root): 0]
    var nodes: [Node] = [root]
    var dependencies: [Int] = [0]
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
    var pending = [Tensor?](repeating: nil, count: nodes.count)
    pending[0] = seed
    var ready: [Int] = [0]
    while let n = ready.popLast() {
        let node = nodes[n]
        guard var gradOut = pending[n] else { continue }
        pending[n] = nil
        if let leaf = node.leaf {
            try accumulate(&gradOut, into: leaf)
            continue
        }
        if let retained = node.retainedOutput, retained.retainsGrad {
            try accumulate(&gradOut, into: retained)
        }
        guard let fn = node.backwardFn else {
            throw TorchError.runtime("Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.")
        }
        let gradsIn: [Tensor?]
        do { gradsIn = try fn(gradOut) } catch { throw SavedTensor.naming(error, producer: node.name) }
        if !retainGraph && node.savesTensors { node.backwardFn = nil }
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
}

/// Adds a gradient into `.grad`, in place when one exists (as PyTorch's AccumulateGrad). A first
/// gradient is adopted without a copy when nothing else references it or its storage (PyTorch
/// steals such gradients too), so a training step doesn't clone every weight gradient.
private func accumulate(_ g: inout Tensor, into t: Tensor) throws {
    if let existing = t.grad {
        try existing.addInPlaceForGrad(g)
    } else if isKnownUniquelyReferenced(&g) && isKnownUniquelyReferenced(&g.storage)
                && g.gradFn == nil && g.storageOffset == 0 && g.storage.count == g.numel && g.isContiguous
                && g.dtype == t.dtype && g.shape == t.shape {
        g.leafRequiresGrad = false
        t.grad = g
    } else {
        t.grad = try g.cloned()
    }
}
