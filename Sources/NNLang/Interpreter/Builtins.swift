import Foundation
import TensorRuntime
import NeuralNet

// Python's builtin functions.
extension Interpreter {
    func installBuiltins() {
        for t in BuiltinTypes.all { builtins[t.name] = .object(t) }
        for (name, cls) in ExceptionClasses.named { builtins[name] = .object(cls) }
        builtins["None"] = Value.none
        builtins["True"] = .bool(true)
        builtins["False"] = .bool(false)
        builtins["NotImplemented"] = .object(NotImplemented.shared)
        builtins["Ellipsis"] = .object(PyEllipsis.shared)
        builtins["__name__"] = .str("__main__")
        BuiltinTypes.str.classMethods["maketrans"] = { a, i in
            // `str.maketrans(...)`: the instance method's declaration, without a receiver.
            guard let method = Interpreter.stringMethods["maketrans"] else { return .none }
            return try method("", "maketrans", a, i)
        }
        BuiltinTypes.float.classMethods["fromhex"] = { a, _ in
            .float(try FloatHex.fromHex(try (try a.bind("fromhex", ["string"], required: 1)[0] ?? .none).asString("string")))
        }
        BuiltinTypes.bytes.classMethods["fromhex"] = { a, _ in
            .object(PyBytes(try PyBytes.fromHex(try (try a.bind("fromhex", ["string"], required: 1)[0] ?? .none).asString("fromhex() argument"))))
        }
        BuiltinTypes.int.classMethods["from_bytes"] = { a, i in try IntBytes.fromBytes(a, i) }
        BuiltinTypes.dict.classMethods["fromkeys"] = { a, i in
            let s = try a.bind("fromkeys", ["iterable", "value"], required: 1)
            let d = PyDict()
            for k in try i.iterate(s[0] ?? .none) { try d.set(k, s[1] ?? .none) }
            return .object(d)
        }
        for (name, body) in Interpreter.builtinFunctions {
            let fn = BuiltinFunction(name, direct: Interpreter.directBuiltins[name]) { a, ev in
                guard let interp = ev as? Interpreter else { return .none }
                return try body(a, interp)
            }
            builtins[name] = .object(fn)
        }
        builtins["staticmethod"] = wrapperType("staticmethod", .staticMethod)
        builtins["classmethod"] = wrapperType("classmethod", .classMethod)
        builtins["property"] = wrapperType("property", .property)
    }

    private func wrapperType(_ name: String, _ kind: MethodWrapper.Kind) -> Value {
        .object(BuiltinType(name, check: { v in
            if case .object(let o) = v, let w = o as? MethodWrapper { return w.kind == kind }
            return false
        }, construct: { a, _ in
            let s = try a.bind(name, ["fget", "fset", "fdel"], required: 1)
            return .object(MethodWrapper(kind, s[0] ?? .none, setter: s[1], deleter: s[2]))
        }))
    }

    /// `abs(x)`.
    func absolute(_ x: Value) throws -> Value {
        switch x {
        case .int(let n):
            if n == Int.min { throw PyError(.overflowError, "integer overflow: nnrepl ints are 64-bit") }
            return .int(Swift.abs(n))
        case .bool(let b): return .int(b ? 1 : 0)
        case .float(let d): return .float(Swift.abs(d))
        default:
            if let fn = try? getAttribute(x, "__abs__") { return try callValue(fn, Arguments()) }
            if case .tensor = x, let fn = try lookupAttribute(x, "abs") { return try callValue(fn, Arguments()) }
            if let v = x.carriedValue { return try absolute(v) }
            throw PyError(.typeError, "bad operand type for abs(): '\(x.typeName)'")
        }
    }

