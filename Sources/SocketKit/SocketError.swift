#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// Every failure in SocketKit: which call failed, on what address, and why — worded for a student.
///
///     connect to 127.0.0.1:65432 failed: connection refused — is the server running?
public struct SocketError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The system call set `errno`.
        case system(errno: Int32)
        /// A host name could not be turned into an address (`getaddrinfo` failed with this code).
        case resolution(code: Int32)
        /// The socket's timeout (`setTimeout`) ran out.
        case timedOut
        /// The arguments were wrong before any system call was made.
        case invalidArgument(String)
    }

    /// The call that failed, named as in Python's `socket` module: "connect", "recv", "bind", …
    public let call: String
    /// The address or host involved, when there is one: "127.0.0.1:65432", "example.org".
    public let target: String?
    public let reason: Reason

    public init(call: String, target: String? = nil, reason: Reason) {
        self.call = call
        self.target = target
        self.reason = reason
    }

    /// The errno this error stands for (ETIMEDOUT for a timeout, EINVAL for bad arguments, 0 for a resolution failure).
    public var errno: Int32 {
        switch reason {
        case .system(let code): code
        case .timedOut: ETIMEDOUT
        case .invalidArgument: EINVAL
        case .resolution: 0
        }
    }

    /// In non-blocking mode, "nothing to do right now" (Python's BlockingIOError): try again when the selector says so.
    public var isWouldBlock: Bool { errno == EAGAIN || errno == EWOULDBLOCK || errno == EINPROGRESS }
    public var isTimeout: Bool { reason == .timedOut }
    public var isConnectionRefused: Bool { errno == ECONNREFUSED }
    /// The peer is gone: it reset the connection, or closed it before we wrote.
    public var isPeerGone: Bool { errno == ECONNRESET || errno == EPIPE || errno == ENOTCONN }
    /// This process (EMFILE) or the whole system (ENFILE) has no descriptor left for a new socket.
    public var isOutOfDescriptors: Bool { errno == EMFILE || errno == ENFILE }

    public var description: String {
        let what = target.map { "\(call) \(Self.preposition(for: call)) \($0) failed" } ?? "\(call) failed"
        switch reason {
        case .system(let code):
            let advice = Self.advice(call: call, errno: code, unixPath: target?.hasPrefix("/") == true)
            return "\(what): \(Self.explain(code))" + (advice.map { " — \($0)" } ?? "")
        case .resolution(let code):
            let host = target ?? "the host"
            return "\(call) failed: cannot resolve \(host) (\(Self.explainResolution(code)))"
                + " — check the spelling, or use an IP address such as 127.0.0.1"
        case .timedOut:
            return "\(what): timed out — the peer did not answer in time"
        case .invalidArgument(let message):
            return "\(what): \(message)"
        }
    }

    private static func preposition(for call: String) -> String {
        switch call {
        case "recv", "recvfrom", "recv_into": "from"
        case "accept", "listen", "getsockopt", "setsockopt", "shutdown", "epoll_ctl": "on"
        default: "to"
        }
    }

    /// strerror's text, lower-cased so that it reads as part of a sentence.
    static func explain(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        let message = String(cString: text)
        return message.prefix(1).lowercased() + message.dropFirst()
    }

    private static func explainResolution(_ code: Int32) -> String {
        guard let text = gai_strerror(code) else { return "error \(code)" }
        return String(cString: text).lowercased()
    }

    /// What a student should try next. Kept to the errors the labs actually meet.
    private static func advice(call: String, errno code: Int32, unixPath: Bool) -> String? {
        switch code {
        case ECONNREFUSED: "is the server running?"
        case EADDRINUSE where unixPath:
            "a file is at that path already — the socket of a server that did not remove it? A server removes a stale socket file before bind (and never a file that is not a socket)"
        case ENOENT where unixPath && call == "connect":
            "no socket at that path: is the server running, with the same path?"
        case EADDRINUSE:
            "another program (an earlier run of this server?) is using that port; stop it, or pick another with --port (0 picks a free one)"
        case EADDRNOTAVAIL: "that is not an address of this machine; try 127.0.0.1"
        case EACCES where call == "bind": "ports below 1024 need root; pick a port above 1023"
        case ECONNRESET: "the peer reset the connection (it closed abruptly)"
        case EPIPE: "the peer has closed the connection, so nothing more can be sent"
        case ENOTCONN:
            "the socket is not connected; call connect() first (on a server, use the socket accept() returned)"
        case EBADF: "the socket was already closed"
        case EINVAL where call == "accept": "call bind() and listen() before accept()"
        case EISCONN: "the socket is already connected"
        case EPERM where call == "epoll_ctl":
            "epoll cannot watch regular files or /dev/null; use a Selector(.poll) for those"
        case EMFILE, ENFILE: "too many open files; close sockets you are done with, or raise the limit (ulimit -n)"
        case ENETUNREACH, EHOSTUNREACH: "that network or host cannot be reached from here"
        case EAFNOSUPPORT: "the address family does not match the socket's (an IPv6 address on an IPv4 socket?)"
        default: nil
        }
    }
}
