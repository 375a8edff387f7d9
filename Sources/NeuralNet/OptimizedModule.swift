import TensorRuntime

/// What `torch.compile(model)` returns for a module: PyTorch's `OptimizedModule`, a module whose
/// only child `_orig_mod` is the model (so `state_dict` keys gain the `_orig_mod.` prefix) and
/// whose call runs the model unchanged — nnrepl has no graph compiler. Attributes the wrapper
/// lacks are read from the model (the bindings' attribute fallback).
public final class OptimizedModule: Module {
    public init(_ original: Module) throws {
        super.init()
        try addModule("_orig_mod", original)
    }

    /// The compiled model.
    public var original: Module? { ownModules["_orig_mod"] ?? nil }

    override public var pythonModuleName: String { "torch._dynamo.eval_frame" }

    override public func forward(arguments: [Any], keywords: [(String, Any)]) throws -> Any {
        guard let original else { throw TorchError(.attributeError, "'OptimizedModule' object has no attribute '_orig_mod'") }
        return try original.call(arguments: arguments, keywords: keywords)
    }
}
