import NNLang
import TensorRuntime
import NeuralNet

/// The torch bindings: implements `Host` for the interpreter and builds the importable modules
/// (`torch`, `torch.nn`, `torch.nn.functional`, `torch.nn.init`, `torch.optim`,
/// `torch.optim.lr_scheduler`, `torchvision`, `torchvision.models`, `math`, `random`, `time`).
public final class TorchHost: Host {
    /// `torch.Tensor` (and `nn.Parameter` is a subtype of it).
    let tensorType = HostType("Tensor", check: { v in
        if case .tensor = v { return true }
        return false
    }, construct: { a, ev in
        // The legacy constructor: `torch.Tensor([1, 2])` (float32 data) or `torch.Tensor(2, 3)` (a shape).
        guard a.keywords.isEmpty else { throw PyError(.typeError, "Tensor() takes no keyword arguments") }
        if a.positional.count == 1, ev.sequenceItems(a.positional[0]) != nil || a.positional[0].isTensor {
            return .tensor(try TensorFactory.tensor(from: a.positional[0], dtype: .float32, ev))
        }
        let shape = a.positional.isEmpty ? [0] : try Convert.shape(a.positional, ev)
        return .tensor(try Tensor.zeros(shape, dtype: .float32))
    })
    private var modules: [String: Value] = [:]
    private let moduleBase: PyType

    /// - Parameter moduleBase: the interpreter's `nn.Module` type object.
    public init(moduleBase: PyType) {
        self.moduleBase = moduleBase
        ModuleMethods.installBridges()
        // A fresh host is a fresh torch: float32 is the default float type again, anomaly detection and inference mode off.
        DType.defaultFloat = .float32
        AnomalyMode.isEnabled = false
        AnomalyMode.checksNaN = true
        InferenceMode.isEnabled = false
    }

    /// Builds a module the first time it is imported.
    public func importModule(_ dottedName: String, _ ev: Evaluator) throws -> Value? {
        if let m = modules[dottedName] { return m }
        let made = try buildModule(dottedName, ev)
        if case .object(let ns as Namespace)? = made { ClassModules.assign(in: ns) }
        return made
    }

    private func buildModule(_ dottedName: String, _ ev: Evaluator) throws -> Value? {
        let made: Value?
        switch dottedName {
        case "torch":
            let torch = TorchNamespace.make(self)
            modules["torch"] = .object(torch)
            torch["nn"] = try importModule("torch.nn", ev)
            torch["optim"] = try importModule("torch.optim", ev)
            torch["autograd"] = try importModule("torch.autograd", ev)
            torch["utils"] = try importModule("torch.utils", ev)
            torch["distributions"] = try importModule("torch.distributions", ev)
            return .object(torch)
        case "torch.nn":
            let nn = NNNamespace.make(tensorType: tensorType, moduleBase: moduleBase)
            modules["torch.nn"] = .object(nn)
            TorchSubmodules.install(in: nn, &modules)
            for sub in ["functional", "init", "utils"] {
                if let v = nn[sub] { modules["torch.nn." + sub] = v }
            }
            if case .object(let utils as Namespace)? = nn["utils"] {
                for sub in ["rnn", "prune", "stateless", "parametrize", "parametrizations"] { if let v = utils[sub] { modules["torch.nn.utils." + sub] = v } }
            }
            return .object(nn)
        case "torch.nn.functional", "torch.nn.init", "torch.nn.utils", "torch.nn.utils.rnn", "torch.nn.utils.prune", "torch.nn.utils.stateless":
            _ = try importModule("torch.nn", ev)
            return modules[dottedName]
        case _ where dottedName.hasPrefix("torch.nn.") || dottedName.hasPrefix("torch.optim.") || dottedName.hasPrefix("torch.utils."):
            // Submodules made with their parent (TorchSubmodules).
            for parent in ["torch.nn", "torch.optim", "torch.utils"] where dottedName.hasPrefix(parent + ".") {
                _ = try importModule(parent, ev)
            }
            return modules[dottedName]
        case "torch.optim":
            let optim = OptimNamespace.make()
            modules["torch.optim"] = .object(optim)
            TorchSubmodules.install(in: optim, &modules)
            for sub in ["lr_scheduler", "swa_utils"] { if let v = optim[sub] { modules["torch.optim." + sub] = v } }
            return .object(optim)
        case "torch.utils", "torch.utils.data":
            let (utils, data) = DataNamespace.make()
            modules["torch.utils"] = .object(utils)
            modules["torch.utils.data"] = .object(data)
            modules["torch.utils.checkpoint"] = utils["checkpoint"]
            TorchSubmodules.install(in: data, &modules)
            return modules[dottedName]
        case "torch.optim.lr_scheduler", "torch.optim.swa_utils":
            _ = try importModule("torch.optim", ev)
            return modules[dottedName]
        case "torchvision":
            let tv = Namespace("torchvision")
            tv["__version__"] = .str("0.30.0")
            modules["torchvision"] = .object(tv)
            tv["models"] = try importModule("torchvision.models", ev)
            tv["transforms"] = try importModule("torchvision.transforms", ev)
            return .object(tv)
        case "matplotlib", "matplotlib.pyplot":
            let (mpl, plt) = MatplotlibModule.make()
            modules["matplotlib"] = .object(mpl)
            modules["matplotlib.pyplot"] = .object(plt)
            return modules[dottedName]
        case "torch.distributions":
            made = .object(DistributionsNamespace.make())
            if case .object(let ns as Namespace)? = made {
                for sub in DistributionsNamespace.submodules { modules["torch.distributions." + sub] = ns[sub] }
            }
        case _ where dottedName.hasPrefix("torch.distributions."):
            _ = try importModule("torch.distributions", ev)
            return modules[dottedName]
        case "torch.linalg", "torch.testing", "torch.func":
            guard case .object(let torch as Namespace)? = try importModule("torch", ev) else { return nil }
            made = torch[String(dottedName.dropFirst("torch.".count))]
        case "torch.autograd": made = .object(AutogradNamespace.make())
        case "torch.autograd.functional":
            guard case .object(let autograd as Namespace)? = try importModule("torch.autograd", ev) else { return nil }
            made = autograd["functional"]
        case "torch.autograd.function":
            guard case .object(let autograd as Namespace)? = try importModule("torch.autograd", ev) else { return nil }
            made = autograd["function"]
        case "torchvision.models": made = .object(TorchvisionNamespace.make(moduleBase: moduleBase))
        case "torchvision.transforms": made = .object(TorchvisionTransforms.make())
        default: made = nil
        }
        if let made { modules[dottedName] = made }
        return made
    }

