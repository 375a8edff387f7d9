import NeuralNet

/// Script classes deriving from a built-in layer (`class MaskedLinear(nn.Linear)`,
/// `class Seq(nn.Sequential)`): the instance is a `ScriptModule` holding the layer that
/// `super().__init__(…)` built (`nativeBase`), whose parameters, buffers and children it registers
/// as its own — the same objects, so `named_parameters()`, `state_dict()`, optimizers, `.to()` and
/// hooks see one module. The layer answers what the script class leaves out: `forward`,
/// `extra_repr`, hyperparameters (`self.in_features`), container indexing and methods.
///
/// The registrations live in the script module; each use of the layer (`withNativeBase`) first
/// copies them onto it (the script may have replaced `self.weight`, `.double()` converted it,
/// a pruning hook recomputed it) and copies them back afterwards (a container's `append`, a lazy
/// layer's first forward). The maps are copy-on-write, so a copy costs a few reference counts.
extension ScriptModule {
    /// `super().__init__(…)`: `Module.__init__` (registrations and hooks reset), then `base`'s
    /// registrations become this module's.
    public func adoptNativeBase(_ base: Module) {
        initialiseModuleState()
        copyRegistrations(from: base)
        nativeBase = base
    }

    /// Runs `body` on the built-in layer with this module's registrations (see the type's
    /// comment); on this module itself when there is no layer.
    public func withNativeBase<R>(_ body: (Module) throws -> R) rethrows -> R {
        guard let base = nativeBase else { return try body(self) }
        base.copyRegistrations(from: self)
        defer { copyRegistrations(from: base) }
        return try body(base)
    }

    /// The built-in layer type the class derives from (`nn.Linear`), nil for `nn.Module` itself.
    public var nativeLayerType: PyType? {
        cls.nativeRoot is ModuleBaseType ? nil : cls.nativeRoot
    }
}
