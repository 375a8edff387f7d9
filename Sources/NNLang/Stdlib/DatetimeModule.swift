import Foundation

/// Python's `datetime`, the parts scripts use to stamp runs and time epochs: `datetime.now()` /
/// `today()` / `fromtimestamp()` (local time, microseconds), `strftime`, `isoformat`, `timestamp`,
/// the fields, `timedelta(days=, seconds=, microseconds=, milliseconds=, minutes=, hours=, weeks=)`
/// with `total_seconds()` and CPython's `str`, `datetime - datetime`, `datetime ± timedelta`,
/// and `date.today()`.
enum DatetimeModule {
    static func module() -> Namespace {
        let m = Namespace("datetime")
        let datetime = HostType("datetime", doc: "A local date and time.", check: { isObject($0, PyDateTime.self) })
        datetime.module = "datetime"
        datetime.classMembers["now"] = .object(NativeFunction("now", "tz=None", doc: "The current local date and time.") { _, _ in
            .object(try PyDateTime(checked: Date().timeIntervalSince1970, dateOnly: false))
        })
        datetime.classMembers["today"] = datetime.classMembers["now"]
        datetime.classMembers["fromtimestamp"] = .object(NativeFunction("fromtimestamp", "t, tz=None", doc: "The local date and time of a POSIX timestamp.") { b, _ in
            .object(try PyDateTime(checked: try b[0].asDouble(), dateOnly: false))
        })
        let date = HostType("date", doc: "A local date.", check: { isObject($0, PyDateTime.self) })
        date.module = "datetime"
        date.classMembers["today"] = .object(NativeFunction("today", "", doc: "The current local date.") { _, _ in
            .object(try PyDateTime(checked: Date().timeIntervalSince1970, dateOnly: true))
        })
        let timedelta = HostType("timedelta", signature: Signature("days=0, seconds=0, microseconds=0, milliseconds=0, minutes=0, hours=0, weeks=0"),
                                 doc: "A duration.", check: { isObject($0, PyTimeDelta.self) }) { a, _ in
            let b = try Signature("days=0, seconds=0, microseconds=0, milliseconds=0, minutes=0, hours=0, weeks=0").bind(a, "timedelta")
            let scales: [Double] = [86_400e6, 1e6, 1, 1e3, 60e6, 3_600e6, 604_800e6]
            var micros = 0.0
            for (i, scale) in scales.enumerated() { micros += try b[i].asDouble() * scale }
            // CPython's limit: |days| <= 999999999.
            guard micros.isFinite, abs(micros) < 999_999_999 * 86_400e6 else {
                throw PyError(.overflowError, "days=\(micros.isFinite ? Int64(micros / 86_400e6) : 0); must have magnitude <= 999999999")
            }
            return .object(PyTimeDelta(microseconds: Int64(micros.rounded(.toNearestOrEven))))
        }
        timedelta.module = "datetime"
        m["datetime"] = .object(datetime)
        m["date"] = .object(date)
        m["timedelta"] = .object(timedelta)
        return m
    }

    private static func isObject<T>(_ v: Value, _ type: T.Type) -> Bool {
        if case .object(let o) = v { return o is T }
        return false
    }
}

/// A `datetime.datetime` (or a `datetime.date` when `dateOnly`) in local time, to the microsecond.
final class PyDateTime: PyObject {
    /// Microseconds since the POSIX epoch.
    let micros: Int64
    let dateOnly: Bool
    private let fields: tm

    /// A date-time `seconds` after the epoch; OverflowError beyond years 1…9999 (CPython's range).
    convenience init(checked seconds: Double, dateOnly: Bool) throws {
        guard seconds.isFinite, abs(seconds) < 253_402_300_800 else { throw PyError(.overflowError, "timestamp out of range for platform time_t") }
        self.init(seconds, dateOnly: dateOnly)
    }

    private init(_ seconds: Double, dateOnly: Bool) {
        var whole = time_t(seconds.rounded(.down))
        var parts = tm()
        localtime_r(&whole, &parts)
        if dateOnly {
            parts.tm_hour = 0; parts.tm_min = 0; parts.tm_sec = 0
            whole = mktime(&parts)
        }
        micros = Int64(whole) * 1_000_000 + (dateOnly ? 0 : Int64(((seconds - seconds.rounded(.down)) * 1e6).rounded(.down)))
        self.dateOnly = dateOnly
        fields = parts
        super.init()
    }

    private var microsecond: Int { Int(((micros % 1_000_000) + 1_000_000) % 1_000_000) }

    override var typeName: String { dateOnly ? "date" : "datetime" }