    /// `min`/`max` over an iterable or the arguments, with `key=` and `default=`.
    private func extreme(_ a: Arguments, _ name: String, _ better: ComparisonOperator) throws -> Value {
        var key: Value?
        var dflt: Value?
        for (k, v) in a.keywords {
            switch k {
            case "key": key = v.isNone ? nil : v
            case "default": dflt = v
            default: throw PyError(.typeError, "'\(k)' is an invalid keyword argument for \(name)()")
            }
        }
        let items: [Value]
        if a.positional.count == 1 {
            items = try iterate(a.positional[0])
        } else if a.positional.isEmpty {
            throw PyError(.typeError, "\(name) expected at least 1 argument, got 0")
        } else {
            if dflt != nil { throw PyError(.typeError, "Cannot specify a default for \(name)() with multiple positional arguments") }
            items = a.positional
        }
        guard var best = items.first else {
            if let d = dflt { return d }
            throw PyError(.valueError, "\(name)() iterable argument is empty")
        }
        var bestKey = try key.map { try callValue($0, Arguments([best])) } ?? best
        for item in items.dropFirst() {
            let k = try key.map { try callValue($0, Arguments([item])) } ?? item
            if try truthy(try compare(better, k, bestKey)) {
                best = item
                bestKey = k
            }
        }
        return best
    }

    private func roundValue(_ a: Arguments) throws -> Value {
        let s = try a.bind("round", ["number", "ndigits"], required: 1)
        let x = s[0] ?? .none
        let digits = s[1].flatMap { $0.isNone ? nil : $0 }
        switch x {
        case .int(let i):
            guard let nd = digits else { return .int(i) }
            let n = try nd.asInt()
            if n >= 0 { return .int(i) }
            guard n > -19 else { return .int(0) }
            var p = 1
            for _ in 0..<(-n) { p *= 10 }
            let q = Double(i) / Double(p)
            return .int(Int((q).rounded(.toNearestOrEven)) * p)
        case .bool(let b):
            return .int(b ? 1 : 0)
        case .float(let d):
            guard let nd = digits else {
                if d.isNaN { throw PyError(.valueError, "cannot convert float NaN to integer") }
                if d.isInfinite { throw PyError(.overflowError, "cannot convert float infinity to integer") }
                return .int(try floatToInt(d.rounded(.toNearestOrEven)))
            }
            let n = try nd.asInt()
            guard d.isFinite else { return .float(d) }
            if n > 300 { return .float(d) }
            if n < -308 { return .float(0 * d) }
            // Correctly rounded like CPython: round the exact decimal expansion.
            if n >= 0 {
                let text = formatFixed(d, precision: n)
                return .float(Double(text) ?? d)
            }
            let p = pow(10.0, Double(-n))
            return .float((d / p).rounded(.toNearestOrEven) * p)
        case .tensor:
            if let fn = try lookupAttribute(x, "__round__") { return try callValue(fn, Arguments(digits.map { [$0] } ?? [])) }
            return .float(try x.asDouble().rounded(.toNearestOrEven))
        default:
            if let cls = classOf(x), let fn = cls.lookup("__round__") {
                return try callValue(fn, Arguments([x] + (digits.map { [$0] } ?? [])))
            }
            if let v = x.carriedValue { return try roundValue(Arguments([v] + (digits.map { [$0] } ?? []))) }
            throw PyError(.typeError, "type \(x.typeName) doesn't define __round__ method")
        }
    }

    private func printValues(_ a: Arguments) throws -> Value {
        var sep = " ", end = "\n", flushing = false
        for (k, v) in a.keywords {
            switch k {
            case "sep": if !v.isNone { sep = try v.asString("sep") }
            case "end": if !v.isNone { end = try v.asString("end") }
            case "flush": flushing = try truthy(v)
            case "file": break
            default: throw PyError(.typeError, "'\(k)' is an invalid keyword argument for print()")
            }
        }
        let text = try a.positional.map { try str($0) }.joined(separator: sep) + end
        let file = a.keywords.first(where: { $0.name == "file" })?.value ?? .none
        if case .object(let o) = file, let stream = o as? TextStream {
            if stream.toStandardError { errorOutput(text) } else { output(text) }
        } else if !file.isNone {
            _ = try call(try getAttribute(file, "write"), Arguments([.str(text)]))
        } else {
            output(text)
        }
        if flushing { flush() }
        return .none
    }

