import Foundation

/// Python's `gc` (the collector's controls; nnrepl frees by reference counting, so `collect()`
/// finds nothing to free and returns 0) and `platform` (the machine, from uname(2); the Python
/// version is the one nnrepl stands for, `sys.version`'s).
enum SystemInfoModules {
    static func gc() -> Namespace {
        let m = Namespace("gc")
        nonisolated(unsafe) var enabled = true
        nonisolated(unsafe) var thresholds: [Value] = [.int(700), .int(10), .int(10)]
        m["collect"] = .object(NativeFunction("collect", "generation=2", doc: "Runs a collection; the number of unreachable objects found (0).") { _, _ in .int(0) })
        m["enable"] = .object(NativeFunction("enable", "", doc: "Turns automatic collection on.") { _, _ in enabled = true; return .none })
        m["disable"] = .object(NativeFunction("disable", "", doc: "Turns automatic collection off.") { _, _ in enabled = false; return .none })
        m["isenabled"] = .object(NativeFunction("isenabled", "", doc: "Whether automatic collection is on.") { _, _ in .bool(enabled) })
        m["get_count"] = .object(NativeFunction("get_count", "", doc: "The collection counts (0, 0, 0).") { _, ev in ev.makeTuple([.int(0), .int(0), .int(0)]) })
        m["get_threshold"] = .object(NativeFunction("get_threshold", "", doc: "The collection thresholds.") { _, ev in ev.makeTuple(thresholds) })
        m["set_threshold"] = .object(NativeFunction("set_threshold", "threshold0, threshold1=None, threshold2=None", doc: "Sets the collection thresholds.") { b, _ in
            for i in 0..<3 where !b[i].isNone { thresholds[i] = .int(try b[i].asInt()) }
            return .none
        })
        m["freeze"] = .object(NativeFunction("freeze", "", doc: "Does nothing (no generations to freeze).") { _, _ in .none })
        m["garbage"] = .object(PyList([]))
        return m
    }

    /// uname(2)'s fields: sysname, nodename, release, version, machine.
    private static func uname() -> [String] {
        var u = utsname()
        guard Glibc.uname(&u) == 0 else { return ["Linux", "", "", "", ""] }
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        }
        return [text(u.sysname), text(u.nodename), text(u.release), text(u.version), text(u.machine)]
    }

    static func platform() -> Namespace {
        let m = Namespace("platform")
        let u = uname()
        func constant(_ name: String, _ value: String, _ doc: String) {
            m[name] = .object(NativeFunction(name, "", doc: doc) { _, _ in .str(value) })
        }
        constant("system", u[0], "The operating system ('Linux').")
        constant("node", u[1], "The machine's network name.")
        constant("release", u[2], "The kernel release.")
        constant("version", u[3], "The kernel version.")
        constant("machine", u[4], "The machine type ('x86_64').")
        constant("processor", u[4], "The processor ('x86_64').")
        constant("python_version", "3.11.7", "The Python version nnrepl stands for.")
        constant("python_implementation", "CPython", "The Python implementation nnrepl stands for.")
        m["python_version_tuple"] = .object(NativeFunction("python_version_tuple", "", doc: "('3', '11', '7').") { _, ev in
            ev.makeTuple(["3", "11", "7"].map { .str($0) })
        })
        m["platform"] = .object(NativeFunction("platform", "aliased=False, terse=False", doc: "'Linux-<release>-<machine>-with-glibc<version>'.") { _, _ in
            var buffer = [CChar](repeating: 0, count: 64)
            _ = confstr(Int32(_CS_GNU_LIBC_VERSION), &buffer, buffer.count)
            let glibc = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
                .replacingOccurrences(of: "glibc ", with: "")
            return .str("\(u[0])-\(u[2])-\(u[4])-with-glibc\(glibc)")
        })
        m["architecture"] = .object(NativeFunction("architecture", "executable=None, bits='', linkage=''", doc: "('64bit', 'ELF').") { _, ev in
            ev.makeTuple([.str("64bit"), .str("ELF")])
        })
        m["uname"] = .object(NativeFunction("uname", "", doc: "(system, node, release, version, machine).") { _, ev in
            try ShutilModule.namedTuple("uname_result", ["system", "node", "release", "version", "machine"], u.map { .str($0) }, ev)
        })
        return m
    }
}
