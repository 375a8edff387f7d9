import NNLang

/// The torch bindings' declarations for tools outside the language (the REPL's `:help` and
/// keyword completion): read from the same declarations that bind the calls.
public enum TorchDeclarations {
    /// A `torch.nn` made once, to read its classes' declarations.
    nonisolated(unsafe) private static let nn = NNNamespace.make(tensorType: nil)

    /// `nn.Module` is the interpreter's own type object; its constructor takes anything.
    private static let module = Declaration(name: "Module", signature: Signature("*args, **kwargs"),
                                            doc: "Base class of every layer and model: subclass it, create layers in __init__, compute in forward.")

    /// The declaration of `nn.<name>` (`Linear`, `CrossEntropyLoss` …), or nil.
    public static func nnClass(_ name: String) -> Declaration? {
        name == "Module" ? module : nn[name]?.declaration
    }

    /// The names of `torch.nn`'s classes.
    public static var nnClassNames: [String] {
        nn.attributeNames().filter { $0.first?.isUppercase == true }
    }

    /// The declaration of the tensor method `x.<name>` (without `input`), or nil.
    public static func tensorMethod(_ name: String) -> Declaration? {
        guard let (op, _) = TensorMethods.table.methods[name] else { return nil }
        return Declaration(name: name, signature: op.methodSignature, doc: op.doc)
    }
}
