import TensorRuntime

/// Traversal in PyTorch's orders: pre-order modules, identity de-duplication of shared modules
/// and tied parameters, post-order `apply`.
extension Module {
    // All traversals are iterative (an explicit stack, no native recursion), so a module tree of
    // any depth is walked without overflowing the stack, and dotted names are built on one
    // shared buffer (`DottedPath`), so a walk costs time linear in the size of its output.

    /// `named_modules(prefix='', remove_duplicate=True)`: pre-order, root named `prefix`.
    public func namedModules(prefix: String = "", removeDuplicate: Bool = true) -> [(String, Module)] {
        var out: [(String, Module)] = []
        walk(removeDuplicate: removeDuplicate, path: DottedPath(prefix)) { m, path in out.append((path.string, m)) }
        return out
    }

    /// `modules()`.
    public func modules() -> [Module] {
        var out: [Module] = []
        walk(removeDuplicate: true, path: DottedPath(nil)) { m, _ in out.append(m) }
        return out
    }

    /// Whether `module` is `self` or below it. Every module below another has a larger
    /// `nestingDepth`, so branches whose bound is already at `module`'s cannot lead to it.
    func mayContain(_ module: Module) -> Bool {
        if module === self { return true }
        guard nestingDepth < module.nestingDepth else { return false }
        var seen = Set<ObjectIdentifier>()
        var stack = [self]
        while let m = stack.popLast() {
            for case let child?? in m.ownModules.values {
                if child === module { return true }
                if child.nestingDepth < module.nestingDepth && seen.insert(ObjectIdentifier(child)).inserted {
                    stack.append(child)
                }
            }
        }
        return false
    }

    /// Pre-order walk over `self` and its non-None descendants, skipping modules already visited
    /// when `removeDuplicate`. `visit` gets the module and its path (`a.b.c` under the root path
    /// `root`; nothing is tracked for `DottedPath(nil)`), and returns false to stop the walk.
    func walkUntil(removeDuplicate: Bool, path root: DottedPath, _ visit: (Module, DottedPath) throws -> Bool) rethrows {
        var path = root
        var memo = Set<ObjectIdentifier>()
        if removeDuplicate { memo.insert(ObjectIdentifier(self)) }
        guard try visit(self, path) else { return }
        var stack: [(items: [(key: String, value: Module?)], next: Int)] = [(ownModules.items, 0)]
        while let top = stack.indices.last {
            guard stack[top].next < stack[top].items.count else {
                stack.removeLast()
                if !stack.isEmpty { path.pop() }
                continue
            }
            let (name, child) = stack[top].items[stack[top].next]
            stack[top].next += 1
            guard let child else { continue }
            if removeDuplicate {
                guard memo.insert(ObjectIdentifier(child)).inserted else { continue }
            }
            path.push(name)
            guard try visit(child, path) else { return }
            stack.append((child.ownModules.items, 0))
        }
    }

    /// `walkUntil` for visitors that never stop early.
    func walk(removeDuplicate: Bool, path: DottedPath, _ visit: (Module, DottedPath) throws -> Void) rethrows {
        try walkUntil(removeDuplicate: removeDuplicate, path: path) { m, p in
            try visit(m, p)
            return true
        }
    }

    /// `named_children()`: direct children, skipping None and identity duplicates.
    public func namedChildren() -> [(String, Module)] {
        var seen = Set<ObjectIdentifier>()
        var out: [(String, Module)] = []
        for (name, child) in ownModules.items {
            guard let child, seen.insert(ObjectIdentifier(child)).inserted else { continue }
            out.append((name, child))
        }
        return out
    }

    /// `children()`.
    public func children() -> [Module] { namedChildren().map { $0.1 } }

    /// `named_parameters(prefix='', recurse=True, remove_duplicate=True)`.
    public func namedParameters(prefix: String = "", recurse: Bool = true, removeDuplicate: Bool = true) -> [(String, Tensor)] {
        namedMembers(prefix: prefix, recurse: recurse, removeDuplicate: removeDuplicate) { $0.ownParameters.items }
    }

    /// `parameters(recurse=True)`.
    public func parameters(recurse: Bool = true) -> [Tensor] { namedParameters(recurse: recurse).map { $0.1 } }

    /// `named_buffers(prefix='', recurse=True, remove_duplicate=True)` (non-persistent ones included).
    public func namedBuffers(prefix: String = "", recurse: Bool = true, removeDuplicate: Bool = true) -> [(String, Tensor)] {
        namedMembers(prefix: prefix, recurse: recurse, removeDuplicate: removeDuplicate) { $0.ownBuffers.items }
    }

    /// `buffers(recurse=True)`.
    public func buffers(recurse: Bool = true) -> [Tensor] { namedBuffers(recurse: recurse).map { $0.1 } }

    /// PyTorch's `_named_members`: each module's own non-None items, skipping tensors already seen.
    private func namedMembers(prefix: String, recurse: Bool, removeDuplicate: Bool,
                              _ members: (Module) -> [(key: String, value: Tensor?)]) -> [(String, Tensor)] {
        var memo = Set<ObjectIdentifier>()
        var out: [(String, Tensor)] = []
        func collect(_ module: Module, _ path: DottedPath) {
            for (name, value) in members(module) {
                guard let t = value else { continue }
                if removeDuplicate {
                    guard memo.insert(ObjectIdentifier(t)).inserted else { continue }
                }
                out.append((path.appending(name), t))
            }
        }
        if recurse {
            walk(removeDuplicate: removeDuplicate, path: DottedPath(prefix), collect)
        } else {
            collect(self, DottedPath(prefix))
        }
        return out
    }

