/// `Module.__repr__` exactly as PyTorch builds it (reference §3).
///
/// PyTorch builds the repr recursively: each module joins its children's reprs, re-indenting
/// them (`_addindent`), so a deep tree re-copies every line once per ancestor. Here the whole
/// tree is laid out once, iteratively (no native recursion, so any depth is safe), as lines
/// with an absolute nesting depth; a line at depth d is printed after 2·d spaces, which is
/// exactly the indentation PyTorch's repeated `_addindent` produces. The cost is linear in the
/// output size; ModuleList's collapsing of identical neighbours compares its children's laid-out
/// lines.
extension Module: CustomStringConvertible {
    public var description: String { reprString() }

    /// `repr(module)`.
    public func reprString() -> String {
        ReprLayout.render(ReprLayout.lines(of: self))
    }
}

/// One line of a module repr: `2·depth` spaces, then `prefix` (the `(name): ` a parent puts
/// before a child's first line), then `text`.
struct ReprLine {
    var depth: Int
    var prefix: String
    var text: String

    /// The line as printed without its indentation.
    var content: String { prefix + text }
}

enum ReprLayout {
    /// A module whose `(`…`)` body is open while its children are laid out.
    private struct Frame {
        let module: Module
        let depth: Int
        let children: [(key: String, value: Module?)]
        var next = 0
        /// ModuleList: children are laid out bare, then identical neighbours are collapsed.
        let collapses: Bool
        /// ModuleList: where each child's lines start in the output.
        var childStarts: [Int] = []
    }

    /// The lines of `repr(root)`, in order.
    static func lines(of root: Module) -> [ReprLine] {
        var out: [ReprLine] = []
        var stack: [Frame] = []
        var onPath = Set<ObjectIdentifier>()
        open(root, depth: 0, prefix: "", out: &out, stack: &stack, onPath: &onPath)
        while let top = stack.indices.last {
            if stack[top].next < stack[top].children.count {
                let (key, child) = stack[top].children[stack[top].next]
                stack[top].next += 1
                let collapses = stack[top].collapses
                if collapses { stack[top].childStarts.append(out.count) }
                let prefix = collapses ? "" : "(" + key + "): "
                let depth = stack[top].depth + 1
                if let child, !onPath.contains(ObjectIdentifier(child)) {
                    open(child, depth: depth, prefix: prefix, out: &out, stack: &stack, onPath: &onPath)
                } else {
                    // None (a cycle cannot be registered; it would print as None rather than loop).
                    out.append(ReprLine(depth: depth, prefix: prefix, text: "None"))
                }
            } else {
                let frame = stack.removeLast()
                onPath.remove(ObjectIdentifier(frame.module))
                if frame.collapses { collapseRuns(frame, &out) }
                out.append(ReprLine(depth: frame.depth, prefix: "", text: ")"))
            }
        }
        return out
    }

    /// Lays out `m`'s first line (and, for a leaf, all of it); opens a frame when it has children.
    private static func open(_ m: Module, depth: Int, prefix: String, out: inout [ReprLine],
                             stack: inout [Frame], onPath: inout Set<ObjectIdentifier>) {
        let name = m.displayTypeName
        if m.reprCollapsesRepeatedChildren {
            let children = m.ownModules.items
            // ModuleList.__repr__: no extra_repr; `ModuleList()` when empty.
            if children.isEmpty {
                out.append(ReprLine(depth: depth, prefix: prefix, text: name + "()"))
                return
            }
            out.append(ReprLine(depth: depth, prefix: prefix, text: name + "("))
            onPath.insert(ObjectIdentifier(m))
            stack.append(Frame(module: m, depth: depth, children: children, collapses: true))
        } else {
            // `extra_repr()` runs before `_modules` is read, as in PyTorch.
            let extra = m.extraRepr()
            let extraLines = extra.isEmpty ? [] : splitLines(extra)
            let children = m.ownModules.items
            if children.isEmpty && extraLines.count <= 1 {
                out.append(ReprLine(depth: depth, prefix: prefix, text: name + "(" + (extraLines.first ?? "") + ")"))
                return
            }
            out.append(ReprLine(depth: depth, prefix: prefix, text: name + "("))
            for line in extraLines { out.append(ReprLine(depth: depth + 1, prefix: "", text: line)) }
            if children.isEmpty {
                out.append(ReprLine(depth: depth, prefix: "", text: ")"))
                return
            }
            onPath.insert(ObjectIdentifier(m))
            stack.append(Frame(module: m, depth: depth, children: children, collapses: false))
        }
    }

    /// ModuleList: consecutive children with identical reprs become one `(i-j): n x repr` entry;
    /// the others get `(i): `. Rewrites the frame's children's lines at the end of `out`.
    private static func collapseRuns(_ frame: Frame, _ out: inout [ReprLine]) {
        guard let first = frame.childStarts.first else { return }
        let ends = Array(frame.childStarts.dropFirst()) + [out.count]
        let ranges = zip(frame.childStarts, ends).map { $0..<$1 }
        var rewritten: [ReprLine] = []
        rewritten.reserveCapacity(out.count - first)
        var start = 0
        while start < ranges.count {
            var end = start
            while end + 1 < ranges.count && sameLines(out, ranges[end + 1], ranges[start]) { end += 1 }
            var lines = out[ranges[start]]
            if let head = lines.indices.first {
                lines[head].prefix = start == end ? "(\(start)): " : "(\(start)-\(end)): \(end - start + 1) x "
            }
            rewritten.append(contentsOf: lines)
            start = end + 1
        }
        out.replaceSubrange(first..<out.count, with: rewritten)
    }

    /// Whether two laid-out children print the same text.
    private static func sameLines(_ out: [ReprLine], _ a: Range<Int>, _ b: Range<Int>) -> Bool {
        guard a.count == b.count else { return false }
        for (i, j) in zip(a, b) {
            let x = out[i], y = out[j]
            if x.depth == y.depth {
                if x.prefix == y.prefix && x.text == y.text { continue }
                if x.content != y.content { return false }
            } else if indentation(x.depth) + x.content != indentation(y.depth) + y.content {
                return false
            }
        }
        return true
    }

    /// The lines joined by newlines, each indented by two spaces per depth.
    static func render(_ lines: [ReprLine]) -> String {
        var size = 0
        var maxDepth = 0
        for line in lines {
            size += 2 * line.depth + line.prefix.utf8.count + line.text.utf8.count + 1
            maxDepth = Swift.max(maxDepth, line.depth)
        }
        // Whole-string appends (memcpy in the standard library), not byte loops.
        let pad = indentation(maxDepth)
        var out = ""
        out.reserveCapacity(size)
        for (i, line) in lines.enumerated() {
            if i > 0 { out.append("\n") }
            out.append(contentsOf: pad[..<pad.utf8.index(pad.startIndex, offsetBy: 2 * line.depth)])
            out.append(line.prefix)
            out.append(line.text)
        }
        return out
    }

    private static func indentation(_ depth: Int) -> String { String(repeating: " ", count: 2 * depth) }

    /// Python's `s.split("\n")` (on the scalar U+000A only, so `\r\n` keeps its `\r`).
    static func splitLines(_ s: String) -> [String] {
        s.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { String(String.UnicodeScalarView($0)) }
    }
}
