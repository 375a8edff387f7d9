/// Turns fuzz bytes into a syntactically valid script for the `interp` fuzz target: each byte
/// picks the next production (statement, expression, literal, name) from a fixed grammar of
/// Python and torch constructs, so mutations explore the runtime rather than the parser. The
/// vocabulary has no file, OS, clock or stdin access: a generated program touches nothing
/// outside the process. Hostile shapes are in the vocabulary on purpose: huge counts, NaN/inf,
/// NUL characters, doubling containers, long closure/generator chains, self-containing lists.
struct ProgramGenerator {
    private var bytes: [UInt8]
    private var position = 0
    private var lines: [String] = []
    private var depth = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The whole program: a prelude importing torch, then statements until the bytes run out.
    static func program(from bytes: [UInt8]) -> String {
        var g = ProgramGenerator(bytes)
        g.lines = ["import torch", "import torch.nn as nn", "import math, random, itertools, functools, collections, copy",
                   "a = b = c = d = e = 0", "def f(x=None, *args, **kw): return x", "def g():", "    yield 1"]
        while g.position < g.bytes.count && g.lines.count < 200 { g.statement(indent: "") }
        return g.lines.joined(separator: "\n") + "\n"
    }

    private mutating func next() -> Int {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return Int(bytes[position])
    }

    private mutating func pick(_ options: [String]) -> String { options[next() % options.count] }

    private static let names = ["a", "b", "c", "d", "e", "f", "g"]
    private static let literals = [
        "0", "1", "-1", "2", "3", "7", "255", "2**31", "2**63", "-2**63", "2**64", "10**10", "10**100", "0.5", "-0.0",
        "1e300", "float('nan')", "float('inf')", "''", "'ab'", "'\\x00'", "'\\t'", "'%d'", "'{}'", "'é'", "b'x\\x00'",
        "None", "True", "False", "[]", "{}", "()", "[1, 2, 3]", "(1, 'a')", "{1: 2}", "{'k': [1]}", "set()", "range(5)",
        "range(10**10)", "[0] * 3", "'x' * 3", "torch.zeros(2, 3)", "torch.ones(3)", "torch.tensor([1.0, 2.0])",
        "torch.arange(6)", "torch.randn(2, 2)", "torch.tensor(float('nan'))", "nn.Linear(2, 3)", "nn.ReLU()",
        "torch.float64", "torch.int64", "Ellipsis", "slice(None)", "lambda *z: z",
    ]
    private static let binaryOperators = ["+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^", "@",
                                          "==", "!=", "<", "<=", "in", "not in", "is", "and", "or"]
    private static let functions = ["len", "str", "repr", "int", "float", "bool", "list", "tuple", "dict", "set",
                                    "sorted", "reversed", "sum", "min", "max", "abs", "range", "enumerate", "zip",
                                    "hash", "chr", "ord", "round", "iter", "next", "hex", "bin", "bytes", "type",
                                    "id", "callable", "any", "all", "map", "filter", "divmod", "pow", "format",
                                    "isinstance", "getattr", "hasattr", "print", "f", "g", "copy.deepcopy",
                                    "math.sqrt", "math.floor", "math.log", "math.factorial", "random.randrange",
                                    "random.choice", "itertools.repeat", "itertools.product", "functools.reduce",
                                    "collections.Counter", "collections.deque", "torch.tensor", "torch.zeros",
                                    "torch.randn", "torch.arange", "torch.cat", "torch.stack", "torch.sum",
                                    "torch.matmul", "torch.softmax", "torch.where", "torch.full", "torch.empty",
                                    "nn.Linear", "nn.Conv2d", "nn.Conv1d", "nn.MaxPool2d", "nn.BatchNorm2d",
                                    "nn.LSTM", "nn.Embedding", "nn.Sequential", "nn.Flatten", "nn.LayerNorm"]
    private static let methods = ["append", "pop", "extend", "insert", "remove", "index", "count", "sort",
                                  "reverse", "copy", "clear", "keys", "values", "items", "get", "update",
                                  "setdefault", "split", "join", "format", "replace", "strip", "upper",
                                  "expandtabs", "center", "zfill", "ljust", "encode", "decode", "startswith",
                                  "find", "add", "discard", "sum", "mean", "view", "reshape", "unsqueeze",
                                  "squeeze", "permute", "transpose", "expand", "repeat", "t", "item", "tolist",
                                  "numel", "size", "backward", "requires_grad_", "to", "float", "long",
                                  "argmax", "max", "softmax", "flatten", "narrow", "chunk", "split", "index_select",
                                  "masked_fill", "clamp", "pow", "exp", "log", "sqrt", "abs", "forward",
                                  "parameters", "state_dict", "load_state_dict", "zero_grad", "apply", "eval"]

