/// Python 3.11's "Did you mean" for NameError and AttributeError (CPython's suggestions.c): the
/// candidate with the smallest Levenshtein distance — a case change costs 1, any other edit 2 —
/// within a third of the characters involved; nothing for a list over 750 names or a name over
/// 40 characters.
enum Suggestions {
    static func closest(to wrong: String, among candidates: [String]) -> String? {
        let w = Array(wrong.unicodeScalars)
        guard candidates.count <= 750, w.count <= 40 else { return nil }
        var best: String? = nil, bestDistance = w.count
        for name in candidates where name != wrong {
            let c = Array(name.unicodeScalars)
            let limit = min((c.count + w.count + 3) * 2 / 6, bestDistance - 1)
            guard limit >= 0 else { continue }
            let d = distance(w, c, limit: limit)
            if d <= limit && (best == nil || d < bestDistance) { best = name; bestDistance = d }
        }
        return best
    }

    /// Levenshtein distance with CPython's costs; anything over `limit` returns `limit + 1`.
    private static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], limit: Int) -> Int {
        if a == b { return 0 }
        if abs(a.count - b.count) * 2 > limit { return limit + 1 }
        var row = Array(stride(from: 0, through: b.count * 2, by: 2))
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i * 2
            var rowMin = row[0]
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let substitution = a[i - 1] == b[j - 1] ? 0 : (lower(a[i - 1]) == lower(b[j - 1]) ? 1 : 2)
                let value = min(previous + substitution, row[j - 1] + 2, row[j] + 2)
                previous = row[j]
                row[j] = value
                rowMin = min(rowMin, value)
            }
            if rowMin > limit { return limit + 1 }
        }
        return row[b.count]
    }

    private static func lower(_ s: Unicode.Scalar) -> Unicode.Scalar {
        ("A"..."Z").contains(s) ? Unicode.Scalar(s.value + 32) ?? s : s
    }
}

extension Interpreter {
    /// A NameError's hint: the closest module-level or builtin name (CPython also looks at the
    /// function's locals first; nnrepl's failing lookups here are module-level ones).
    func nameSuggestion(_ name: String) -> String? {
        let globalNames = globals.compactMap { $0.value.value == nil ? nil : $0.key }.sorted()
        return Suggestions.closest(to: name, among: globalNames) ?? Suggestions.closest(to: name, among: builtins.keys.sorted())
    }
}
