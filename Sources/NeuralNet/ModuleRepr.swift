/// `Module.__repr__` exactly as PyTorch builds it (reference §3).
extension Module: CustomStringConvertible {
    public var description: String { reprString() }

    /// `repr(module)`. Containers with special rules (ModuleList) override `childReprLines()`.
    public func reprString() -> String {
        var lines: [String] = []
        let extra = extraRepr()
        if !extra.isEmpty { lines += extra.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
        let childLines = childReprLines()
        lines += childLines
        var main = typeName + "("
        if !lines.isEmpty {
            if lines.count == 1 && childLines.isEmpty {
                main += lines[0]
            } else {
                main += "\n  " + lines.joined(separator: "\n  ") + "\n"
            }
        }
        return main + ")"
    }

    /// `(key): repr(child)` for every `_modules` entry (`(nc): None` for None).
    func defaultChildReprLines() -> [String] {
        ownModules.items.map { name, child in
            "(" + name + "): " + addIndent(child?.reprString() ?? "None", 2)
        }
    }
}

/// PyTorch's `_addindent`: indents every line after the first by `spaces`.
func addIndent(_ s: String, _ spaces: Int) -> String {
    let parts = s.split(separator: "\n", omittingEmptySubsequences: false)
    if parts.count == 1 { return s }
    let pad = String(repeating: " ", count: spaces)
    return parts[0] + "\n" + parts.dropFirst().map { pad + $0 }.joined(separator: "\n")
}