    /// `apply(fn)`: children first (post-order, each child's subtree in turn), then `fn(self)`.
    /// A module reachable along several paths gets `fn` once per path, as in PyTorch.
    @discardableResult
    public func apply(_ fn: (Module) throws -> Void) rethrows -> Module {
        var stack: [(module: Module, children: [Module], next: Int)] = [(self, children(), 0)]
        while let top = stack.indices.last {
            if stack[top].next < stack[top].children.count {
                let child = stack[top].children[stack[top].next]
                stack[top].next += 1
                stack.append((child, child.children(), 0))
            } else {
                try fn(stack.removeLast().module)
            }
        }
        return self
    }

    /// `train(mode=True)`: sets `training` here and, through `children()`, everywhere below.
    /// (A non-bool mode is the interpreter's `ValueError("training mode is expected to be boolean")`.)
    @discardableResult
    public func train(_ mode: Bool = true) -> Module {
        for m in modules() { m.training = mode }
        return self
    }

    /// `eval()` = `train(False)`.
    @discardableResult
    public func eval() -> Module { train(false) }

    /// `requires_grad_(requires_grad=True)` on every parameter; returns self.
    @discardableResult
    public func requiresGrad_(_ flag: Bool = true) throws -> Module {
        for p in parameters() { try p.setRequiresGrad(flag) }
        return self
    }

    /// `zero_grad(set_to_none=True)`.
    public func zeroGrad(setToNone: Bool = true) {
        clearGradients(of: parameters(), setToNone: setToNone)
    }

    /// `get_submodule("a.b")`; `""` is self.
    public func getSubmodule(_ target: String) throws -> Module {
        if target.isEmpty { return self }
        var module = self
        for part in target.split(separator: ".", omittingEmptySubsequences: false).map(String.init) {
            guard module.hasAttribute(part) else {
                throw TorchError(.attributeError, "\(module.typeName) has no attribute `\(part)`")
            }
            guard case .module(let next?)? = module.lookupAttribute(part) else {
                throw TorchError(.attributeError, "`\(part)` is not an nn.Module")
            }
            module = next
        }
        return module
    }

    /// `to(device)`: only the CPU exists. Returns self.
    @discardableResult
    public func to(device: String) throws -> Module {
        try checkDevice(device)
        return self
    }
}

/// Validates a device string the way PyTorch on a CPU-only build does.
public func checkDevice(_ device: String) throws {
    let type = device.split(separator: ":", maxSplits: 1).first.map(String.init) ?? device
    switch type {
    case "cpu": return
    case "cuda":
        throw TorchError.runtime("Torch not compiled with CUDA enabled")
    case "mps", "xpu", "meta", "hip", "xla", "mtia":
        throw TorchError.runtime("Device type \(type) is not available in nnrepl (only cpu)")
    default:
        throw TorchError.runtime("Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at start of device string: \(device)")
    }
}

/// `zero_grad` for a list of parameters: drop `.grad`, or detach it and fill it with zeros.
func clearGradients(of params: [Tensor], setToNone: Bool) {
    for p in params {
        guard let g = p.grad else { continue }
        if setToNone {
            p.grad = nil
        } else {
            let zeroed = g.gradFn == nil ? g : g.detached()
            fillZero(zeroed)
            p.grad = zeroed
        }
    }
}

/// Sets every element of `t` to zero in place (any layout), bumping its version as `zero_()` does.
func fillZero(_ t: Tensor) {
    if t.isContiguous {
        let size = t.dtype.itemSize
        (t.storage.data + t.storageOffset * size).initializeMemory(as: UInt8.self, repeating: 0, count: t.numel * size)
        t.bumpVersion()
    } else {
        t.forEachStorageIndex { t.storage.setDouble(0, at: $0) }
    }
}

/// A dotted module path (`features.0.conv`) grown and shrunk in place during a walk, so naming
/// every module of a deep tree costs the size of the names handed out, not depth × depth.
/// `DottedPath(nil)` tracks nothing (walks that need no names).
struct DottedPath {
    private var bytes: [UInt8]
    private var marks: [Int] = []
    private let tracks: Bool
    /// `separatorAfter`: state_dict style (`prefix` + `name.` per level) instead of `a.b` joins.
    private let separatorAfter: Bool

    init(_ root: String?, separatorAfter: Bool = false) {
        bytes = root.map { Array($0.utf8) } ?? []
        tracks = root != nil
        self.separatorAfter = separatorAfter
    }

    /// Enters child `name`.
    mutating func push(_ name: String) {
        guard tracks else { return }
        marks.append(bytes.count)
        if separatorAfter {
            bytes.append(contentsOf: name.utf8)
            bytes.append(46)
        } else {
            if !bytes.isEmpty { bytes.append(46) }
            bytes.append(contentsOf: name.utf8)
        }
    }

    /// Leaves the innermost child.
    mutating func pop() {
        guard let mark = marks.popLast() else { return }
        bytes.removeSubrange(mark...)
    }

    /// The current path.
    var string: String { String(decoding: bytes, as: UTF8.self) }

    /// A member's full name: `path.name` (`name` at an empty path), or `path + name` for
    /// state_dict-style paths.
    func appending(_ name: String) -> String {
        if bytes.isEmpty { return name }
        if separatorAfter { return string + name }
        return string + "." + name
    }
}
