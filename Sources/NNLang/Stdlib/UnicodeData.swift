import Foundation

/// Python's `unicodedata`: `normalize`, `is_normalized`, `category`, `name`, `lookup`,
/// `combining`, `decimal`, `digit`, `numeric`, `mirrored`, from Swift's Unicode scalar properties
/// and Foundation's normalisation (the data is Swift's Unicode version, which may be newer than
/// CPython 3.11's 14.0 for recently added characters).
enum UnicodeData {
    static func module() -> Namespace {
        let m = Namespace("unicodedata")
        m["unidata_version"] = .str("14.0.0")
        func def(_ name: String, _ signature: String, _ doc: String, _ body: @escaping (Bound, Evaluator) throws -> Value) {
            m[name] = .object(NativeFunction(name, signature, doc: doc, body))
        }
        def("normalize", "form, unistr", "The normal form 'NFC', 'NFD', 'NFKC' or 'NFKD' of a string.") { b, _ in
            .str(try normalize(b[0], b[1], "normalize"))
        }
        def("is_normalized", "form, unistr", "Whether a string is already in the normal form.") { b, _ in
            guard case .str(let s) = b[1] else { throw argumentError("is_normalized", 2, "str", b[1]) }
            return .bool(codePointsEqual(try normalize(b[0], b[1], "is_normalized"), s))
        }
        def("category", "chr", "The general category of a character, e.g. 'Lu', 'Mn'.") { b, _ in
            .str(categoryCode(try character(b[0], "category() argument")))
        }
        def("name", "chr, default=<missing>", "The Unicode name of a character (ValueError, or the default, if it has none).") { b, _ in
            let c = try character(b[0], "name() argument 1")
            if let name = c.properties.name { return .str(name) }
            if b.given[1] { return b[1] }
            throw PyError(.valueError, "no such name")
        }
        def("lookup", "name", "The character with this Unicode name.") { b, _ in
            let name = try b[0].asString("lookup() argument")
            let found = "\\N{\(name)}".applyingTransform(StringTransform("Name-Any"), reverse: false)
            guard let found, found.unicodeScalars.count == 1, !name.isEmpty else {
                throw PyError(.keyError, args: [.str("undefined character name '\(name)'")])
            }
            return .str(found)
        }
        def("combining", "chr", "The canonical combining class of a character (0 for none).") { b, _ in
            .int(Int(try character(b[0], "combining() argument").properties.canonicalCombiningClass.rawValue))
        }
        def("mirrored", "chr", "1 if the character is mirrored in bidirectional text, else 0.") { b, _ in
            .int(try character(b[0], "mirrored() argument").properties.isBidiMirrored ? 1 : 0)
        }
        /// `decimal`, `digit`, `numeric`: a character's value of that numeric type, else the default or ValueError.
        func numericValue(_ name: String, _ doc: String, _ accepts: @escaping (Unicode.NumericType) -> Bool,
                          _ make: @escaping (Double) -> Value) {
            def(name, "chr, default=<missing>", doc) { b, _ in
                let c = try character(b[0], "\(name)() argument 1")
                if let type = c.properties.numericType, accepts(type), let v = c.properties.numericValue { return make(v) }
                if b.given[1] { return b[1] }
                throw PyError(.valueError, name == "numeric" ? "not a numeric character" : "not a \(name)")
            }
        }
        numericValue("decimal", "The decimal value of a decimal digit character.", { $0 == .decimal }) { .int(Int($0)) }
        numericValue("digit", "The value of a digit character.", { $0 == .decimal || $0 == .digit }) { .int(Int($0)) }
        numericValue("numeric", "The numeric value of a numeric character, as a float.", { _ in true }) { .float($0) }
        return m
    }

    /// The normal form `form` of `text` (ValueError `invalid normalization form` for other forms).
    private static func normalize(_ form: Value, _ text: Value, _ function: String) throws -> String {
        guard case .str(let f) = form else { throw argumentError(function, 1, "str", form) }
        guard case .str(let s) = text else { throw argumentError(function, 2, "str", text) }
        switch f {
        case "NFC": return s.precomposedStringWithCanonicalMapping
        case "NFD": return s.decomposedStringWithCanonicalMapping
        case "NFKC": return s.precomposedStringWithCompatibilityMapping
        case "NFKD": return s.decomposedStringWithCompatibilityMapping
        default: throw PyError(.valueError, "invalid normalization form")
        }
    }

    private static func argumentError(_ function: String, _ n: Int, _ expected: String, _ got: Value) -> PyError {
        PyError(.typeError, "\(function)() argument \(n) must be \(expected), not \(got.typeName)")
    }

    /// The one code point of a length-1 string, else TypeError `<what> must be a unicode character, not T`.
    private static func character(_ v: Value, _ what: String) throws -> Unicode.Scalar {
        guard case .str(let s) = v, let c = s.unicodeScalars.first, s.unicodeScalars.count == 1 else {
            throw PyError(.typeError, "\(what) must be a unicode character, not \(v.typeName)")
        }
        return c
    }

    /// The two-letter code of a character's general category (`Lu`, `Mn`, `Nd`, …).
    static func categoryCode(_ c: Unicode.Scalar) -> String {
        switch c.properties.generalCategory {
        case .uppercaseLetter: return "Lu"
        case .lowercaseLetter: return "Ll"
        case .titlecaseLetter: return "Lt"
        case .modifierLetter: return "Lm"
        case .otherLetter: return "Lo"
        case .nonspacingMark: return "Mn"
        case .spacingMark: return "Mc"
        case .enclosingMark: return "Me"
        case .decimalNumber: return "Nd"
        case .letterNumber: return "Nl"
        case .otherNumber: return "No"
        case .connectorPunctuation: return "Pc"
        case .dashPunctuation: return "Pd"
        case .openPunctuation: return "Ps"
        case .closePunctuation: return "Pe"
        case .initialPunctuation: return "Pi"
        case .finalPunctuation: return "Pf"
        case .otherPunctuation: return "Po"
        case .mathSymbol: return "Sm"
        case .currencySymbol: return "Sc"
        case .modifierSymbol: return "Sk"
        case .otherSymbol: return "So"
        case .spaceSeparator: return "Zs"
        case .lineSeparator: return "Zl"
        case .paragraphSeparator: return "Zp"
        case .control: return "Cc"
        case .format: return "Cf"
        case .surrogate: return "Cs"
        case .privateUse: return "Co"
        case .unassigned: return "Cn"
        @unknown default: return "Cn"
        }
    }
}
