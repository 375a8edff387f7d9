import TensorRuntime

/// Python's `slice.indices(count)` turned into the positions a slice selects.
public func pythonSlicePositions(count: Int, start: Int?, stop: Int?, step: Int?) throws -> [Int] {
    let step = step ?? 1
    guard step != 0 else { throw TorchError.value("slice step cannot be zero") }
    func clamp(_ v: Int?, _ defaultValue: Int, low: Int, high: Int) -> Int {
        guard var v else { return defaultValue }
        if v < 0 { v += count }
        return Swift.min(Swift.max(v, low), high)
    }
    var out: [Int] = []
    if step > 0 {
        var i = clamp(start, 0, low: 0, high: count)
        let end = clamp(stop, count, low: 0, high: count)
        while i < end { out.append(i); i += step }
    } else {
        var i = clamp(start, count - 1, low: -1, high: count - 1)
        let end = clamp(stop, -1, low: -1, high: count - 1)
        while i > end { out.append(i); i += step }
    }
    return out
}

/// Index checks shared by Sequential and ModuleList: negative indices count from the end,
/// out of range is `IndexError("index 5 is out of range")`.
func normalizedIndex(_ index: Int, count: Int) throws -> Int {
    guard index >= -count && index < count else { throw TorchError.index("index \(index) is out of range") }
    return index < 0 ? index + count : index
}

/// Operations common to Sequential and ModuleList, which keep children under keys "0", "1", ….
public protocol IndexedModuleContainer: Module {}

extension IndexedModuleContainer {
    /// `len(container)`.
    public var count: Int { ownModules.count }

    /// `container[i]` (negative allowed); nil for a None entry.
    public func item(at index: Int) throws -> Module? {
        let i = try normalizedIndex(index, count: count)
        return ownModules[ownModules.keys[i]] ?? nil
    }

    /// `container[i] = module`: replaces the entry in place, keeping its key and position.
    public func setItem(at index: Int, _ module: Module) throws {
        let i = try normalizedIndex(index, count: count)
        try setAttribute(ownModules.keys[i], .module(module))
    }

    /// `del container[i]`, then renumbers the keys 0..n-1.
    public func deleteItem(at index: Int) throws {
        let i = try normalizedIndex(index, count: count)
        ownModules.removeValue(forKey: ownModules.keys[i])
        renumber()
    }

    /// `del container[start:stop:step]`, then renumbers.
    public func deleteItems(start: Int?, stop: Int?, step: Int?) throws {
        let keys = ownModules.keys
        for p in try pythonSlicePositions(count: keys.count, start: start, stop: stop, step: step) {
            ownModules.removeValue(forKey: keys[p])
        }
        renumber()
    }

    /// `append(module)`: adds under key `str(len(self))`; returns self.
    @discardableResult
    public func append(_ module: Module) throws -> Self {
        try addModule(String(count), module)
        return self
    }

    /// `extend(modules)`.
    @discardableResult
    public func extend(_ modules: [Module]) throws -> Self {
        for m in modules { try append(m) }
        return self
    }

    /// `insert(index, module)`: shifts later entries up by one key.
    public func insert(_ module: Module, at index: Int) throws {
        let n = count
        var i = index
        if self is Sequential {
            guard -n <= index && index <= n else { throw TorchError.index("Index out of range: \(index)") }
            if i < 0 { i += n }
        } else {
            i = i < 0 ? Swift.max(0, i + n) : Swift.min(i, n)
        }
        try checkNoCycle(adding: module)
        try noteNesting(of: module)
        let values = ownModules.values
        var reordered = Array(values)
        reordered.insert(module, at: i)
        ownModules.removeAll()
        for (k, m) in reordered.enumerated() { ownModules[String(k)] = .some(m) }
    }

    /// The entries in order (`iter(container)`), skipping None.
    public var items: [Module] { ownModules.values.compactMap { $0 } }

    /// Re-keys the children "0", "1", … in their current order (after `del`).
    func renumber() {
        let values = ownModules.values
        ownModules.removeAll()
        for (i, m) in values.enumerated() { ownModules[String(i)] = .some(m) }
    }
}

/// `nn.Sequential`: children run in order, each through `call` (so their hooks fire).
public class Sequential: Module, IndexedModuleContainer {
    /// `Sequential(m0, m1, …)`: keys "0", "1", ….
    public init(_ modules: [Module]) {
        super.init()
        for (i, m) in modules.enumerated() {
            noteNestingUnchecked(of: m)
            ownModules[String(i)] = .some(m)
        }
    }

