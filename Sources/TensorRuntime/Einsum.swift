/// `torch.einsum(equation, *operands)` over lettered subscripts (`"bij,bjk->bik"`, implicit output
/// = the letters used once, sorted). Operands are folded left to right; each pair contracts
/// through one batched matrix multiply (batch letters, left-only, contracted, right-only), so
/// attention-style equations run on BLAS, and autograd follows the views and `bmm`. Letters only
/// one operand uses and the output does not are summed away first; a letter repeated inside one
/// operand takes that operand's diagonal. `...` stands for the dims no letter names (broadcast
/// across operands, kept first in an implicit output).
public enum Einsum {
    public static func evaluate(_ equation: String, _ operands: [Tensor]) throws -> Tensor {
        guard !operands.isEmpty else { throw TorchError.runtime("einsum(): must provide at least one operand") }
        let spaced = equation.filter { $0 != " " }
        let sides = spaced.components(separatedBy: "->")
        guard sides.count <= 2 else { throw TorchError.runtime("einsum(): more than one '->' found in equation") }
        let written = sides[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard written.count == operands.count else {
            throw TorchError.runtime("einsum(): \(operands.count > written.count ? "more" : "fewer") operands were provided than specified in the equation")
        }
        let (inputs, explicitOutput, broadcast) = try expandEllipses(written, output: sides.count == 2 ? sides[1] : nil,
                                                                     dims: operands.map(\.dim))
        var counts: [Character: Int] = [:]
        for letters in inputs { for c in letters { counts[c, default: 0] += 1 } }
        // Implicit output: the ellipsis dims, then the letters used once, sorted.
        let output = explicitOutput ?? broadcast + counts.filter { $0.value == 1 && !broadcast.contains($0.key) }.keys.sorted()
        for c in output where counts[c] == nil {
            throw TorchError.runtime("einsum(): output subscript \(c) does not appear in the equation for any input operand")
        }
        var terms: [(tensor: Tensor, letters: [Character])] = []
        for (t, letters) in zip(operands, inputs) { terms.append(try takeDiagonals(t, letters)) }
        var sizes: [Character: Int] = [:]
        for (i, (t, letters)) in terms.enumerated() {
            for (c, n) in zip(letters, t.shape) {
                if let known = sizes[c], known != n, known != 1, n != 1 {
                    if broadcast.contains(c) {
                        throw TorchError.runtime("einsum(): operands do not broadcast with remapped shapes (original->remapped)")
                    }
                    throw TorchError.runtime("einsum(): subscript \(c) has size \(n) for operand \(i) which does not broadcast with previously seen size \(known)")
                }
                sizes[c] = Swift.max(sizes[c] ?? n, n)
            }
        }
        var current = terms[0]
        for k in 1..<Swift.max(terms.count, 1) {
            let needed = Set(output + terms[(k + 1)...].flatMap { $0.letters })
            current = try contract(current, terms[k], keep: needed, sizes: sizes)
        }
        // Sum what the output does not name, then order the rest as the output says.
        current = try sumAway(current, keep: Set(output))
        let order = try output.map { c -> Int in
            guard let i = current.letters.firstIndex(of: c) else { throw TorchError.runtime("einsum(): output subscript \(c) appears more than once") }
            return i
        }
        guard Set(output).count == output.count else {
            throw TorchError.runtime("einsum(): output subscript appears more than once in the output")
        }
        return order == Array(0..<order.count) ? current.tensor : try current.tensor.permute(order)
    }

    /// The subscripts of each operand and of the output (nil when implicit), checked, with each
    /// `...` replaced by placeholder subscripts for the dims it covers: `broadcast` names them, one
    /// per dim of the widest ellipsis, right-aligned across operands (so they broadcast). A
    /// placeholder the output leaves out is summed away, as any unnamed letter.
    private static func expandEllipses(_ written: [String], output: String?, dims: [Int]) throws
        -> (inputs: [[Character]], output: [Character]?, broadcast: [Character]) {
        func split(_ subscripts: String, operand: Int?) throws -> (before: [Character], after: [Character], ellipsis: Bool) {
            let parts = subscripts.components(separatedBy: "...")
            let place = operand.map { "for operand \($0)" } ?? "in the output"
            guard parts.count <= 2 else { throw TorchError.runtime("einsum(): found '.' \(place) for which an ellipsis was already found") }
            for part in parts {
                for c in part where c == "." { throw TorchError.runtime("einsum(): found '.' \(place) that is not part of any ellipsis") }
                for c in part where !(c.isLetter && c.isASCII) {
                    throw TorchError.runtime("einsum(): invalid subscript given at index 0 in the equation string, subscripts must be in [a-zA-Z]")
                }
            }
            return (Array(parts[0]), parts.count == 2 ? Array(parts[1]) : [], parts.count == 2)
        }
        var pieces: [(before: [Character], after: [Character], ellipsis: Bool)] = []
        var width = 0
        for (i, subscripts) in written.enumerated() {
            let piece = try split(subscripts, operand: i)
            let named = piece.before.count + piece.after.count
            if piece.ellipsis {
                guard named <= dims[i] else {
                    throw TorchError.runtime("einsum(): the number of subscripts in the equation (\(named)) is more than the number of dimensions (\(dims[i])) for operand \(i)")
                }
                width = Swift.max(width, dims[i] - named)
            } else if named != dims[i] {
                throw TorchError.runtime("einsum(): the number of subscripts in the equation (\(named)) does not match the number of dimensions (\(dims[i])) for operand \(i) and no ellipsis was given")
            }
            pieces.append(piece)
        }
        // Placeholders from the Private Use Area, never a letter someone wrote.
        let broadcast = (0..<width).compactMap { Unicode.Scalar(0xE000 + $0).map(Character.init) }
        let inputs = zip(pieces, dims).map { piece, dim in
            piece.ellipsis ? piece.before + broadcast.suffix(dim - piece.before.count - piece.after.count) + piece.after : piece.before
        }
        guard let output else { return (inputs, nil, broadcast) }
        let out = try split(output, operand: nil)
        return (inputs, out.ellipsis ? out.before + broadcast + out.after : out.before, broadcast)
    }

    /// An operand whose letters repeat (`"ii->i"`) replaced by its diagonal over them.
    private static func takeDiagonals(_ t: Tensor, _ letters: [Character]) throws -> (tensor: Tensor, letters: [Character]) {
        var t = t, letters = letters
        while let (a, b) = firstRepeat(letters) {
            guard t.shape[a] == t.shape[b] else {
                throw TorchError.runtime("einsum(): subscript \(letters[a]) is repeated for operand but the sizes don't match, \(t.shape[a]) != \(t.shape[b])")
            }
            // The diagonal over dims a and b: mask with the identity there, then sum b away.
            var maskShape = [Int](repeating: 1, count: t.dim)
            maskShape[a] = t.shape[a]; maskShape[b] = t.shape[b]
            let identity = try Tensor.eye(n: t.shape[a], dtype: t.dtype).reshape(maskShape)
            t = try t.mul(identity).sum(dims: [b])
            letters.remove(at: b)
        }
        return (t, letters)
    }

    private static func firstRepeat(_ letters: [Character]) -> (Int, Int)? {
        for i in letters.indices { for j in (i + 1)..<letters.count where letters[i] == letters[j] { return (i, j) } }
        return nil
    }

    /// Sums the dims whose letters are not in `keep`.
    private static func sumAway(_ term: (tensor: Tensor, letters: [Character]), keep: Set<Character>) throws -> (tensor: Tensor, letters: [Character]) {
        let drop = term.letters.indices.filter { !keep.contains(term.letters[$0]) }
        guard !drop.isEmpty else { return term }
        return (try term.tensor.sum(dims: drop), term.letters.enumerated().filter { !drop.contains($0.offset) }.map { $0.element })
    }

    /// Contracts two terms with one `bmm`: (batch, leftOnly, contracted) x (batch, contracted, rightOnly).
    private static func contract(_ l: (tensor: Tensor, letters: [Character]), _ r: (tensor: Tensor, letters: [Character]),
                                 keep: Set<Character>, sizes: [Character: Int]) throws -> (tensor: Tensor, letters: [Character]) {
        let left = try sumAway(l, keep: keep.union(r.letters)), right = try sumAway(r, keep: keep.union(l.letters))
        let inL = Set(left.letters), inR = Set(right.letters)
        let batch = left.letters.filter { inR.contains($0) && keep.contains($0) }
        let contracted = left.letters.filter { inR.contains($0) && !keep.contains($0) }
        let leftOnly = left.letters.filter { !inR.contains($0) }
        let rightOnly = right.letters.filter { !inL.contains($0) }
        func arranged(_ term: (tensor: Tensor, letters: [Character]), _ groups: [[Character]]) throws -> Tensor {
            let order = groups.joined().map { c in term.letters.firstIndex(of: c) ?? 0 }
            let full = groups.joined().map { sizes[$0] ?? 1 }
            let permuted = order == Array(0..<order.count) ? term.tensor : try term.tensor.permute(order)
            let expanded = permuted.shape == full ? permuted : try permuted.expand(full)
            let rows = groups.map { $0.reduce(1) { $0 * (sizes[$1] ?? 1) } }
            return try expanded.reshape(rows)
        }
        let a = try arranged(left, [batch, leftOnly, contracted]), b = try arranged(right, [batch, contracted, rightOnly])
        let product = try a.bmm(b)
        let shape = (batch + leftOnly + rightOnly).map { sizes[$0] ?? 1 }
        return (try product.reshape(shape), batch + leftOnly + rightOnly)
    }
}
