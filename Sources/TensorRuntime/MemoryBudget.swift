import Foundation

/// How much memory this process may use, read once at startup: the smallest of the address
/// space and data limits (`RLIMIT_AS`, `RLIMIT_DATA`, less what is already mapped), the
/// memory cgroup's limit (v2 `memory.max`, v1 `memory.limit_in_bytes`, on the process's cgroup
/// and its ancestors, less the cgroup's current usage) and physical RAM. Past these limits an
/// allocation fails (the Swift runtime then aborts) or the kernel kills the process, so the
/// allocation guard (`Storage.allocationLimitBytes`, the interpreter's `MemoryLimit`) keeps
/// every single allocation to a quarter of it and raises MemoryError/RuntimeError instead.
public enum MemoryBudget {
    /// The bytes this process can still obtain, as described above.
    public static let availableBytes: Int = {
        var candidates: [Int] = []
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        if pages > 0, pageSize > 0 {
            let (total, overflow) = pages.multipliedReportingOverflow(by: pageSize)
            candidates.append(overflow ? Int.max : total)
        }
        let mapped = mappedBytes(pageSize: pageSize)
        for resource in [RLIMIT_AS, RLIMIT_DATA] {
            var limit = rlimit()
            #if os(Linux)
            let got = getrlimit(__rlimit_resource_t(resource.rawValue), &limit)
            #else
            let got = getrlimit(resource, &limit)
            #endif
            if got == 0, limit.rlim_cur < rlim_t(Int.max) {
                candidates.append(max(0, Int(limit.rlim_cur) - mapped))
            }
        }
        if let cgroup = cgroupAvailableBytes() { candidates.append(cgroup) }
        return candidates.min() ?? (16 << 30)
    }()

    /// The largest single allocation the guard allows: a quarter of `availableBytes`, so that
    /// a container doubling (`l = l + l`) stops with MemoryError while the old copy still fits.
    public static var singleAllocationLimit: Int { max(availableBytes / 4, 1 << 20) }

    /// The process's mapped address space (`/proc/self/statm`'s first field), 0 if unknown.
    private static func mappedBytes(pageSize: Int) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pagesText = text.split(separator: " ").first, let pages = Int(pagesText) else { return 0 }
        return pages.multipliedReportingOverflow(by: max(pageSize, 1)).partialValue
    }

    /// The tightest memory-cgroup limit over the process's cgroup and its ancestors, less that
    /// cgroup's usage; nil without a limit (or cgroups).
    private static func cgroupAvailableBytes() -> Int? {
        guard let membership = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) else { return nil }
        var best: Int?
        for line in membership.split(separator: "\n") {
            // "0::/path" (v2) or "N:memory:/path" (v1; controllers may be comma-joined).
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let (root, limitFile, usageFile): (String, String, String)
            if fields[1].isEmpty {
                (root, limitFile, usageFile) = ("/sys/fs/cgroup", "memory.max", "memory.current")
            } else if fields[1].split(separator: ",").contains("memory") {
                (root, limitFile, usageFile) = ("/sys/fs/cgroup/memory", "memory.limit_in_bytes", "memory.usage_in_bytes")
            } else {
                continue
            }
            var path = String(fields[2])
            while true {
                let dir = root + (path == "/" ? "" : path)
                if let limit = readNumber(dir + "/" + limitFile), limit < 1 << 60 {
                    let used = readNumber(dir + "/" + usageFile) ?? 0
                    best = min(best ?? Int.max, max(0, limit - used))
                }
                guard path != "/", let slash = path.lastIndex(of: "/") else { break }
                path = slash == path.startIndex ? "/" : String(path[..<slash])
            }
        }
        return best
    }

    /// A whole number from a one-line file ("max" and unreadable files give nil).
    private static func readNumber(_ path: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
