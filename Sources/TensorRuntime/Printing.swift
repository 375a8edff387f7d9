// Tensor repr/str, a port of PyTorch 2.x's torch/_tensor_str.py (strided CPU tensors of the
// dtypes we support): `_Formatter`, `_vector_str`, `_tensor_str_with_formatter`, summarisation,
// `_add_suffixes` and the suffix rules of `_str_intern`; plus `torch.Size` reprs.

/// `torch.set_printoptions` state: precision, summarisation threshold, edge items, line width
/// and the scientific-notation override. `PrintOptions.current` is what `repr` uses.
public struct PrintOptions: Sendable, Equatable {
    /// Digits after the decimal point for floats.
    public var precision: Int
    /// Tensors with more elements than this are summarised (`...`). A Double so that the
    /// `full` profile can use infinity, as PyTorch does.
    public var threshold: Double
    /// Items kept at the start and end of each summarised dimension.
    public var edgeitems: Int
    /// Characters per line used for wrapping.
    public var linewidth: Int
    /// nil: choose automatically; true/false: force scientific notation on or off.
    public var sciMode: Bool?

    public init(precision: Int = 4, threshold: Double = 1000, edgeitems: Int = 3,
                linewidth: Int = 80, sciMode: Bool? = nil) {
        self.precision = precision
        self.threshold = threshold
        self.edgeitems = edgeitems
        self.linewidth = linewidth
        self.sciMode = sciMode
    }

    /// PyTorch's defaults (`profile="default"`).
    public static let `default` = PrintOptions()

    /// The options `repr` uses (PyTorch's global `PRINT_OPTS`).
    nonisolated(unsafe) public static var current = PrintOptions()

    /// `torch.set_printoptions(precision=, threshold=, edgeitems=, linewidth=, profile=, sci_mode=)`
    /// with PyTorch's semantics: the profile (`default`, `short`, `full`; others are ignored) is
    /// applied first, then each given option; `sci_mode` is always assigned, so omitting it
    /// resets it to automatic.
    public static func set(precision: Int? = nil, threshold: Double? = nil, edgeitems: Int? = nil,
                           linewidth: Int? = nil, profile: String? = nil, sciMode: Bool? = nil) {
        var o = current
        switch profile {
        case "default"?:
            o.precision = 4; o.threshold = 1000; o.edgeitems = 3; o.linewidth = 80
        case "short"?:
            o.precision = 2; o.threshold = 1000; o.edgeitems = 2; o.linewidth = 80
        case "full"?:
            o.precision = 4; o.threshold = .infinity; o.edgeitems = 3; o.linewidth = 80
        default:
            break
        }
        if let v = precision { o.precision = v }
        if let v = threshold { o.threshold = v }
        if let v = edgeitems { o.edgeitems = v }
        if let v = linewidth { o.linewidth = v }
        o.sciMode = sciMode
        current = o
    }
}

/// `torch.Size([2, 3])` / `torch.Size([])`.
public func sizeRepr(_ shape: [Int]) -> String {
    "torch.Size([" + shape.map(String.init).joined(separator: ", ") + "])"
}

/// Python's `str(tuple)` of ints: `(0, 3)`, `(0,)`, `()`.
public func intTupleRepr(_ values: [Int]) -> String {
    if values.count == 1 { return "(\(values[0]),)" }
    return "(" + values.map(String.init).joined(separator: ", ") + ")"
}

extension Tensor {
    /// `repr(t)` (also `str(t)` / `print(t)`) with the current print options.
    public var repr: String { format(options: PrintOptions.current) }

    /// `repr(t)` with explicit print options. Parameters get PyTorch's `Parameter containing:`
    /// prefix line.
    public func format(options: PrintOptions) -> String {
        let body = reprBody(options: options)
        return isParameter ? "Parameter containing:\n" + body : body
    }