    /// An expression, nested at most a few levels.
    private mutating func expression() -> String {
        depth += 1
        defer { depth -= 1 }
        if depth > 4 { return next() % 2 == 0 ? pick(Self.names) : pick(Self.literals) }
        switch next() % 20 {
        case 0, 1: return pick(Self.names)
        case 2, 3: return pick(Self.literals)
        case 4, 5: return "(\(expression()) \(pick(Self.binaryOperators)) \(expression()))"
        case 6: return "(\(pick(["-", "not ", "~", "+"]))\(expression()))"
        case 7, 8: return "\(pick(Self.functions))(\(arguments()))"
        case 9, 10: return "\(expression()).\(pick(Self.methods))(\(arguments()))"
        case 11: return "\(expression())[\(expression())]"
        case 12: return "\(expression())[\(expression()):\(expression()):\(pick(["1", "-1", "2", "None", "0"]))]"
        case 13: return "[\(arguments())]"
        case 14: return "{\(expression()): \(expression())}"
        case 15: return "[\(pick(["x", "x * x", "(x, x)", "str(x)"])) for x in \(expression()) if \(expression())]"
        case 16: return "(lambda x=\(expression()): \(expression()))"
        case 17: return "f'{\(expression())}'"
        case 18: return "(\(pick(["'%d'", "'%s'", "'%r %r'", "'%5.2f'", "'{}'.format"])) % (\(arguments()),))"
        default: return "\(expression()) if \(expression()) else \(expression())"
        }
    }

    private mutating func arguments() -> String {
        (0..<(next() % 4)).map { _ in expression() }.joined(separator: ", ")
    }

    private mutating func block(indent: String) {
        let inner = indent + "    "
        let start = lines.count
        for _ in 0..<(1 + next() % 3) where position < bytes.count { statement(indent: inner) }
        if lines.count == start { lines.append(inner + "pass") }
    }

    private mutating func statement(indent: String) {
        guard depth < 6 else { lines.append(indent + "pass"); return }
        depth += 1
        defer { depth -= 1 }
        let name = pick(Self.names)
        switch next() % 24 {
        case 0, 1, 2: lines.append("\(indent)\(name) = \(expression())")
        case 3: lines.append("\(indent)\(name) \(pick(["+=", "*=", "-=", "//=", "|=", "@="])) \(expression())")
        case 4: lines.append("\(indent)\(name)[\(expression())] = \(expression())")
        case 5: lines.append("\(indent)del \(name)[\(expression())]")
        case 6: lines.append("\(indent)print(\(arguments()))")
        case 7:
            lines.append("\(indent)if \(expression()):"); block(indent: indent)
            lines.append("\(indent)else:"); block(indent: indent)
        case 8: lines.append("\(indent)for \(name) in \(expression()):"); block(indent: indent)
        case 9: lines.append("\(indent)while \(expression()):"); block(indent: indent)
        case 10:
            lines.append("\(indent)try:"); block(indent: indent)
            lines.append("\(indent)except \(pick(["Exception", "BaseException", "(TypeError, ValueError)", "MemoryError"])) as ex:")
            lines.append("\(indent)    print(type(ex).__name__, ex)")
            if next() % 2 == 0 { lines.append("\(indent)finally:"); block(indent: indent) }
        case 11:
            lines.append("\(indent)def \(name)(x=\(expression()), *args, **kw):"); block(indent: indent)
            lines.append("\(indent)    return \(expression())")
        case 12:
            lines.append("\(indent)def \(name)(x=None):")
            lines.append("\(indent)    yield \(expression())")
            lines.append("\(indent)    yield from \(expression())")
        case 13:
            lines.append("\(indent)class \(name.uppercased())(\(pick(["", "nn.Module", "Exception", "list", "dict"]))):")
            lines.append("\(indent)    def __init__(self, *a):")
            lines.append("\(indent)        super().__init__()")
            lines.append("\(indent)        self.v = \(expression())")
            lines.append("\(indent)    def \(pick(["__repr__", "__eq__", "__hash__", "__len__", "__iter__", "__getattr__", "forward", "__lt__", "__call__"]))(self, *a):")
            lines.append("\(indent)        return \(expression())")
            lines.append("\(indent)\(name) = \(name.uppercased())(\(arguments()))")
        case 14: lines.append("\(indent)\(pick(["raise", "assert"])) \(expression())")
        case 15: lines.append("\(indent)\(name) = [\(name)]")
        case 16:
            // Growth: doubling and chains, under the step budget.
            let grow = pick(["\(name) = \(name) + \(name)", "\(name) += \(name)", "\(name).extend(\(name))",
                             "\(name) = (lambda p=\(name): p)", "\(name) = [\(name), 0]", "\(name) = (x for x in [\(name)])",
                             "\(name) = {0: \(name)}", "\(name) = \(name) * 2"])
            lines.append("\(indent)for _ in range(\(pick(["5", "30", "64", "1000", "100000"]))):")
            lines.append("\(indent)    \(grow)")
        case 17: lines.append("\(indent)global \(name)")
        case 18: lines.append("\(indent)\(name) = \(name).\(pick(Self.methods))(\(arguments()))")
        case 19: lines.append("\(indent)with torch.no_grad():"); block(indent: indent)
        case 20: lines.append("\(indent)\(name), *\(pick(Self.names)) = \(expression())")
        case 21: lines.append("\(indent)\(name).\(pick(["v", "weight", "shape", "grad", "data", "x"])) = \(expression())")
        case 22: lines.append("\(indent)del \(name)")
        default: lines.append("\(indent)\(expression())")
        }
    }
}
