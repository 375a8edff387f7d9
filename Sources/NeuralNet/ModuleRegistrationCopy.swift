/// Copying one module's registrations onto another: how a script class deriving from a built-in
/// layer (`class MaskedLinear(nn.Linear)`) keeps the layer it wraps seeing its own parameters.
extension Module {
    /// Makes this module's parameters, buffers (and which are non-persistent), children, plain
    /// attributes (`parameter(_:)` reads recomputed weights there) and training flag those of
    /// `other` — the same tensor and module objects, in the same order.
    /// The maps are copy-on-write values, so this costs a few reference-count updates.
    public func copyRegistrations(from other: Module) {
        ownParameters = other.ownParameters
        ownBuffers = other.ownBuffers
        nonPersistentBuffers = other.nonPersistentBuffers
        ownModules = other.ownModules
        instanceAttributes = other.instanceAttributes
        training = other.training
        isInitialised = true
    }
}