    /// `tensor(...)` with its suffixes (`_str_intern` for a plain strided tensor).
    private func reprBody(options: PrintOptions) -> String {
        let prefix = "tensor("
        let indent = prefix.count
        var suffixes: [String] = []
        let contents: String
        if numel == 0 {
            // Explicit shape unless (0,), and the dtype unless it is the default float dtype.
            if dim != 1 { suffixes.append("size=" + intTupleRepr(shape)) }
            if dtype != Tensor.printDefaultDType { suffixes.append("dtype=" + dtype.name) }
            contents = "[]"
        } else {
            let hasDefaultDType = dtype == Tensor.printDefaultDType || dtype == .int64 || dtype == .bool
            if !hasDefaultDType { suffixes.append("dtype=" + dtype.name) }
            contents = TensorPrinter(tensor: self, options: options).render(indent: indent)
        }
        if let fn = gradFn {
            suffixes.append("grad_fn=<\(fn.name)>")
        } else if requiresGrad {
            suffixes.append("requires_grad=True")
        }
        return addSuffixes(prefix + contents, suffixes, indent: indent, linewidth: options.linewidth)
    }

    /// `torch.get_default_dtype()` as far as printing is concerned.
    static var printDefaultDType: DType { DType.defaultFloat }
}

/// `_add_suffixes`: each suffix goes after `, ` or, when the last line would pass the line
/// width, on a new line indented by `indent`.
private func addSuffixes(_ text: String, _ suffixes: [String], indent: Int, linewidth: Int) -> String {
    var out = text
    let utf8 = Array(text.utf8)
    // Python: len(s) - s.rfind("\n") + 1 (rfind gives -1 when there is no newline).
    let lastNewline = utf8.lastIndex(of: UInt8(ascii: "\n")) ?? -1
    var lastLineLength = utf8.count - lastNewline + 1
    for suffix in suffixes {
        let length = suffix.utf8.count
        if lastLineLength + length + 2 > linewidth {
            out += ",\n" + String(repeating: " ", count: indent) + suffix
            lastLineLength = indent + length
        } else {
            out += ", " + suffix
            lastLineLength += length + 2
        }
    }
    return out + ")"
}

/// `_Formatter`: decides int / fixed / scientific notation and the common element width from
/// the (summarised) values, then formats single elements right-aligned to that width.
struct ElementFormatter {
    let floating: Bool
    let precision: Int
    private(set) var intMode = true
    private(set) var sciMode = false
    private(set) var maxWidth = 1

    init(values: [Scalar], floating: Bool, options: PrintOptions) {
        self.floating = floating
        self.precision = Swift.min(Swift.max(options.precision, 0), maxFormatPrecision)
        if !floating {
            for v in values { maxWidth = Swift.max(maxWidth, ElementFormatter.plainText(v).utf8.count) }
        } else {
            let nonzeroFinite = values.map(\.doubleValue).filter { $0.isFinite && $0 != 0 }
            // No valid number: keep int mode, width 1, and ignore the sci_mode option (as PyTorch).
            guard let first = nonzeroFinite.first else { return }
            var minAbs = Swift.abs(first), maxAbs = Swift.abs(first)
            for v in nonzeroFinite {
                minAbs = Swift.min(minAbs, Swift.abs(v))
                maxAbs = Swift.max(maxAbs, Swift.abs(v))
                if intMode && v != v.rounded(.up) { intMode = false }
            }
            // The sci_mode option replaces the automatic choice, and the width follows the mode used.
            sciMode = options.sciMode ?? (maxAbs / minAbs > 1000 || maxAbs > 1e8 || minAbs < 1e-4)
            let p = precision
            for v in nonzeroFinite {
                let width = sciMode ? formatScientific(v, precision: p).utf8.count
                    : intMode ? formatFixed(v, precision: 0).utf8.count + 1 : formatFixed(v, precision: p).utf8.count
                maxWidth = Swift.max(maxWidth, width)
            }
        }
    }

    /// Python's `"{}".format(v)` for ints and bools.
    static func plainText(_ v: Scalar) -> String {
        switch v {
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .double(let d): return pythonFloatRepr(d)
        }
    }

    /// One element, left-padded to the common width.
    func format(_ v: Scalar) -> String {
        let text: String
        if floating {
            let d = v.doubleValue
            if sciMode {
                text = formatScientific(d, precision: precision)
            } else if intMode {
                text = formatFixed(d, precision: 0) + (d.isFinite ? "." : "")
            } else {
                text = formatFixed(d, precision: precision)
            }
        } else {
            text = ElementFormatter.plainText(v)
        }
        let pad = maxWidth - text.utf8.count
        return pad > 0 ? String(repeating: " ", count: pad) + text : text
    }
}