    /// The builtins' entries for one or two positional arguments (`DirectEntry`): the same
    /// work as their general bodies below.
    static let directBuiltins: [String: DirectEntry] = [
        "len": .one { x, i in .int(try i.length(x)) },
        "isinstance": .two { x, t, i in .bool(try i.isInstance(x, t)) },
        "abs": .one { x, i in try i.absolute(x) },
        "min": .two { x, y, i in try i.truthy(try i.compare(.lt, y, x)) ? y : x },
        "max": .two { x, y, i in try i.truthy(try i.compare(.gt, y, x)) ? y : x },
    ]

    static let builtinFunctions: [String: (Arguments, Interpreter) throws -> Value] = [
        "print": { a, i in try i.printValues(a) },
        "len": { a, i in .int(try i.length(try a.bind("len", ["obj"], required: 1)[0] ?? .none)) },
        "repr": { a, i in .str(try i.repr(try a.bind("repr", ["obj"], required: 1)[0] ?? .none)) },
        "ascii": { a, i in .str(asciiRepr(try i.repr(try a.bind("ascii", ["obj"], required: 1)[0] ?? .none))) },
        "format": { a, i in
            let s = try a.bind("format", ["value", "format_spec"], required: 1)
            return .str(try i.format(s[0] ?? .none, spec: try s[1].map { try $0.asString() } ?? ""))
        },
        "isinstance": { a, i in
            if a.keywords.isEmpty, a.positional.count == 2 { return .bool(try i.isInstance(a.positional[0], a.positional[1])) }
            let s = try a.bind("isinstance", ["obj", "class_or_tuple"], required: 2)
            return .bool(try i.isInstance(s[0] ?? .none, s[1] ?? .none))
        },
        "issubclass": { a, i in
            let s = try a.bind("issubclass", ["cls", "class_or_tuple"], required: 2)
            guard case .object(let o) = s[0] ?? .none, let cls = o as? PyType else {
                throw PyError(.typeError, "issubclass() arg 1 must be a class")
            }
            let targets = i.sequenceItems(s[1] ?? .none) ?? [s[1] ?? .none]
            for t in targets {
                guard case .object(let to) = t, let tt = to as? PyType else {
                    throw PyError(.typeError, "issubclass() arg 2 must be a class, a tuple of classes, or a union")
                }
                if cls.isSubclass(of: tt) || tt === BuiltinTypes.object { return .bool(true) }
                if let c = cls as? PyClass, c.isModuleClass, tt is ModuleBaseType { return .bool(true) }
            }
            return .bool(false)
        },
        "getattr": { a, i in
            let s = try a.bind("getattr", ["object", "name", "default"], required: 2)
            let name = try (s[1] ?? .none).asString("attribute name")
            guard let fallback = s[2] else { return try i.getAttribute(s[0] ?? .none, name) }
            return try i.attributeIfPresent(s[0] ?? .none, name) ?? fallback
        },
        "setattr": { a, i in
            let s = try a.bind("setattr", ["obj", "name", "value"], required: 3)
            try i.setAttribute(s[0] ?? .none, try (s[1] ?? .none).asString("attribute name"), s[2] ?? .none)
            return .none
        },
        "delattr": { a, i in
            let s = try a.bind("delattr", ["obj", "name"], required: 2)
            try i.deleteAttribute(s[0] ?? .none, try (s[1] ?? .none).asString("attribute name"))
            return .none
        },
        "hasattr": { a, i in
            let s = try a.bind("hasattr", ["obj", "name"], required: 2)
            let name = try (s[1] ?? .none).asString("attribute name")
            return .bool(try i.attributeIfPresent(s[0] ?? .none, name) != nil)
        },
        "sum": { a, i in
            let s = try a.bind("sum", ["iterable", "start"], required: 1)
            var total = s[1] ?? .int(0)
            if case .str = total { throw PyError(.typeError, "sum() can't sum strings [use ''.join(seq) instead]") }
            for v in try i.iterate(s[0] ?? .none) { total = try i.binary(.add, total, v) }
            return total
        },
        "min": { a, i in try i.extreme(a, "min", .lt) },
        "max": { a, i in try i.extreme(a, "max", .gt) },
        "abs": { a, i in try i.absolute(try a.bind("abs", ["x"], required: 1)[0] ?? .none) },
        "round": { a, i in try i.roundValue(a) },
        "divmod": { a, i in
            let s = try a.bind("divmod", ["x", "y"], required: 2)
            let x = s[0] ?? .none, y = s[1] ?? .none
            if let a = x.numericValue, let b = y.numericValue, x.isFloat || y.isFloat {
                if b == 0 { throw PyError(.zeroDivisionError, "float divmod()") }
                let (q, r) = i.floatDivMod(a, b)
                return .object(PyTuple([.float(q), .float(r)]))
            }
            return .object(PyTuple([try i.binary(.floorDiv, x, y), try i.binary(.mod, x, y)]))
        },
        "pow": { a, i in
            let s = try a.bind("pow", ["base", "exp", "mod"], required: 2)
            if let m = s[2], !m.isNone {
                let base = try (s[0] ?? .none).asInt()
                var e = try (s[1] ?? .none).asInt()
                let mod = try m.asInt()
                if mod == 0 { throw PyError(.valueError, "pow() 3rd argument cannot be 0") }
                // In UInt with full-width products: |mod| may be 2**63 and products need 128 bits.
                let m = mod.magnitude
                func mulmod(_ x: UInt, _ y: UInt) -> UInt { m.dividingFullWidth(x.multipliedFullWidth(by: y)).remainder }
                let bm = base.magnitude % m
                var b = base < 0 && bm != 0 ? m - bm : bm, r = 1 % m
                if e < 0 {
                    // A negative exponent raises the modular inverse (extended Euclid), as Python 3.8+.
                    var (r0, r1, t0, t1) = (Int128(m), Int128(b), Int128(0), Int128(1))
                    while r1 != 0 {
                        let q = r0 / r1
                        (r0, r1) = (r1, r0 - q * r1)
                        (t0, t1) = (t1, t0 - q * t1)
                    }
                    guard r0 == 1 || m == 1 else { throw PyError(.valueError, "base is not invertible for the given modulus") }
                    b = UInt((t0 % Int128(m) + Int128(m)) % Int128(m))
                    e = e == Int.min ? Int.max : -e   // (b^-1)^(2^63) needs one more factor
                    if e == Int.max { r = b }
                }
                while e > 0 {
                    if e & 1 == 1 { r = mulmod(r, b) }
                    b = mulmod(b, b)
                    e >>= 1
                }
                // Python's result takes the sign of mod.
                return .int(mod < 0 && r != 0 ? Int(bitPattern: 0 &- (m - r)) : Int(r))
            }
            return try i.binary(.pow, s[0] ?? .none, s[1] ?? .none)
        },
        "chr": { a, i in
            let n = try (try a.bind("chr", ["i"], required: 1)[0] ?? .none).asInt()
            guard n >= 0, let u = Unicode.Scalar(UInt32(clamping: n)) else { throw PyError(.valueError, "chr() arg not in range(0x110000)") }
            return .str(String(u))
        },
        "ord": { a, i in
            let v = try a.bind("ord", ["c"], required: 1)[0] ?? .none
            guard case .str(let s) = v, s.unicodeScalars.count == 1, let u = s.unicodeScalars.first else {
                if case .str(let s) = v { throw PyError(.typeError, "ord() expected a character, but string of length \(s.codePointCount) found") }
                throw PyError(.typeError, "ord() expected string of length 1, but \(v.typeName) found")
            }
            return .int(Int(u.value))
        },
        "hex": { a, i in .str(try i.formatInt(try (try a.bind("hex", ["number"], required: 1)[0] ?? .none).asInt(), "#x")) },
        "oct": { a, i in .str(try i.formatInt(try (try a.bind("oct", ["number"], required: 1)[0] ?? .none).asInt(), "#o")) },
        "bin": { a, i in .str(try i.formatInt(try (try a.bind("bin", ["number"], required: 1)[0] ?? .none).asInt(), "#b")) },
        "sorted": { a, i in
            let s = try a.bind("sorted", ["iterable", "key", "reverse"], required: 1)
            return .object(PyList(try sortValues(try i.iterate(s[0] ?? .none), key: s[1],
                                                 reverse: try s[2].map { try i.truthy($0) } ?? false, i)))
        },
        "reversed": { a, i in
            let v = try a.bind("reversed", ["sequence"], required: 1)[0] ?? .none
            if let cls = classOf(v), let fn = cls.lookup("__reversed__") { return try i.callValue(fn, Arguments([v])) }
            if case .object(let o) = v, o is PySet || o is PyIterator {
                throw PyError(.typeError, "'\(v.typeName)' object is not reversible")
            }
            return .object(ArrayIterator(try i.iterate(v).reversed(), kind: "reversed"))
        },
        "enumerate": { a, i in
            let s = try a.bind("enumerate", ["iterable", "start"], required: 1)
            let start = try s[1].map { try $0.asInt() } ?? 0
            return .object(EnumerateIterator(try i.makeIterator(s[0] ?? .none), start: start))
        },
        "zip": { a, i in
            var strict = false
            for (k, v) in a.keywords {
                guard k == "strict" else { throw PyError(.typeError, "zip() got an unexpected keyword argument '\(k)'") }
                strict = try i.truthy(v)
            }
            return .object(ZipIterator(try a.positional.map { try i.makeIterator($0) }, strict: strict))
        },
        "map": { a, i in
            guard a.positional.count >= 2 else { throw PyError(.typeError, "map() must have at least two arguments.") }
            let fn = a.positional[0]
            let iterators = try a.positional.dropFirst().map { try i.makeIterator($0) }
            var done = false
            return .object(LazyIterator(kind: "map") {
                if done { return nil }
                var args: [Value] = []
                for it in iterators {
                    guard let v = try it.next(i) else { done = true; return nil }
                    args.append(v)
                }
                return try i.callValue(fn, Arguments(args))
            })
        },
        "filter": { a, i in
            let s = try a.bind("filter", ["function", "iterable"], required: 2)
            let fn = s[0] ?? .none
            let it = try i.makeIterator(s[1] ?? .none)
            return .object(LazyIterator(kind: "filter") {
                while let v = try it.next(i) {
                    try i.checkInterrupt()
                    if try i.truthy(fn.isNone ? v : try i.callValue(fn, Arguments([v]))) { return v }
                }
                return nil
            })
        },
        // any() and all() stop at the first deciding item (a generator is not run further).
        "any": { a, i in
            let items = try i.makeIterator(try a.bind("any", ["iterable"], required: 1)[0] ?? .none)
            while let v = try items.next(i) { if try i.truthy(v) { return .bool(true) } }
            return .bool(false)
        },
        "all": { a, i in
            let items = try i.makeIterator(try a.bind("all", ["iterable"], required: 1)[0] ?? .none)
            while let v = try items.next(i) { if !(try i.truthy(v)) { return .bool(false) } }
            return .bool(true)
        },
        "iter": { a, i in .object(try i.makeIterator(try a.bind("iter", ["object"], required: 1)[0] ?? .none)) },
        "next": { a, i in
            let s = try a.bind("next", ["iterator", "default"], required: 1)
            guard case .object(let o) = s[0] ?? .none, let it = o as? PyIterator else {
                let v = s[0] ?? .none
                if let cls = classOf(v), let fn = cls.lookup("__next__") {
                    do { return try i.callValue(fn, Arguments([v])) } catch let e as ScriptError where s[1] != nil && e.exception.cls.isSubclass(of: ExceptionClasses.stopIteration) {
                        return s[1] ?? .none
                    }
                }
                // A host object's own __next__ (`next(model.parameters())`).
                if case .object(let host) = v, let fn = try host.getAttribute("__next__", i) {
                    do { return try i.callValue(fn, Arguments()) } catch let e as PyError where s[1] != nil && e.kind == .stopIteration {
                        return s[1] ?? .none
                    }
                }
                throw PyError(.typeError, "'\(v.typeName)' object is not an iterator")
            }
            if let v = try it.next(i) { return v }
            if let d = s[1] { return d }
            if let g = it as? PyGenerator { throw g.stopIteration() }
            throw PyError(.stopIteration, args: [])
        },
        "id": { a, i in
            let v = try a.bind("id", ["obj"], required: 1)[0] ?? .none
            switch v {
            case .object(let o): return .int(Int(bitPattern: UInt(bitPattern: ObjectIdentifier(o))))
            case .tensor(let t): return .int(Int(bitPattern: UInt(bitPattern: ObjectIdentifier(t))))
            case .module(let m): return .int(Int(bitPattern: UInt(bitPattern: ObjectIdentifier(m))))
            default: return .int(try HashKey(v).hashValue)
            }
        },
        "hash": { a, i in
            let v = try a.bind("hash", ["obj"], required: 1)[0] ?? .none
            return .int(try pythonHash(v))
        },
        "callable": { a, i in
            let v = try a.bind("callable", ["obj"], required: 1)[0] ?? .none
            switch v {
            case .module: return .bool(true)
            case .object(let o):
                if o is PyFunction || o is BoundMethod || o is BuiltinFunction || o is PyType || o is NativeMethod { return .bool(true) }
                if let inst = o as? PyInstance { return .bool(inst.cls.lookup("__call__") != nil) }
                return .bool(o.typeName.contains("function") || o.typeName.contains("method"))
            default: return .bool(false)
            }
        },
        "help": { a, i in
            // From the value's single declaration (host functions and types); a script object's
            // docstring otherwise. The REPL's `x?` and `:help x` print the same text.
            let v = try a.bind("help", ["request"], required: 1)[0] ?? .none
            i.write(try i.helpText(for: v))
            return .none
        },
        "dir": { a, i in
            let s = try a.bind("dir", ["object"])
            guard let v = s[0] else { return .object(PyList(i.globalNames.map { .str($0) })) }
            return .object(PyList(Set(i.attributeNames(of: v)).sorted().map { .str($0) }))
        },
        "vars": { a, i in
            let s = try a.bind("vars", ["object"])
            guard let v = s[0] else { return try i.globalsDict() }
            guard let d = try i.lookupAttribute(v, "__dict__") else {
                throw PyError(.typeError, "vars() argument must have __dict__ attribute")
            }
            return d
        },
        "globals": { _, i in try i.globalsDict() },
        "locals": { _, i in try i.globalsDict() },
        "super": { a, i in
            if a.positional.isEmpty { return try i.zeroArgumentSuper() }
            let s = try a.bind("super", ["type", "obj"], required: 2)
            guard case .object(let o) = s[0] ?? .none, let cls = o as? PyClass else {
                throw PyError(.typeError, "super() argument 1 must be a type, not \((s[0] ?? .none).typeName)")
            }
            return .object(try PySuper(cls: cls, receiver: s[1] ?? .none))
        },
        "exit": { a, i in throw try i.systemExit(a) },
        "quit": { a, i in throw try i.systemExit(a) },
        "input": { _, _ in throw PyError(.notImplementedError, "input() is not supported by nnrepl scripts") },
        "open": TextFile.open,
        "eval": { _, _ in throw PyError(.notImplementedError, "eval() is not supported by nnrepl") },
        "exec": { _, _ in throw PyError(.notImplementedError, "exec() is not supported by nnrepl") },
        "__import__": { a, i in
            let name = try (try a.bind("__import__", ["name"], required: 1)[0] ?? .none).asString()
            guard let m = try i.host.importModule(name, i) else { throw PyError(.moduleNotFoundError, "No module named '\(name)'") }
            return m
        },
    ]

