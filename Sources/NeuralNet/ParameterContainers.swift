import TensorRuntime

/// What `nn.ParameterList`/`nn.ParameterDict` hold under one key, as PyTorch's `setattr` stores it:
/// a tensor becomes a registered `nn.Parameter` (a plain tensor is wrapped as a new parameter that
/// requires grad), a module a child module, anything else a plain attribute (`instanceAttributes`).
public enum ParameterContainerEntry {
    case parameter(Tensor)
    case module(Module)
    /// Any other value (the interpreter's own value type), kept as a plain attribute.
    case object(Any)
    /// None (a parameter or child set to None).
    case none
}

/// Shared by `ParameterList` and `ParameterDict`: entries are attributes of the container named by
/// their key, so `named_parameters()` and `state_dict()` list them under that key.
open class ParameterContainer: Module {
    /// `type(value).__name__` of a plain entry for the repr (`Object of type: int`); the
    /// interpreter's bindings install their own.
    nonisolated(unsafe) public static var objectTypeName: (Any) -> String = { _ in "object" }

    override open var pythonModuleName: String { "torch.nn.modules.container" }

    /// Stores `entry` under `key` (`setattr(self, key, value)` after Parameter conversion).
    func store(_ key: String, _ entry: ParameterContainerEntry) throws {
        switch entry {
        case .parameter(let t):
            let p: Tensor
            if t.isParameter {
                p = t
            } else {
                p = t.detached()
                try p.markAsParameter()
            }
            try setAttribute(key, .parameter(p))
        case .module(let m):
            try setAttribute(key, .module(m))
        case .none:
            // A registered parameter or child becomes None; otherwise nothing is stored (reads give None).
            if try setAttribute(key, .none) == .plainAttribute { instanceAttributes.removeValue(forKey: key) }
        case .object(let value):
            _ = removeParameterEntry(key)
            _ = removeModuleEntry(key)
            instanceAttributes[key] = value
        }
    }

    /// The entry stored under `key`, if any.
    func entry(_ key: String) -> ParameterContainerEntry? {
        if let p = ownParameters[key] { return p.map { .parameter($0) } ?? .none }
        if let m = ownModules[key] { return m.map { .module($0) } ?? .none }
        if let v = instanceAttributes[key] { return .object(v) }
        return nil
    }

    /// Removes whatever is stored under `key`.
    func remove(_ key: String) {
        _ = removeParameterEntry(key)
        _ = removeModuleEntry(key)
        instanceAttributes.removeValue(forKey: key)
    }

    /// One line of the repr: `  (key): Parameter containing: [torch.float32 of size 2x3]`, with the
    /// dtype as `describe` prints it, or `  (key): Object of type: int`.
    func reprLine(_ key: String, _ describe: (DType) -> String) -> String {
        switch entry(key) {
        case .parameter(let p)?:
            let size = p.shape.map(String.init).joined(separator: "x")
            return "  (\(key)): Parameter containing: [\(describe(p.dtype)) of size \(size)]"
        case .module(let m)?:
            return "  (\(key)): Object of type: \(m.typeName)"
        case .object(let v)?:
            return "  (\(key)): Object of type: \(Self.objectTypeName(v))"
        case .none?, nil:
            return "  (\(key)): Object of type: NoneType"
        }
    }
}

/// `nn.ParameterList(values=None)`: a list whose entries are registered under "0", "1", …
/// (`named_parameters()` keys `0`, `1`). Prints dtypes as `torch.float32`.
public final class ParameterList: ParameterContainer {
    /// `len(self)` (PyTorch's `_size`).
    public private(set) var count = 0

    override public init() { super.init() }

    /// `self[i]` (negative from the end; `IndexError: index 5 is out of range`).
    public func item(at index: Int) throws -> ParameterContainerEntry {
        entry(String(try normalizedIndex(index, count: count))) ?? .none
    }

    /// `self[i] = value`.
    public func setItem(at index: Int, _ value: ParameterContainerEntry) throws {
        try store(String(try normalizedIndex(index, count: count)), value)
    }

    /// `append(value)`.
    public func append(_ value: ParameterContainerEntry) throws {
        try store(String(count), value)
        count += 1
    }

    /// The entries in order (`iter(self)`).
    public var entries: [ParameterContainerEntry] {
        (0..<count).map { entry(String($0)) ?? .none }
    }

    override public func extraRepr() -> String {
        (0..<count).map { reprLine(String($0)) { $0.name } }.joined(separator: "\n")
    }
}

/// `nn.ParameterDict(parameters=None)`: entries by string key in insertion order, each registered
/// under its key. Prints dtypes as `torch.FloatTensor`.
public final class ParameterDict: ParameterContainer {
    /// The keys in insertion order (PyTorch's `_keys`).
    public private(set) var keys: [String] = []

    override public init() { super.init() }

    public var count: Int { keys.count }
    public func contains(_ key: String) -> Bool { keys.contains(key) }

    /// `self[key]`; a missing key is PyTorch's AttributeError from `getattr`.
    public func item(_ key: String) throws -> ParameterContainerEntry {
        guard contains(key) else { throw missingAttributeError(key) }
        return entry(key) ?? .none
    }

    /// `self[key] = value`.
    public func setItem(_ key: String, _ value: ParameterContainerEntry) throws {
        try store(key, value)
        if !keys.contains(key) { keys.append(key) }
    }

    /// `del self[key]`; a missing key is a KeyError.
    public func deleteItem(_ key: String) throws {
        guard let i = keys.firstIndex(of: key) else { throw TorchError(.keyError, key) }
        keys.remove(at: i)
        remove(key)
    }

    /// `clear()`.
    public func clear() {
        for k in keys { remove(k) }
        keys.removeAll()
    }

    override public func extraRepr() -> String {
        keys.map { reprLine($0) { $0.legacyTypeName } }.joined(separator: "\n")
    }
}