/// Renders the bracketed contents of a non-empty tensor, reading elements straight from storage
/// (no copies), keeping only the edge items of each dimension when summarising.
struct TensorPrinter {
    let tensor: Tensor
    let options: PrintOptions
    let summarize: Bool
    let edge: Int
    var formatter: ElementFormatter

    init(tensor: Tensor, options: PrintOptions) {
        self.tensor = tensor
        self.options = options
        self.summarize = Double(tensor.numel) > options.threshold
        self.edge = Swift.max(options.edgeitems, 0)
        self.formatter = ElementFormatter(values: [], floating: false, options: options)
        var values: [Scalar] = []
        collect(dim: 0, offset: tensor.storageOffset, into: &values)
        self.formatter = ElementFormatter(values: values, floating: tensor.dtype.isFloatingPoint, options: options)
    }

    /// Indices printed along dimension `d` of size `n`, split around the `...` (nil: no elision).
    /// Mirrors PyTorch's slicing, including `self[-0:]` being the whole vector for edgeitems=0.
    private func indices(dim d: Int) -> (head: Range<Int>, tail: Range<Int>?) {
        let n = tensor.shape[d]
        // n > 2 * edge, written so that a huge edgeitems cannot overflow.
        guard summarize && n - edge > edge else { return (0..<n, nil) }
        let isLast = d == tensor.dim - 1
        let tail = (isLast && edge == 0) ? 0..<n : (n - edge)..<n
        return (0..<edge, tail)
    }

    /// `get_summarized_data`: the elements the formatter looks at, in order.
    private func collect(dim d: Int, offset: Int, into values: inout [Scalar]) {
        if d == tensor.dim {
            values.append(tensor.storage.scalar(at: offset))
            return
        }
        let (head, tail) = indices(dim: d)
        let stride = tensor.strides[d]
        for i in head { collect(dim: d + 1, offset: offset + i * stride, into: &values) }
        if let tail = tail {
            for i in tail { collect(dim: d + 1, offset: offset + i * stride, into: &values) }
        }
    }

    func render(indent: Int) -> String {
        render(dim: 0, offset: tensor.storageOffset, indent: indent)
    }

    /// `_tensor_str_with_formatter` for the sub-tensor starting at dimension `d`.
    private func render(dim d: Int, offset: Int, indent: Int) -> String {
        let remaining = tensor.dim - d
        if remaining == 0 { return formatter.format(tensor.storage.scalar(at: offset)) }
        let (head, tail) = indices(dim: d)
        let stride = tensor.strides[d]
        if remaining == 1 { return vector(offset: offset, stride: stride, head: head, tail: tail, indent: indent) }
        var slices: [String] = []
        for i in head { slices.append(render(dim: d + 1, offset: offset + i * stride, indent: indent + 1)) }
        if let tail = tail {
            slices.append("...")
            for i in tail { slices.append(render(dim: d + 1, offset: offset + i * stride, indent: indent + 1)) }
        }
        let separator = "," + String(repeating: "\n", count: remaining - 1) + String(repeating: " ", count: indent + 1)
        return "[" + slices.joined(separator: separator) + "]"
    }

    /// `_vector_str`: elements joined by `, `, wrapped to the line width.
    private func vector(offset: Int, stride: Int, head: Range<Int>, tail: Range<Int>?, indent: Int) -> String {
        let elementLength = formatter.maxWidth + 2
        // Computed in Double so that extreme line widths cannot overflow; the quotient stays in Int range.
        let perLine = Swift.max(1, Int(((Double(options.linewidth) - Double(indent)) / Double(elementLength)).rounded(.down)))
        var data: [String] = []
        for i in head { data.append(formatter.format(tensor.storage.scalar(at: offset + i * stride))) }
        if let tail = tail {
            data.append(" ...")
            for i in tail { data.append(formatter.format(tensor.storage.scalar(at: offset + i * stride))) }
        }
        var lines: [String] = []
        var start = 0
        while start < data.count {
            let end = Swift.min(start + perLine, data.count)
            lines.append(data[start..<end].joined(separator: ", "))
            start = end
        }
        return "[" + lines.joined(separator: ",\n" + String(repeating: " ", count: indent + 1)) + "]"
    }
}