    /// `exit(code)` / `quit(code)` / `sys.exit(code)`: raises SystemExit(code), which `except
    /// SystemExit` can catch; uncaught, `execute` turns it into the process exit (`exitRequest`).
    /// Too many arguments are CPython's TypeError (the builtins are `site.Quitter` objects).
    func systemExit(_ a: Arguments, isSysExit: Bool = false) throws -> Error {
        if a.positional.count > 1 {
            throw PyError(.typeError, isSysExit ? "exit expected at most 1 argument, got \(a.positional.count)"
                : "Quitter.__call__() takes from 1 to 2 positional arguments but \(a.positional.count + 1) were given")
        }
        let s = try a.bind("exit", ["code"])
        return PyError(.systemExit, args: s[0].map { [$0] } ?? [])
    }

    /// What an uncaught SystemExit means for the process, as in CPython: no code or None is
    /// status 0, an int is that status, anything else is printed to stderr with status 1.
    func exitRequest(_ exc: PyExceptionObject) -> SystemExitRequest {
        switch exc.exitCode {
        case .none: return SystemExitRequest(code: 0)
        case .int(let n): return SystemExitRequest(code: Int32(truncatingIfNeeded: n))
        case .bool(let b): return SystemExitRequest(code: b ? 1 : 0)
        case let v:
            errorOutput(((try? str(v)) ?? "") + "\n")
            return SystemExitRequest(code: 1)
        }
    }

