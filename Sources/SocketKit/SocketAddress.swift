#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// An endpoint: an IPv4 or IPv6 address with a port, or a Unix socket path. Python passes these as tuples
/// (`('127.0.0.1', 61538)`); SocketKit accepts the same tuples and hands back a `SocketAddress`, printed as
/// `127.0.0.1:61538`, `[::1]:61538` or `/tmp/echo.sock`.
public struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    private var storage = sockaddr_storage()
    private var length: socklen_t

    /// Wraps an address the system filled in (accept, recvfrom, getsockname).
    init(_ fill: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) throws -> Void) rethrows {
        length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        var storage = sockaddr_storage()
        var length = self.length
        try withUnsafeMutablePointer(to: &storage) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                try fill(address, &length)
            }
        }
        self.storage = storage
        self.length = length
    }

    /// A Unix-domain socket address (`AF_UNIX`): a path in the file system.
    public init(unixPath path: String) throws {
        var address = sockaddr_un()
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count < capacity else {
            throw SocketError(
                call: "bind",
                target: path,
                reason: .invalidArgument("a Unix socket path must be 1–\(capacity - 1) bytes long")
            )
        }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count + 1)
        withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: withUnsafeBytes(of: address) { Array($0) }) }
    }

    /// Resolves a host name or address literal with getaddrinfo, as Python does for every `(host, port)` tuple.
    /// An empty host means "every local address" (the wildcard), as in Python's `bind(('', port))`.
    public static func resolve(
        host: String,
        port: Int,
        family: Socket.Family? = nil,
        type: Socket.SocketType = .stream,
        call: String = "getaddrinfo"
    ) throws -> [SocketAddress] {
        guard (0...65535).contains(port) else {
            throw SocketError(
                call: call,
                target: "\(host):\(port)",
                reason: .invalidArgument("port \(port) is out of range (0–65535)")
            )
        }
        var hints = addrinfo()
        hints.ai_family = family?.rawValue ?? AF_UNSPEC
        hints.ai_socktype = type.rawValue
        hints.ai_flags = AI_NUMERICSERV | (host.isEmpty ? AI_PASSIVE : 0)
        var list: UnsafeMutablePointer<addrinfo>?
        let code =
            host.isEmpty
            ? getaddrinfo(nil, String(port), &hints, &list)
            : getaddrinfo(host, String(port), &hints, &list)
        guard code == 0, let list else {
            throw SocketError(
                call: call,
                target: host.isEmpty ? "the wildcard address" : host,
                reason: .resolution(code: code)
            )
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        for entry in sequence(first: list, next: { $0.pointee.ai_next }) {
            guard let source = entry.pointee.ai_addr else { continue }
            let length = entry.pointee.ai_addrlen
            let address = SocketAddress { target, targetLength in
                UnsafeMutableRawPointer(target).copyMemory(from: source, byteCount: Int(length))
                targetLength.pointee = length
            }
            if !addresses.contains(address) { addresses.append(address) }
        }
        return addresses
    }

    /// The address family, or nil for one SocketKit does not know.
    public var family: Socket.Family? { Socket.Family(rawValue: Int32(storage.ss_family)) }

    /// The numeric host ("127.0.0.1", "::1"), or the path of a Unix socket.
    public var host: String {
        if family == .unix { return path ?? "" }
        var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let code = withSockAddr { address, length in
            getnameinfo(address, length, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST)
        }
        return code == 0
            ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
    }

    /// The port, in host byte order; 0 for a Unix socket.
    public var port: Int {
        withSockAddr { address, _ in
            switch Int32(address.pointee.sa_family) {
            case AF_INET:
                address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    Int(UInt16(bigEndian: $0.pointee.sin_port))
                }
            case AF_INET6:
                address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    Int(UInt16(bigEndian: $0.pointee.sin6_port))
                }
            default: 0
            }
        }
    }

    /// The path of a Unix socket address (nil for an unnamed one, or for IP addresses).
    public var path: String? {
        guard family == .unix else { return nil }
        let offset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
        guard Int(length) > offset else { return nil }
        return withUnsafeBytes(of: storage) { raw in
            let bytes = raw[offset..<Int(length)].prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    public var description: String {
        switch family {
        case .inet: "\(host):\(port)"
        case .inet6: "[\(host)]:\(port)"
        case .unix: path ?? "(unnamed)"
        case nil: "(address family \(storage.ss_family))"
        }
    }

    func withSockAddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> Result) rethrows -> Result {
        var copy = storage
        return try withUnsafePointer(to: &copy) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, length) }
        }
    }

    private var bytes: ArraySlice<UInt8> {
        withUnsafeBytes(of: storage) { Array($0)[..<Int(length)] }
    }

    public static func == (lhs: SocketAddress, rhs: SocketAddress) -> Bool { lhs.bytes == rhs.bytes }
    public func hash(into hasher: inout Hasher) { hasher.combine(bytes) }
}
