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
        var lastError: any Error = SocketError(call: "connect", target: address.0, reason: .resolution(code: EAI_NONAME))
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
        return (Socket(adopting: fds[0], family: .unix, type: type), Socket(adopting: fds[1], family: .unix, type: type))
    }
}

/// Python's `repr()` of a bytes object, `b'Hello, world'`, so programs can print what they received exactly as the
/// lecture's output shows it. Non-printable bytes appear as `\n`, `\x00`, … — never raw on the terminal.
public func repr(_ bytes: some Sequence<UInt8>) -> String {
    let array = Array(bytes)
    let quote: UInt8 = array.contains(UInt8(ascii: "'")) && !array.contains(UInt8(ascii: "\"")) ? 34 : 39
    var text = "b" + String(UnicodeScalar(quote))
    for byte in array {
        switch byte {
        case quote, UInt8(ascii: "\\"): text += "\\" + String(UnicodeScalar(byte))
        case UInt8(ascii: "\n"): text += "\\n"
        case UInt8(ascii: "\r"): text += "\\r"
        case UInt8(ascii: "\t"): text += "\\t"
        case 0x20..<0x7F: text.unicodeScalars.append(UnicodeScalar(byte))
        default: text += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }
    }
    return text + String(UnicodeScalar(quote))
}
