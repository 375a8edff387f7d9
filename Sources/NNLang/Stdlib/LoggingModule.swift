import Foundation

/// Python's `logging`, the parts training scripts use: `basicConfig(level=, format=, stream=,
/// filename=, force=)`, `getLogger(name)` with `setLevel`/`debug`/`info`/`warning`/`error`/
/// `critical`/`exception`/`log`, `StreamHandler`/`FileHandler` with `Formatter`, the level
/// constants, and the module-level `logging.info(...)` calls (which configure the root logger
/// first, as CPython's). A record formats with `%`-style fields (`%(levelname)s`, `%(name)s`,
/// `%(message)s`, `%(asctime)s`, `%(levelno)s`, `%(filename)s`, `%(module)s`, `%(process)d`).
/// A logger without handlers anywhere up its chain prints WARNING and above, message only,
/// on stderr (CPython's last resort). Loggers are one tree per interpreter.
final class LoggingState {
    var loggers: [String: PyLogger] = [:]
    lazy var root = PyLogger(name: "root", level: LoggingModule.warning, parent: nil)

    func logger(_ name: String) -> PyLogger {
        if name.isEmpty || name == "root" { return root }
        if let l = loggers[name] { return l }
        let parentName = name.split(separator: ".").dropLast().joined(separator: ".")
        let made = PyLogger(name: name, level: 0, parent: logger(parentName))
        loggers[name] = made
        return made
    }
}

enum LoggingModule {
    static let warning = 30
    static let levels: [(String, Int)] = [("CRITICAL", 50), ("FATAL", 50), ("ERROR", 40), ("WARNING", 30), ("WARN", 30),
                                          ("INFO", 20), ("DEBUG", 10), ("NOTSET", 0)]
    static let defaultFormat = "%(levelname)s:%(name)s:%(message)s"

    static func levelName(_ level: Int) -> String {
        levels.first { $0.1 == level && $0.0 != "FATAL" && $0.0 != "WARN" }?.0 ?? "Level \(level)"
    }

    /// A level given as an int or a name (`"INFO"`), as CPython's `_checkLevel`.
    static func level(_ v: Value) throws -> Int {
        switch v {
        case .int(let i): return i
        case .str(let s):
            guard let l = levels.first(where: { $0.0 == s })?.1 else { throw PyError(.valueError, "Unknown level: \(repr(s))") }
            return l
        default: throw PyError(.typeError, "Level not an integer or a valid string: \(v.typeName)")
        }
    }

    private static func repr(_ s: String) -> String { "'\(s)'" }

    static func state(_ ev: Evaluator) throws -> LoggingState { try Interpreter.of(ev).loggingState }

    static func module() -> Namespace {
        let m = Namespace("logging")
        for (name, level) in levels { m[name] = .int(level) }
        m["getLogger"] = .object(NativeFunction("getLogger", "name=None", doc: "The logger called name (the root logger without one).") { b, ev in
            .object(try state(ev).logger(b[0].isNone ? "" : try b[0].asString("name")))
        })
        m["basicConfig"] = .object(NativeFunction("basicConfig", "*, level=None, format=None, datefmt=None, stream=None, filename=None, filemode='a', force=False, handlers=None",
                                                  doc: "Gives the root logger a handler (stderr, stream= or filename=) with format=, and sets level=, unless it has one (force=True replaces it).") { b, ev in
            try basicConfig(b, ev)
            return .none
        })
        m["StreamHandler"] = .object(NativeFunction("StreamHandler", "stream=None", doc: "A handler writing records to stream (stderr by default).") { b, _ in
            .object(LogHandler(stream: b[0].isNone ? nil : b[0], file: nil))
        })
        m["FileHandler"] = .object(NativeFunction("FileHandler", "filename, mode='a', encoding=None, delay=False", doc: "A handler appending records to a file.") { b, _ in
            let path = try b[0].asPath("filename")
            if try b[1].asString("mode") == "w" { FileManager.default.createFile(atPath: path, contents: nil) }
            return .object(LogHandler(stream: nil, file: path))
        })
        m["Formatter"] = .object(NativeFunction("Formatter", "fmt=None, datefmt=None, style='%'", doc: "A record format: %(levelname)s, %(name)s, %(message)s, %(asctime)s …") { b, _ in
            .object(LogFormatter(format: b[0].isNone ? "%(message)s" : try b[0].asString("fmt")))
        })
        m["getLevelName"] = .object(NativeFunction("getLevelName", "level", doc: "A level's name, or a name's level.") { b, _ in
            if case .str(let s) = b[0] { return levels.first { $0.0 == s }.map { .int($0.1) } ?? .str("Level \(s)") }
            return .str(levelName(try b[0].asInt("level")))
        })
        m["disable"] = .object(NativeFunction("disable", "level=50", doc: "Drops every record at or below level.") { b, ev in
            try state(ev).root.disabledBelow = try level(b[0]) + 1
            return .none
        })
        for (name, level) in [("debug", 10), ("info", 20), ("warning", 30), ("warn", 30), ("error", 40), ("critical", 50), ("fatal", 50), ("exception", 40)] {
            m[name] = .object(NativeFunction(name, "msg, *args, **kwargs", doc: "Logs msg % args on the root logger at \(levelName(level)).") { b, ev in
                let root = try state(ev).root
                if root.handlers.isEmpty { try basicConfig(nil, ev) }
                try root.log(level, b[0], b.extraPositional, ev)
                return .none
            })
        }
        return m
    }

