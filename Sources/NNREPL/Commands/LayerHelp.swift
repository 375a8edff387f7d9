import Foundation
import NNLang
import TorchBindings

/// `:help Linear`: the `torch.nn` classes' signatures and descriptions, read from their single
/// declarations in TorchBindings (the same text that binds the constructor's arguments).
enum LayerHelp {
    struct Entry {
        /// `nn.Linear(in_features, out_features, bias=True, device=None, dtype=None)`.
        let signature: String
        let description: String
        /// The names the constructor takes by keyword (for completion).
        let keywordNames: [String]
    }

    /// Every `torch.nn` class name.
    static var names: [String] { TorchDeclarations.nnClassNames }

    /// The entry for `topic` (`Linear`, `nn.Linear`, `torch.nn.Linear`); nil when unknown.
    static func entry(for topic: String) -> Entry? {
        var name = Substring(topic)
        for prefix in ["torch.nn.", "nn."] where name.hasPrefix(prefix) { name = name.dropFirst(prefix.count) }
        guard let d = TorchDeclarations.nnClass(String(name)) else { return nil }
        return Entry(signature: "nn.\(d.name)(\(d.signature.text))", description: d.doc, keywordNames: d.signature.keywordNames)
    }
}
