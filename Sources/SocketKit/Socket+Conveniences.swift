#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

// Python's module-level helpers: socket.create_connection, socket.create_server, socket.socketpair.
extension Socket {
    /// `socket.create_connection((host, port), timeout)`: resolves the host, tries each of its addresses (IPv4 and
    /// IPv6) in turn, and returns the first socket that connects. The timeout, if any, stays set on the socket.
    public static func createConnection(_ address: (String, Int), timeout: Double? = nil) throws -> Socket {
        let candidates = try SocketAddress.resolve(host: address.0, port: address.1, call: "connect")
        var lastError: any Error = SocketError(
            call: "connect",
            target: address.0,
            reason: .resolution(code: EAI_NONAME)
        )
        for candidate in candidates {
            guard let family = candidate.family else { continue }
            let socket = try Socket(family, .stream)
            do {
                try socket.setTimeout(timeout)
                try socket.connect(candidate)
                return socket
            } catch {
                socket.close()
                lastError = error
            }
        }
        throw lastError
    }

    /// `socket.create_server((host, port))`: a listening TCP socket with SO_REUSEADDR, of the family the host
    /// resolves to ("::1" gives IPv6). Port 0 picks a free port: read it with `getSockName()`.
    public static func createServer(_ address: (String, Int), backlog: Int = 128) throws -> Socket {
        let candidates = try SocketAddress.resolve(host: address.0, port: address.1, call: "bind")
        guard let first = candidates.first, let family = first.family else {
            throw SocketError(call: "bind", target: address.0, reason: .resolution(code: EAI_NONAME))
        }
        let socket = try Socket(family, .stream)
        do {
            try socket.setSockOpt(.reuseAddress, true)
            try socket.bind(first)
            try socket.listen(backlog)
        } catch {
            socket.close()
            throw error
        }
        return socket
    }

    /// `socket.socketpair()`: two connected Unix sockets — a conversation without a network, handy for tests and
    /// for waking a selector from another thread.
    public static func socketPair(_ type: SocketType = .stream) throws -> (Socket, Socket) {
        var fds: [Int32] = [-1, -1]
        _ = try syscall("socketpair") { Platform.socketPair(AF_UNIX, type.rawValue, &fds) }
        return (
            Socket(adopting: fds[0], family: .unix, type: type), Socket(adopting: fds[1], family: .unix, type: type)
        )
    }
}
