// The one file that knows how Glibc and Darwin differ. Everything else in SocketKit calls these names. (The selector's
// back-ends are one file each, as in swift-nio: SelectorEpoll.swift on Linux, SelectorKqueue.swift on Darwin,
// SelectorPoll.swift everywhere; `Selector.Backend` says which exist where.)

#if canImport(Glibc)
@preconcurrency import Glibc
import CSystemShims

enum Platform {
    static let streamType = Int32(SOCK_STREAM.rawValue)
    static let datagramType = Int32(SOCK_DGRAM.rawValue)
    /// New descriptors are close-on-exec, so a program the kit spawns never inherits (and keeps open) a socket.
    static let closeOnExecType = Int32(SOCK_CLOEXEC.rawValue)
    /// Linux reports a vanished peer on send as EPIPE instead of killing the process with SIGPIPE when asked.
    static let sendFlags = Int32(MSG_NOSIGNAL)
    static let shutRead = Int32(SHUT_RD)
    static let shutWrite = Int32(SHUT_WR)
    static let shutBoth = Int32(SHUT_RDWR)
    static let tcpLevel = Int32(IPPROTO_TCP)

    static func socket(_ family: Int32, _ type: Int32) -> Int32 {
        Glibc.socket(family, type | closeOnExecType, 0)
    }

    static func accept(
        _ fd: Int32,
        _ address: UnsafeMutablePointer<sockaddr>,
        _ length: UnsafeMutablePointer<socklen_t>
    )
        -> Int32
    {
        cshims_accept4(fd, address, length, closeOnExecType)
    }

    static func socketPair(_ family: Int32, _ type: Int32, _ fds: UnsafeMutablePointer<Int32>) -> Int32 {
        socketpair(family, type | closeOnExecType, 0, fds)
    }

    /// Nothing to do per socket on Linux: `sendFlags` covers SIGPIPE.
    static func configureNewSocket(_ fd: Int32) {}

    static func getOpenFileLimit(_ limit: UnsafeMutablePointer<rlimit>) -> Int32 {
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), limit)
    }

    static func setOpenFileLimit(_ limit: UnsafePointer<rlimit>) -> Int32 {
        setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), limit)
    }

    /// Linux lets the soft limit go all the way up to the hard one.
    static func highestOpenFileLimit(hard: rlim_t) -> rlim_t { hard }
}

#elseif canImport(Darwin)
@preconcurrency import Darwin

enum Platform {
    static let streamType = SOCK_STREAM
    static let datagramType = SOCK_DGRAM
    static let sendFlags: Int32 = 0
    static let shutRead = SHUT_RD
    static let shutWrite = SHUT_WR
    static let shutBoth = SHUT_RDWR
    static let tcpLevel = IPPROTO_TCP

    static func socket(_ family: Int32, _ type: Int32) -> Int32 {
        Darwin.socket(family, type, 0)
    }

    /// BSD gives the new socket the listening socket's O_NONBLOCK; Linux (and Python's `accept`) a blocking one.
    static func accept(
        _ fd: Int32,
        _ address: UnsafeMutablePointer<sockaddr>,
        _ length: UnsafeMutablePointer<socklen_t>
    )
        -> Int32
    {
        let new = Darwin.accept(fd, address, length)
        if new >= 0 { _ = fcntl(new, F_SETFL, fcntl(new, F_GETFL) & ~O_NONBLOCK) }
        return new
    }

    static func socketPair(_ family: Int32, _ type: Int32, _ fds: UnsafeMutablePointer<Int32>) -> Int32 {
        socketpair(family, type, 0, fds)
    }

    /// Darwin has no MSG_NOSIGNAL: the socket itself is told not to raise SIGPIPE, and is made close-on-exec.
    static func configureNewSocket(_ fd: Int32) {
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    static func getOpenFileLimit(_ limit: UnsafeMutablePointer<rlimit>) -> Int32 { getrlimit(RLIMIT_NOFILE, limit) }
    static func setOpenFileLimit(_ limit: UnsafePointer<rlimit>) -> Int32 { setrlimit(RLIMIT_NOFILE, limit) }

    /// macOS reports an unlimited hard limit but refuses a soft limit above OPEN_MAX.
    static func highestOpenFileLimit(hard: rlim_t) -> rlim_t { min(hard, rlim_t(OPEN_MAX)) }
}
#endif

// Socket's methods carry Python's names (bind, send, recv, …), which hide the C functions of the same names inside
// the class. These reach them from outside it.
#if canImport(Glibc) || canImport(Darwin)
func systemBind(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    bind(fd, address, length)
}
func systemListen(_ fd: Int32, _ backlog: Int32) -> Int32 { listen(fd, backlog) }
func systemConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}
func systemSend(_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int, _ flags: Int32) -> Int {
    send(fd, bytes, count, flags)
}
func systemSendto(
    _ fd: Int32,
    _ bytes: UnsafeRawPointer?,
    _ count: Int,
    _ flags: Int32,
    _ address: UnsafePointer<sockaddr>,
    _ length: socklen_t
) -> Int {
    sendto(fd, bytes, count, flags, address, length)
}
func systemRecv(_ fd: Int32, _ bytes: UnsafeMutableRawPointer?, _ count: Int, _ flags: Int32) -> Int {
    recv(fd, bytes, count, flags)
}
func systemRecvfrom(
    _ fd: Int32,
    _ bytes: UnsafeMutableRawPointer?,
    _ count: Int,
    _ flags: Int32,
    _ address: UnsafeMutablePointer<sockaddr>,
    _ length: UnsafeMutablePointer<socklen_t>
) -> Int {
    recvfrom(fd, bytes, count, flags, address, length)
}
func systemShutdown(_ fd: Int32, _ how: Int32) -> Int32 { shutdown(fd, how) }
#endif