    func strftime(_ format: String) -> String {
        // %f (microseconds) is Python's own; the rest is C's strftime.
        let expanded = format.replacingOccurrences(of: "%f", with: String(format: "%06d", microsecond))
        var parts = fields
        // strftime gives 0 when the buffer is too small (or the result empty): grow and retry.
        var size = 256 + expanded.utf8.count * 4
        while size <= 1 << 24 {
            var buffer = [Int8](repeating: 0, count: size)
            let n = Foundation.strftime(&buffer, buffer.count, expanded, &parts)
            if n > 0 || expanded.isEmpty { return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self) }
            size *= 4
        }
        return ""
    }

    var isoformat: String {
        if dateOnly { return strftime("%Y-%m-%d") }
        return strftime("%Y-%m-%dT%H:%M:%S") + (microsecond == 0 ? "" : String(format: ".%06d", microsecond))
    }

    override func repr(_ ev: Evaluator) throws -> String {
        let date = "\(fields.tm_year + 1900), \(fields.tm_mon + 1), \(fields.tm_mday)"
        if dateOnly { return "datetime.date(\(date))" }
        var time = ", \(fields.tm_hour), \(fields.tm_min)"
        if fields.tm_sec != 0 || microsecond != 0 { time += ", \(fields.tm_sec)" }
        if microsecond != 0 { time += ", \(microsecond)" }
        return "datetime.datetime(\(date)\(time))"
    }

    override func str(_ ev: Evaluator) throws -> String { dateOnly ? isoformat : isoformat.replacingOccurrences(of: "T", with: " ") }

    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        if case .object(let o as PyDateTime) = other { return o.micros == micros }
        return false
    }

    override func order(comparedTo other: Value, _ ev: Evaluator) throws -> Int? {
        guard case .object(let o as PyDateTime) = other else { return nil }
        return micros < o.micros ? -1 : micros == o.micros ? 0 : 1
    }

    override func binary(_ op: BinaryOperator, _ other: Value, reflected: Bool, _ ev: Evaluator) throws -> Value? {
        switch (op, other) {
        case (.sub, .object(let o as PyDateTime)) where !reflected:
            return .object(PyTimeDelta(microseconds: micros - o.micros))
        case (.add, .object(let d as PyTimeDelta)), (.sub, .object(let d as PyTimeDelta)) where !reflected || op == .add:
            let shifted = Double(micros) + Double(op == .add ? d.microseconds : -d.microseconds)
            return .object(try PyDateTime(checked: shifted / 1e6, dateOnly: dateOnly))
        default: return nil
        }
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "year": return .int(Int(fields.tm_year) + 1900)
        case "month": return .int(Int(fields.tm_mon) + 1)
        case "day": return .int(Int(fields.tm_mday))
        case "hour": return .int(Int(fields.tm_hour))
        case "minute": return .int(Int(fields.tm_min))
        case "second": return .int(Int(fields.tm_sec))
        case "microsecond": return .int(microsecond)
        case "strftime":
            return .object(NativeFunction(name, "format", doc: "The date and time in a strftime format.") { b, _ in
                .str(self.strftime(try b[0].asString("format")))
            })
        case "isoformat": return .object(NativeFunction(name, "sep='T', timespec='auto'", doc: "YYYY-MM-DDTHH:MM:SS[.ffffff].") { _, _ in .str(self.isoformat) })
        case "timestamp": return .object(NativeFunction(name, "", doc: "Seconds since the POSIX epoch.") { _, _ in .float(Double(self.micros) / 1e6) })
        case "date": return .object(NativeFunction(name, "", doc: "The date part.") { _, _ in .object(try PyDateTime(checked: Double(self.micros) / 1e6, dateOnly: true)) })
        case "weekday": return .object(NativeFunction(name, "", doc: "Monday 0 … Sunday 6.") { _, _ in .int((Int(self.fields.tm_wday) + 6) % 7) })
        default: return nil
        }
    }
}

/// A `datetime.timedelta`, in microseconds.
final class PyTimeDelta: PyObject {
    let microseconds: Int64

    init(microseconds: Int64) {
        self.microseconds = microseconds
        super.init()
    }

    override var typeName: String { "timedelta" }

    /// CPython's normalised parts: days (may be negative), 0 <= seconds < 86400, 0 <= microseconds < 10^6.
    private var parts: (days: Int64, seconds: Int64, micros: Int64) {
        let perDay: Int64 = 86_400_000_000
        var days = microseconds / perDay
        var rest = microseconds % perDay
        if rest < 0 { rest += perDay; days -= 1 }
        return (days, rest / 1_000_000, rest % 1_000_000)
    }

    override func str(_ ev: Evaluator) throws -> String {
        let (days, seconds, micros) = parts
        var text = String(format: "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
        if micros != 0 { text += String(format: ".%06d", micros) }
        if days != 0 { text = "\(days) day\(abs(days) == 1 ? "" : "s"), " + text }
        return text
    }

    override func repr(_ ev: Evaluator) throws -> String {
        let (days, seconds, micros) = parts
        var fields: [String] = []
        if days != 0 { fields.append("days=\(days)") }
        if seconds != 0 { fields.append("seconds=\(seconds)") }
        if micros != 0 { fields.append("microseconds=\(micros)") }
        return "datetime.timedelta(\(fields.isEmpty ? "0" : fields.joined(separator: ", ")))"
    }

    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        if case .object(let o as PyTimeDelta) = other { return o.microseconds == microseconds }
        return false
    }

    override func order(comparedTo other: Value, _ ev: Evaluator) throws -> Int? {
        guard case .object(let o as PyTimeDelta) = other else { return nil }
        return microseconds < o.microseconds ? -1 : microseconds == o.microseconds ? 0 : 1
    }

    override func binary(_ op: BinaryOperator, _ other: Value, reflected: Bool, _ ev: Evaluator) throws -> Value? {
        switch (op, other) {
        // Both within CPython's ±999999999 days, so sums and differences fit in Int64.
        case (.add, .object(let o as PyTimeDelta)): return .object(PyTimeDelta(microseconds: microseconds + o.microseconds))
        case (.sub, .object(let o as PyTimeDelta)):
            return .object(PyTimeDelta(microseconds: reflected ? o.microseconds - microseconds : microseconds - o.microseconds))
        case (.div, .object(let o as PyTimeDelta)) where !reflected:
            guard o.microseconds != 0 else { throw PyError(.zeroDivisionError, "division by zero") }
            return .float(Double(microseconds) / Double(o.microseconds))
        default: return nil
        }
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        let (days, seconds, micros) = parts
        switch name {
        case "days": return .int(Int(days))
        case "seconds": return .int(Int(seconds))
        case "microseconds": return .int(Int(micros))
        case "total_seconds": return .object(NativeFunction(name, "", doc: "The duration in seconds.") { _, _ in .float(Double(self.microseconds) / 1e6) })
        default: return nil
        }
    }
}
