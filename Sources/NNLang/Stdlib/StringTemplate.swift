/// `string.Template` (`$name`, `${name}`, `$$`; `substitute` and `safe_substitute` with
/// CPython's errors) and `string.capwords`.
extension TextModules {
    static func addTemplates(_ s: Namespace) {
        let templateType = HostType("Template", signature: Signature("template"), doc: "A string with $-placeholders.", check: {
            if case .object(let o) = $0 { return o is StringTemplate }
            return false
        }, construct: { a, _ in
            .object(StringTemplate(try (try a.bind("Template", ["template"], required: 1)[0] ?? .none).asString("template")))
        })
        templateType.module = "string"
        s["Template"] = .object(templateType)
        s["capwords"] = .object(NativeFunction("capwords", "s, sep=None", doc: "Each word capitalised, joined by sep (a space).") { b, ev in
            let text = try b[0].asString("s")
            let words: [Substring]
            if case .str(let sep) = b[1] { words = text.components(separatedBy: sep).map { Substring($0) } }
            else { words = text.split(whereSeparator: { $0.isWhitespace }) }
            return .str(words.map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }.joined(separator: b[1].isNone ? " " : try b[1].asString()))
        })
    }
}

/// `string.Template(text)`.
final class StringTemplate: PyObject {
    let template: String

    init(_ template: String) {
        self.template = template
        super.init()
    }

    override var typeName: String { "Template" }

    /// The text with each placeholder replaced by `lookup(name)`; a nil lookup keeps the
    /// placeholder (safe) or raises KeyError; a `$` starting no placeholder is a ValueError unless safe.
    private func substitute(_ lookup: (String) throws -> Value?, safe: Bool, _ ev: Evaluator) throws -> String {
        let chars = Array(template)
        var out = "", i = 0
        func isIdentifierStart(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c == "_") }
        func isIdentifier(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || c == "_") }
        while i < chars.count {
            guard chars[i] == "$" else { out.append(chars[i]); i += 1; continue }
            let start = i
            var j = i + 1
            var name: String?
            if j < chars.count, chars[j] == "$" {
                out.append("$")
                i = j + 1
                continue
            } else if j < chars.count, isIdentifierStart(chars[j]) {
                while j < chars.count, isIdentifier(chars[j]) { j += 1 }
                name = String(chars[(i + 1)..<j])
            } else if j < chars.count, chars[j] == "{", j + 1 < chars.count, isIdentifierStart(chars[j + 1]) {
                var k = j + 1
                while k < chars.count, isIdentifier(chars[k]) { k += 1 }
                if k < chars.count, chars[k] == "}" {
                    name = String(chars[(j + 1)..<k])
                    j = k + 1
                }
            }
            guard let name else {
                if safe { out.append("$"); i += 1; continue }
                let before = chars[0..<start]
                let line = before.filter { $0 == "\n" }.count + 1
                let column = before.count - (before.lastIndex(of: "\n").map { $0 + 1 } ?? 0) + 1
                throw PyError(.valueError, "Invalid placeholder in string: line \(line), col \(column)")
            }
            if let v = try lookup(name) { out += try ev.str(v) }
            else if safe { out += String(chars[start..<j]) }
            else { throw PyError(.keyError, args: [.str(name)]) }
            i = j
        }
        return out
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "template": return .str(template)
        case "substitute", "safe_substitute":
            return method(name) { a, ev in
                guard a.positional.count <= 1 else { throw PyError(.typeError, "Too many positional arguments") }
                let mapping = a.positional.first
                let lookup: (String) throws -> Value? = { key in
                    if let v = a.keywords.first(where: { $0.name == key })?.value { return v }
                    guard let mapping else { return nil }
                    if case .object(let o) = mapping, let d = o as? PyDict { return try d.get(.str(key)) }
                    return try? ev.call(try ev.getAttribute(mapping, "__getitem__"), Arguments([.str(key)]))
                }
                return .str(try self.substitute(lookup, safe: name == "safe_substitute", ev))
            }
        default: return nil
        }
    }
}
