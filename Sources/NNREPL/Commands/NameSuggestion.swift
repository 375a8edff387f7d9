/// "Did you mean …?" for a misspelt name, with Python 3.11's rule (`_compute_suggestion_error`):
/// Levenshtein distance where a change of case only costs 1 and any other edit 2, accepted up
/// to `(len(a) + len(b) + 3) * 2 / 6`; the closest candidate wins (the first on a tie).
enum NameSuggestion {
    /// The candidate closest to `name`, or nil when none is close enough (or `name` is one).
    static func closest(to name: String, in candidates: [String]) -> String? {
        guard !candidates.contains(name) else { return nil }
        let typed = Array(name)
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let other = Array(candidate)
            let limit = (typed.count + other.count + 3) * 2 / 6
            let d = distance(typed, other)
            if d <= limit, best.map({ d < $0.distance }) ?? true { best = (candidate, d) }
        }
        return best?.name
    }

    /// ` (did you mean 'ReLU'?)`, or "" without a suggestion.
    static func hint(for name: String, in candidates: [String]) -> String {
        closest(to: name, in: candidates).map { " (did you mean '\($0)'?)" } ?? ""
    }

    /// Edit distance: substitutions that only change case cost 1, other edits 2.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return 2 * b.count }
        guard !b.isEmpty else { return 2 * a.count }
        var previous = Array(stride(from: 0, through: 2 * b.count, by: 2))
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = 2 * i
            for j in 1...b.count {
                let substitution = a[i - 1] == b[j - 1] ? 0 : a[i - 1].lowercased() == b[j - 1].lowercased() ? 1 : 2
                current[j] = min(previous[j] + 2, current[j - 1] + 2, previous[j - 1] + substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
