import TensorRuntime
import NeuralNet

/// The arguments of one call: positional values and keyword arguments in source order.
public struct Arguments {
    public var positional: [Value]
    public var keywords: [(name: String, value: Value)]

    public init(_ positional: [Value] = [], keywords: [(name: String, value: Value)] = []) {
        self.positional = positional
        self.keywords = keywords
    }

    /// Binds the arguments to a Python signature and returns one slot per parameter (nil when
    /// not given). `function` names the callee in messages; `parameters` are the names in
    /// positional order; the first `required` of them must be given; parameters at index >=
    /// `positionalLimit` (default: all) are keyword-only. Raises Python's TypeErrors:
    /// `f() got an unexpected keyword argument 'x'`, `f() takes 2 positional arguments but 3 were given`,
    /// `f() missing 1 required positional argument: 'x'`, `f() got multiple values for argument 'x'`.
    public func bind(_ function: String, _ parameters: [String], required: Int = 0,
                     positionalLimit: Int? = nil) throws -> [Value?] {
        let limit = positionalLimit ?? parameters.count
        guard positional.count <= limit else {
            throw PyError(.typeError, "\(function)() takes \(limit) positional argument\(limit == 1 ? "" : "s") but \(positional.count) \(positional.count == 1 ? "was" : "were") given")
        }
        var slots = [Value?](filling: nil, count: parameters.count)
        for (i, v) in positional.enumerated() { slots[i] = v }
        // Positional only, every required one given: nothing left to check.
        if keywords.isEmpty && positional.count >= required { return slots }
        for (name, v) in keywords {
            guard let i = parameters.firstIndex(of: name) else {
                throw PyError(.typeError, "\(function)() got an unexpected keyword argument '\(name)'")
            }
            guard slots[i] == nil else {
                throw PyError(.typeError, "\(function)() got multiple values for argument '\(name)'")
            }
            slots[i] = v
        }
        let missing = (0..<min(required, parameters.count)).filter { slots[$0] == nil }.map { parameters[$0] }
        if !missing.isEmpty {
            let names = missing.map { "'\($0)'" }
            let list = names.count == 1 ? names[0]
                : names.dropLast().joined(separator: ", ") + " and " + names[names.count - 1]
            throw PyError(.typeError, "\(function)() missing \(missing.count) required positional argument\(missing.count == 1 ? "" : "s"): \(list)")
        }
        return slots
    }
}

extension Array {
    /// `Array(repeating: value, count: count)` grown in code specialised for `Element`:
    /// `Array(repeating:count:)` reaches an unspecialised allocation in the Swift runtime that
    /// looks up the storage type's generic metadata on every call (about 500 instructions, paid
    /// by every argument binding).
    @inline(__always)
    init(filling value: Element, count: Int) {
        self = []
        guard count > 0 else { return }
        reserveCapacity(count)
        for _ in 0..<count { append(value) }
    }
}