    private static func basicConfig(_ b: Bound?, _ ev: Evaluator) throws {
        let root = try state(ev).root
        if let b, try ev.truthy(b[6]) { root.handlers = [] }
        guard root.handlers.isEmpty else { return }
        let handler: LogHandler
        if let b, !b[4].isNone {
            let path = try b[4].asPath("filename")
            if try b[5].asString("filemode") == "w" { FileManager.default.createFile(atPath: path, contents: nil) }
            handler = LogHandler(stream: nil, file: path)
        } else {
            handler = LogHandler(stream: b.flatMap { $0[3].isNone ? nil : $0[3] }, file: nil)
        }
        if let b, !b[1].isNone { handler.formatter = LogFormatter(format: try b[1].asString("format")) }
        root.handlers = [handler]
        if let b, !b[0].isNone { root.level = try level(b[0]) }
    }
}

/// A `logging.Logger`.
final class PyLogger: PyObject {
    let name: String
    var level: Int
    let parent: PyLogger?
    var handlers: [LogHandler] = []
    var propagate = true
    var disabledBelow = 0

    init(name: String, level: Int, parent: PyLogger?) {
        self.name = name
        self.level = level
        self.parent = parent
        super.init()
    }

    override var typeName: String { name == "root" ? "RootLogger" : "Logger" }
    override func repr(_ ev: Evaluator) throws -> String { "<\(typeName) \(name) (\(LoggingModule.levelName(effectiveLevel)))>" }

    var effectiveLevel: Int {
        var l: PyLogger? = self
        while let current = l {
            if current.level > 0 { return current.level }
            l = current.parent
        }
        return 0
    }

    private var rootLogger: PyLogger { parent?.rootLogger ?? self }

    func log(_ level: Int, _ message: Value, _ args: [Value], _ ev: Evaluator) throws {
        guard level >= rootLogger.disabledBelow, level >= effectiveLevel else { return }
        var text = try ev.str(message)
        if !args.isEmpty {
            let values = args.count == 1 && ev.mappingItems(args[0]) != nil ? args[0] : ev.makeTuple(args)
            do { text = try Interpreter.of(ev).percentFormat(text, values) } catch let e as PyError {
                // As CPython's Handler.handleError: the error is reported, the program goes on.
                try Interpreter.of(ev).errorOutput("--- Logging error ---\n\(e.kind.rawValue): \(e.message)\n"
                    + "Message: \(try ev.repr(message))\nArguments: \(try ev.repr(ev.makeTuple(args)))\n")
                return
            }
        }
        let record = LogRecord(name: name, level: level, message: text)
        var logger: PyLogger? = self
        var handled = false
        while let current = logger {
            for h in current.handlers where level >= h.level {
                try h.emit(record, ev)
                handled = true
            }
            logger = current.propagate ? current.parent : nil
        }
        if !handled, level >= LoggingModule.warning { try Interpreter.of(ev).errorOutput(text + "\n") }
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        for (method, level) in [("debug", 10), ("info", 20), ("warning", 30), ("warn", 30), ("error", 40), ("critical", 50), ("fatal", 50), ("exception", 40)]
        where method == name {
            return .object(NativeFunction(name, "msg, *args, **kwargs", doc: "Logs msg % args at \(LoggingModule.levelName(level)).") { b, ev in
                try self.log(level, b[0], b.extraPositional, ev)
                return .none
            })
        }
        switch name {
        case "name": return .str(self.name)
        case "level": return .int(level)
        case "parent": return parent.map { .object($0) } ?? Value.none
        case "propagate": return .bool(propagate)
        case "handlers": return ev.makeList(handlers.map { .object($0) })
        case "log":
            return .object(NativeFunction(name, "level, msg, *args, **kwargs", doc: "Logs msg % args at level.") { b, ev in
                try self.log(try b[0].asInt("level"), b[1], b.extraPositional, ev)
                return .none
            })
        case "setLevel":
            return .object(NativeFunction(name, "level", doc: "Sets the logger's threshold.") { b, _ in
                self.level = try LoggingModule.level(b[0])
                return .none
            })
        case "getEffectiveLevel": return .object(NativeFunction(name, "", doc: "The level in force.") { _, _ in .int(self.effectiveLevel) })
        case "isEnabledFor":
            return .object(NativeFunction(name, "level", doc: "Whether a record at level would be handled.") { b, _ in
                .bool(try b[0].asInt("level") >= self.effectiveLevel)
            })
        case "addHandler", "removeHandler":
            return .object(NativeFunction(name, "hdlr", doc: "Adds or removes a handler.") { b, _ in
                guard case .object(let h as LogHandler) = b[0] else { throw PyError(.typeError, "handler must be a logging.Handler") }
                self.handlers.removeAll { $0 === h }
                if name == "addHandler" { self.handlers.append(h) }
                return .none
            })
        case "hasHandlers": return .object(NativeFunction(name, "", doc: "Whether any handler is attached up the chain.") { _, _ in
            var l: PyLogger? = self
            while let c = l { if !c.handlers.isEmpty { return .bool(true) }; l = c.propagate ? c.parent : nil }
            return .bool(false)
        })
        default: return nil
        }
    }