    /// `Sequential(OrderedDict([...]))`: children under the given names, with `add_module`'s checks.
    public init(named modules: [(String, Module)]) throws {
        super.init()
        for (name, m) in modules { try addModule(name, m) }
    }

    public convenience init(_ modules: Module...) { self.init(modules) }

    override public var pythonModuleName: String { "torch.nn.modules.container" }

    /// `seq[start:stop:step]`: a new Sequential holding the selected children under their keys.
    public func slice(start: Int?, stop: Int?, step: Int?) throws -> Sequential {
        let all = ownModules.items
        let seq = Sequential([])
        for p in try pythonSlicePositions(count: all.count, start: start, stop: stop, step: step) {
            seq.ownModules[all[p].key] = .some(all[p].value)
        }
        return seq
    }

    override public func forward(arguments: [Any], keywords: [(String, Any)]) throws -> Any {
        guard arguments.count == 1, keywords.isEmpty else {
            throw TorchError.type("Sequential.forward() takes 2 positional arguments but \(arguments.count + keywords.count + 1) were given")
        }
        var x = arguments[0]
        let children = ownModules.values
        var i = 0
        while i < children.count {
            guard let m = children[i] else { throw TorchError.type("'NoneType' object is not callable") }
            if i + 1 < children.count, let conv = m as? Conv2d, let next = children[i + 1],
               conv.fusesWithReLU(next), let input = ModuleValueBridge.tensor(from: x) {
                x = ModuleValueBridge.wrap(try conv.forwardFusingReLU(input))
                i += 2
                continue
            }
            x = try m.call(arguments: [x])
            i += 1
        }
        return x
    }

    override public func forward(_ input: Tensor) throws -> Tensor {
        let out = try forward(arguments: [ModuleValueBridge.wrap(input)], keywords: [])
        guard let t = ModuleValueBridge.tensor(from: out) else {
            throw TorchError.type("Sequential produced a non-tensor value")
        }
        return t
    }
}

/// `nn.ModuleList`: an indexable list of modules without a forward. Its repr collapses runs of
/// identical children (`(0-2): 3 x Linear(…)`).
public final class ModuleList: Module, IndexedModuleContainer {
    public init(_ modules: [Module] = []) {
        super.init()
        for (i, m) in modules.enumerated() {
            noteNestingUnchecked(of: m)
            ownModules[String(i)] = .some(m)
        }
    }

    override public var pythonModuleName: String { "torch.nn.modules.container" }

    /// `lst[start:stop:step]`: a new ModuleList, renumbered from 0.
    public func slice(start: Int?, stop: Int?, step: Int?) throws -> ModuleList {
        let values = ownModules.values
        let list = ModuleList()
        for (i, p) in try pythonSlicePositions(count: values.count, start: start, stop: stop, step: step).enumerated() {
            list.ownModules[String(i)] = .some(values[p])
        }
        return list
    }

    override public var reprCollapsesRepeatedChildren: Bool { true }
}

/// `nn.ModuleDict`: modules by string key, in insertion order.
public final class ModuleDict: Module {
    public init(_ modules: [(String, Module)] = []) throws {
        super.init()
        for (k, m) in modules { try addModule(k, m) }
    }

    override public var pythonModuleName: String { "torch.nn.modules.container" }

    public var count: Int { ownModules.count }
    public var keys: [String] { ownModules.keys }
    public var values: [Module] { ownModules.values.compactMap { $0 } }
    public func contains(_ key: String) -> Bool { ownModules.contains(key) }

    /// `d[key]`; a missing key is `KeyError` whose message is the raw key (Python shows `KeyError: 'b'`).
    public func item(_ key: String) throws -> Module? {
        guard let m = ownModules[key] else { throw TorchError(.keyError, key) }
        return m
    }

    /// `d[key] = module` (`add_module`'s checks).
    public func setItem(_ key: String, _ module: Module) throws { try addModule(key, module) }

    /// `del d[key]`.
    public func deleteItem(_ key: String) throws {
        guard ownModules.removeValue(forKey: key) != nil else { throw TorchError(.keyError, key) }
    }

    /// `d.pop(key)`.
    public func pop(_ key: String) throws -> Module? {
        let m = try item(key)
        ownModules.removeValue(forKey: key)
        return m
    }

    /// `d.clear()`.
    public func clear() { ownModules.removeAll() }

    /// `d.update(pairs)`.
    public func update(_ modules: [(String, Module)]) throws {
        for (k, m) in modules { try addModule(k, m) }
    }
}
