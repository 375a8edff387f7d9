/// A binding's single declaration as `help()`, `:help` and keyword completion see it: the name it
/// was declared under, its parameter list and a one-line description.
public struct Declaration {
    public let name: String
    public let signature: Signature
    public let doc: String

    public init(name: String, signature: Signature, doc: String) {
        self.name = name
        self.signature = signature
        self.doc = doc
    }

    /// `help(x)`'s text: `prefix + name(signature)` then the description, indented.
    public func helpText(prefix: String = "") -> String {
        "\(prefix)\(name)(\(signature.text))\n    \(doc)\n"
    }
}

extension Value {
    /// The declaration of a declared host function or type (`torch.sum`, `x.sum`, `nn.Linear`), or nil.
    public var declaration: Declaration? {
        guard case .object(let o) = self else { return nil }
        switch o {
        case let f as NativeFunction:
            guard let sig = f.signature else { return nil }
            return Declaration(name: f.name, signature: sig, doc: f.doc ?? "")
        case let t as HostType:
            guard let sig = t.signature else { return nil }
            return Declaration(name: t.name, signature: sig, doc: t.doc ?? "")
        default: return nil
        }
    }
}

extension Interpreter {
    /// What `help(v)` prints: the declaration of a host function or type, else the object's
    /// `__name__` and `__doc__` when it has a docstring, else a line saying there is none.
    public func helpText(for v: Value) throws -> String {
        if let d = v.declaration { return d.helpText() }
        let named = (try? getAttribute(v, "__name__")).flatMap { try? str($0) }
        let name = try named ?? repr(v)
        if let doc = try? getAttribute(v, "__doc__"), case .str(let text) = doc {
            return "\(name)\n    \(text)\n"
        }
        return "No documentation for \(name).\n"
    }
}