    func globalsDict() throws -> Value {
        let d = PyDict()
        for name in globalNames { if let v = globals[name]?.value { try d.set(.str(name), v) } }
        return .object(d)
    }

    func isInstance(_ v: Value, _ typeValue: Value) throws -> Bool {
        if case .object(let o) = typeValue, type(of: o) == PyClass.self {
            // A script class, the common case: the same test as below without its casts.
            let t = unsafeDowncast(o, to: PyClass.self)
            return t.isInstance(v) || typeObject(v).isSubclass(of: t)
        }
        if let items = sequenceItems(typeValue) {
            for t in items where try isInstance(v, t) { return true }
            return false
        }
        guard case .object(let o) = typeValue, let t = o as? PyType else {
            throw PyError(.typeError, "isinstance() arg 2 must be a type, a tuple of types, or a union")
        }
        if t === BuiltinTypes.object { return true }
        if t.isInstance(v) { return true }
        return typeObject(v).isSubclass(of: t)
    }

    /// Names for `dir(v)` and completion, computed without side effects.
    func attributeNames(of v: Value) -> [String] {
        switch v {
        case .str: return Interpreter.stringMethodNames
        case .int, .bool: return ["as_integer_ratio", "bit_count", "bit_length", "conjugate", "denominator", "from_bytes", "imag", "is_integer", "numerator", "real", "to_bytes"]
        case .float: return ["as_integer_ratio", "conjugate", "fromhex", "hex", "imag", "is_integer", "real"]
        case .none: return []
        case .tensor: return host.tensorAttributeNames()
        case .module(let m):
            // The methods the bindings really have (Module.memberNames also lists PyTorch methods
            // nnrepl lacks, for register_buffer's "already exists" check).
            var names = host.moduleAttributeNames(m)
            // `mro` belongs to the class, not to its instances.
            if let sm = m as? ScriptModule { names += sm.dict.keys + sm.cls.attributeNames().filter { !$0.hasPrefix("__") && $0 != "mro" } }
            return names
        case .object(let o): return o.attributeNames()
        }
    }
}