    override func setAttribute(_ name: String, _ value: Value, _ ev: Evaluator) throws {
        switch name {
        case "propagate": propagate = try ev.truthy(value)
        case "level": level = try LoggingModule.level(value)
        default: throw PyError(.attributeError, "'Logger' object attribute '\(name)' is read-only")
        }
    }
}

/// One log record's fields.
struct LogRecord {
    let name: String
    let level: Int
    let message: String
    let created = Date()
}

/// A `logging.Formatter`: a `%`-style template over the record's fields.
final class LogFormatter: PyObject {
    let format: String

    init(format: String) {
        self.format = format
        super.init()
    }

    override var typeName: String { "Formatter" }

    /// `%(asctime)s`'s date and time part, made once (a DateFormatter is costly to build per record).
    nonisolated(unsafe) private static let asctime: DateFormatter = {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f
    }()

    func render(_ r: LogRecord, _ ev: Evaluator) throws -> String {
        let millis = Int(r.created.timeIntervalSince1970 * 1000) % 1000
        let script = PythonStdlib.argv.first ?? ""
        let fileName = String(script.split(separator: "/").last ?? "")
        let fields: [(String, Value)] = [
            ("name", .str(r.name)), ("levelname", .str(LoggingModule.levelName(r.level))), ("levelno", .int(r.level)),
            ("message", .str(r.message)), ("msg", .str(r.message)),
            ("asctime", .str(LogFormatter.asctime.string(from: r.created) + String(format: ",%03d", millis))),
            ("created", .float(r.created.timeIntervalSince1970)), ("filename", .str(fileName)),
            ("module", .str(fileName.split(separator: ".").first.map(String.init) ?? "")), ("pathname", .str(script)),
            ("process", .int(Int(getpid()))), ("funcName", .str("<module>")), ("lineno", .int(0)),
            ("threadName", .str("MainThread")), ("processName", .str("MainProcess")),
        ]
        return try Interpreter.of(ev).percentFormat(format, ev.makeDict(fields.map { (.str($0.0), $0.1) }, ordered: false))
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        name == "_fmt" ? .str(format) : nil
    }
}

/// A `logging.StreamHandler` (`stream` nil: stderr) or `FileHandler` (`file`).
final class LogHandler: PyObject {
    let stream: Value?
    let file: String?
    var level = 0
    var formatter: LogFormatter?

    init(stream: Value?, file: String?) {
        self.stream = stream
        self.file = file
        super.init()
    }

    override var typeName: String { file == nil ? "StreamHandler" : "FileHandler" }

    func emit(_ record: LogRecord, _ ev: Evaluator) throws {
        let line = try (formatter ?? LogFormatter(format: LoggingModule.defaultFormat)).render(record, ev) + "\n"
        if let file {
            guard let handle = FileHandle(forWritingAtPath: file) ?? {
                FileManager.default.createFile(atPath: file, contents: nil)
                return FileHandle(forWritingAtPath: file)
            }() else { throw PyError(.fileNotFoundError, "[Errno 2] No such file or directory: '\(file)'") }
            handle.seekToEndOfFile()
            handle.write(Data(line.utf8))
            handle.closeFile()
        } else if let stream {
            _ = try ev.call(try ev.getAttribute(stream, "write"), Arguments([.str(line)]))
        } else {
            try Interpreter.of(ev).errorOutput(line)
        }
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "setFormatter":
            return .object(NativeFunction(name, "fmt", doc: "Sets the record format.") { b, _ in
                guard case .object(let f as LogFormatter) = b[0] else { throw PyError(.typeError, "fmt must be a logging.Formatter") }
                self.formatter = f
                return .none
            })
        case "setLevel":
            return .object(NativeFunction(name, "level", doc: "Sets the handler's threshold.") { b, _ in
                self.level = try LoggingModule.level(b[0])
                return .none
            })
        case "level": return .int(level)
        default: return nil
        }
    }
}
