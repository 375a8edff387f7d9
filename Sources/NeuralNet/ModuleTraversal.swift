import TensorRuntime

/// Traversal in PyTorch's orders: pre-order modules, identity de-duplication of shared modules
/// and tied parameters, post-order `apply`.
extension Module {
    /// `named_modules(prefix='', remove_duplicate=True)`: pre-order, root named `prefix`.
    public func namedModules(prefix: String = "", removeDuplicate: Bool = true) -> [(String, Module)] {
        var out: [(String, Module)] = []
        var memo = Set<ObjectIdentifier>()
        collectModules(prefix: prefix, removeDuplicate: removeDuplicate, memo: &memo, into: &out)
        return out
    }

    private func collectModules(prefix: String, removeDuplicate: Bool, memo: inout Set<ObjectIdentifier>,
                                into out: inout [(String, Module)]) {
        if removeDuplicate {
            guard memo.insert(ObjectIdentifier(self)).inserted else { return }
        }
        out.append((prefix, self))
        for (name, child) in ownModules.items {
            guard let child else { continue }
            child.collectModules(prefix: prefix.isEmpty ? name : prefix + "." + name,
                                 removeDuplicate: removeDuplicate, memo: &memo, into: &out)
        }
    }

    /// `modules()`.
    public func modules() -> [Module] { namedModules().map { $0.1 } }

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
        let mods = recurse ? namedModules(prefix: prefix, removeDuplicate: removeDuplicate) : [(prefix, self)]
        var memo = Set<ObjectIdentifier>()
        var out: [(String, Tensor)] = []
        for (modPrefix, module) in mods {
            for (name, value) in members(module) {
                guard let t = value else { continue }
                if removeDuplicate {
                    guard memo.insert(ObjectIdentifier(t)).inserted else { continue }
                }
                out.append((modPrefix.isEmpty ? name : modPrefix + "." + name, t))
            }
        }
        return out
    }

    /// `apply(fn)`: children first (post-order, each child's subtree in turn), then `fn(self)`.
    @discardableResult
    public func apply(_ fn: (Module) throws -> Void) rethrows -> Module {
        for child in children() { try child.apply(fn) }
        try fn(self)
        return self
    }

    /// `train(mode=True)`: sets `training` here and, through `children()`, everywhere below.
    /// (A non-bool mode is the interpreter's `ValueError("training mode is expected to be boolean")`.)
    @discardableResult
    public func train(_ mode: Bool = true) -> Module {
        training = mode
        for child in children() { child.train(mode) }
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

/// Sets every element of `t` to zero in place (any layout).
func fillZero(_ t: Tensor) {
    if t.isContiguous {
        let size = t.dtype.itemSize
        (t.storage.data + t.storageOffset * size).initializeMemory(as: UInt8.self, repeating: 0, count: t.numel * size)
    } else {
        t.forEachStorageIndex { t.storage.setDouble(0, at: $0) }
    }
}
