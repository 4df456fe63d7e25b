#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// Raises this process's limit on open descriptors (RLIMIT_NOFILE, `ulimit -n`) as far as the hard limit allows, and
/// returns the new limit. Every connection is a descriptor, and the usual soft limit of 1024 is reached long before a
/// selector server runs out of anything else ("too many open files"). Programs this process starts inherit it.
@discardableResult
public func raiseOpenFileLimit() throws -> Int {
    let (soft, hard) = try getOpenFileLimit()
    if soft < hard { try setOpenFileLimit(hard) }
    return max(soft, hard)
}

/// The limit on open descriptors: the soft one in force and the hard one it may be raised to (`ulimit -Sn`, `-Hn`).
public func getOpenFileLimit() throws -> (soft: Int, hard: Int) {
    var limit = rlimit()
    _ = try syscall("getrlimit") { Platform.getOpenFileLimit(&limit) }
    return (Int(clamping: limit.rlim_cur), Int(clamping: Platform.highestOpenFileLimit(hard: limit.rlim_max)))
}

/// Sets the soft limit on open descriptors (at most the hard one).
public func setOpenFileLimit(_ soft: Int) throws {
    var limit = rlimit()
    _ = try syscall("getrlimit") { Platform.getOpenFileLimit(&limit) }
    limit.rlim_cur = rlim_t(soft)
    _ = try syscall("setrlimit") { Platform.setOpenFileLimit(&limit) }
}