    // MARK: Tensors

    public func tensorAttribute(_ t: Tensor, _ name: String, _ ev: Evaluator) throws -> Value? {
        try TensorMethods.attribute(t, name, ev)
    }

    public func setTensorAttribute(_ t: Tensor, _ name: String, _ value: Value, _ ev: Evaluator) throws {
        try TensorMethods.setProperty(t, name, value, ev)
    }

    public func tensorBinary(_ op: BinaryOperator, _ lhs: Value, _ rhs: Value, _ ev: Evaluator) throws -> Value? {
        try TensorOperators.binary(op, lhs, rhs, ev)
    }

    public func tensorCompare(_ op: ComparisonOperator, _ lhs: Value, _ rhs: Value, _ ev: Evaluator) throws -> Value? {
        try TensorOperators.compare(op, lhs, rhs, ev)
    }

    public func tensorUnary(_ op: UnaryOperator, _ t: Tensor, _ ev: Evaluator) throws -> Value {
        try TensorOperators.unary(op, t)
    }

    public func tensorGetItem(_ t: Tensor, _ key: Value, _ ev: Evaluator) throws -> Value {
        try TensorOperators.getItem(t, key, ev)
    }

    public func tensorSetItem(_ t: Tensor, _ key: Value, _ value: Value, _ ev: Evaluator) throws {
        try TensorOperators.setItem(t, key, value, ev)
    }

    public func tensorRepr(_ t: Tensor) -> String { t.repr }

    public func tensorFormat(_ t: Tensor, spec: String, _ ev: Evaluator) throws -> String {
        try TensorOperators.format(t, spec: spec, ev)
    }

    public func tensorTruthiness(_ t: Tensor) throws -> Bool { try TensorOperators.truthiness(t) }
    public func tensorLength(_ t: Tensor) throws -> Int { try TensorOperators.length(t) }
    public func tensorIterate(_ t: Tensor) throws -> [Value] { try TensorOperators.iterate(t) }
    public func tensorAttributeNames() -> [String] { TensorMethods.attributeNames }
    public func moduleAttributeNames(_ m: Module) -> [String] { ModuleMethods.attributeNames(m) }

    // MARK: Modules

    public func moduleAttribute(_ m: Module, _ name: String, _ ev: Evaluator) throws -> Value? {
        try ModuleMethods.attribute(m, name, ev)
    }

    public func setModuleAttribute(_ m: Module, _ name: String, _ value: Value, _ ev: Evaluator) throws {
        try ModuleMethods.setAttribute(m, name, value, ev)
    }

    // Container behaviour is the built-in layer's, also for a script class deriving from one.

    public func moduleGetItem(_ m: Module, _ key: Value, _ ev: Evaluator) throws -> Value {
        try LayerSubclassing.getItem(m, key, ev)
    }

    public func moduleSetItem(_ m: Module, _ key: Value, _ value: Value, _ ev: Evaluator) throws {
        try LayerSubclassing.withNative(m, "__setitem__") { try ModuleContainerBindings.setItem($0, key, value, ev) }
    }

    public func moduleDeleteItem(_ m: Module, _ key: Value, _ ev: Evaluator) throws {
        try LayerSubclassing.withNative(m, "__delitem__") { try ModuleContainerBindings.deleteItem($0, key, ev) }
    }

    public func moduleLength(_ m: Module) throws -> Int {
        try LayerSubclassing.withNative(m, "__len__", ModuleContainerBindings.length)
    }

    public func moduleIterate(_ m: Module) throws -> [Value] {
        try LayerSubclassing.withNative(m, "__iter__", ModuleContainerBindings.iterate)
    }
    public func moduleType(_ m: Module) -> PyType? { ModuleMethods.type(of: m) }
    public func objectType(_ v: Value) -> PyType? { ClassModules.declaredType(of: v) }
}
