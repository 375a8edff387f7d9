import TensorRuntime
import NeuralNet

/// An instance of a script class deriving from `nn.Module`: a NeuralNet `Module` (so parameters,
/// buffers, children, hooks, state_dict and repr follow PyTorch) that also holds its script
/// class and its plain Python attributes (`__dict__`). Calling it runs `Module.call` (hooks)
/// and then the script's `forward` method.
///
/// An instance of a class deriving from a built-in layer (`class MaskedLinear(nn.Linear)`) also
/// holds that layer, built by `super().__init__(…)`: see ScriptModule+NativeBase.swift.
public final class ScriptModule: Module {
    let cls: PyClass
    /// Plain attributes (`self.x = 3`, unregistered tensors …) in assignment order.
    var dict = NameTable()
    /// The built-in layer this module derives from, once `super().__init__(…)` has built it.
    public internal(set) var nativeBase: Module?
    private let interpreterReference: InterpreterReference
    var interpreter: Interpreter? { interpreterReference.interpreter }

    init(cls: PyClass, interpreter: Interpreter) {
        self.cls = cls
        interpreterReference = interpreter.reference
        super.init(uninitialised: ())
    }

    /// The script class name.
    public var className: String { cls.name }

    public override var typeName: String { cls.name }
    public override var pythonModuleName: String { "__main__" }

    public override func hasPlainAttribute(_ name: String) -> Bool {
        dict.contains(name) || cls.lookup(name) != nil || super.hasPlainAttribute(name)
    }

    @discardableResult
    public override func removePlainAttribute(_ name: String) -> Bool {
        let mine = dict.removeValue(forKey: name) != nil
        return super.removePlainAttribute(name) || mine
    }

    public override var hyperparameters: [(String, HyperValue)] { nativeBase?.hyperparameters ?? [] }

    public override func setHyperparameter(_ name: String, _ value: HyperValue) throws -> Bool {
        try nativeBase?.setHyperparameter(name, value) ?? false
    }

    public override var reprCollapsesRepeatedChildren: Bool { nativeBase?.reprCollapsesRepeatedChildren ?? false }

    public override func extraRepr() -> String {
        guard let interp = interpreter, let f = cls.lookup("extra_repr"),
              case .object(let o) = f, o is PyFunction,
              let r = try? interp.call(f, Arguments([.module(self)])), case .str(let s) = r else {
            return nativeBase == nil ? super.extraRepr() : withNativeBase { $0.extraRepr() }
        }
        return s
    }

    public override func forward(arguments: [Any], keywords: [(String, Any)]) throws -> Any {
        guard let interp = interpreter else { throw PyError(.runtimeError, "interpreter is gone") }
        let forward = dict["forward"] ?? cls.lookup("forward").map { bindClassAttribute($0, to: .module(self), cls: cls) }
        guard let f = forward else {
            if nativeBase != nil { return try withNativeBase { try $0.forward(arguments: arguments, keywords: keywords) } }
            throw TorchError(.notImplementedError, "Module [\(typeName)] is missing the required \"forward\" function")
        }
        let args = Arguments(arguments.map(Interpreter.valueFromAny), keywords: keywords.map { ($0.0, Interpreter.valueFromAny($0.1)) })
        return try interp.call(f, args)
    }
}

/// The `nn.Module` type object: the base of script module classes, `isinstance(x, nn.Module)`
/// for every module, and `nn.Module()` itself. The torch bindings expose `Interpreter.moduleBaseType`.
public final class ModuleBaseType: PyType {
    public static let shared = ModuleBaseType()

    private init() { super.init(name: "Module") }

    public override func isInstance(_ value: Value) -> Bool {
        if case .module = value { return true }
        return false
    }

    public override func repr(_ ev: Evaluator) throws -> String { "<class 'torch.nn.modules.module.Module'>" }

    public override func call(_ args: Arguments, _ ev: Evaluator) throws -> Value {
        _ = try args.bind("Module.__init__", [])
        return .module(Module())
    }

    public override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "__name__", "__qualname__": return .str("Module")
        case "__module__": return .str("torch.nn.modules.module")
        default:
            // `nn.Module.builtinMethod(self, ...)`: an unbound method taking the module first.
            guard name == "__init__" || Module.memberNames.contains(name) else { return nil }
            return .object(NativeMethod(name) { receiver, a, ev in
                guard let interp = ev as? Interpreter else { return .none }
                guard let m = interp.nativeModuleAttribute(receiver, name) else {
                    throw PyError(.attributeError, "type object 'Module' has no attribute '\(name)'")
                }
                return try ev.call(m, a)
            })
        }
    }

    public override func attributeNames() -> [String] { Module.memberNames.sorted() }
}
